"""The second factor: setting it up, the sign-in's second step (TOTP or a recovery code), wrong
codes counted and audited, the mandatory gate for coordinators and superusers, the SSO session,
removal and a superuser's reset."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.models import AuditEvent, Membership
from tests.factories import PlanFactory, StaffUserFactory, UserFactory
from tests.twofactor.support import RECOVERY, enrolled, totp_code
from twofactor import policy

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"  # tests.factories.UserFactory
ADMIN = "/admin/"


def _member(role, username=None):
    user = UserFactory(**({"username": username} if username else {}))
    Membership.objects.create(user=user, plan=PlanFactory(), role=role)
    user.refresh_from_db()
    assert user.is_staff
    return user


@pytest.fixture
def coordinator():
    return _member(Membership.Role.COORDINATOR, "koordination")


@pytest.fixture
def editor():
    from tests.factories import OrganisationFactory

    user = UserFactory(username="redaktion")
    Membership.objects.create(
        user=user,
        plan=PlanFactory(),
        role=Membership.Role.EDITOR,
        organisation=OrganisationFactory(),
    )
    return user


def _actions(user) -> list[str]:
    return list(
        AuditEvent.objects.filter(actor=user)
        .exclude(action__in=["login", "logout"])
        .order_by("pk")
        .values_list("action", flat=True)
    )


def _sign_in(client, user):
    response = client.post(
        reverse("admin:login"), {"username": user.username, "password": PASSWORD, "next": ADMIN}
    )
    assert response.status_code == 302, response.content[:2000]
    return response


def _unthrottle(user):
    """Let the throttle's wait pass (it doubles after every wrong code)."""
    past = timezone.now() - datetime.timedelta(days=1)
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).update(throttling_failure_timestamp=past)


# --- setting it up ------------------------------------------------------------------------------


def test_setup_confirms_the_device_and_shows_ten_recovery_codes_once(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("twofactor:setup"))
    assert response.status_code == 200
    device = TOTPDevice.objects.get(user=coordinator)
    assert not device.confirmed
    page = response.content.decode()
    assert "<svg" in page and "<img" not in page
    secret = response.context["secret"].replace(" ", "")
    assert device.config_url.split("secret=")[1].startswith(secret)
    # a reload shows the same key
    assert client.get(reverse("twofactor:setup")).context["secret"] == response.context["secret"]

    wrong = client.post(reverse("twofactor:setup"), {"code": "000000", "next": ADMIN})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    device.refresh_from_db()
    assert not device.confirmed

    _unthrottle(coordinator)
    response = client.post(reverse("twofactor:setup"), {"code": totp_code(device), "next": ADMIN})
    assert response.status_code == 302
    assert response.url.startswith(reverse("twofactor:codes"))
    device.refresh_from_db()
    assert device.confirmed
    codes = list(
        StaticToken.objects.filter(device__user=coordinator).values_list("token", flat=True)
    )
    assert len(codes) == 10 == len(set(codes))
    assert _actions(coordinator) == ["2fa_enrolled"]

    shown = client.get(response.url)
    assert shown.status_code == 200
    assert sorted(shown.context["codes"]) == sorted(codes)
    download = client.get(reverse("twofactor:codes_download"))
    assert download["Content-Disposition"].startswith("attachment")
    assert all(code in download.content.decode() for code in codes)
    # the session counts as verified: the admin opens; the codes are not shown again
    assert client.get(ADMIN).status_code == 200
    assert client.get(reverse("twofactor:codes")).status_code == 302
    assert client.get(reverse("twofactor:codes_download")).status_code == 404


# --- the second step of the sign-in -------------------------------------------------------------


def test_sign_in_with_a_device_asks_for_the_code_before_any_page(client, coordinator):
    device = enrolled(coordinator)
    _sign_in(client, coordinator)
    for url in (ADMIN, reverse("notifications:preferences"), "/", reverse("twofactor:manage")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("twofactor:verify") + "?next="), url
    page = client.get(reverse("twofactor:verify") + "?next=/admin/")
    assert page.status_code == 200
    assert page.context["available_apps"] == []

    response = client.post(reverse("twofactor:verify"), {"code": totp_code(device), "next": ADMIN})
    assert response.status_code == 302 and response.url == ADMIN
    assert client.get(ADMIN).status_code == 200


