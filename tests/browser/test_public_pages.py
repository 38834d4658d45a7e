"""Public pages in headless Chromium: navigation, filters, language, keyboard and axe-core."""

import re

import pytest
from django.conf import settings
from django.test import Client

from actionplan import models as ap
from tests.actionplan.public_data import build_rich_plan
from tests.browser.support import describe, run_axe, screenshot
from tests.factories import StaffUserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.single_pass("the public pages in Chromium"),
]


@pytest.fixture
def site(live_url):
    plan = build_rich_plan(slug="leipzig")
    draft = build_rich_plan(slug="entwurf", status=ap.Plan.Status.DRAFT)
    field = plan.fields.get(position=1)
    measure = field.measures.get(position=1)
    measure.related_measures.add(draft.fields.first().measures.first())
    return {
        "url": live_url("/").rstrip("/"),
        "plan": plan,
        "draft": draft,
        "field": field,
        "measure": measure,
    }


def _login_staff(page, base_url):
    client = Client()
    client.force_login(StaffUserFactory(username="redaktion"))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}]
    )


def test_open_plan_and_follow_a_measure(browser_page, site, live_url):
    page = browser_page
    page.goto(live_url("/"))
    assert page.locator("h1").inner_text() == "Maßnahmenpläne"
    assert "entwurf" not in page.content()
    page.get_by_role("link", name="Lokaler Maßnahmenplan Leipzig").click()
    page.wait_for_url("**/plaene/leipzig/")
    assert page.locator("h1").inner_text().startswith("Lokaler Maßnahmenplan Leipzig")
    tables = page.get_by_role("table")
    assert tables.count() == 5  # one per field of action
    assert tables.get_by_role("row").count() == 5 + 10  # heads, measures
    marketing = site["plan"].fields.get(title="Marketing")
    measure = marketing.measures.get(code="A")
    tables.get_by_role("link", name="Maßnahme Marketing A").click()
    page.wait_for_url(live_url(measure.get_absolute_url()))
    assert page.locator("h1").inner_text() == "Maßnahme Marketing A"
    crumbs = page.get_by_role("navigation", name="Brotkrümelnavigation")
    assert crumbs.get_by_role("link").count() == 4
    crumbs.get_by_role("link", name="Marketing", exact=True).click()
    page.wait_for_url(live_url(marketing.get_absolute_url()))
    assert page.locator("h1").inner_text() == "Marketing"
    screenshot(page, "flow-field")


def test_related_measure_of_a_draft_is_not_offered(browser_page, site, live_url):
    page = browser_page
    page.goto(live_url(site["measure"].get_absolute_url()))
    related = page.locator("section[aria-labelledby=related]")
    assert "Bildung" in related.inner_text()
    assert "entwurf" not in related.inner_html()


def test_filter_the_measure_list(browser_page, site, live_url):
    page = browser_page
    page.goto(live_url("/plaene/leipzig/massnahmen/"))
    assert page.get_by_role("heading", name="10 Maßnahmen").is_visible()
    page.get_by_text("Filter (0)").click()  # the filters are folded away
    page.get_by_label("Status").select_option(label="Abgeschlossen")
    page.get_by_role("searchbox", name="Suche", exact=True).fill("Marketing")
    page.get_by_role("button", name="Anwenden", exact=True).click()
    page.wait_for_url(re.compile(r".*status=completed.*"))
    assert "q=Marketing" in page.url
    assert page.get_by_role("heading", name="1 Maßnahme", exact=True).is_visible()
    assert page.locator(".result__title").all_inner_texts() == ["3 A · Maßnahme Marketing A"]
    screenshot(page, "list-filtered")
    # the shared URL reproduces the view
    page.goto(page.url)
    assert page.get_by_label("Status").input_value() == "completed"
    assert page.get_by_text("Filter (1)").is_visible()
    page.get_by_role("searchbox", name="Suche", exact=True).fill("gibt-es-nicht")
    page.get_by_role("button", name="Anwenden", exact=True).click()
    page.wait_for_url(re.compile(r".*q=gibt-es-nicht.*"))  # is_visible() does not wait
    assert page.get_by_text("Keine Maßnahme entspricht diesen Filtern.").is_visible()


def test_switch_language_and_back(browser_page, site, live_url):
    page = browser_page
    path = site["field"].get_absolute_url()
    page.goto(live_url(path))
    assert page.locator("html").get_attribute("lang") == "de"
    page.get_by_role("link", name="English").click()
    page.wait_for_url(live_url("/en" + path))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Baseline").is_visible()
    page.get_by_role("link", name="Deutsch").click()
    page.wait_for_url(live_url(path))
    assert page.get_by_role("heading", name="Ausgangslage").is_visible()


def test_keyboard_only_skip_link_and_navigation(browser_page, site, live_url):
    page = browser_page
    page.goto(live_url("/plaene/leipzig/"))
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Zum Inhalt springen"
    assert page.locator(".skip-link").is_visible()
    screenshot(page, "keyboard-skip-link", full_page=False)
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # the next Tab lands inside the main content, not back in the header
    page.keyboard.press("Tab")
    inside = page.evaluate("() => document.getElementById('main').contains(document.activeElement)")
    assert inside
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    # follow links and switch language with the keyboard alone
    for _ in range(60):
        text = page.evaluate("() => document.activeElement.textContent.trim()")
        if text == "Maßnahmen durchsuchen":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/plaene/leipzig/massnahmen/")
    page.keyboard.press("Tab")  # skip link
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.hreflang"):  # the language switch
            break
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "English"
    page.keyboard.press("Enter")
    page.wait_for_url("**/en/plaene/leipzig/massnahmen/")


