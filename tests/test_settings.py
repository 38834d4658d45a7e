"""config/settings.py read afresh under a controlled environment: safe defaults, env switches."""

import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "config" / "settings.py"
ENV_VARS = [
    "DATABASE_URL",
    "DJANGO_SECRET_KEY",
    "DJANGO_DEBUG",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    "DJANGO_SECURE_COOKIES",
    "DJANGO_STATIC_ROOT",
    "PLANWERK_VAR_DIR",
    "PLANWERK_CACHE_DIR",
    "REDIS_URL",
    "PLANWERK_CACHE_KEY_PREFIX",
    "PLANWERK_TASK_BACKEND",
    "PLANWERK_MANIFEST_STATIC",
    "PLANWERK_ENV",
    "DJANGO_SECURE_SSL_REDIRECT",
    "DJANGO_PROXY_SSL_HEADER",
    "DJANGO_HSTS_SECONDS",
    "DJANGO_HSTS_INCLUDE_SUBDOMAINS",
    "DJANGO_HSTS_PRELOAD",
    "PLANWERK_CLIENT_IP_HEADER",
    "PLANWERK_CLIENT_IP_PROXY_COUNT",
    "PLANWERK_LOGIN_FAILURE_LIMIT",
    "PLANWERK_LOGIN_COOLOFF_MINUTES",
    # single sign-on (tests/sso/test_sso.py)
    "PLANWERK_OIDC_ISSUER",
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
]


@pytest.fixture
def load_settings(monkeypatch, tmp_path):
    """Evaluate the settings module with only the given variables set (var dir in tmp_path)."""

    def load(**env):
        for name in ENV_VARS:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("PLANWERK_VAR_DIR", str(tmp_path / "var"))
        monkeypatch.setenv("PLANWERK_ENV", "development")  # as on a laptop, unless env says
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS_FILE))

    return load


def test_settings_debug_is_off_by_default(load_settings):
    assert load_settings()["DEBUG"] is False


@pytest.mark.parametrize(
    ("value", "expected"), [("1", True), ("true", True), ("0", False), ("no", False)]
)
def test_settings_debug_follows_django_debug(load_settings, value, expected):
    assert load_settings(DJANGO_DEBUG=value)["DEBUG"] is expected


def test_settings_default_database_is_sqlite_under_var_dir(load_settings, tmp_path):
    database = load_settings()["DATABASES"]["default"]

    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(database["NAME"]) == tmp_path / "var" / "planwerk.sqlite3"
    assert database["ATOMIC_REQUESTS"] is True


def test_settings_database_url_switches_to_postgresql(load_settings):
    database = load_settings(DATABASE_URL="postgres://plan:geheim@db.example:6543/planwerk")[
        "DATABASES"
    ]["default"]

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == (
        "db.example",
        6543,
        "planwerk",
    )
    assert (database["USER"], database["PASSWORD"]) == ("plan", "geheim")
    assert database["ATOMIC_REQUESTS"] is True


def test_settings_language_is_german_first(load_settings):
    settings = load_settings()

    assert settings["LANGUAGE_CODE"] == "de"
    assert [code for code, _name in settings["LANGUAGES"]] == ["de", "en"]
    assert settings["TIME_ZONE"] == "Europe/Berlin"


def test_settings_secret_key_generated_once_per_var_dir(load_settings, tmp_path):
    first = load_settings()["SECRET_KEY"]
    second = load_settings()["SECRET_KEY"]

    assert len(first) >= 50
    assert first == second
    assert (tmp_path / "var" / "secret_key").read_text().strip() == first


