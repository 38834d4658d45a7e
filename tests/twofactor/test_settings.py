"""The second factor's settings: mandatory in production unless switched off, optional on a
laptop; the middleware right after the authentication middleware."""

import pytest

from tests.test_settings import load_settings  # noqa: F401  (the fixture)


@pytest.fixture(autouse=True)
def _no_twofactor_env(monkeypatch):
    for name in ("PLANWERK_2FA_REQUIRED", "PLANWERK_OIDC_TRUST_MFA"):
        monkeypatch.delenv(name, raising=False)


PRODUCTION = {"PLANWERK_ENV": "production", "DJANGO_SECRET_KEY": "k" * 50}


@pytest.mark.parametrize(
    "env, required",
    [
        (PRODUCTION, True),
        ({**PRODUCTION, "PLANWERK_2FA_REQUIRED": "0"}, False),
        ({}, False),
        ({"PLANWERK_2FA_REQUIRED": "1"}, True),
    ],
)
def test_second_factor_is_required_by_default_in_production_only(
    load_settings,  # noqa: F811
    env,
    required,
):
    assert load_settings(**env)["PLANWERK_2FA_REQUIRED"] is required


def test_sso_sessions_are_trusted_unless_switched_off(load_settings):  # noqa: F811
    assert load_settings()["PLANWERK_OIDC_TRUST_MFA"] is True
    assert load_settings(PLANWERK_OIDC_TRUST_MFA="0")["PLANWERK_OIDC_TRUST_MFA"] is False


def test_the_gate_follows_the_otp_and_authentication_middleware(load_settings):  # noqa: F811
    middleware = load_settings(**PRODUCTION)["MIDDLEWARE"]
    auth = middleware.index("config.middleware.CookielessAuthenticationMiddleware")
    assert middleware[auth + 1 : auth + 3] == [
        "django_otp.middleware.OTPMiddleware",
        "twofactor.middleware.SecondFactorMiddleware",
    ]
