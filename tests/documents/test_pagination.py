"""Pagination of the Leipzig demo plan's PDF, measured on the rendered pages.

The demo data is loaded with the real ``load_demo_data`` command and the plan rendered once
with and once without the progress chapter. ``pdftotext -bbox-layout`` gives every text line
with its box; the body of a page is what lies between the top and bottom page margins of
``static/documents/pdf.css`` (the running header and footer lie outside).

*How full a page is*: the distance from the top of the body frame to the bottom of the page's
lowest body line, against the height of the body frame (a full page of text fills it to its
last line, within one line's height).

*A chapter's end*: the last page of the document, or a page followed by a page that begins a
chapter. The chapters are the top-level entries of the PDF outline (introduction, overview,
progress, contacts, each field of action, timeline); the test checks that each of them really
is the first line of its page. The cover (page 1) and the table of contents (page 2, not in
the outline, followed by the introduction) are front matter of their own.
"""

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import lxml.html
import pytest
from django.core.management import call_command
from django.db import transaction

import documents
from actionplan.models import Plan
from actionplan.timeline import Axis
from documents import services
from documents.plans import TIMELINE_LABEL_MM, TIMELINE_TRACK_MM, year_marks
from tests.documents.pdf_factories import _poppler, pdf_outline, requires_poppler, squash

pytestmark = [
    pytest.mark.django_db,
    requires_poppler,
    pytest.mark.single_pass("page breaks of the PDF"),
]

MM = 72 / 25.4
#: The page margins of static/documents/pdf.css (``@page { margin: 22mm 20mm 22mm 22mm }``).
TOP, BOTTOM = 22 * MM, 22 * MM
#: "About a third": a page that is not a chapter's end may leave at most this share empty.
MAX_EMPTY = 1 / 3


@dataclass
class Line:
    top: float
    bottom: float
    left: float
    text: str
    block: int  # lines of one block (a paragraph, a table cell) share it, in reading order


@dataclass
class Page:
    number: int
    lines: list[Line]  # body lines, top to bottom
    frame_top: float
    frame_bottom: float

    @property
    def used(self) -> float:
        """Share of the body frame down to the lowest line."""
        if not self.lines:
            return 0.0
        lowest = max(line.bottom for line in self.lines)
        return (lowest - self.frame_top) / (self.frame_bottom - self.frame_top)

    @property
    def text(self) -> str:
        return squash(" ".join(line.text for line in self.lines))


def pdf_layout(data: bytes) -> list[Page]:
    """Body lines of every page, with their vertical extent (pdftotext -bbox-layout)."""
    html = _poppler(["pdftotext", "-bbox-layout"], data)
    root = ET.fromstring(html[html.index("<html") :])
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    pages = []
    for number, page in enumerate(root.iterfind(".//x:page", ns), start=1):
        frame_top, frame_bottom = TOP, float(page.get("height")) - BOTTOM
        lines = []
        for block, node in enumerate(page.iterfind(".//x:block", ns)):
            for line in node.iterfind("x:line", ns):
                top, bottom = float(line.get("yMin")), float(line.get("yMax"))
                if bottom <= frame_top or top >= frame_bottom:
                    continue  # running header or footer
                text = " ".join(w.text or "" for w in line.iterfind("x:word", ns))
                lines.append(Line(top, bottom, float(line.get("xMin")), text, block))
        lines.sort(key=lambda line: (round(line.top), line.text))
        pages.append(Page(number, lines, frame_top, frame_bottom))
    return pages


def chapter_starts(data: bytes, pages: list[Page]) -> dict[int, str]:
    """Page → title of the chapter beginning on it, each checked to be the page's first line."""
    starts = {}
    for title, page, _children in pdf_outline(data):
        first = pages[page - 1].lines[0].text
        assert squash(title).startswith(squash(first)), (
            f"chapter {title!r} does not begin page {page}, which begins with {first!r}"
        )
        starts[page] = title
    return starts


def chapter_ends(data: bytes, pages: list[Page]) -> set[int]:
    starts = chapter_starts(data, pages)
    return {number - 1 for number in starts} | {len(pages)}


