"""Two people edit the same measure in the admin: the second, stale save is refused."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from actionplan import models as ap
from tests.factories import MeasureFactory, StaffUserFactory, StepFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = "/tmp/planwerk-locking-conflict.png"


def staff_page(browser, base_url, username):
    client = Client()
    client.force_login(StaffUserFactory(username=username, first_name=username.capitalize()))
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
    return context.new_page()


def test_locking_second_browser_save_is_refused(chromium_browser, live_url):
    measure = MeasureFactory(title="Regionalmarke", description="Alte Beschreibung")
    StepFactory(measure=measure, position=1, text="Markenkern festlegen")
    url = live_url(reverse("admin:actionplan_measure_change", args=[measure.pk]))
    anna = staff_page(chromium_browser, live_url("/"), "anna")
    ben = staff_page(chromium_browser, live_url("/"), "ben")
    try:
        anna.goto(url)
        ben.goto(url)
        anna.locator("#id_description").fill("Beschreibung von Anna")
        anna.locator("input[name=_save]").click()
        anna.wait_for_url("**/actionplan/measure/")
        ben.locator("#id_description").fill("Beschreibung von Ben")
        ben.locator("input[name=_save]").click()

        alert = ben.get_by_role("alert").filter(has_text="Diese Maßnahme")
        alert.wait_for()
        assert "von Anna geändert" in alert.inner_text()
        assert "Ihre Änderungen wurden nicht gespeichert." in alert.inner_text()
        table = ben.locator(".lock-conflict table")
        assert "Alte Beschreibung" in table.inner_text()
        assert "Beschreibung von Anna" in table.inner_text()
        assert ben.locator("#id_description").input_value() == "Beschreibung von Ben"
        ben.screenshot(path=SCREENSHOT, full_page=False)
        measure.refresh_from_db()
        assert measure.description == "Beschreibung von Anna"

        ben.get_by_role(
            "button", name="Meine Änderungen auf die aktuelle Fassung übertragen"
        ).click()
        ben.get_by_text("Ihre Änderungen wurden auf die aktuelle Fassung übertragen").wait_for()
        assert ben.locator(".lock-conflict").count() == 0
        ben.screenshot(path=SCREENSHOT.replace(".png", "-reapplied.png"), full_page=False)
        ben.locator("input[name=_save]").click()
        ben.wait_for_url("**/actionplan/measure/")
        measure.refresh_from_db()
        assert measure.description == "Beschreibung von Ben"
        assert ap.Measure.history.filter(id=measure.pk).count() == 3
    finally:
        anna.context.close()
        ben.context.close()
