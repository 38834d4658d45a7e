"""The admin's sign-in: right credentials without a membership are told in German that the
account has no access yet and whom to ask; a wrong password gets the plain message; django-axes
still locks."""

import pytest

from access.models import AuditEvent, Membership
from tests.factories import PlanFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/admin/login/?next=/admin/"
PASSWORD = "test-password-123"  # tests.factories.UserFactory
NO_ACCESS = "hat noch keinen Zugang"
WRONG = "Bitte Benutzername und Passwort eingeben"


def _login(client, username, password, address="10.0.0.1"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_account_without_membership_is_told_whom_to_ask(client, settings):
    settings.PLANWERK_SUPPORT_EMAIL = "planwerk@leipzig.example"
    UserFactory(username="ohne-rolle", is_staff=False)

    response = _login(client, "ohne-rolle", PASSWORD)

    page = response.content.decode()
    assert response.status_code == 200
    assert NO_ACCESS in page
    assert "Koordination Ihres Plans" in page
    assert "planwerk@leipzig.example" in page
    assert "Staff" not in page
    assert "_auth_user_id" not in client.session


def test_staff_flag_without_membership_gets_the_same_message(client):
    """A staff account from before memberships opened the door has no admin pages either."""
    UserFactory(username="alt-staff", is_staff=True)

    response = _login(client, "alt-staff", PASSWORD)

    assert NO_ACCESS in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_support_address_falls_back_to_admins(client, settings):
    settings.PLANWERK_SUPPORT_EMAIL = ""
    settings.ADMINS = [("Betrieb", "betrieb@example.org")]
    UserFactory(username="ohne-rolle", is_staff=False)

    page = _login(client, "ohne-rolle", PASSWORD).content.decode()

    assert "betrieb@example.org" in page


def test_without_any_address_only_the_coordination_is_named(client, settings):
    settings.PLANWERK_SUPPORT_EMAIL = ""
    settings.ADMINS = []
    UserFactory(username="ohne-rolle", is_staff=False)

    page = _login(client, "ohne-rolle", PASSWORD).content.decode()

    assert NO_ACCESS in page
    assert "schreiben Sie an" not in page


def test_wrong_password_keeps_the_plain_message(client):
    UserFactory(username="ohne-rolle", is_staff=False)

    response = _login(client, "ohne-rolle", "falsch")

    page = response.content.decode()
    assert response.status_code == 200
    assert WRONG in page
    assert NO_ACCESS not in page
    assert "Staff" not in page
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).count() == 1


def test_member_signs_in(client):
    user = UserFactory(username="leserin", is_staff=False)
    Membership.objects.create(user=user, plan=PlanFactory(), role=Membership.Role.READER)

    response = _login(client, "leserin", PASSWORD)

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_lockout_still_applies_to_accounts_without_membership(client):
    UserFactory(username="ohne-rolle", is_staff=False)

    failures = [_login(client, "ohne-rolle", "falsch") for _ in range(5)]
    locked = _login(client, "ohne-rolle", PASSWORD)

    assert [r.status_code for r in failures] == [200, 200, 200, 200, 429]
    assert locked.status_code == 429
    assert NO_ACCESS not in locked.content.decode()


def test_lockout_still_applies_to_members(client):
    user = UserFactory(username="leserin", is_staff=False)
    Membership.objects.create(user=user, plan=PlanFactory(), role=Membership.Role.READER)

    for _ in range(5):
        _login(client, "leserin", "falsch")

    assert _login(client, "leserin", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
