"""The change history in Chromium: history → compare two versions → revert, under the real CSP
and with axe-core on the comparison page."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from actionplan import models as ap
from tests.browser.support import describe, run_axe, screenshot
from tests.browser.test_admin_csp import COLLECT_VIOLATIONS
from tests.factories import (
    BudgetLineFactory,
    MeasureFactory,
    OrganisationFactory,
    ResponsibilityFactory,
    ScheduleEntryFactory,
    StaffUserFactory,
    StepFactory,
)
from tests.history.conftest import change_measure, snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in_page(browser, base_url):
    client = Client()
    client.force_login(StaffUserFactory(username="anna", first_name="Anna"))
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )
    page = context.new_page()
    page.add_init_script(COLLECT_VIOLATIONS)
    return page


def test_history_compare_two_versions_and_revert(chromium_browser, live_url):
    measure = MeasureFactory(
        title="Stadtmarketing stärken",
        description="Die Stadt wirbt gemeinsam mit den Kreativen für den Standort Leipzig.",
    )
    first = StepFactory(measure=measure, position=1, text="Erster Schritt")
    StepFactory(measure=measure, parent=first, position=1, text="Unterschritt")
    StepFactory(measure=measure, position=2, text="Zweiter Schritt")
    ScheduleEntryFactory(measure=measure, position=1, label="II. Quartal 2011")
    ResponsibilityFactory(measure=measure, position=1, organisation=OrganisationFactory())
    BudgetLineFactory(measure=measure, position=1, planned_amount=Decimal("1000.00"))
    before = snapshot(measure)
    older = measure.history.latest()
    change_measure(measure)
    page = signed_in_page(chromium_browser, live_url("/"))
    try:
        page.goto(live_url(reverse("admin:actionplan_measure_history", args=[measure.pk])))
        page.locator(f"#old-{older.history_id}").check()
        page.get_by_role("button", name="Ausgewählte Fassungen vergleichen").click()
        page.wait_for_url("**/history/compare/**")

        fields = page.get_by_role("table", name="Geänderte Felder")
        assert "Stadtmarketing gemeinsam stärken" in fields.inner_text()
        assert page.locator(".history-removed").filter(has_text="Zweiter Schritt").count() == 1
        assert page.locator(".history-added").filter(has_text="Neuer dritter Schritt").count() == 1
        assert page.locator(".history-new ins").filter(has_text="allen").count() == 1
        screenshot(page, "history-compare")
        violations = run_axe(page)
        assert not violations, describe(violations)

        page.get_by_role("link", name="Auf die ältere Fassung zurücksetzen …").click()
        button = page.get_by_role("button", name="Ja, zurücksetzen")
        button.wait_for()
        screenshot(page, "history-revert-confirm")
        violations = run_axe(page)
        assert not violations, describe(violations)
        button.click()
        page.wait_for_url("**/history/")
        assert "Zurückgesetzt auf Version vom" in page.locator(".messagelist").inner_text()
        screenshot(page, "history-after-revert")
        assert page.evaluate("() => window.__cspViolations") == []
    finally:
        page.context.close()

    assert snapshot(measure) == before
    assert ap.Measure.history.latest().history_user.username == "anna"
