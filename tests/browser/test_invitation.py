"""A coordinator invites a person in Chromium; the person chooses a password from the e-mail's
link and signs in — all under the real Content-Security-Policy."""

import re

import pytest
from django.core import mail

from access.models import Membership
from tests.browser.test_admin_csp import csp_page  # noqa: F401  (the fixture)
from tests.factories import PlanFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "test-password-123"  # tests.factories.UserFactory
NEW_PASSWORD = "Ein-langes-Passwort-42"


def _sign_in(page, live_url, username, password):
    page.goto(live_url("/admin/login/?next=/admin/"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")


def test_invited_person_sets_a_password_and_signs_in(csp_page, live_url, chromium_browser):  # noqa: F811
    page = csp_page
    plan = PlanFactory(title="Kulturplan")
    coordinator = UserFactory(username="koordination")
    Membership.objects.create(user=coordinator, plan=plan, role=Membership.Role.COORDINATOR)
    violations = {}

    _sign_in(page, live_url, "koordination", PASSWORD)
    page.wait_for_url(live_url("/admin/"))
    page.goto(live_url(f"/admin/actionplan/plan/{plan.pk}/change/"))
    page.click("#section-tab-members")  # the plan form's sections are tabs with JavaScript
    page.get_by_role("link", name="Person per E-Mail einladen").click()
    page.wait_for_selector("#id_email")
    violations["invite form"] = page.check_csp()
    page.fill("#id_email", "neu@example.org")
    page.fill("#id_first_name", "Nina")
    page.select_option("#id_role", "reader")
    page.get_by_role("button", name="Einladung senden").click()
    page.wait_for_selector(".messagelist .success")
    assert "Einladung an neu@example.org verschickt" in page.locator(".messagelist").inner_text()
    violations["invited"] = page.check_csp()

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/konto/passwort-festlegen/\S+/", mail.outbox[0].body).group(0)
    link = live_url(re.sub(r"^https?://[^/]+", "", link))

    context = chromium_browser.new_context(locale="de-DE")
    invited = context.new_page()
    try:
        invited.goto(link)
        assert invited.locator("h1").inner_text() == "Passwort festlegen"
        invited.fill("#id_new_password1", NEW_PASSWORD)
        invited.fill("#id_new_password2", NEW_PASSWORD)
        invited.get_by_role("button", name="Passwort speichern").click()
        invited.wait_for_selector("text=Ihr Passwort ist festgelegt")
        _sign_in(invited, live_url, "neu@example.org", NEW_PASSWORD)
        invited.wait_for_url(live_url("/admin/"))
        assert "Abmelden" in invited.content()
    finally:
        context.close()
    assert violations == {"invite form": [], "invited": []}
