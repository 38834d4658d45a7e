"""Test data for the PDF export: a Leipzig-like plan built from the seed document.

Until the demo data (``load_demo_data``) lands, this builder reads the seed text in
``tests/actionplan/data/leipzig_2011_seed.txt`` and creates the plan with the project's
models, so the PDF fidelity test has a real document to check.
"""

import datetime
import re
import unicodedata
from pathlib import Path

from actionplan import models as ap
from contacts import models as ct

SEED_PATH = Path(__file__).parent / "data" / "leipzig_2011_seed.txt"

STEP_HEADINGS = {"Einzel Schritte", "Einzelschritte", "Einzelsschritte"}
SECTION_HEADINGS = STEP_HEADINGS | {
    "Zielgruppe",
    "Zielgruppen",
    "Zeitplan",
    "Verantwortung",
    "Budget Creative Cities",
}
#: Seed labels (with their typos) and the label the PDF prints instead.
SEED_LABELS = {
    "Einleitung": "Einleitung",
    "Gesamtübersicht der Maßnahmen": "Gesamtübersicht der Maßnahmen",
    "Ansprechpartner": "Ansprechpartner",
    "Projektleitung": "Projektleitung",
    "Ausgangslage (u. a. Ergebnisse der SWOT-Analyse)": "Ausgangslage",
    "Zielzustand": "Zielzustand",
    "Federführung im Handlungsfeld:": "Federführung im Handlungsfeld",
    "Einzel Schritte": "Einzelschritte",
    "Einzelschritte": "Einzelschritte",
    "Einzelsschritte": "Einzelschritte",
    "Zielgruppe": "Zielgruppen",
    "Zielgruppen": "Zielgruppen",
    "Zeitplan": "Zeitplan",
    "Verantwortung": "Verantwortung",
    "Budget Creative Cities": "Budget Creative Cities",
}

# A few dated entries so the timeline has bars before the schedule parser lands.
MANUAL_DATES = {
    "Januar 2011: Arbeitsaufnahme": (datetime.date(2011, 1, 1), datetime.date(2011, 1, 31)),
    "März 2011 – Dezember 2012: Umsetzung": (
        datetime.date(2011, 3, 1),
        datetime.date(2012, 12, 31),
    ),
    "März 2011 – Dezember 2012": (datetime.date(2011, 3, 1), datetime.date(2012, 12, 31)),
    "2011 - 2012": (datetime.date(2011, 1, 1), datetime.date(2012, 12, 31)),
    "Start der Maßnahmen ab Q3 2011": (datetime.date(2011, 7, 1), None),
    "Umsetzung bis 2012": (None, datetime.date(2012, 12, 31)),
}


def seed_lines() -> list[str]:
    return SEED_PATH.read_text(encoding="utf-8").splitlines()


def squash(text: str) -> str:
    """Letters and digits only, lower-cased: line breaks, hyphenation, bullets, quotes and
    spacing differ between a seed line and its rendering, the words do not."""
    text = unicodedata.normalize("NFC", text).replace("&", "und")
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def seed_content_lines() -> list[str]:
    """Every non-blank seed line that carries content (labels are checked separately)."""
    return [
        line.strip() for line in seed_lines() if line.strip() and line.strip() not in SEED_LABELS
    ]


def _org(name: str, parent=None, short_name: str = "") -> ct.Organisation:
    org, _ = ct.Organisation.objects.get_or_create(
        name=name, parent=parent, defaults={"short_name": short_name}
    )
    return org


def _person(name_line: str, org, phone: str, email: str) -> ct.Person:
    salutation, _, rest = name_line.strip().partition(" ")
    words = rest.split()
    function = words[0] if len(words) > 2 else ""
    first, last = (words[-2], words[-1]) if len(words) >= 2 else ("", words[-1])
    person, _ = ct.Person.objects.get_or_create(
        first_name=first,
        last_name=last,
        defaults={
            "salutation": salutation.lower(),
            "function": function,
            "organisation": org,
            "phone": phone,
            "email": email,
            "public_contact": True,
        },
    )
    return person


