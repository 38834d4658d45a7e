"""The public pages on a 390 × 844 phone (and at 1280 px where a page must not clip): a compact
header, plan tabs that fold into a grid, filters folded behind "Filter (n)" with removable chips,
a progress page whose charts keep 12 px text and whose tables fit or become cards.

With PLANWERK_DOCS_SCREENSHOTS=1 it writes the README's phone screenshots of the plan page and
the progress page (docs/img/phone-plan.png, docs/img/phone-progress.png).
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from actionplan import models as ap
from tests.browser.support import SCREENSHOTS, docs_screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.single_pass("the public pages on a phone in Chromium"),
]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(live_url):
    call_command("load_demo_data", stdout=StringIO())
    call_command("load_campaign_demo_data", stdout=StringIO())
    return ap.Plan.objects.get()


@pytest.fixture
def phone(browser_page):
    browser_page.set_viewport_size(PHONE)
    return browser_page


def _two_screens(page, name: str):
    """The top two screens of the page, the README's phone screenshot."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    clip = {"x": 0, "y": 0, "width": PHONE["width"], "height": 2 * PHONE["height"]}
    page.screenshot(path=str(path), full_page=True, clip=clip)
    return path


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_header_takes_at_most_15_percent_of_a_phone_and_links_contacts(phone, demo, live_url):
    page = phone
    for path in ["/", demo.get_absolute_url(), "/kampagnen/", "/en/kontakte/"]:
        page.goto(live_url(path))
        header = _box(page, ".site-header")
        assert header["height"] <= 0.15 * PHONE["height"], (path, header)
        nav = page.get_by_role("navigation", name=re.compile("^(Hauptnavigation|Main)$"))
        assert nav.get_by_role("link").count() == 3
    page.goto(live_url("/"))
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    nav.get_by_role("link", name="Ansprechpartner").click()
    page.wait_for_url("**/kontakte/")
    # on a phone the search box gives way to a link to the search page, which has its own form
    assert not page.locator("#site-search-q").is_visible()
    page.get_by_role("link", name="Website durchsuchen").click()
    page.wait_for_url("**/suche/")
    page.get_by_role("searchbox", name="Suchbegriff").fill("Marketing")
    page.keyboard.press("Enter")
    page.wait_for_url("**/suche/?q=Marketing*")
    assert page.locator(".search-summary").inner_text().endswith("Treffer")


def test_plan_tabs_fold_into_two_even_rows(phone, demo, live_url):
    """Two columns of equal boxes in rows of equal height; the fifth tab (Indikatoren) spans
    both columns rather than leaving a hole beside it."""
    page = phone
    page.goto(live_url(demo.get_absolute_url()))
    tabs = page.get_by_role("navigation", name="Bereiche des Plans").get_by_role("link")
    boxes = [tabs.nth(i).bounding_box() for i in range(tabs.count())]
    assert len(boxes) == 5
    rows = sorted({round(box["y"]) for box in boxes})
    assert len(rows) == 3  # two rows of two and the last tab, not ragged ones
    assert len({round(box["height"]) for box in boxes}) == 1  # every row equally tall
    pairs, last = boxes[:4], boxes[4]
    assert {round(box["width"]) for box in pairs} == {round(pairs[0]["width"])}
    assert {round(box["x"]) for box in pairs} == {round(pairs[0]["x"]), round(pairs[1]["x"])}
    # the last tab runs from the left column's left edge to the right column's right edge
    assert round(last["x"]) == round(pairs[0]["x"])
    assert round(last["x"] + last["width"]) == round(pairs[1]["x"] + pairs[1]["width"])
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    docs_screenshot(_two_screens(page, "phone-plan"), "phone-plan")


def test_filters_fold_behind_a_count_and_show_removable_chips(phone, demo, live_url):
    page = phone
    url = f"/plaene/{demo.slug}/massnahmen/"
    page.goto(live_url(url))
    toggle = page.locator("summary", has_text="Filter (0)")
    assert toggle.is_visible()
    assert not page.get_by_label("Status").is_visible()
    first_result_before = _box(page, ".result")["y"]
    assert first_result_before < PHONE["height"]  # the first result shows without scrolling
    toggle.click()
    page.get_by_label("Status").select_option(label="Geplant")
    page.get_by_label("Jahr").select_option(index=1)
    page.get_by_role("button", name="Filter anwenden").click()
    page.wait_for_url(re.compile(r".*status=planned.*"))
    assert page.locator("summary", has_text="Filter (2)").is_visible()
    chips = page.locator(".chip")
    assert chips.count() == 2
    heading = page.locator("#results").inner_text()
    assert re.fullmatch(r"\d+ Maßnahmen?", heading)
    # a chip drops its one filter and keeps the other
    page.locator(".chip", has_text="Status").click()
    page.wait_for_url(re.compile(r".*year=\d+.*"))
    assert "status=" not in page.url
    assert page.locator("summary", has_text="Filter (1)").is_visible()
    page.get_by_role("link", name="Alle Filter zurücksetzen").click()
    page.wait_for_url(live_url(url))
    assert page.locator(".chip").count() == 0
    # the campaign list: four campaigns, the first one right under the folded filters
    page.goto(live_url("/kampagnen/"))
    assert _box(page, ".card-list .card")["y"] < 0.6 * PHONE["height"]


def test_progress_page_on_a_phone_and_on_a_desktop(phone, demo, live_url):
    page = phone
    page.goto(live_url(f"/plaene/{demo.slug}/stand/"))
    # the PDF button is one rectangle, not a torn inline box
    rects = page.eval_on_selector(".downloads .button", "a => a.getClientRects().length")
    assert rects == 1
    sizes = page.eval_on_selector_all(
        ".hchart__label, .hchart__value, .chart-legend li",
        "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))",
    )
    assert len(sizes) > 10 and min(sizes) >= 12
    assert page.locator("svg text").count() == 0  # no SVG text that a viewBox could shrink
    # the field table becomes cards; the wide budget matrix scrolls in a labelled region
    row = page.locator("#table-fields tbody tr").first
    assert row.evaluate("el => getComputedStyle(el).display") == "grid"
    label = row.locator("td").first.evaluate("el => getComputedStyle(el, '::before').content")
    assert label == '"Maßnahmen: "'  # each figure is named in its card
    region = page.locator(".table-wrap:has(#table-budget-field)")
    assert region.get_attribute("role") == "region"
    assert region.get_attribute("tabindex") == "0"
    assert region.get_attribute("aria-labelledby") == "table-budget-field"
    assert page.locator("#table-budget-field .scroll-hint").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    docs_screenshot(_two_screens(page, "phone-progress"), "phone-progress")
    # at 1280 px the field table is not clipped, and no hint says otherwise
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    wrap = page.locator(".table-wrap:has(#table-fields)")
    scroll, client = wrap.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert scroll <= client
    assert not page.locator("#table-fields .scroll-hint").is_visible()