def test_axe_check_reports_a_known_violation(browser_page, site, live_url):
    page = browser_page
    page.goto(live_url("/"))
    page.evaluate(
        "() => document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=x>')"
    )
    assert "image-alt" in [v["id"] for v in run_axe(page)]


def _pages(site) -> dict[str, str]:
    plan, field, measure = site["plan"], site["field"], site["measure"]
    return {
        "index": "/",
        "plan": plan.get_absolute_url(),
        "field": field.get_absolute_url(),
        "field-unclassified": plan.fields.get(position=2).get_absolute_url(),
        "measure": measure.get_absolute_url(),
        "timeline": "/plaene/leipzig/zeitplan/",
        "list": "/plaene/leipzig/massnahmen/",
        "list-empty": "/plaene/leipzig/massnahmen/?q=nichts",
        "list-errors": "/plaene/leipzig/massnahmen/?status=bogus&year=x",
        "plan-en": "/en" + plan.get_absolute_url(),
        "measure-en": "/en" + measure.get_absolute_url(),
        "not-found": "/plaene/gibt-es-nicht/",
    }


def test_axe_finds_no_violations_on_any_public_page(browser_page, site, live_url):
    page = browser_page
    failures = {}
    for name, path in _pages(site).items():
        page.goto(live_url(path))
        violations = run_axe(page)
        screenshot(page, f"page-{name}")
        if violations:
            failures[name] = describe(violations)
    assert not failures, failures


def test_axe_finds_no_violations_on_staff_draft_preview(browser_page, site, live_url):
    page = browser_page
    _login_staff(page, site["url"])
    draft = site["draft"]
    for name, path in {
        "draft-plan": draft.get_absolute_url(),
        "draft-measure": draft.fields.first().measures.first().get_absolute_url(),
    }.items():
        page.goto(live_url(path))
        assert page.locator(".draft-banner").is_visible()
        violations = run_axe(page)
        screenshot(page, f"page-{name}")
        assert not violations, describe(violations)


def test_pages_on_a_phone_and_in_print(browser_page, site, live_url):
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 800})
    for name, path in {
        "measure": site["measure"].get_absolute_url(),
        "timeline": "/plaene/leipzig/zeitplan/",
        "plan": site["plan"].get_absolute_url(),
    }.items():
        page.goto(live_url(path))
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 375, f"{name} scrolls sideways ({width}px)"
        screenshot(page, f"mobile-{name}")
        assert not run_axe(page), name
    page.set_viewport_size({"width": 1000, "height": 1400})
    page.emulate_media(media="print")
    page.goto(live_url("/plaene/leipzig/zeitplan/"))
    assert not page.locator(".lang-switch").is_visible()
    assert page.locator(".tl-bar").first.is_visible()
    screenshot(page, "print-timeline")


@pytest.fixture
def leipzig(live_url):
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo_data", stdout=StringIO())
    return ap.Plan.objects.get()


def _leipzig_pages(plan) -> dict[str, str]:
    pages = {"index": "/", "plan": plan.get_absolute_url()}
    for field in plan.fields.order_by("position"):
        pages[f"field-{field.position}"] = field.get_absolute_url()
        for measure in field.measures.order_by("position"):
            pages[f"measure-{field.position}-{measure.position}"] = measure.get_absolute_url()
    pages["timeline"] = f"{plan.get_absolute_url()}zeitplan/"
    pages["list"] = f"{plan.get_absolute_url()}massnahmen/?year=2012"
    pages["plan-en"] = "/en" + plan.get_absolute_url()
    return pages


def test_leipzig_demo_data_passes_axe_and_fits_a_phone(browser_page, leipzig, live_url):
    page = browser_page
    failures = {}
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in _leipzig_pages(leipzig).items():
            page.goto(live_url(path))
            # axe once per page: what it reads does not depend on the width (tests/browser/
            # test_crawl.py runs it on phones for every kind of page)
            violations = run_axe(page) if width == 1280 else []
            if violations:
                failures[f"{name}@{width}"] = describe(violations)
            scroll = page.evaluate("() => document.documentElement.scrollWidth")
            if scroll > width:
                failures[f"{name}@{width}"] = f"scrolls sideways ({scroll}px)"
    assert not failures, failures


def test_leipzig_timeline_shows_parsed_dates_next_to_the_verbatim_labels(
    browser_page, leipzig, live_url
):
    page = browser_page
    page.goto(live_url(f"{leipzig.get_absolute_url()}zeitplan/"))
    row = page.locator(
        ".tl-row", has_text="Ausschreibung Kommunikationskonzepterarbeitung ca. Juli"
    )
    assert row.locator(".tl-bar--approx").count() == 1
    # the label says the date once, with its year (the bar repeats nothing to screen readers)
    label = row.locator(".tl-label").inner_text()
    assert label == "Ausschreibung Kommunikationskonzepterarbeitung ca. Juli 2011"
    assert row.locator(".visually-hidden").count() == 0
    deadline = page.locator(".tl-row", has_text="Umsetzung bis 2012")
    assert deadline.locator(".tl-bar--open-start").count() == 1
    intro = page.locator("main p.muted").first.inner_text()
    assert intro.startswith("Datierte Zeitplan-Einträge von 01/2011 bis 12/2012")
    undated = page.locator("section[aria-labelledby=undated]")
    assert "im Anschluss an Mapping" in undated.inner_text()
    screenshot(page, "leipzig-timeline")