def _contact_block(lines: list[str]) -> list[ct.Person]:
    """Org line(s), name line(s) joined by '/', 'Tel. …', e-mail(s) joined by '; '."""
    name_idx = next(i for i, line in enumerate(lines) if line.startswith(("Frau ", "Herr ")))
    org_lines = lines[:name_idx]
    if len(org_lines) == 1 and ", " in org_lines[0]:
        org_lines = org_lines[0].split(", ", 1)
    parent = _org(org_lines[0]) if len(org_lines) > 1 else None
    org = _org(org_lines[-1], parent=parent)
    names = [n.strip() for n in lines[name_idx].split("/") if n.strip()]
    phones = lines[name_idx + 1].removeprefix("Tel. ").split("; ")
    emails = lines[name_idx + 2].split("; ")
    return [
        _person(name, org, phones[i] if i < len(phones) else "", emails[i])
        for i, name in enumerate(names)
    ]


def build_leipzig_like_plan(*, status=ap.Plan.Status.PUBLISHED, slug="leipzig-2011") -> ap.Plan:
    """The Leipzig plan of May 2011, parsed from the seed document."""
    lines = [line.rstrip() for line in seed_lines()]
    text = [line.strip() for line in lines]

    intro_start = text.index("Einleitung") + 1
    intro_end = text.index("Gesamtübersicht der Maßnahmen")
    paragraphs = [t for t in text[intro_start:intro_end] if t]

    city = _org("Stadt Leipzig", short_name="")
    funding_start = next(i for i, t in enumerate(text) if t.startswith("„"))
    funding = []
    for t in text[funding_start:]:
        funding.append(t)
        if t.endswith("“"):
            break

    # Contacts: blocks separated by blank lines between "Ansprechpartner" and the first field.
    contacts_start = text.index("Ansprechpartner") + 1
    first_field = next(i for i, t in enumerate(text) if t.startswith("Handlungsfeld ‚"))
    blocks, current = [], []
    for t in text[contacts_start:first_field]:
        if not t:
            if current:
                blocks.append(current)
                current = []
        else:
            current.append(t)
    if current:
        blocks.append(current)
    # Blocks alternate heading / details.
    headed = [(blocks[i][0], blocks[i + 1]) for i in range(0, len(blocks) - 1, 2)]
    lead_people = _contact_block(headed[0][1])
    plan = ap.Plan.objects.create(
        title=text[next(i for i, t in enumerate(text) if t)],
        slug=slug,
        subtitle="Lokaler Maßnahmenplan für Leipzig",
        region="Leipzig",
        issued_on=datetime.date(2011, 5, 1),
        issued_label="Mai 2011",
        funding_note="\n".join(funding),
        introduction="\n\n".join(paragraphs),
        project_lead=lead_people[0],
        author_organisation=city,
        status=status,
        language="de",
    )
    field_contacts = [_contact_block(details) for _, details in headed[1:]]

    source, _ = ap.FundingSource.objects.get_or_create(name="Creative Cities")
    field_starts = [i for i, t in enumerate(text) if t.startswith("Handlungsfeld ‚")]
    for number, start in enumerate(field_starts, 1):
        end = field_starts[number] if number < len(field_starts) else len(text)
        _build_field(plan, number, lines[start:end], field_contacts[number - 1], source, city)
    return plan


def _build_field(plan, number, lines, contacts, source, city):
    text = [line.strip() for line in lines]
    title = re.search(r"‚(.+)‘", text[0]).group(1)
    target_idx = text.index("Zielzustand")
    lead_idx = text.index("Federführung im Handlungsfeld:")
    findings = [t[2:] for t in text[1:target_idx] if t.startswith("- ")]
    target_state = " ".join(t for t in text[target_idx + 1 : lead_idx] if t)
    lead_line = next(t for t in text[lead_idx + 1 :] if t)
    lead_name, _, lead_note = lead_line.partition(", ")
    short = re.search(r"\((.+)\)$", lead_name)
    if short:
        lead_org = _org(lead_name[: short.start()].strip(), short_name=short.group(1))
    else:
        lead_org = _org(lead_name, parent=city)
    field = ap.FieldOfAction.objects.create(
        plan=plan,
        position=number,
        title=title,
        slug=f"handlungsfeld-{number}",
        target_state=target_state,
        lead_organisation=lead_org,
        lead_note=lead_note,
    )
    for i, person in enumerate(contacts, 1):
        ap.FieldContact.objects.create(field=field, person=person, position=i)
    for i, finding in enumerate(findings, 1):
        ap.BaselineFinding.objects.create(
            field=field, position=i, text=finding, swot=ap.BaselineFinding.Swot.WEAKNESS
        )

    body = lines[text.index(lead_line) + 1 :]
    body_text = [b.strip() for b in body]
    measure_starts = []
    for i, t in enumerate(body_text):
        if t.startswith("Maßnahme "):
            measure_starts.append(i)
        elif t in STEP_HEADINGS and not any(
            body_text[j].startswith("Maßnahme ") for j in _previous_nonblank(body_text, i)
        ):
            measure_starts.append(_previous_nonblank(body_text, i)[0])
    for position, start in enumerate(measure_starts, 1):
        end = measure_starts[position] if position < len(measure_starts) else len(body)
        _build_measure(field, position, body[start:end], source, city)
    return field