def test_settings_secret_key_from_environment_wins(load_settings, tmp_path):
    settings = load_settings(DJANGO_SECRET_KEY="from-the-environment")

    assert settings["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "var" / "secret_key").exists()


def test_settings_production_without_secret_key_refuses_to_start(load_settings, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        load_settings(PLANWERK_ENV="production")
    assert not (tmp_path / "var" / "secret_key").exists()
    # DEBUG is development by definition
    assert load_settings(PLANWERK_ENV="production", DJANGO_DEBUG="1")["SECRET_KEY"]


def test_settings_environment_name_is_checked(load_settings):
    with pytest.raises(ImproperlyConfigured, match="PLANWERK_ENV"):
        load_settings(PLANWERK_ENV="staging", DJANGO_SECRET_KEY="x")


def test_settings_production_defaults_are_strict(load_settings):
    settings = load_settings(PLANWERK_ENV="production", DJANGO_SECRET_KEY="k" * 50)

    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SECURE_HSTS_SECONDS"] == 365 * 24 * 60 * 60
    assert settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert settings["SECURE_HSTS_PRELOAD"] is False
    assert (settings["SESSION_COOKIE_SECURE"], settings["CSRF_COOKIE_SECURE"]) == (True, True)
    assert settings["SECURE_PROXY_SSL_HEADER"] is None
    assert settings["AXES_IPWARE_META_PRECEDENCE_ORDER"] == ("REMOTE_ADDR",)


def test_settings_development_does_without_https(load_settings):
    settings = load_settings()

    assert settings["SECURE_SSL_REDIRECT"] is False
    assert settings["SECURE_HSTS_SECONDS"] == 0
    assert settings["SESSION_COOKIE_SECURE"] is False


def test_settings_proxy_and_https_switches(load_settings):
    settings = load_settings(
        PLANWERK_ENV="production",
        DJANGO_SECRET_KEY="k" * 50,
        DJANGO_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO",
        PLANWERK_CLIENT_IP_HEADER="HTTP_X_FORWARDED_FOR",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_HSTS_SECONDS="600",
        DJANGO_HSTS_PRELOAD="1",
        PLANWERK_LOGIN_FAILURE_LIMIT="3",
        PLANWERK_LOGIN_COOLOFF_MINUTES="60",
    )

    assert settings["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert settings["AXES_IPWARE_META_PRECEDENCE_ORDER"] == ("HTTP_X_FORWARDED_FOR",)
    assert settings["SECURE_SSL_REDIRECT"] is False
    assert (settings["SECURE_HSTS_SECONDS"], settings["SECURE_HSTS_PRELOAD"]) == (600, True)
    assert settings["AXES_FAILURE_LIMIT"] == 3
    assert settings["AXES_COOLOFF_TIME"].total_seconds() == 3600


def test_settings_hosts_and_origins_from_environment(load_settings):
    default = load_settings()
    configured = load_settings(
        DJANGO_ALLOWED_HOSTS="plan.example.org, www.plan.example.org",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://plan.example.org",
    )

    assert "*" not in default["ALLOWED_HOSTS"]
    assert default["CSRF_TRUSTED_ORIGINS"] == []
    assert configured["ALLOWED_HOSTS"] == ["plan.example.org", "www.plan.example.org"]
    assert configured["CSRF_TRUSTED_ORIGINS"] == ["https://plan.example.org"]


def test_settings_secure_cookies_switch(load_settings):
    default = load_settings()
    secure = load_settings(DJANGO_SECURE_COOKIES="1")
    plain_hop = load_settings(
        PLANWERK_ENV="production", DJANGO_SECRET_KEY="k" * 50, DJANGO_SECURE_COOKIES="0"
    )

    assert default["SESSION_COOKIE_SECURE"] is False
    assert (secure["SESSION_COOKIE_SECURE"], secure["CSRF_COOKIE_SECURE"]) == (True, True)
    assert plain_hop["SESSION_COOKIE_SECURE"] is False
    assert (default["SESSION_COOKIE_HTTPONLY"], default["CSRF_COOKIE_HTTPONLY"]) == (True, True)
    assert (default["SESSION_COOKIE_SAMESITE"], default["CSRF_COOKIE_SAMESITE"]) == ("Lax", "Lax")
    assert default["X_FRAME_OPTIONS"] == "DENY"


def test_settings_static_files_use_manifest_storage_unless_debug(load_settings):
    production = load_settings()["STORAGES"]["staticfiles"]["BACKEND"]
    debug = load_settings(DJANGO_DEBUG="1")["STORAGES"]["staticfiles"]["BACKEND"]

    assert production == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert debug == "django.contrib.staticfiles.storage.StaticFilesStorage"


def test_settings_task_backend_defaults_to_database(load_settings):
    default = load_settings()["TASKS"]["default"]["BACKEND"]
    immediate = load_settings(
        PLANWERK_TASK_BACKEND="django_tasks.backends.immediate.ImmediateBackend"
    )

    assert default == "django_tasks_db.DatabaseBackend"
    assert immediate["TASKS"]["default"]["BACKEND"].endswith("ImmediateBackend")


def test_cache_is_a_local_file_cache_without_redis_url(load_settings, tmp_path):
    cache = load_settings()["CACHES"]["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert cache["LOCATION"] == str(tmp_path / "var" / "cache")


def test_redis_url_switches_the_cache_to_redis(load_settings):
    caches = load_settings(
        REDIS_URL="redis://cache.internal:6379/2", PLANWERK_CACHE_KEY_PREFIX="stadt-a"
    )["CACHES"]
    cache = caches["default"]
    assert cache["BACKEND"] == "config.cache.ResilientRedisCache"  # Django's, with a breaker
    assert cache["LOCATION"] == "redis://cache.internal:6379/2"
    assert cache["KEY_PREFIX"] == "stadt-a"
    assert "LOCAL_FALLBACK" not in cache.get("OPTIONS", {}), "pages never from process memory"
    assert caches["throttle"]["LOCATION"] == cache["LOCATION"]
    assert caches["throttle"]["OPTIONS"] == {"LOCAL_FALLBACK": True}


def test_django_messages_keep_djangos_german_wording_although_drf_translates_them():
    """Django REST framework's catalogue says "Gib eine gültige E-Mail Adresse an." and comes
    before Django's; config/locale_overrides.py keeps the site's formal voice."""
    from django.core.validators import EmailValidator, URLValidator
    from django.utils import translation

    with translation.override("de"):
        assert str(EmailValidator.message) == "Bitte gültige E-Mail-Adresse eingeben."
        assert str(URLValidator.message) == "Bitte eine gültige Adresse eingeben."


# single sign-on (sso/; the sign-in itself: tests/sso/)
SSO_BACKEND = "sso.backends.PlanwerkOIDCBackend"


def test_settings_sso_off_without_configuration(load_settings):
    config = load_settings()

    assert config["PLANWERK_OIDC_ENABLED"] is False
    assert SSO_BACKEND not in config["AUTHENTICATION_BACKENDS"]
    assert config["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["form-action"] == ["'self'"]


def test_settings_sso_with_issuer_adds_backend_after_axes_and_the_form_action(load_settings):
    config = load_settings(
        PLANWERK_OIDC_ISSUER="https://login.microsoftonline.com/tenant-id/v2.0",
        OIDC_RP_CLIENT_ID="planwerk",
        OIDC_RP_CLIENT_SECRET="secret",
    )

    assert config["PLANWERK_OIDC_ENABLED"] is True
    assert config["AUTHENTICATION_BACKENDS"] == [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
        SSO_BACKEND,
    ]
    assert config["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["form-action"] == [
        "'self'",
        "https://login.microsoftonline.com",
    ]
    assert config["PLANWERK_OIDC_CREATE_USERS"] is False
    assert config["PLANWERK_OIDC_TRUST_MFA"] is True


def test_settings_sso_half_configured_refuses_to_start(load_settings):
    with pytest.raises(ImproperlyConfigured, match="OIDC_RP_CLIENT_SECRET"):
        load_settings(PLANWERK_OIDC_ISSUER="https://idp.example.org", OIDC_RP_CLIENT_ID="x")


def test_settings_sso_with_explicit_endpoints_and_no_issuer(load_settings):
    base = "https://adfs.stadt.example/adfs/oauth2"
    config = load_settings(
        OIDC_OP_AUTHORIZATION_ENDPOINT=f"{base}/authorize/",
        OIDC_OP_TOKEN_ENDPOINT=f"{base}/token/",
        OIDC_OP_JWKS_ENDPOINT="https://adfs.stadt.example/adfs/discovery/keys",
        OIDC_RP_CLIENT_ID="planwerk",
        OIDC_RP_CLIENT_SECRET="secret",
    )

    assert config["PLANWERK_OIDC_ENABLED"] is True
    assert config["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["form-action"][-1] == (
        "https://adfs.stadt.example"
    )
