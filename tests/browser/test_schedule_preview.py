"""A new schedule row in Chromium: its dates show while typing, before saving, under the CSP."""

import datetime

import pytest

from actionplan import models as ap
from tests.browser.support import screenshot
from tests.browser.test_admin_csp import PASSWORD, csp_page  # noqa: F401 - a fixture
from tests.factories import MeasureFactory, ScheduleEntryFactory, StaffUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_schedule_row_shows_its_dates_before_saving(csp_page, live_url):  # noqa: F811
    page = csp_page
    StaffUserFactory(username="redaktion", is_superuser=True)
    measure = MeasureFactory()
    ScheduleEntryFactory(
        measure=measure,
        position=1,
        label="Auftakt",
        start_date=datetime.date(2027, 5, 2),
    )

    page.goto(live_url("/admin/login/?next=/admin/"))
    page.fill("#id_username", "redaktion")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_url("/admin/"))
    response = page.goto(live_url(f"/admin/actionplan/measure/{measure.pk}/change/"))
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    page.click("#section-tab-schedule")  # the form's sections are tabs with JavaScript

    group = page.locator("#schedule-group")
    hand_dated = group.locator("tr.dynamic-schedule").first
    # the hand-dated row shows its dates; its toggle says so
    assert hand_dated.locator("input[name$='-start_date']").is_visible()
    toggle = hand_dated.locator(".schedule-hand-toggle")
    assert toggle.inner_text() == "Datum von Hand festlegen"
    assert toggle.get_attribute("aria-expanded") == "true"

    group.locator(".add-row a").click()  # inlines.js clones the empty row
    row = group.locator("tr.dynamic-schedule").last
    label = row.locator("input[name$='-label']")
    label.press_sequentially("Umsetzung II. Quartal 2027")
    preview = row.locator(".schedule-preview")
    preview.filter(has_text="1. April 2027 – 30. Juni 2027 (Quartal)").wait_for()
    assert preview.get_attribute("aria-live") == "polite"
    assert row.locator(".field-dating").inner_text().strip() == "–"  # not "ohne Datum"
    assert label.get_attribute("aria-describedby") == preview.get_attribute("id")
    # the new row keeps its label's dates: its date inputs are out of sight until asked for
    assert not row.locator("input[name$='-start_date']").is_visible()
    row.locator(".schedule-hand-toggle").click()
    assert row.locator("input[name$='-start_date']").is_visible()
    row.locator(".schedule-hand-toggle").click()
    screenshot(page, "admin-schedule-preview")

    label.fill("")
    label.press_sequentially("ab sofort")
    preview.filter(has_text="ohne Datum – wird nicht geraten").wait_for()

    label.fill("")
    label.press_sequentially("III. Quartal 2027")
    preview.filter(has_text="1. Juli 2027 – 30. September 2027 (Quartal)").wait_for()
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")

    entry = measure.schedule.get(position=2)
    assert entry.dating == ap.ScheduleEntry.Dating.PARSED
    assert (entry.start_date, entry.end_date) == (
        datetime.date(2027, 7, 1),
        datetime.date(2027, 9, 30),
    )
    assert page.check_csp() == []