def test_wrong_codes_are_refused_counted_audited_and_end_the_session(client, coordinator, settings):
    settings.AXES_FAILURE_LIMIT = 3
    device = enrolled(coordinator)
    _sign_in(client, coordinator)
    verify = reverse("twofactor:verify")

    response = client.post(verify, {"code": "123456", "next": ADMIN})
    assert response.status_code == 200
    assert "nicht richtig" in str(response.context["form"].errors)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert StaticDevice.objects.get(user=coordinator).throttling_failure_count == 1
    # at once again: refused by the throttle, even the right code, and not counted
    response = client.post(verify, {"code": totp_code(device), "next": ADMIN})
    assert "warten" in str(response.context["form"].errors)
    assert client.get(ADMIN).status_code == 302

    _unthrottle(coordinator)
    client.post(verify, {"code": "bad-code", "next": ADMIN})
    _unthrottle(coordinator)
    response = client.post(verify, {"code": "654321", "next": ADMIN})
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    assert "_auth_user_id" not in client.session
    assert _actions(coordinator) == ["2fa_failed"] * 3
    device.refresh_from_db()
    assert device.throttling_failure_count == 3  # kept on the device for the next session


def test_a_recovery_code_works_once(client, coordinator):
    enrolled(coordinator)
    _sign_in(client, coordinator)
    response = client.post(
        reverse("twofactor:verify"), {"code": RECOVERY[0].upper(), "next": ADMIN}
    )
    assert response.status_code == 302 and response.url == ADMIN
    assert client.get(ADMIN).status_code == 200
    assert not StaticToken.objects.filter(token=RECOVERY[0]).exists()
    assert StaticToken.objects.filter(device__user=coordinator).count() == 9
    assert _actions(coordinator) == ["2fa_recovery_used"]

    client.post(reverse("admin:logout"))
    _sign_in(client, coordinator)
    response = client.post(reverse("twofactor:verify"), {"code": RECOVERY[0], "next": ADMIN})
    assert response.status_code == 200
    assert client.get(ADMIN).status_code == 302
    assert _actions(coordinator) == ["2fa_recovery_used", "2fa_failed"]


def test_verify_page_queries(client, coordinator, django_assert_num_queries):
    enrolled(coordinator)
    client.force_login(coordinator)
    # session, user, memberships (the admin site's gate), the device (the page's own check),
    # two for the admin's permissions (its frame), and the savepoints of ATOMIC_REQUESTS
    with django_assert_num_queries(8):
        assert client.get(reverse("twofactor:verify")).status_code == 200