def describe(page: Page) -> str:
    first = page.lines[0].text if page.lines else ""
    last = page.lines[-1].text if page.lines else ""
    return f"page {page.number} ({1 - page.used:.0%} empty, {first!r} … {last!r})"


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker):
    """The demo plan loaded once per module (rolled back at the end), its PDF with and without
    the progress chapter, and the print HTML with it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo_data", stdout=io.StringIO())
        plan = Plan.objects.get(slug="leipzig-2011")
        yield {
            "pk": plan.pk,
            "plain": documents.render("plan", plan),
            "progress": documents.render("plan", plan, progress=True),
            "html": services.document_html("plan", plan, progress=True),
        }
        transaction.set_rollback(True)


@pytest.fixture
def plan(rendered, db) -> Plan:
    return Plan.objects.get(pk=rendered["pk"])


# --- page fill -----------------------------------------------------------------------------


def test_the_measurement_sees_a_full_page(rendered):
    """The yardstick: some page of the fields of action is filled to its last line."""
    pages = pdf_layout(rendered["plain"])
    assert max(page.used for page in pages[2:]) > 0.93
    # and the header/footer are not counted: no line lies outside the frame
    assert all(
        page.frame_top < line.top and line.bottom < page.frame_bottom
        for page in pages
        for line in page.lines
    )


@pytest.mark.parametrize("variant", ["plain", "progress"])
def test_no_page_but_a_chapters_end_is_more_than_a_third_empty(rendered, variant):
    data = rendered[variant]
    pages = pdf_layout(data)
    ends = chapter_ends(data, pages)
    front = {1}  # the cover, a full-bleed page of its own
    too_empty = [
        describe(page)
        for page in pages
        if page.number not in ends | front and 1 - page.used > MAX_EMPTY
    ]
    assert not too_empty, too_empty
    # the rule is not vacuous: most pages are neither chapter ends nor front matter
    assert len(pages) - len(ends | front) >= 4


def test_chapters_are_the_outlines_top_level(rendered, plan):
    pages = pdf_layout(rendered["progress"])
    titles = [squash(title) for title in chapter_starts(rendered["progress"], pages).values()]
    fields = [squash(field.title) for field in plan.fields.all()]
    # every field of action is a chapter, in plan order, between the front and back matter
    assert [t for t in titles if any(f in t for f in fields)] == [
        t for f in fields for t in titles if f in t
    ]
    # introduction, overview, progress, contacts, timeline and, last, the indicators
    assert len(titles) == len(fields) + 6
    assert titles[-1] == "indikatoren"


@pytest.mark.parametrize("variant", ["plain", "progress"])
def test_no_measure_heading_ends_a_page(rendered, variant):
    """Every measure's heading (the outline's second level) has its first block below it on
    the same page: at least a full line of text."""
    data = rendered[variant]
    pages = pdf_layout(data)
    headings = [child for _t, _p, children in pdf_outline(data) for child in children]
    assert len(headings) == 10
    for title, number, _ in headings:
        page = pages[number - 1]
        text = page.text
        position = text.find(squash(title))
        assert position >= 0, f"{title!r} not on page {number}"
        after = text[position + len(squash(title)) :]
        assert len(after) >= 25, f"{title!r} is the last block of page {number}: {after!r}"


def test_no_page_ends_with_a_heading(rendered):
    """Nor any other heading (field summary, steps, progress sections) at a page's foot: the
    last line of every body is set in the body font size, not a heading's."""
    html = lxml.html.fromstring(rendered["html"])
    headings = {
        squash(h.text_content()) for h in html.iter("h2", "h3") if len(squash(h.text_content())) > 3
    }
    pages = pdf_layout(rendered["progress"])
    for page in pages[1:-1]:
        assert squash(page.lines[-1].text) not in headings, describe(page)


# --- timeline ------------------------------------------------------------------------------


#: The timeline's first column, from the left margin (static/documents/pdf.css).
TIMELINE_MEASURE_COLUMN = (22 + 54) * MM


def timeline_column(data: bytes, pages: list[Page]) -> str:
    """The timeline chapter's first column (field headings and measure titles), read down."""
    start = next(page for title, page, _ in pdf_outline(data) if squash(title) == "zeitleiste")
    return "".join(
        squash(line.text)
        for page in pages[start - 1 :]
        for line in page.lines
        if line.left < TIMELINE_MEASURE_COLUMN - 2
    )


def having_class(node, tag: str, name: str) -> list:
    return node.xpath(f".//{tag}[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]")


def test_the_timeline_lists_measures_under_their_field_with_full_titles(rendered, plan):
    data = rendered["plain"]
    text = timeline_column(data, pdf_layout(data))
    position = 0
    for field in plan.fields.all():
        heading = squash(f"{field.position}. {field.title}")
        found = text.find(heading, position)
        assert found >= 0, f"field {field.title!r} missing or out of order in the timeline"
        position = found + len(heading)
        for measure in field.measures.all():
            if not any(e.start_date or e.end_date for e in measure.schedule.all()):
                continue
            title = squash(measure.title)  # whole, however long: no "…"
            found = text.find(title, position)
            assert found >= 0, f"{measure.title!r} missing or cut in the timeline"
            position = found + len(title)
    assert "…" not in text


