"""A crawl of every public page, German and English, at 1280, 390 and 320 px in Chromium.

Starting from both home pages it follows the internal links that stay on public pages (no
admin, no downloads, no documents, no feeds), a few pages of each kind, plus one search and the
filtered lists. Every page, at every width, must pass axe-core (WCAG 2.1 A/AA), never scroll
sideways, show no text smaller than 12 px (HTML text by its computed size, SVG text by its font
size times the scale at which the SVG is drawn) and link the three legal statements from its
footer, and carry OpenGraph tags, an absolute canonical link and hreflang alternates in its
head. Each check is a function in PAGE_CHECKS: `check(page) -> list[str]` of problems.

One browser, one page, the demo data loaded once; the viewport is resized per width. At
1280 px the crawl visits up to PER_KIND pages of each kind; on phones one page of each kind
(pages of a kind share a template, so their layout is the same), and axe runs at 320 px but not
again at 390 px: what axe reads (names, roles, contrast, landmarks) does not change between two
phone widths, while scrolling sideways and text size are checked at both.
"""

import datetime
from collections import Counter
from importlib import import_module
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.urls import Resolver404
from django.urls import resolve as django_resolve
from django.utils import translation

from actionplan import models as ap
from tests.actionplan.public_data import build_rich_plan
from tests.browser.support import describe, run_axe
from tests.factories import UserFactory
from versions.services import plan_version_publish

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.single_pass("axe-core, widths and text sizes of the public pages"),
]

WIDTHS = (1280, 390, 320)
HEIGHTS = {1280: 900, 390: 844, 320: 640}
# A few pages of each kind (view and language) are enough: pages of one kind share a template.
PER_KIND = 2
MIN_TEXT_PX = 12
# axe at the desktop width and the narrowest phone (see the module's docstring)
AXE_WIDTHS = (1280, 320)
LEGAL = ("impressum/", "datenschutz/", "barrierefreiheit/")
# Not pages: documents, downloads, feeds, and everything behind a login.
SKIP_PREFIXES = (
    "/admin/",
    "/api/",
    "/static/",
    "/media/",
    "/importe/",
    "/erinnerungen/",
    "/benachrichtigungen/",
    "/konto/",
    "/accounts/",
)
SKIP_SUFFIXES = (
    "/pdf/",
    ".pdf",
    ".zip",
    ".json",
    ".jsonld",
    ".atom",
    ".ics",
    ".vcf",
    ".csv",
    ".xml",
    ".txt",
)

SMALL_TEXT = """(minPx) => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el || el.closest("title, desc, script, style, noscript, template")) continue;
    const style = getComputedStyle(el);
    if (style.visibility !== "visible" || style.display === "none") continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    // text that is not drawn (display: none above it, a closed <details>) or is clipped to a
    // pixel for screen readers (.visually-hidden) has no box a reader could see
    const boxes = [...range.getClientRects()].filter(r => r.width > 1 && r.height > 1);
    if (!boxes.length || el.closest(".visually-hidden, .skip-link")) continue;
    let px = parseFloat(style.fontSize);
    const svgText = el.closest("text");
    if (svgText && svgText.getScreenCTM) {
      const m = svgText.getScreenCTM();
      px = px * Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
    }
    if (px < minPx - 0.01) {
      const css = typeof el.className === "string" && el.className ? "." + el.className : "";
      found.push(`${Math.round(px * 10) / 10}px ${el.tagName.toLowerCase()}${css}: ` +
                 text.slice(0, 40));
    }
  }
  return found;
}"""


def check_axe(page) -> list[str]:
    violations = run_axe(page)
    return [f"axe: {describe(violations)}"] if violations else []


def check_no_sideways_scrolling(page) -> list[str]:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth,"
        " [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
        " > window.innerWidth + 1 && !e.closest('.table-wrap, .visually-hidden, .skip-link'))"
        ".slice(0, 3).map(e => e.tagName + '.' + e.className)]"
    )
    scroll_width, inner_width, culprits = widths
    if scroll_width > inner_width:
        return [f"scrolls sideways: {scroll_width} > {inner_width} px ({culprits})"]
    return []


def check_text_size(page) -> list[str]:
    small = page.evaluate(SMALL_TEXT, MIN_TEXT_PX)
    return [f"text under {MIN_TEXT_PX} px: {small[:5]}"] if small else []


def check_footer_links(page) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "footer.site-footer a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    missing = [slug for slug in LEGAL if not any(href.endswith(slug) for href in hrefs)]
    return [f"footer lacks the legal statements {missing}"] if missing else []


def check_head(page) -> list[str]:
    """A shared link shows a preview and search engines find one address per page: OpenGraph,
    an absolute canonical link (none on a filtered or searched address, which is noindex) and
    hreflang alternates for both languages."""
    head = page.evaluate(
        """() => ({
            og: [...document.querySelectorAll('meta[property^="og:"]')]
                .map(m => m.getAttribute('property')),
            canonical: document.querySelector('link[rel=canonical]')?.getAttribute('href') || '',
            robots: document.querySelector('meta[name=robots]')?.getAttribute('content') || '',
            hreflang: [...document.querySelectorAll('link[rel=alternate][hreflang]')]
                .map(l => l.hreflang),
        })"""
    )
    problems = [
        f"no {prop}"
        for prop in ("og:title", "og:url", "og:image", "og:description")
        if prop not in head["og"]
    ]
    if (
        not head["canonical"].startswith(("http://", "https://"))
        and "noindex" not in head["robots"]
    ):
        problems.append(f"canonical {head['canonical']!r} is not absolute")
    missing = {"de", "en", "x-default"} - set(head["hreflang"])
    if missing:
        problems.append(f"hreflang missing: {sorted(missing)}")
    return problems


