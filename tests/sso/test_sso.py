"""Single sign-on against the local OpenID Connect provider stub (tests/sso/stub_provider.py):
existing accounts by e-mail address, roles only from Planwerk's memberships."""

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.urls import reverse

from access.models import AuditEvent, Membership
from tests.factories import UserFactory
from tests.sso.conftest import BACKEND, BUTTON
from tests.sso.stub_provider import ENDPOINTS

pytestmark = pytest.mark.django_db

User = get_user_model()


def sign_in(client, provider, next_url=""):
    """The browser's round trip: Planwerk → provider → Planwerk's callback."""
    start = client.get(reverse("oidc_authentication_init"), {"next": next_url} if next_url else {})
    assert start.status_code == 302, start
    return client.get(provider.authorize(start["Location"]))


def signed_in_user(client):
    user_id = client.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id) if user_id else None


def refusal_page(client, response) -> str:
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:login")
    return client.get(response["Location"]).content.decode()


def roles(user):
    user.refresh_from_db()
    memberships = sorted(Membership.objects.filter(user=user).values_list("plan_id", "role"))
    return user.is_staff, user.is_superuser, memberships


# --- signing in -----------------------------------------------------------------------------


def test_sso_existing_user_signs_in_by_email_and_keeps_roles(client, sso, provider, member):
    before = roles(member)
    assert before[0] is True  # the membership made the account staff
    provider.sign_in_as(email="erika.muster@LEIPZIG.de", email_verified=True)

    response = sign_in(client, provider, next_url="/admin/")

    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert signed_in_user(client) == member
    assert roles(member) == before
    assert client.session["planwerk_sso"] is True
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
    assert (event.actor, event.detail) == (member, "OpenID Connect")
    assert client.get("/admin/").status_code == 200


def test_sso_without_next_leads_to_the_admin_start_page(client, sso, provider, member):
    provider.sign_in_as(email=member.email)

    response = sign_in(client, provider)

    assert response["Location"] == reverse("admin:index")
    assert signed_in_user(client) == member


def test_sso_session_mark_only_when_the_providers_second_factor_is_trusted(
    client, sso, provider, member
):
    sso.PLANWERK_OIDC_TRUST_MFA = False
    provider.sign_in_as(email=member.email)

    sign_in(client, provider)

    assert signed_in_user(client) == member
    assert "planwerk_sso" not in client.session


def test_sso_claims_of_groups_and_admin_flags_grant_nothing(client, sso, provider):
    plain = UserFactory(username="plain", email="plain@leipzig.de")
    provider.sign_in_as(
        email="plain@leipzig.de",
        groups=["admin", "planwerk-koordination"],
        roles=["superuser", "coordinator"],
        is_admin=True,
        is_staff=True,
    )

    sign_in(client, provider)

    assert signed_in_user(client) == plain
    assert roles(plain) == (False, False, [])
    assert not plain.groups.exists()
    assert client.get("/admin/").status_code == 302  # no membership: no admin


def test_sso_superuser_keeps_the_flags_planwerk_gave(client, sso, provider):
    boss = UserFactory(username="boss", email="boss@leipzig.de", is_staff=True, is_superuser=True)
    provider.sign_in_as(email="boss@leipzig.de", is_superuser=False, groups=[])

    sign_in(client, provider)

    assert signed_in_user(client) == boss
    assert roles(boss)[:2] == (True, True)


# --- refusals -------------------------------------------------------------------------------


def test_sso_unknown_email_is_refused_without_creating_an_account(client, sso, provider):
    provider.sign_in_as(email="neu@leipzig.de", email_verified=True)
    users_before = User.objects.count()

    response = sign_in(client, provider)

    assert signed_in_user(client) is None
    assert User.objects.count() == users_before
    page = refusal_page(client, response)
    assert "Kein Planwerk-Konto hat die E-Mail-Adresse neu@leipzig.de" in page
    assert BUTTON in page
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert event.actor_name == "neu@leipzig.de"
    assert event.detail == "OpenID Connect: no account with this e-mail address"


def test_sso_creates_a_plain_account_when_allowed(client, sso, provider):
    sso.PLANWERK_OIDC_CREATE_USERS = True
    provider.sign_in_as(
        email="Neu.Person@leipzig.de",
        given_name="Neu",
        family_name="Person",
        groups=["admin"],
        roles=["coordinator"],
    )

    sign_in(client, provider)

    user = User.objects.get(email="Neu.Person@leipzig.de")
    assert signed_in_user(client) == user
    names = (user.username, user.first_name, user.last_name)
    assert names == ("neu.person@leipzig.de", "Neu", "Person")
    assert roles(user) == (False, False, [])
    assert not user.has_usable_password()
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
    assert event.detail == "OpenID Connect: account created"