def test_the_timeline_groups_rows_by_field_in_the_print_html(rendered, plan):
    html = lxml.html.fromstring(rendered["html"])
    table = having_class(html.get_element_by_id("timeline"), "table", "timeline")[0]
    groups = []
    for tbody in having_class(table, "tbody", "tl-measure"):
        heading = having_class(tbody, "tr", "group")
        if heading:
            groups.append((heading[0].text_content().strip(), []))
        groups[-1][1].append(having_class(tbody, "td", "tl-title")[0].text_content().strip())
    expected = []
    for field in plan.fields.all():
        titles = [
            measure.title
            for measure in field.measures.all()
            if any(e.start_date or e.end_date for e in measure.schedule.all())
        ]
        if titles:
            expected.append((f"{field.position}. {field.title}", titles))
    assert [g for g, _ in groups] == [g for g, _ in expected]
    for (_, shown), (_, titles) in zip(groups, expected, strict=True):
        assert len(shown) == len(titles)
        for cell, title in zip(shown, titles, strict=True):
            assert cell.endswith(title)  # "1 A) " + the whole title


def bar_of(html, label: str):
    for row in html.get_element_by_id("timeline").iter("tr"):
        cells = having_class(row, "td", "tl-label")
        if cells and cells[0].text_content().strip() == label:
            return having_class(row, "span", "bar")[0]
    raise AssertionError(f"no timeline row {label!r}")


def style_percent(bar, prop: str) -> float:
    return float(re.search(rf"{prop}: ([\d.]+)%", bar.get("style")).group(1))


def test_open_ended_entries_are_open_bars(rendered):
    html = lxml.html.fromstring(rendered["html"])
    assert having_class(html, "p", "timeline-legend")  # the reader is told what an arrow means
    # "ab Q3 2011": no end date — a bar running to the end of the axis, drawn open
    open_end = bar_of(html, "Start der Maßnahmen ab Q3 2011")
    assert "open-end" in open_end.classes
    assert "point" not in open_end.classes
    assert style_percent(open_end, "left") + style_percent(open_end, "width") == pytest.approx(100)
    assert style_percent(open_end, "width") > 40
    # "bis 2012": no start date — from the start of the axis, drawn open to the left
    open_start = bar_of(html, "Umsetzung bis 2012")
    assert "open-start" in open_start.classes
    assert style_percent(open_start, "left") == 0
    # a closed period and a single day are neither
    closed = bar_of(html, "März 2011 – Dezember 2012: Umsetzung")
    assert not {"open-end", "open-start", "point"} & set(closed.classes)
    day = bar_of(html, "21. Februar 2011: öffentliche Vorstellung bei der Veranstaltung im Werk II")
    assert "point" in day.classes
    assert not {"open-end", "open-start"} & set(day.classes)


def test_year_labels_fit_their_years():
    """Two years with spare quarters: the spare quarters go unlabelled. Forty years: only
    every n-th year is labelled, and the labels are far enough apart."""
    short = year_marks(Axis(2010 * 12 + 9, 2013 * 12 + 2))
    assert [m.label for m in short] == ["", "2011", "2012", ""]
    long = year_marks(Axis(1990 * 12, 2029 * 12 + 11))
    labelled = [m for m in long if m.label]
    gap = labelled[1].left - labelled[0].left
    assert gap * TIMELINE_TRACK_MM / 100 >= TIMELINE_LABEL_MM
    assert 4 <= len(labelled) <= 10


# --- progress chapter ----------------------------------------------------------------------

HYPHENS = "-\u2010\u00ad"


def test_progress_tables_break_no_words(rendered):
    """No word of the progress chapter's tables ("Handlungsfeld", "Finanzierung", the status
    labels, the budget categories) is hyphenated across a line in the PDF."""
    html = lxml.html.fromstring(rendered["html"])
    words = {
        word
        for table in html.get_element_by_id("progress").iter("table")
        for cell in table.iter("th", "td")
        for word in re.findall(r"\w{6,}", cell.text_content())
    }
    assert {"Handlungsfeld", "Finanzierung", "Abgeschlossen"} <= words
    data = rendered["progress"]
    pages = pdf_layout(data)
    starts = sorted(page for _t, page, _c in pdf_outline(data))
    first = next(p for t, p, _c in pdf_outline(data) if t == "Stand der Umsetzung")
    last = starts[starts.index(first) + 1] - 1
    broken = []
    for page in pages[first - 1 : last]:
        blocks: dict[int, list[str]] = {}
        for line in sorted(page.lines, key=lambda line: (line.block, line.top)):
            blocks.setdefault(line.block, []).append(line.text)
        for lines in blocks.values():
            for line, following in zip(lines, lines[1:], strict=False):
                end, start = line.split()[-1], following.split()[0]
                if end[-1] in HYPHENS and re.sub(r"\W", "", end + start) in words:
                    broken.append(f"{end} {start}")
    assert not broken
