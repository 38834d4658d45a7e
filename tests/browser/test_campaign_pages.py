"""Campaign pages in headless Chromium: from the home page to each demo campaign and on to the
plan measures it serves, filters, both languages, keyboard, and axe-core on list and pages."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from campaigns.models import Campaign
from tests.browser.support import describe, docs_screenshot, run_axe, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.single_pass("the campaign pages in Chromium"),
]


@pytest.fixture
def demo(live_url):
    call_command("load_demo_data", stdout=StringIO())
    call_command("load_campaign_demo_data", stdout=StringIO())
    return {c.slug: c for c in Campaign.objects.all()}


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_axe_reports_nothing_on_list_and_every_campaign(browser_page, demo, live_url, prefix):
    page = browser_page
    paths = ["/kampagnen/", "/kampagnen/?status=completed&market="]
    paths += [c.get_absolute_url() for c in demo.values()]
    for path in paths:
        page.goto(live_url(prefix + path))
        violations = run_axe(page)
        assert violations == [], f"{prefix}{path}: {describe(violations)}"
    screenshot(page, f"campaign-page{prefix.replace('/', '-')}")


def test_from_home_to_campaign_to_measure_and_back(browser_page, demo, live_url):
    page = browser_page
    page.goto(live_url("/"))
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Kampagnen"
    ).click()
    page.wait_for_url("**/kampagnen/")
    assert page.locator("h1").inner_text() == "Kampagnen"
    assert page.get_by_role("heading", name="4 Kampagnen").is_visible()
    screenshot(page, "campaign-list")
    page.get_by_role("link", name="Leipzig liebt Regionales").click()
    page.wait_for_url("**/kampagnen/leipzig-liebt-regionales/")
    measures = page.locator("section[aria-labelledby=measures]")
    assert measures.get_by_role("link").count() == 2
    measures.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r".*/handlungsfelder/marketing/massnahmen/a-.*"))
    campaigns = page.locator("section[aria-labelledby=campaigns]")
    campaigns.get_by_role("link", name="Leipzig liebt Regionales").click()
    page.wait_for_url("**/kampagnen/leipzig-liebt-regionales/")


def test_campaign_page_screenshot_for_the_readme(browser_page, demo, live_url):
    page = browser_page
    page.goto(live_url("/kampagnen/stadt-der-staedte/"))
    assert page.locator("h1").inner_text() == "Stadt der Städte"
    # four figures of four units: four figure cards, no bars on a shared scale
    cards = page.locator("section[aria-labelledby=key-figures] .kf-card")
    assert cards.count() == 4 and cards.first.is_visible()
    assert page.locator(".kf-chart").count() == 0
    docs_screenshot(screenshot(page, "campaign-page-readme"), "campaign-page")


def test_filter_the_campaign_list(browser_page, demo, live_url):
    page = browser_page
    page.goto(live_url("/kampagnen/"))
    page.get_by_text("Filter (0)").click()  # the filters are folded away
    page.get_by_label("Zielmarkt").select_option(label="Großbritannien")
    page.get_by_role("button", name="Anwenden").click()
    page.wait_for_url(re.compile(r".*market=\d+.*"))
    assert page.locator(".card__title").all_inner_texts() == ["Stadt der Städte"]
    page.get_by_role("link", name="Alle Filter zurücksetzen").click()
    page.wait_for_url("**/kampagnen/")
    page.get_by_text("Filter (0)").click()
    page.get_by_label("Status").select_option(label="Abgeschlossen")
    page.get_by_role("button", name="Anwenden").click()
    page.wait_for_url(re.compile(r".*status=completed.*"))
    assert page.locator(".card__title").all_inner_texts() == ["Stadt der Städte"]
    screenshot(page, "campaign-list-filtered")


def test_english_campaign_page_names_markets_in_english(browser_page, demo, live_url):
    page = browser_page
    page.goto(live_url("/kampagnen/stadt-der-staedte/"))
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/en/kampagnen/stadt-der-staedte/")
    markets = page.locator("section[aria-labelledby=target-markets]").inner_text()
    assert "United Kingdom" in markets and "Netherlands" in markets and "Turkey" in markets
    assert page.get_by_role("heading", name="Key figures", exact=True).is_visible()


def test_keyboard_reaches_a_campaign_from_the_nav(browser_page, demo, live_url):
    page = browser_page
    page.goto(live_url("/"))
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == "Kampagnen":
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/kampagnen/")
    for _ in range(60):
        page.keyboard.press("Tab")
        text = page.evaluate("() => document.activeElement.textContent.trim()")
        if text == "Altmark – Mehr Platz für Entfaltung":
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/kampagnen/altmark-mehr-platz-fuer-entfaltung/")
    assert page.get_by_role("heading", name="Methoden").is_visible()


@pytest.mark.parametrize("width", [1280, 390, 320])
def test_key_figure_text_never_under_12px(browser_page, live_url, width):
    from tests.campaigns.factories import CampaignFactory, KeyFigureFactory

    campaign = CampaignFactory()
    KeyFigureFactory(campaign=campaign, name="Flyer 2023", unit="Exemplare", actual=40000)
    KeyFigureFactory(
        campaign=campaign, name="Flyer 2024", unit="Exemplare", target=5e4, actual=45e3
    )
    KeyFigureFactory(campaign=campaign, name="Budget", unit="Euro", target=10_000_000, actual=None)
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_url(campaign.get_absolute_url()))
    assert page.locator(".kf-chart .kf-row").count() == 2 and page.locator(".kf-card").count() == 1
    sizes = page.eval_on_selector_all(
        "section[aria-labelledby=key-figures] *",
        """els => els
            .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
            .map(e => parseFloat(getComputedStyle(e).fontSize))""",
    )
    assert sizes and min(sizes) >= 12, sizes
    assert page.locator("section[aria-labelledby=key-figures] svg text").count() == 0
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways at {width} px"