def test_sso_email_verified_false_is_refused(client, sso, provider, member):
    provider.sign_in_as(email=member.email, email_verified=False)

    response = sign_in(client, provider)

    assert signed_in_user(client) is None
    assert "hat die E-Mail-Adresse Erika.Muster@leipzig.de nicht bestätigt" in refusal_page(
        client, response
    )


def test_sso_two_accounts_with_the_same_email_are_refused(client, sso, provider, member):
    UserFactory(username="erika2", email="erika.muster@leipzig.de")
    provider.sign_in_as(email=member.email)

    response = sign_in(client, provider)

    assert signed_in_user(client) is None
    assert "Mehrere Planwerk-Konten haben die E-Mail-Adresse" in refusal_page(client, response)
    assert AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED).detail == (
        "OpenID Connect: several accounts with this e-mail address"
    )


def test_sso_inactive_account_is_refused_and_not_replaced(client, sso, provider, member):
    sso.PLANWERK_OIDC_CREATE_USERS = True
    member.is_active = False
    member.save()
    provider.sign_in_as(email=member.email)

    response = sign_in(client, provider)

    assert signed_in_user(client) is None
    assert User.objects.filter(email__iexact=member.email).count() == 1
    assert "ist deaktiviert" in refusal_page(client, response)


def test_sso_account_deactivated_later_loses_its_session(client, sso, provider, member):
    provider.sign_in_as(email=member.email)
    sign_in(client, provider)
    assert client.get("/admin/").status_code == 200

    User.objects.filter(pk=member.pk).update(is_active=False)

    assert client.get("/admin/").status_code == 302


def test_sso_id_token_for_another_client_is_refused(client, sso, provider, member):
    provider.sign_in_as(email=member.email)
    provider.id_token_overrides = {"aud": "another-app"}

    response = sign_in(client, provider)

    assert signed_in_user(client) is None
    assert "Die Anmeldung mit dem Konto der Stadt ist nicht gelungen" in refusal_page(
        client, response
    )


def test_sso_userinfo_of_another_subject_is_refused(client, sso, provider, member):
    provider.sign_in_as(email=member.email)
    provider.id_token_overrides = {"sub": "someone-else", "email": "x@leipzig.de"}

    sign_in(client, provider)

    assert signed_in_user(client) is None


def test_sso_callback_with_a_forged_state_is_refused(client, sso, provider, member):
    provider.sign_in_as(email=member.email)
    start = client.get(reverse("oidc_authentication_init"))
    callback = provider.authorize(start["Location"]).replace("state=", "state=x")

    response = client.get(callback)

    assert response.status_code == 302 and signed_in_user(client) is None


# --- discovery, the password sign-in beside it ----------------------------------------------


def test_sso_endpoints_from_the_issuers_discovery_document(client, sso, provider, member):
    for name in ENDPOINTS:
        setattr(sso, name, "")
    provider.sign_in_as(email=member.email)

    sign_in(client, provider)
    client.logout()
    sign_in(client, provider)

    assert signed_in_user(client) == member
    discovery = [r for r in provider.requests if r[1].endswith("/openid-configuration")]
    assert len(discovery) == 1  # cached


def test_password_sign_in_beside_sso_does_not_ask_the_provider(client, sso, provider, member):
    response = client.post(
        reverse("admin:login"), {"username": "erika", "password": "test-password-123"}
    )

    assert response.status_code == 302
    assert signed_in_user(client) == member
    assert provider.requests == []
    assert "planwerk_sso" not in client.session


# --- switched off, and the button -----------------------------------------------------------


def test_sso_off_by_default_no_urls_and_no_button(client, settings, provider, member):
    assert settings.PLANWERK_OIDC_ENABLED is False
    assert BACKEND not in settings.AUTHENTICATION_BACKENDS

    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404
    assert BUTTON not in client.get(reverse("admin:login")).content.decode()
    assert provider.requests == []


def test_sso_button_on_the_sign_in_page_keeps_next(client, sso, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the same as without SSO
        page = client.get(reverse("admin:login"), {"next": "/admin/actionplan/"})

    html = page.content.decode()
    assert BUTTON in html
    assert 'href="/oidc/authenticate/?next=%2Fadmin%2Factionplan%2F"' in html


def test_sso_button_label_is_configurable(client, sso):
    sso.PLANWERK_OIDC_LABEL = "Anmelden mit Stadt-ID"

    html = client.get(reverse("admin:login")).content.decode()

    assert "Anmelden mit Stadt-ID" in html and BUTTON not in html


def test_sso_refusals_count_towards_the_address_lock_out(client, sso, provider, member):
    sso.AXES_FAILURE_LIMIT = 2
    provider.sign_in_as(email="unbekannt@leipzig.de")
    sign_in(client, provider)
    sign_in(client, provider)
    provider.sign_in_as(email=member.email)

    response = sign_in(client, provider)

    assert response.status_code == 429
    assert signed_in_user(client) is None