def _previous_nonblank(text, index):
    return [j for j in range(index - 1, -1, -1) if text[j]][:1]


def _build_measure(field, position, lines, source, city):
    heading = lines[0].strip()
    match = re.match(r"Maßnahme ([A-Z])\) (.+)", heading)
    code, title = (match.group(1), match.group(2)) if match else ("", heading)
    measure = ap.Measure.objects.create(
        field=field, position=position, code=code, title=title, slug=f"massnahme-{position}"
    )
    sections: dict[str, list[str]] = {}
    current = None
    for raw in lines[1:]:
        t = raw.strip()
        if not t:
            continue
        if t in SECTION_HEADINGS:
            current = SEED_LABELS[t]
            sections[current] = []
            continue
        sections[current].append(raw.rstrip())

    step_pos, last_step, sub_pos = 0, None, 0
    for raw in sections.get("Einzelschritte", []):
        if raw.startswith(" - "):
            sub_pos += 1
            ap.Step.objects.create(
                measure=measure, parent=last_step, position=sub_pos, text=raw[3:].strip()
            )
        elif raw.startswith("- "):
            step_pos += 1
            sub_pos = 0
            last_step = ap.Step.objects.create(
                measure=measure, position=step_pos, text=raw[2:].strip()
            )
        else:
            last_step.text += "\n" + raw.strip()
            last_step.save()
    for raw in sections.get("Zielgruppen", []):
        group, _ = ap.TargetGroup.objects.get_or_create(name=raw.strip().removeprefix("- "))
        measure.target_groups.add(group)
    for i, raw in enumerate(sections.get("Zeitplan", []), 1):
        label = raw.strip().removeprefix("- ")
        start, end = MANUAL_DATES.get(label, (None, None))
        ap.ScheduleEntry.objects.create(
            measure=measure, position=i, label=label, start_date=start, end_date=end
        )
    for i, raw in enumerate(sections.get("Verantwortung", []), 1):
        line = raw.strip().removeprefix("- ")
        role = ap.Responsibility.Role.RESPONSIBLE
        if line.startswith("als Tutoren"):
            org, note, role = city, line, ap.Responsibility.Role.TUTOR
        elif line.startswith("Unterstützung"):
            org, note, role = city, line, ap.Responsibility.Role.SUPPORT
        elif ": " in line:
            name, note = line.split(": ", 1)
            org = _org(name)
        else:
            org, note = _org(line), ""
        ap.Responsibility.objects.create(
            measure=measure, position=i, organisation=org, note=note, role=role
        )
    categories = [c for raw in sections.get("Budget Creative Cities", []) for c in raw.split(", ")]
    for i, name in enumerate(categories, 1):
        category, _ = ap.BudgetCategory.objects.get_or_create(name=name.strip())
        ap.BudgetLine.objects.create(
            measure=measure, position=i, category=category, funding_source=source
        )
    return measure


# --- reading PDFs with poppler-utils --------------------------------------------------------

import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402

import pytest  # noqa: E402

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


@pytest.fixture
def pdf_cache(settings):
    """A private in-memory cache, so tests never see each other's (or a developer's) PDFs."""
    from django.core.cache import cache

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"pdf-tests-{id(settings)}",
        }
    }
    cache.clear()
    yield cache
    cache.clear()
