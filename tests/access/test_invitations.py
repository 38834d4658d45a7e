"""A coordinator invites a person by e-mail; the person chooses a password through Django's
password-reset machinery, signs in and sees the admin."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from access.models import AuditEvent, Membership
from campaigns.models import Campaign
from tests.factories import OrganisationFactory, PlanFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role
LOGIN_URL = "/admin/login/?next=/admin/"


@pytest.fixture
def plan():
    return PlanFactory(title="Kulturplan")


@pytest.fixture
def coordinator(plan):
    user = UserFactory(username="koordination", first_name="Kora", last_name="Ordinat")
    Membership.objects.create(user=user, plan=plan, role=Role.COORDINATOR)
    return user


def invite_url(target, kind="plan"):
    return reverse("admin:access_membership_invite", kwargs={"kind": kind, "pk": target.pk})


def _invite(client, plan, **data):
    payload = {"email": "neu@example.org", "first_name": "Nina", "last_name": "Neu"}
    payload.update(data)
    return client.post(invite_url(plan), payload)


def _link(message) -> str:
    url = re.search(r"https?://\S+/konto/passwort-festlegen/\S+/", message.body).group(0)
    return re.sub(r"^https?://[^/]+", "", url)


def test_plan_page_links_to_the_invitation(client, coordinator, plan):
    client.force_login(coordinator)

    response = client.get(reverse("admin:actionplan_plan_change", args=[plan.pk]))

    assert response.status_code == 200
    assert invite_url(plan) in response.content.decode()


def test_invitation_form_is_german_and_offers_the_grantable_roles(client, coordinator, plan):
    client.force_login(coordinator)

    response = client.get(invite_url(plan))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Einladung senden" in page
    assert [value for value, _ in response.context["form"].fields["role"].choices] == [
        "coordinator",
        "editor",
        "reader",
    ]


def test_invitation_creates_the_account_and_the_link_sets_the_password(client, coordinator, plan):
    client.force_login(coordinator)
    assert not get_user_model().objects.filter(email="neu@example.org").exists()

    response = _invite(client, plan, role=Role.READER)

    assert response.status_code == 302
    user = get_user_model().objects.get(email="neu@example.org")
    assert (user.first_name, user.is_staff, user.has_usable_password()) == ("Nina", True, False)
    assert Membership.objects.filter(user=user, plan=plan, role=Role.READER).count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.INVITED, plan=plan).count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["neu@example.org"]
    assert "Kulturplan" in message.subject and "eingeladen" in message.subject
    assert "Kora Ordinat" in message.body and "„Lesezugriff“" in message.body
    assert user.username in message.body

    # the invited person follows the link, chooses a password, signs in, sees the admin
    client.logout()
    form_page = client.get(_link(message), follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Ein-langes-Passwort-42", "new_password2": "Ein-langes-Passwort-42"},
    )
    assert done.status_code == 302
    assert done.headers["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.has_usable_password()
    signed_in = client.post(
        LOGIN_URL, {"username": user.username, "password": "Ein-langes-Passwort-42"}
    )
    assert signed_in.status_code == 302
    assert client.get("/admin/").status_code == 200
    # the link is used up
    assert not client.get(_link(message), follow=True).context["validlink"]


def test_password_pages_are_german_in_the_admin_look(client, coordinator, plan):
    client.force_login(coordinator)
    _invite(client, plan, role=Role.READER)
    client.logout()

    page = client.get(_link(mail.outbox[0]), follow=True).content.decode()
    complete = client.get(reverse("password_reset_complete")).content.decode()
    invalid = client.get(
        reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "abc-falsch"})
    ).content.decode()

    assert 'id="site-name"' in page  # the admin's header
    assert "Planwerk" in page and "Django" not in page
    assert "<h1>Passwort festlegen</h1>" in page
    assert "Benutzernamen <strong>neu@example.org</strong>" in page
    assert "Ihr Passwort ist festgelegt" in complete
    assert "Dieser Link gilt nicht mehr" in invalid


def test_existing_account_gets_the_membership_and_a_note(client, coordinator, plan):
    known = UserFactory(username="bekannt", email="Bekannt@Example.org", is_staff=False)
    organisation = OrganisationFactory(name="Kulturamt")
    client.force_login(coordinator)

    response = _invite(
        client, plan, email="bekannt@example.org", role=Role.EDITOR, organisation=organisation.pk
    )

    assert response.status_code == 302
    assert get_user_model().objects.filter(email__iexact="bekannt@example.org").count() == 1
    known.refresh_from_db()
    assert known.is_staff
    assert Membership.objects.get(user=known, plan=plan).organisation == organisation
    body = mail.outbox[0].body
    assert "passwort-festlegen" not in body  # keeps the password they have
    assert "bekannt" in body


def test_reinviting_is_idempotent(client, coordinator, plan):
    client.force_login(coordinator)

    first = _invite(client, plan, role=Role.READER)
    second = _invite(client, plan, role=Role.READER)

    assert (first.status_code, second.status_code) == (302, 302)
    assert get_user_model().objects.filter(email="neu@example.org").count() == 1
    assert Membership.objects.filter(user__email="neu@example.org").count() == 1
    assert len(mail.outbox) == 2  # the e-mail goes out again
    page = client.get(second.headers["Location"]).content.decode()
    assert "Einladung an neu@example.org noch einmal verschickt" in page
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MEMBERSHIP_ADDED).count() == 1


def test_editor_of_a_plan_needs_an_organisation(client, coordinator, plan):
    client.force_login(coordinator)

    response = _invite(client, plan, role=Role.EDITOR)

    assert response.status_code == 200
    assert response.context["form"].errors["organisation"] == [
        "Redakteurinnen und Redakteure eines Plans brauchen eine Organisation."
    ]
    assert "Bitte den unten aufgeführten Fehler korrigieren." in response.content.decode()
    assert not get_user_model().objects.filter(email="neu@example.org").exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "kein-e-mail", "role": "reader"}, "email"),
        ({"role": "superuser"}, "role"),
        ({"role": ""}, "role"),
    ],
)
def test_invalid_invitations_get_german_form_errors(client, coordinator, plan, data, field):
    client.force_login(coordinator)

    response = _invite(client, plan, **data)

    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(word in " ".join(errors) for word in ("gültige", "erforderlich", "Auswahl")), errors
    assert not get_user_model().objects.filter(email="neu@example.org").exists()


def test_deactivated_or_ambiguous_accounts_are_refused_in_german(client, coordinator, plan):
    UserFactory(username="gesperrt", email="gesperrt@example.org", is_active=False)
    UserFactory(username="doppelt-1", email="doppelt@example.org")
    UserFactory(username="doppelt-2", email="Doppelt@example.org")
    client.force_login(coordinator)

    locked = _invite(client, plan, email="gesperrt@example.org", role=Role.READER)
    twice = _invite(client, plan, email="doppelt@example.org", role=Role.READER)

    assert (locked.status_code, twice.status_code) == (200, 200)
    assert "Das Konto mit dieser E-Mail-Adresse ist deaktiviert" in locked.content.decode()
    assert "Mehrere Konten haben diese E-Mail-Adresse" in twice.content.decode()
    assert not Membership.objects.filter(plan=plan, role=Role.READER).exists()
    assert mail.outbox == []


def test_user_name_is_made_from_the_address(client, coordinator, plan):
    UserFactory(username="o-brien@example.org", email="anders@example.org")
    client.force_login(coordinator)

    _invite(client, plan, email="O'Brien@Example.org", role=Role.READER)

    user = get_user_model().objects.get(email="O'Brien@example.org")  # the domain in lower case
    assert user.username == "o-brien@example.org-2"


def test_refused_mail_refuses_the_invitation(client, coordinator, plan, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    client.force_login(coordinator)

    response = _invite(client, plan, role=Role.READER)

    assert response.status_code == 200
    assert "E-Mail konnte nicht gesendet werden" in response.content.decode()
    assert not get_user_model().objects.filter(email="neu@example.org").exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.READER, 403), (Role.EDITOR, 403), ("other_plan", 404), ("no_membership", 302)],
)
def test_invitation_by_someone_without_the_right_is_refused(client, plan, role, status):
    user = UserFactory(username="ohne-recht")
    if role == "other_plan":
        Membership.objects.create(user=user, plan=PlanFactory(), role=Role.COORDINATOR)
    elif role != "no_membership":
        organisation = OrganisationFactory() if role == Role.EDITOR else None
        Membership.objects.create(user=user, plan=plan, role=role, organisation=organisation)
    client.force_login(user)

    get = client.get(invite_url(plan))
    post = _invite(client, plan, role=Role.COORDINATOR)

    assert (get.status_code, post.status_code) == (status, status)
    assert not get_user_model().objects.filter(email="neu@example.org").exists()
    assert mail.outbox == []


def test_unknown_plan_or_kind_answers_404(client, coordinator, plan):
    client.force_login(coordinator)

    assert client.get(invite_url(plan, kind="gibt-es-nicht")).status_code == 404
    assert client.get(invite_url(PlanFactory(), kind="plan")).status_code == 404


def test_campaign_coordinator_invites_into_the_campaign(client):
    campaign = Campaign.objects.create(title="Kampagne", slug="kampagne", region="Leipzig")
    coordinator = UserFactory(username="kampagne-chefin")
    Membership.objects.create(user=coordinator, campaign=campaign, role=Role.COORDINATOR)
    client.force_login(coordinator)

    page = client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk]))
    response = client.post(
        invite_url(campaign, kind="campaign"), {"email": "team@example.org", "role": "editor"}
    )

    assert invite_url(campaign, kind="campaign") in page.content.decode()
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="team@example.org")
    assert (membership.campaign, membership.role, membership.user.is_staff) == (
        campaign,
        "editor",
        True,
    )


def test_superuser_invites_anywhere(client, plan):
    client.force_login(StaffUserFactory(username="root"))

    response = _invite(client, plan, role=Role.COORDINATOR)

    assert response.status_code == 302
    assert Membership.objects.get(user__email="neu@example.org").role == Role.COORDINATOR