PAGE_CHECKS = [
    check_axe,
    check_no_sideways_scrolling,
    check_text_size,
    check_footer_links,
    check_head,
]


def resolve(path: str):
    """resolve() in the language of the path's prefix (/en/ resolves only in English)."""
    with translation.override("en" if path.startswith("/en/") else "de"):
        return django_resolve(path)


def _public_path(href: str, base: str) -> str | None:
    """The path of an internal link to a public page, or None."""
    parts = urlsplit(href)
    if parts.scheme and not href.startswith(base):
        return None
    path = parts.path
    if not path.startswith("/") or path.startswith(SKIP_PREFIXES) or path.endswith(SKIP_SUFFIXES):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if "embed" in (match.view_name or ""):
        return None  # embed views are framed by other sites and carry no site chrome
    return path


def _kind(path: str) -> str:
    language = "en" if path.startswith("/en/") else "de"
    return f"{language}:{resolve(urlsplit(path).path).view_name}"


@pytest.fixture
def demo(live_url):
    # The legal pages come from a data migration; a transactional test that ran before on
    # this worker flushed them with everything else.
    import_module("legal.migrations.0002_template_pages").create_pages(django_apps, None)
    call_command("load_demo_data", stdout=StringIO())
    call_command("load_campaign_demo_data", stdout=StringIO())
    plan = ap.Plan.objects.get()
    if not plan.versions.exists():
        plan_version_publish(
            plan=plan,
            label="Stand Dezember 2012",
            date=datetime.date(2012, 12, 31),
            acting_user=UserFactory(is_superuser=True, is_staff=True),
        )
    draft = build_rich_plan(slug="entwurf", status=ap.Plan.Status.DRAFT)
    return {"plan": plan, "draft": draft}


def _seeds(plan) -> list[str]:
    measures = f"/plaene/{plan.slug}/massnahmen/"
    seeds = [
        "/",
        "/en/",
        "/suche/?q=Leipzig",
        "/en/suche/?q=Leipzig",
        "/suche/?q=Leipzig&kind=measures",
    ]
    seeds += [f"{measures}?status=planned&q=Netzwerk", "/kampagnen/?status=completed"]
    return seeds + [f"/en{path}" for path in seeds[-2:]]


def test_every_public_page_at_every_width(browser_page, demo, live_url):
    page = browser_page
    base = live_url("/").rstrip("/")
    queue = _seeds(demo["plan"])
    pages: list[str] = []
    per_kind: Counter = Counter()
    seen = set(queue)
    problems: list[str] = []

    phone_pages: list[str] = []

    def visit(path: str, width: int) -> None:
        response = page.goto(base + path)
        if response.status != 200:
            problems.append(f"{width} {path}: HTTP {response.status}")
            return
        for check in PAGE_CHECKS:
            if check is check_axe and width not in AXE_WIDTHS:
                continue
            problems.extend(f"{width} {path}: {problem}" for problem in check(page))

    # At 1280 px: the crawl itself, breadth first, a few pages of each kind.
    page.set_viewport_size({"width": 1280, "height": HEIGHTS[1280]})
    while queue:
        path = queue.pop(0)
        kind = _kind(path) + ("?" if "?" in path else "")
        if per_kind[kind] >= PER_KIND:
            continue
        per_kind[kind] += 1
        pages.append(path)
        if per_kind[kind] == 1:
            phone_pages.append(path)
        visit(path, 1280)
        for href in page.eval_on_selector_all("a[href]", "a => a.map(x => x.href)"):
            found = _public_path(href, base)
            if found and found not in seen:
                seen.add(found)
                queue.append(found)
    # One page of each kind on phones.
    for width in WIDTHS[1:]:
        page.set_viewport_size({"width": width, "height": HEIGHTS[width]})
        for path in phone_pages:
            visit(path, width)

    print(f"crawled {len(pages)} pages at 1280 px, {len(phone_pages)} of them on phones")
    kinds = {kind.split("?")[0] for kind in per_kind}
    for language in ("de", "en"):
        for view in (
            "actionplan:plan_list",
            "actionplan:plan_detail",
            "actionplan:field_detail",
            "actionplan:measure_detail",
            "actionplan:measure_list",
            "actionplan:plan_timeline",
            "progress:plan_dashboard",
            "indicators:indicator_list",
            "indicators:indicator_detail",
            "versions:version_detail",
            "versions:version_changes",
            "campaigns:campaign_list",
            "campaigns:campaign_detail",
            "contacts:directory",
            "search:results",
            "legal:impressum",
            "legal:datenschutz",
            "legal:barrierefreiheit",
        ):
            assert f"{language}:{view}" in kinds, f"the crawl never reached {language}:{view}"
    assert not [p for p in pages if f"/{demo['draft'].slug}/" in p], "a draft was reached"
    assert problems == [], "\n".join(problems)