# --- mandatory for coordinators and superusers -------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "superuser"])
def test_required_second_factor_sends_coordinators_and_superusers_to_setup(
    client, settings, coordinator, who
):
    settings.PLANWERK_2FA_REQUIRED = True
    user = coordinator if who == "coordinator" else StaffUserFactory(username="chef")
    client.force_login(user)
    for url in (ADMIN, reverse("notifications:preferences"), reverse("twofactor:manage"), "/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("twofactor:setup") + "?next="), url
    setup = client.get(reverse("twofactor:setup"))
    assert setup.status_code == 200 and setup.context["required"]
    device = TOTPDevice.objects.get(user=user)
    client.post(reverse("twofactor:setup"), {"code": totp_code(device), "next": ADMIN})
    assert client.get(ADMIN).status_code == 200


def test_required_second_factor_leaves_editors_free_to_choose(client, settings, editor):
    settings.PLANWERK_2FA_REQUIRED = True
    client.force_login(editor)
    assert client.get(ADMIN).status_code == 200
    manage = client.get(reverse("twofactor:manage"))
    assert manage.status_code == 200 and not manage.context["has_device"]
    assert client.get(reverse("twofactor:setup")).status_code == 200  # voluntary


def test_without_the_setting_coordinators_need_no_second_factor(client, settings, coordinator):
    settings.PLANWERK_2FA_REQUIRED = False
    client.force_login(coordinator)
    assert client.get(ADMIN).status_code == 200


# --- sessions from the single sign-on -----------------------------------------------------------


def _sso_session(client, user):
    client.force_login(user)
    session = client.session
    session[policy.SSO_SESSION_KEY] = True
    session.save()


@pytest.mark.parametrize("trust, status", [(True, 200), (False, 302)])
def test_an_sso_session_counts_as_verified_when_the_provider_is_trusted(
    client, settings, coordinator, trust, status
):
    settings.PLANWERK_2FA_REQUIRED = True
    settings.PLANWERK_OIDC_TRUST_MFA = trust
    enrolled(coordinator)
    _sso_session(client, coordinator)
    assert client.get(ADMIN).status_code == status


def test_an_sso_session_of_a_coordinator_without_device_needs_no_setup(
    client, settings, coordinator
):
    settings.PLANWERK_2FA_REQUIRED = True
    settings.PLANWERK_OIDC_TRUST_MFA = True
    _sso_session(client, coordinator)
    assert client.get(ADMIN).status_code == 200
    settings.PLANWERK_OIDC_TRUST_MFA = False
    assert client.get(ADMIN).url.startswith(reverse("twofactor:setup"))


# --- the read API ------------------------------------------------------------------------------


def test_the_api_answers_an_unverified_session_as_anonymous(client, coordinator):
    enrolled(coordinator)
    plan = coordinator.memberships.get().plan
    plan.status = plan.Status.DRAFT  # members only
    plan.save()
    client.force_login(coordinator)
    url = reverse("api:plan-list")
    assert plan.slug not in client.get(url).content.decode()
    client.post(
        reverse("twofactor:verify"), {"code": totp_code(TOTPDevice.objects.get()), "next": ADMIN}
    )
    assert plan.slug in client.get(url).content.decode()


# --- the person's own page, removal and reset --------------------------------------------------


def _verified(client, user):
    device = enrolled(user)
    client.force_login(user)
    client.post(reverse("twofactor:verify"), {"code": totp_code(device), "next": ADMIN})
    assert client.get(ADMIN).status_code == 200
    return device


def test_new_recovery_codes_replace_the_old(client, coordinator):
    _verified(client, coordinator)
    response = client.post(reverse("twofactor:codes_renew"))
    assert response.url == reverse("twofactor:codes")
    codes = client.get(response.url).context["codes"]
    stored = set(
        StaticToken.objects.filter(device__user=coordinator).values_list("token", flat=True)
    )
    assert stored == set(codes) and not stored & set(RECOVERY)
    assert _actions(coordinator) == ["2fa_codes_renewed"]


def test_removing_the_device_needs_a_current_code(client, coordinator):
    device = _verified(client, coordinator)
    response = client.post(reverse("twofactor:remove"), {"code": "000000"})
    assert response.status_code == 200 and response.context["remove_form"].errors
    assert TOTPDevice.objects.filter(user=coordinator).exists()
    _unthrottle(coordinator)
    response = client.post(reverse("twofactor:remove"), {"code": totp_code(device, steps_ahead=1)})
    assert response.url == reverse("twofactor:manage")
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert not StaticDevice.objects.filter(user=coordinator).exists()
    assert _actions(coordinator) == ["2fa_failed", "2fa_removed"]
    assert client.get(ADMIN).status_code == 200


def test_only_a_superuser_resets_another_persons_device(client, coordinator, editor):
    enrolled(editor)
    url = reverse("twofactor:reset", args=[editor.pk])
    _verified(client, coordinator)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert TOTPDevice.objects.filter(user=editor).exists()

    boss = StaffUserFactory(username="chef")
    client.force_login(boss)
    page = client.get(reverse("admin:auth_user_change", args=[editor.pk]))
    assert url in page.content.decode()
    assert client.get(url).context["has_device"]
    response = client.post(url)
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=editor).exists()
    event = AuditEvent.objects.get(action="2fa_reset")
    assert (event.actor, event.detail) == (boss, editor.username)


def test_a_reset_device_no_longer_asks_the_open_session_for_a_code(client, editor):
    enrolled(editor)
    client.force_login(editor)
    assert client.get(ADMIN).status_code == 302
    TOTPDevice.objects.filter(user=editor).delete()
    StaticDevice.objects.filter(user=editor).delete()
    response = client.get(reverse("twofactor:verify") + "?next=/admin/")
    assert response.url == ADMIN
    assert client.get(ADMIN).status_code == 200
