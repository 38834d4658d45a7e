"""Helpers for the PDF tests: reading documents back with poppler-utils, a private cache.

The Leipzig plan itself comes from the demo data (``manage.py load_demo_data``, i.e.
``fixtures/leipzig.json``); its printed original is parsed by ``tests/actionplan/seed.py``.
"""

import re
import shutil
import subprocess
import tempfile
import unicodedata
import xml.etree.ElementTree as ET

import pytest


def squash(text: str) -> str:
    """Letters and digits only, lower-cased: line breaks, hyphenation, bullets, quotes and
    spacing differ between a line and its rendering, the words do not."""
    text = unicodedata.normalize("NFC", text).replace("&", "und")
    return "".join(ch for ch in text.casefold() if ch.isalnum())


# --- reading PDFs with poppler-utils --------------------------------------------------------

POPPLER = shutil.which("pdftotext") and shutil.which("pdfinfo") and shutil.which("pdftohtml")
requires_poppler = pytest.mark.skipif(
    not POPPLER, reason="poppler-utils (pdftotext, pdfinfo, pdftohtml) not installed"
)


def _poppler(args: list[str], data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        result = subprocess.run(
            [*args, handle.name, "-"] if args[0] != "pdfinfo" else [*args, handle.name],
            capture_output=True,
            check=True,
            timeout=120,
        )
    return result.stdout.decode("utf-8")


def pdf_pages(data: bytes) -> list[str]:
    """Text of each page (pdftotext, reading order)."""
    pages = _poppler(["pdftotext", "-enc", "UTF-8"], data).split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pdf_info(data: bytes) -> dict[str, str]:
    text = _poppler(["pdfinfo", "-enc", "UTF-8"], data)
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in text.splitlines())}


def pdf_objects(data: bytes) -> bytes:
    """The file with its compressed object streams inflated, for searching the catalog."""
    import zlib

    parts = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def pdf_metadata(data: bytes) -> str:
    return _poppler(["pdfinfo", "-meta"], data)


def pdf_outline(data: bytes) -> list[tuple[str, int, list]]:
    """Bookmarks as (title, page, children)."""
    xml = _poppler(["pdftohtml", "-xml", "-i", "-q", "-stdout"], data)
    root = ET.fromstring(xml)
    outline = root.find("outline")

    def walk(node):
        items = []
        for child in node:
            if child.tag == "item":
                items.append((child.text or "", int(child.get("page")), []))
            elif child.tag == "outline" and items:
                items[-1][2].extend(walk(child))
        return items

    return walk(outline) if outline is not None else []


def pdf_words(data: bytes) -> tuple[float, list[tuple[float, float, str]]]:
    """Page width and (xMin, xMax, word) of every word (pdftotext -bbox)."""
    html = _poppler(["pdftotext", "-bbox"], data)
    root = ET.fromstring(html[html.index("<html") :])
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    page = root.find(".//x:page", ns)
    words = [
        (float(w.get("xMin")), float(w.get("xMax")), w.text or "")
        for w in root.iterfind(".//x:word", ns)
    ]
    return float(page.get("width")), words


PAGE_MARGIN_PT = 22 / 25.4 * 72  # top and bottom margin of static/documents/pdf.css


def _body_lines(data: bytes) -> list[list[tuple[float, float, float, str]]]:
    """(xMin, yMin, page width, text) of every line between the top and bottom margin, per
    page: the running header and footer are left out by where they stand."""
    html = _poppler(["pdftotext", "-bbox-layout"], data)
    root = ET.fromstring(html[html.index("<html") :])
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    pages = []
    for page in root.iterfind(".//x:page", ns):
        width = float(page.get("width"))
        bottom = float(page.get("height")) - PAGE_MARGIN_PT
        pages.append(
            [
                (
                    float(line.get("xMin")),
                    float(line.get("yMin")),
                    width,
                    " ".join(w.text or "" for w in line.iterfind("x:word", ns)),
                )
                for line in page.iterfind(".//x:line", ns)
                if float(line.get("yMin")) >= PAGE_MARGIN_PT and float(line.get("yMax")) <= bottom
            ]
        )
    return pages


def pdf_column_pages(data: bytes) -> list[str]:
    """Body text of each page read column by column: every line of the left half of the page
    before the right half (``pdftotext`` interleaves two-column layouts line by line).
    Lines in the top and bottom margin (running header and footer) are left out."""
    return [
        "\n".join(
            text for _, _, text in sorted((x >= width / 2, y, text) for x, y, width, text in lines)
        )
        for lines in _body_lines(data)
    ]


def pdf_body_pages(data: bytes) -> list[str]:
    """Body text of each page, its lines from top to bottom (left to right on one level).
    Unlike ``pdf_pages`` it does not depend on pdftotext's reading order, which puts a body
    line that stands level with another (a fact's label and its first value at the top of a
    page) between the lines of the running header."""
    return [
        "\n".join(text for _, _, text in sorted((round(y), x, text) for x, y, _, text in lines))
        for lines in _body_lines(data)
    ]


@pytest.fixture
def pdf_cache(private_cache):
    """The per-test in-memory cache of tests/conftest.py, under the name the PDF tests use."""
    return private_cache


def run_export(export) -> dict:
    """An export's jobs as the workers would run them, one after another in this process: its
    own job, then its chapter jobs (``documents.tasks.render_pdf_part``), then the join.
    Returns the result of the job that stored the document."""
    from documents.models import PdfPartJob
    from documents.tasks import build_pdf_export, join_pdf_export, render_pdf_part

    result = build_pdf_export.call(str(export.pk))
    if not result.get("chapters"):
        return result
    for job in PdfPartJob.objects.filter(export=export).order_by("position"):
        render_pdf_part.call(job.pk)
    return join_pdf_export.call(str(export.pk))
