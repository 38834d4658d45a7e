"""The site search in headless Chromium: from the header box to a result, both languages,
keyboard only, axe-core on the results page."""

import pytest
from django.core.management import call_command

from tests.browser.support import describe, run_axe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_url):
    from io import StringIO

    call_command("load_demo_data", stdout=StringIO())
    call_command("load_campaign_demo_data", stdout=StringIO())


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_axe_reports_nothing_on_the_search_pages(browser_page, demo, live_url, prefix):
    page = browser_page
    for path in (
        "/suche/",
        "/suche/?q=regional",
        "/suche/?q=regional&kind=measures",
        "/suche/?q=x",
        "/suche/?q=" + "x" * 101,
        "/suche/?q=gibtesnicht",
    ):
        page.goto(live_url(prefix + path))
        violations = run_axe(page)
        assert violations == [], f"{prefix}{path}: {describe(violations)}"
    page.goto(live_url(prefix + "/suche/?q=regional"))
    screenshot(page, f"search-results{prefix.replace('/', '-')}")


def test_search_from_the_header_to_a_result_by_keyboard(browser_page, demo, live_url):
    page = browser_page
    page.goto(live_url("/"))
    page.keyboard.press("Tab")  # skip link
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "site-search-q":
            break
    assert page.evaluate("() => document.activeElement.id") == "site-search-q"
    page.keyboard.type("Stadt der Städte")
    page.keyboard.press("Enter")
    page.wait_for_url("**/suche/?q=Stadt+der+St%C3%A4dte")
    assert page.locator("h1").inner_text() == "Suche nach „Stadt der Städte“"
    campaigns = page.get_by_role("region", name="Kampagnen")
    assert campaigns.locator("mark").first.inner_text() == "Stadt der Städte"
    assert (
        page.get_by_role("searchbox", name="Website durchsuchen").input_value()
        == "Stadt der Städte"
    )
    screenshot(page, "search-campaign")
    link = campaigns.get_by_role("link").first
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/kampagnen/stadt-der-staedte/")
