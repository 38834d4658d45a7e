"""In Chromium under the real Content-Security-Policy: a coordinator finds the notification
settings in the user menu, switches one kind off, and changes the implementation status of
two measures with a reason — no CSP violation, no axe violation, no JavaScript needed."""

import pytest

from actionplan import models as ap
from notifications.models import NotificationPreference
from tests.browser.support import describe, run_axe, screenshot
from tests.browser.test_admin_csp import COLLECT_VIOLATIONS
from tests.notifications.conftest import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "test-password-123"  # tests.factories.UserFactory


def axe_outside_breadcrumbs(page) -> list[dict]:
    """axe violations, leaving out Django admin's own breadcrumb links (white on light blue,
    not underlined: the admin's style on every page, not these pages')."""
    violations = []
    for violation in run_axe(page):
        nodes = [n for n in violation["nodes"] if not n["target"][0].startswith(".breadcrumbs")]
        if nodes:
            violations.append({**violation, "nodes": nodes})
    return violations


@pytest.fixture
def world(transactional_db, settings):
    return build_world(settings)


@pytest.fixture
def page(browser_page):
    page = browser_page
    console = []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.add_init_script(COLLECT_VIOLATIONS)
    page.violations = lambda: page.evaluate("() => window.__cspViolations") + console
    return page


def test_settings_page_and_bulk_status_in_the_browser(page, live_url, world):
    page.goto(live_url("/admin/login/?next=/admin/"))
    page.fill("#id_username", "coord")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_url("/admin/"))

    page.click("#user-tools >> text=Benachrichtigungen")
    page.wait_for_url(live_url("/benachrichtigungen/"))
    assert page.is_checked("#id_submitted")
    assert page.locator("h1").inner_text() == "Benachrichtigungen"
    violations = axe_outside_breadcrumbs(page)
    assert violations == [], describe(violations)
    page.uncheck("#id_submitted")
    page.click("input[type=submit]")
    page.wait_for_load_state()
    assert "Ihre Einstellungen für Benachrichtigungen wurden gespeichert." in page.content()
    assert not page.is_checked("#id_submitted")
    screenshot(page, "notifications-preferences")
    preference = NotificationPreference.objects.get(user=world.users["coord"], kind="submitted")
    assert preference.enabled is False

    page.goto(live_url("/admin/actionplan/measure/"))
    for measure in (world.measure, world.other):
        page.check(f"input[name=_selected_action][value='{measure.pk}']")
    page.select_option("select[name=action]", "set_status")
    page.click("button[name=index]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Umsetzungsstand ändern"
    violations = axe_outside_breadcrumbs(page)
    assert violations == [], describe(violations)
    page.select_option("#id_status", "in_progress")
    page.fill("#id_reason", "Förderbescheid liegt vor")
    screenshot(page, "measure-set-status")
    page.click("input[type=submit].default")
    page.wait_for_load_state()
    assert "Umsetzungsstand „in Umsetzung“ für 2 Maßnahmen gesetzt." in page.content()
    assert set(
        ap.Measure.objects.filter(pk__in=[world.measure.pk, world.other.pk]).values_list(
            "status", flat=True
        )
    ) == {ap.Measure.Status.IN_PROGRESS}
    assert page.violations() == []
