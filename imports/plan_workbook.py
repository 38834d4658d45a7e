"""The whole-plan workbook: one sheet per kind of row, out as XLSX or as zipped CSV, and in again.

Every row carries its stable ID and its natural keys (plan slug, field slug, measure code or
``#position``), so a clerk can add rows without an ID. The sheets are built as tablib
datasets (django-import-export's library); the XLSX file is written with openpyxl so that it
gets real date cells, two-decimal amounts, a frozen and filtered German header row. Text that
a spreadsheet would evaluate (``=``, ``+``, ``-``, ``@``, tab, CR) gets the same leading
apostrophe as in CSV (imports/formats.py), removed again on import. Formulas in an uploaded
workbook are refused, never evaluated or stored.

Besides the row sheets, the sheet „Plan“ holds the plan's own attributes (label and value,
one per row), „Ansprechpartner“ the contact persons of the fields and „Verknüpfungen“ the
related measures (measure → measure, by field slug and code). They are left out of the open
data (``public_only``), and a workbook without them (exported before they existed) leaves
them as stored; a workbook without one of the row sheets is refused.

Importing reads the file into ``Incoming`` rows and hands them to ``imports.plan_import``:
the same validate → diff → apply path as the JSON document; the plan's attributes, contacts
and links go through ``imports.plan_extras``, which the JSON document uses for them too, in
the same transaction.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import itertools
import logging
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import tablib
from django.db import transaction
from django.utils import timezone, translation
from django.utils.encoding import force_str
from django.utils.translation import gettext as _

from access import rules
from actionplan.licences import DataLicence
from actionplan.models import (
    BaselineFinding,
    BudgetCategory,
    CostKind,
    FieldContact,
    FieldOfAction,
    FundingSource,
    Measure,
    Plan,
    Responsibility,
    TargetGroup,
)
from actionplan.services import _history_user
from contacts.models import Organisation, Person
from funding.models import FundingProgramme
from translations import registry

from . import limits, plan_indicators, uploads
from .formats import neutralise, restore
from .plan_extras import ContactRow, Link, LinkRow, PlanExtras, extras_fingerprint
from .plan_import import (
    CENT,
    MODELS,
    Incoming,
    PlanImportError,
    PlanImportResult,
    Problem,
    Stored,
    Where,
    measure_ref,
    plan_apply_rows,
    plan_fingerprint,
    plan_lock,
    stale_message,
)

logger = logging.getLogger(__name__)


def _indicator_type(attribute: str) -> str:
    if attribute in plan_indicators.DATE_COLUMNS:
        return "date"
    return "indicator_number" if attribute in plan_indicators.NUMBER_COLUMNS else "text"


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_CONTENT_TYPE = "application/zip"
LIST_SEPARATOR = "; "
YES = {"ja", "j", "x", "1", "yes", "y", "true", "wahr"}
NO = {"", "nein", "n", "0", "no", "false", "falsch"}


@dataclass(frozen=True)
class Column:
    attribute: str
    label: str  # German, as in the header row; the same in every UI language
    type: str = "text"
    width: int = 14
    # a column added later: a workbook without it imports as before (the rows keep what is
    # stored in it)
    optional: bool = False


def _columns(*columns: Column) -> tuple[Column, ...]:
    return (Column("id", "ID", "id", 8), Column("plan", "Plan", "plan", 14), *columns)


DELETE = Column("delete", "löschen", "bool", 9)
FIELD_REF = Column("field", "Handlungsfeld", "field", 18)
MEASURE_REF = Column("measure", "Maßnahme", "measure", 11)
POSITION = Column("position", "Position", "int", 9)

SHEETS: dict[str, tuple[str, tuple[Column, ...]]] = {
    "field": (
        "Handlungsfelder",
        _columns(
            POSITION,
            Column("title", "Titel", width=40),
            Column("slug", "Kürzel", width=20),
            Column("target_state", "Zielzustand", width=50),
            Column("lead_organisation", "Federführung", "organisation", 30),
            Column("lead_note", "Hinweis zur Federführung", width=30),
            DELETE,
        ),
    ),
    "finding": (
        "Ausgangslage",
        _columns(
            FIELD_REF,
            POSITION,
            Column("text", "Befund", width=60),
            Column("swot", "SWOT", "choice"),
            DELETE,
        ),
    ),
    "measure": (
        "Maßnahmen",
        _columns(
            FIELD_REF,
            POSITION,
            Column("code", "Code", width=8),
            Column("title", "Titel", width=50),
            Column("slug", "Kürzel", width=20),
            Column("description", "Beschreibung", width=50),
            Column("status", "Umsetzungsstand", "choice"),
            Column("state", "Veröffentlichung", "choice"),
            Column("target_groups", "Zielgruppen", "target_groups", 40),
            DELETE,
        ),
    ),
    "step": (
        "Schritte",
        _columns(
            FIELD_REF,
            MEASURE_REF,
            Column("parent", "Oberschritt", "parent", 11),
            POSITION,
            Column("text", "Text", width=70),
            DELETE,
        ),
    ),
    "schedule": (
        "Zeitplan",
        _columns(
            FIELD_REF,
            MEASURE_REF,
            POSITION,
            Column("label", "Angabe", width=50),
            Column("start_date", "Beginn", "date", 12),
            Column("end_date", "Ende", "date", 12),
            Column("approximate", "ca.", "bool", 6),
            DELETE,
        ),
    ),
    "responsibility": (
        "Zuständigkeiten",
        _columns(
            FIELD_REF,
            MEASURE_REF,
            POSITION,
            Column("role", "Rolle", "choice"),
            Column("organisation", "Organisation", "organisation", 30),
            Column("person", "Person", "person", 24),
            Column("note", "Hinweis", width=30),
            DELETE,
        ),
    ),
    "budget": (
        "Budget",
        _columns(
            FIELD_REF,
            MEASURE_REF,
            POSITION,
            Column("category", "Kategorie", "category", 24),
            Column("funding_source", "Finanzierungsquelle", "funding_source", 22),
            Column("planned_amount", "geplant (EUR)", "decimal", 14),
            Column("actual_amount", "tatsächlich (EUR)", "decimal", 14),
            Column("note", "Hinweis", width=30),
            # funding (issue 20): optional, older workbooks have none of them
            Column("year_from", "Jahr von", "int", 9, optional=True),
            Column("year_to", "Jahr bis", "int", 9, optional=True),
            Column("kind", "Kostenart", "choice", 16, optional=True),
            Column("person_days", "Personentage", "decimal", 12, optional=True),
            Column("programme", "Förderprogramm", "programme", 30, optional=True),
            Column("co_funding_rate", "Förderquote (%)", "decimal", 12, optional=True),
            DELETE,
        ),
    ),
}


def with_english(model, columns: tuple[Column, ...]) -> tuple[Column, ...]:
    """``columns`` with a column for each translated text's English version right after the
    German one (``translations.registry``): header „<German header> (englisch)“, attribute
    ``<attribute>_en``. Optional: a workbook without it leaves the English text as stored."""
    translated = registry.fields_of(model)
    return tuple(
        c
        for column in columns
        for c in ((column, english_column(column)) if column.attribute in translated else (column,))
    )


ENGLISH_HEADER = " (englisch)"


def english_column(column: Column) -> Column:
    return Column(
        registry.english(column.attribute),
        column.label + ENGLISH_HEADER,
        column.type,
        column.width,
        optional=True,
    )


SHEETS = {
    kind: (title, with_english(MODELS[kind], columns)) for kind, (title, columns) in SHEETS.items()
}
# The plan's own attributes, contact persons and related measures: sheets of their own, read
# by ``imports.plan_extras`` (the JSON document's code for the same things). A workbook
# exported before they existed has none of them: it leaves them as stored.
PLAN_VALUES: tuple[Column, ...] = (
    Column("slug", "Kürzel", "plan"),
    Column("title", "Titel"),
    Column("subtitle", "Untertitel"),
    Column("region", "Stadt/Region"),
    Column("issued_label", "Datumsangabe"),
    Column("issued_on", "Ausgabedatum", "date"),
    Column("period_label", "Laufzeit"),
    Column("funding_note", "Förderhinweis"),
    Column("introduction", "Einleitung"),
    Column("status", "Status", "choice"),
    Column("language", "Sprache"),
    Column("project_lead", "Projektleitung", "person"),
    Column("author_organisation", "Herausgeber", "organisation"),
    Column("data_licence", "Datenlizenz", "choice"),
)
PLAN_VALUES = (
    *with_english(Plan, PLAN_VALUES),
    Column("english_note", "Hinweis zur englischen Fassung (englisch)", optional=True),
)
EXTRA_SHEETS: dict[str, tuple[str, tuple[Column, ...]]] = {
    "plan": (
        "Plan",
        (Column("label", "Angabe", width=22), Column("value", "Wert", "value", 90)),
    ),
    "contact": (
        "Ansprechpartner",
        _columns(
            FIELD_REF,
            POSITION,
            Column("person", "Person", "person", 28),
            Column("organisation", "Organisation der Person", "organisation", 30),
            DELETE,
        ),
    ),
    "link": (
        "Verknüpfungen",
        _columns(
            FIELD_REF,
            MEASURE_REF,
            Column("related_field", "verbundenes Handlungsfeld", "field", 22),
            Column("related_measure", "verbundene Maßnahme", "measure", 11),
            DELETE,
        ),
    ),
}
# Council papers (council/): one row per consultation (a paper without any: one row without
# them); the plan's own papers without field and measure. No ID and no “löschen”: the sheet is
# the whole list, a paper not in it is deleted; a workbook without the sheet keeps them all.
EXTRA_SHEETS["council"] = (
    "Beschlüsse",
    (
        Column("field", "Handlungsfeld", "text", 18),
        Column("measure", "Maßnahme", "text", 11),
        Column("reference", "Aktenzeichen", "text", 16),
        Column("title", "Titel", "text", 40),
        Column("date", "Datum", "date", 12),
        Column("body", "Körperschaft", "text", 20),
        Column("url", "Adresse", "text", 30),
        Column("consultation_date", "Beratung am", "date", 12),
        Column("committee", "Gremium", "text", 24),
        Column("result", "Ergebnis", "text", 18),
    ),
)
# The indicators' sheets (imports/plan_indicators.py): keyed by the indicator's slug.
EXTRA_SHEETS.update(
    {
        kind: (title, tuple(Column(a, label, _indicator_type(a), w) for a, label, w in columns))
        for kind, (title, columns) in plan_indicators.INDICATOR_SHEETS.items()
    }
)
# The sheets in the order of the workbook: each next to what it belongs to.
WORKBOOK_KINDS = (
    "plan",
    "field",
    "contact",
    "finding",
    "measure",
    "link",
    "step",
    "schedule",
    "responsibility",
    "budget",
    "council",
    *plan_indicators.INDICATOR_SHEETS,
)
CHOICES = {
    ("finding", "swot"): BaselineFinding.Swot,
    ("measure", "status"): Measure.Status,
    ("measure", "state"): Measure.State,
    ("responsibility", "role"): Responsibility.Role,
    ("plan", "status"): Plan.Status,
    ("plan", "data_licence"): DataLicence,
    ("budget", "kind"): CostKind,
}


def sheet_spec(kind: str) -> tuple[str, tuple[Column, ...]]:
    """(title, columns) of a sheet kind."""
    return SHEETS[kind] if kind in SHEETS else EXTRA_SHEETS[kind]


def sheet_title(kind: str) -> str:
    return sheet_spec(kind)[0]


# --- export ---------------------------------------------------------------------------------


def _person_name(person: Person) -> str:
    return f"{person.last_name}, {person.first_name}" if person.first_name else person.last_name


def _choice_label(choices, value: str) -> str:
    with translation.override("de"):
        return force_str(choices(value).label) if value in choices.values else value


def _cell(kind: str, column: Column, row, stored: Stored, *, public_only: bool = False):
    """The value of one cell, as Python (dates as dates, amounts as decimals)."""
    attribute = column.attribute
    if attribute == "id":
        return row.pk
    if attribute == "plan":
        return stored.plan_slug
    if attribute == "delete":
        return ""
    if attribute == "field":
        return (row.field if kind in ("finding", "measure") else row.measure.field).slug
    if attribute == "measure":
        return measure_ref(row.measure.code, row.measure.position)
    if attribute == "parent":
        return row.parent.position if row.parent_id else None
    if attribute == "target_groups":
        return LIST_SEPARATOR.join(g.name for g in row.target_groups.all())
    if (kind, attribute) in CHOICES:
        return _choice_label(CHOICES[(kind, attribute)], getattr(row, attribute))
    if column.type == "bool":
        return "ja" if getattr(row, attribute) else ""
    value = getattr(row, attribute)
    if column.type == "person":
        if not value:
            return ""
        # open data names a person only with their consent (Person.is_public)
        return value.public_name if public_only and not value.is_public else _person_name(value)
    if column.type in ("organisation", "category", "funding_source", "programme"):
        return value.name if value else ""
    if column.type == "decimal":
        return value.quantize(CENT) if value is not None else None
    return value


def _sorted_rows(kind: str, stored: Stored) -> list:
    def order(row):
        if kind == "field":
            return (row.position,)
        if kind in ("finding", "measure"):
            return (row.field.position, row.position)
        measure = row.measure
        base = (measure.field.position, measure.position)
        if kind == "step":
            parent = row.parent.position if row.parent_id else row.position
            return (*base, parent, 1 if row.parent_id else 0, row.position)
        return (*base, row.position)

    return sorted(stored.by_key[kind].values(), key=order)


def _public_rows(kind: str, rows: list, public_ids: set[int]) -> list:
    if kind == "measure":
        return [row for row in rows if row.pk in public_ids]
    if kind in ("step", "schedule", "responsibility", "budget"):
        return [row for row in rows if row.measure_id in public_ids]
    return rows


def plan_workbook_databook(plan: Plan, *, public_only: bool = False) -> tablib.Databook:
    """The plan as one tablib dataset per sheet, values as Python objects.

    ``public_only``: what anonymous visitors may see (``access.rules``) — the published
    measures of a published plan (of a draft plan: no measures) and their rows, persons
    without consent by their public name, and without the “löschen” column, which only
    means something to the import. The open data keep to the row sheets (without „Plan“,
    „Ansprechpartner“, „Verknüpfungen“): their files stay as published before.
    """
    stored = Stored(plan)
    stored.plan_slug = plan.slug
    public_ids: set[int] = set()
    if public_only:
        measures = Measure.objects.filter(field__plan=plan)
        public_ids = set(rules.public_measures(measures).values_list("pk", flat=True))
        if any(r.person_id for r in stored.by_key["responsibility"].values()):
            _join_person_organisations(stored)
    sheets = []
    kinds = [*SHEETS, *plan_indicators.INDICATOR_SHEETS] if public_only else WORKBOOK_KINDS
    indicator_rows = plan_indicators.workbook_sheets(plan, public_only=public_only)
    for kind in kinds:
        title, columns = sheet_spec(kind)
        if public_only:
            columns = tuple(c for c in columns if c is not DELETE)
        dataset = tablib.Dataset(headers=[c.label for c in columns], title=title)
        if kind in plan_indicators.INDICATOR_SHEETS:
            for values in indicator_rows[kind]:
                dataset.append(values)
            sheets.append(dataset)
            continue
        if kind in EXTRA_SHEETS:
            for values in _EXTRA_ROWS[kind](plan):
                dataset.append(values)
            sheets.append(dataset)
            continue
        rows = _sorted_rows(kind, stored)
        if public_only:
            rows = _public_rows(kind, rows, public_ids)
        for row in rows:
            dataset.append([_cell(kind, c, row, stored, public_only=public_only) for c in columns])
        sheets.append(dataset)
    return tablib.Databook(sheets)


def _plan_rows(plan: Plan) -> list[list]:
    """Sheet „Plan“: one row per attribute, its label and its value."""
    plan = Plan.objects.select_related("project_lead", "author_organisation").get(pk=plan.pk)
    rows = []
    for column in PLAN_VALUES:
        value = getattr(plan, column.attribute)
        if column.type == "choice":
            value = _choice_label(CHOICES[("plan", column.attribute)], value)
        elif column.type == "person":
            value = _person_name(value) if value else ""
        elif column.type == "organisation":
            value = value.name if value else ""
        rows.append([column.label, value])
    return rows


def _contact_rows(plan: Plan) -> list[list]:
    contacts = (
        FieldContact.objects.filter(field__plan=plan)
        .select_related("field", "person__organisation")
        .order_by("field__position", "position", "pk")
    )
    return [
        [
            contact.pk,
            plan.slug,
            contact.field.slug,
            contact.position,
            _person_name(contact.person),
            contact.person.organisation.name if contact.person.organisation_id else "",
            "",
        ]
        for contact in contacts
    ]


def _link_rows(plan: Plan) -> list[list]:
    links = (
        Link.objects.filter(from_measure__field__plan=plan, to_measure__field__plan=plan)
        .select_related("from_measure__field", "to_measure__field")
        .order_by(
            "from_measure__field__position",
            "from_measure__position",
            "to_measure__field__position",
            "to_measure__position",
            "pk",
        )
    )
    return [
        [
            link.pk,
            plan.slug,
            link.from_measure.field.slug,
            measure_ref(link.from_measure.code, link.from_measure.position),
            link.to_measure.field.slug,
            measure_ref(link.to_measure.code, link.to_measure.position),
            "",
        ]
        for link in links
    ]


def _council_rows(plan: Plan) -> list[list]:
    from council.models import CouncilPaper

    papers = (
        CouncilPaper.objects.filter(plan=plan)
        .select_related("measure__field")
        .prefetch_related("consultations")
        .order_by("measure__field__position", "measure__position", "date", "reference", "pk")
    )
    rows = []
    for paper in papers:
        measure = paper.measure
        owner = [
            measure.field.slug if measure else "",
            measure_ref(measure.code, measure.position) if measure else "",
        ]
        own = [paper.reference, paper.title, paper.date, paper.body, paper.url]
        consultations = sorted(
            paper.consultations.all(), key=lambda c: (c.date is None, c.date, c.pk)
        )
        for c in consultations or [None]:
            rows.append(owner + own + ([c.date, c.committee, c.result] if c else [None, "", ""]))
    return rows


def council_input(reader, sheet: RawSheet) -> dict[tuple | None, list[dict]]:
    """Sheet „Beschlüsse“ as paper entries (the JSON document's shape) per owner: ``None``
    for the plan, ``(field slug, measure ref)`` for a measure."""
    index = reader.headers("council", sheet)
    if index is None:
        return {}
    title, columns = sheet_spec("council")
    labels = {c.attribute: c.label for c in columns}
    owners: dict[tuple | None, dict[str, dict]] = {}
    for number, values in sheet.rows:
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        where = Where(title, number, labels)
        cells = {}
        for c in columns:
            raw = values[index[c.label]] if index[c.label] < len(values) else None
            try:
                cells[c.attribute] = _date(raw) if c.type == "date" else _text(raw).strip()
            except _CellError as error:
                reader.problems.append(where.problem(str(error), c.attribute))
                cells = None
                break
        if cells is None:
            continue
        if not cells["reference"]:
            reader.problems.append(where.problem(_("A reference is required."), "reference"))
            continue
        owner = (cells["field"], cells["measure"]) if cells["field"] or cells["measure"] else None
        papers = owners.setdefault(owner, {})
        entry = papers.setdefault(
            cells["reference"],
            {
                "reference": cells["reference"],
                "title": cells["title"],
                "date": cells["date"].isoformat() if cells["date"] else None,
                "body": cells["body"],
                "url": cells["url"],
                "consultations": [],
            },
        )
        if cells["committee"]:
            day = cells["consultation_date"]
            entry["consultations"].append(
                {
                    "date": day.isoformat() if day else None,
                    "committee": cells["committee"],
                    "result": cells["result"],
                }
            )
    return {owner: list(papers.values()) for owner, papers in owners.items()}


def _council_apply(plan: Plan, given: dict, reason: str) -> list:
    """Write sheet „Beschlüsse“ (after the rows: new measures exist by now)."""
    from council.models import CouncilPaper
    from council.services import council_papers_sync

    measures = {
        (m.field.slug, measure_ref(m.code, m.position)): m
        for m in Measure.objects.filter(field__plan=plan).select_related("field")
    }
    unknown = [key for key in given if key is not None and key not in measures]
    if unknown:
        raise PlanImportError(
            [
                Problem(
                    _("Unknown measure “%(measure)s”.") % {"measure": "/".join(key)},
                    sheet=sheet_title("council"),
                )
                for key in unknown
            ]
        )
    owners = {None: given.get(None, [])}
    with_papers = set(CouncilPaper.objects.filter(plan=plan).values_list("measure_id", flat=True))
    for key, measure in measures.items():
        if key in given or measure.pk in with_papers:
            owners[measure] = given.get(key, [])
    return council_papers_sync(plan=plan, owners=owners, reason=reason)


_EXTRA_ROWS = {
    "plan": _plan_rows,
    "contact": _contact_rows,
    "link": _link_rows,
    "council": _council_rows,
}


def _join_person_organisations(stored: Stored) -> None:
    """A public name may be the person's organisation with its parent: one query for all."""
    responsibilities = [r for r in stored.by_key["responsibility"].values() if r.person_id]
    persons = Person.objects.select_related("organisation__parent").in_bulk(
        {r.person_id for r in responsibilities}
    )
    for row in responsibilities:
        row.person = persons[row.person_id]


def plan_workbook_xlsx(plan: Plan) -> bytes:
    """The workbook as XLSX: frozen, filtered header row; date cells; two-decimal amounts."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=False)
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    wrapped = Alignment(wrap_text=True, vertical="top")
    for dataset, kind in zip(plan_workbook_databook(plan).sheets(), WORKBOOK_KINDS, strict=True):
        columns = sheet_spec(kind)[1]
        worksheet = workbook.create_sheet(dataset.title)
        worksheet.append(list(dataset.headers))
        for cell in worksheet[1]:
            cell.font = bold
        for values in dataset:
            worksheet.append([neutralise(v) if isinstance(v, str) else v for v in values])
        for index, column in enumerate(columns, start=1):
            letter = get_column_letter(index)
            worksheet.column_dimensions[letter].width = column.width
            number_format = {
                "date": "DD.MM.YYYY",
                "decimal": "#,##0.00",
                "indicator_number": "#,##0.####",
            }.get(column.type)
            if number_format:
                for (cell,) in worksheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = number_format
            elif column.type == "value":  # sheet „Plan“: a date, or text
                for (cell,) in worksheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.alignment = wrapped
                    if isinstance(cell.value, datetime.date):
                        cell.number_format = "DD.MM.YYYY"
                    elif isinstance(cell.value, str):
                        cell.data_type = "s"
            elif column.type not in ("id", "int", "parent"):
                for (cell,) in worksheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    if isinstance(cell.value, str):
                        cell.data_type = "s"  # never a formula, whatever the text
        worksheet.freeze_panes = "A2"
        worksheet.auto_filter.ref = (
            f"A1:{get_column_letter(len(columns))}{max(worksheet.max_row, 1)}"
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    return force_str(neutralise(value) if isinstance(value, str) else value)


def plan_workbook_csv_zip(plan: Plan, *, public_only: bool = False) -> bytes:
    """The workbook as a ZIP of CSV files (UTF-8 with BOM, ``;``), one per sheet.

    ``public_only``: see ``plan_workbook_databook``. The files are then dated with the plan's
    last content change, so the same content gives the same bytes.
    """
    stamp = plan.content_changed_at if public_only else None
    date_time = (
        timezone.localtime(stamp).timetuple()[:6] if stamp else timezone.localtime().timetuple()[:6]
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for dataset in plan_workbook_databook(plan, public_only=public_only).sheets():
            text = io.StringIO()
            writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
            writer.writerow(dataset.headers)
            for values in dataset:
                writer.writerow([_csv_text(v) for v in values])
            info = zipfile.ZipInfo(f"{dataset.title}.csv", date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, "\ufeff" + text.getvalue())
    return out.getvalue()


def export_file_name(plan: Plan, extension: str) -> str:
    return f"{plan.slug}-{timezone.localdate():%Y-%m-%d}.{extension}"


# --- reading a file -------------------------------------------------------------------------


@dataclass
class RawSheet:
    title: str
    headers: list[str]
    rows: list[tuple[int, list]]  # (row number in the file, cell values)


def _looks_like(content: bytes) -> str:
    if content.startswith(b"%PDF"):
        return "PDF"
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return _("an old Excel (XLS) or Word file")
    return ""


def workbook_scan(content: bytes, file_name: str) -> limits.Scan:
    """One cheap, bounded pass over an uploaded file (``imports.limits``): refuses what is not a
    workbook, is damaged or hostile, or lies beyond a cap; counts its rows for the choice
    between inline preview and the worker. ``PlanImportError`` says why."""
    if not content:
        raise PlanImportError([Problem(_("The file is empty."))])
    if len(content) > uploads.max_bytes():
        raise PlanImportError([Problem(uploads.too_large_message(len(content)))])
    if not content.startswith(b"PK\x03\x04"):
        looks = _looks_like(content)
        message = _("“%(name)s” is neither an XLSX workbook nor a ZIP file of CSV files.") % {
            "name": file_name
        }
        if looks:
            message += " " + _("It looks like a %(kind)s file.") % {"kind": looks}
        raise PlanImportError([Problem(message)])
    try:
        return limits.scan_workbook(content, file_name)
    except limits.InputRefused as refused:
        raise PlanImportError(refused.problems) from None


def read_workbook(content: bytes, file_name: str) -> tuple[dict[str, RawSheet], list[str]]:
    """The sheets of an uploaded XLSX workbook or ZIP of CSV files, and notices about it.

    Raises ``PlanImportError`` for a file that is empty, too large, not a workbook, damaged,
    beyond a cap of ``imports.limits``, or holds formulas (refused, never evaluated).
    """
    scan = workbook_scan(content, file_name)
    try:
        if scan.kind == "xlsx":
            return _read_xlsx(content, file_name), []
        with limits.open_archive(content, file_name) as archive:
            return _read_csv_zip(archive, file_name)
    except limits.InputRefused as refused:
        raise PlanImportError(refused.problems) from None


class _Rows:
    """Counts the rows of all sheets against ``limits.max_rows()``."""

    def __init__(self, file_name: str):
        self.file_name = file_name
        self.count = 0

    def add(self, sheet: str) -> None:
        self.count += 1
        if self.count > limits.max_rows():
            limits.refuse(
                limits.too_many_rows_message(_("“%(value)s”") % {"value": self.file_name}),
                sheet=sheet,
            )


def _check_cells(values, sheet: str, number: int) -> None:
    if len(values) > limits.max_columns():
        limits.refuse(limits.too_many_columns_message(), sheet=sheet, row=number)
    for index, value in enumerate(values, start=1):
        if isinstance(value, str) and len(value) > limits.max_cell_chars():
            limits.refuse(
                limits.cell_too_long_message(),
                sheet=sheet,
                row=number,
                column=_("no. %(index)s") % {"index": index},
            )


def _read_xlsx(content: bytes, file_name: str) -> dict[str, RawSheet]:
    """Read-only openpyxl, row by row; ``<dimension>`` is ignored (``reset_dimensions``) and
    rows, columns and cells are counted as they come. Formula cells are refused."""
    from openpyxl import load_workbook

    sheets, problems, counted = {}, [], _Rows(file_name)
    title, number = "", None
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        try:
            for worksheet in workbook.worksheets:
                title, number = worksheet.title, None
                worksheet.reset_dimensions()
                headers, rows = None, []
                for number, cells in enumerate(worksheet.iter_rows(min_row=1), start=1):
                    counted.add(title)
                    if len(cells) > limits.max_columns():
                        limits.refuse(limits.too_many_columns_message(), sheet=title, row=number)
                    values = []
                    for cell in cells:
                        values.append(_xlsx_value(cell, title, number, problems))
                    _check_cells(values, title, number)
                    if headers is None:
                        if any(v not in (None, "") for v in values):
                            headers = [
                                force_str(v).strip() if v is not None else "" for v in values
                            ]
                        continue
                    rows.append((number, values))
                sheets[title] = RawSheet(title, headers or [], rows)
        finally:
            workbook.close()
    except limits.InputRefused:
        raise
    except Exception as error:  # openpyxl and its XML parsers raise many kinds for broken files
        logger.info("Unreadable workbook %s", file_name, exc_info=True)
        raise PlanImportError([_damaged_xlsx(error, file_name, title, number)]) from None
    if problems:
        raise PlanImportError(problems)
    return sheets


def _xlsx_value(cell, title: str, number: int, problems: list):
    if cell.data_type == "f":
        problems.append(
            Problem(
                _(
                    "Cell %(cell)s holds a formula (%(formula)s). Formulas are "
                    "not imported: please replace them by their values."
                )
                % {"cell": cell.coordinate, "formula": str(cell.value)[:60]},
                sheet=title,
                row=number,
            )
        )
        return None
    if cell.data_type == "e":
        problems.append(
            Problem(
                _("Cell %(cell)s holds an error value (%(value)s).")
                % {"cell": cell.coordinate, "value": cell.value},
                sheet=title,
                row=number,
            )
        )
        return None
    return cell.value


def _damaged_xlsx(error: Exception, file_name: str, sheet: str, row: int | None) -> Problem:
    from xml.etree.ElementTree import ParseError
    from xml.parsers.expat import ExpatError

    import defusedxml

    causes = []
    while error is not None and len(causes) < 10:  # openpyxl wraps them in a ValueError
        causes.append(error)
        error = error.__cause__ or error.__context__
    if any(isinstance(e, defusedxml.DefusedXmlException) for e in causes):
        message = _(
            "“%(name)s” declares XML entities or a DOCTYPE. Workbooks from spreadsheet "
            "programs never do; the file is refused."
        ) % {"name": file_name}
    elif any(isinstance(e, ParseError | ExpatError) for e in causes):
        message = _("“%(name)s” holds XML that is not well-formed.") % {"name": file_name}
    else:
        message = _("“%(name)s” is a damaged XLSX workbook.") % {"name": file_name}
    return Problem(message, sheet=sheet, row=row)


ENCODINGS = (("utf-8-sig", "UTF-8 (BOM)"), ("utf-8", "UTF-8"), ("cp1252", "Windows-1252"))


def _not_text_message(name: str) -> str:
    return _(
        "“%(name)s” is not a text file in UTF-8 or Windows-1252 (it holds zero bytes, e.g. UTF-16)."
    ) % {"name": name}


def _not_decodable_message(name: str) -> str:
    return _("“%(name)s” is neither UTF-8 nor Windows-1252 text. Please save it as UTF-8.") % {
        "name": name
    }


def _without_zero_bytes(chunks, name: str):
    for chunk in chunks:
        if b"\x00" in chunk:
            raise PlanImportError([Problem(_not_text_message(name))])
        yield chunk


def _read_csv_zip(archive: zipfile.ZipFile, file_name: str) -> tuple[dict[str, RawSheet], list]:
    """Each CSV member decoded and parsed as a stream: UTF-8 first, then Windows-1252 (the
    member is read again from the start), rows and cells counted as they come."""
    sheets, notices, counted = {}, [], _Rows(file_name)
    for info in limits.safe_members(archive, file_name):
        name = info.filename.rsplit("/", 1)[-1]
        if not name.lower().endswith(".csv"):
            continue
        title = name[: -len(".csv")]
        for codec, label in ENCODINGS:
            start = counted.count
            try:
                sheet, bom = _read_csv_member(archive, info, file_name, title, codec, counted)
            except UnicodeDecodeError:
                counted.count = start
                continue
            if codec == "utf-8-sig" and not bom:
                label = "UTF-8"
            break
        else:
            raise PlanImportError([Problem(_not_decodable_message(name))])
        sheets[title] = sheet
        notices.append(
            _("“%(name)s” was read as %(encoding)s.") % {"name": name, "encoding": label}
        )
    if not sheets:
        raise PlanImportError([Problem(_("“%(name)s” holds no CSV files.") % {"name": file_name})])
    return sheets, notices


def _read_csv_member(archive, info, file_name: str, title: str, codec: str, counted: _Rows):
    name = info.filename.rsplit("/", 1)[-1]
    chunks = _without_zero_bytes(
        limits.member_chunks(archive, info, file_name, limits.Budget()), name
    )
    raw = io.BufferedReader(limits.ChunkReader(chunks), buffer_size=limits.CHUNK)
    bom = raw.peek(3)[:3] == b"\xef\xbb\xbf"
    text = io.TextIOWrapper(raw, encoding=codec, newline="")
    first = text.readline()
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(itertools.chain([first], text), delimiter=delimiter)
    headers, rows, number = None, [], 0
    try:
        for number, values in enumerate(reader, start=1):
            counted.add(title)
            _check_cells(values, title, number)
            if headers is None:
                if any(v.strip() for v in values):
                    headers = [v.strip() for v in values]
                continue
            rows.append((number, values))
    except csv.Error as error:
        message = (
            limits.cell_too_long_message()
            if "field larger than field limit" in str(error)
            else _(
                "This row cannot be read as CSV (for example a quotation mark that is never "
                "closed)."
            )
        )
        raise PlanImportError([Problem(message, sheet=title, row=number + 1)]) from None
    return RawSheet(title, headers or [], rows), bom


# --- cells → rows ---------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%d.%m.%Y %H:%M") if value.time() else f"{value:%d.%m.%Y}"
    if isinstance(value, datetime.date):
        return f"{value:%d.%m.%Y}"
    return restore(force_str(value))


def _quoted(names) -> str:
    return ", ".join(_("“%(value)s”") % {"value": name} for name in names)


class _CellError(ValueError):
    pass


def _integer(value) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _CellError(_("“%(value)s” is not a whole number.") % {"value": value})
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        if abs(value) > MAX_INTEGER:
            raise _CellError(_too_large(value))
        return value
    text = force_str(value).strip()
    if text.isdigit() and len(text) < 10:
        return int(text)
    raise _CellError(_("“%(value)s” is not a whole number.") % {"value": _text(value)[:40]})


MAX_INTEGER = 2_147_483_647  # the largest position every database stores
MAX_AMOUNT = Decimal(10**12)  # amounts have 14 digits, 2 of them after the comma


def _too_large(value) -> str:
    return _("“%(value)s” is too large.") % {"value": _text(value)[:40]}


def _decimal(value) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _CellError(_("“%(value)s” is not a number.") % {"value": value})
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = force_str(value).strip().replace(" ", "").replace("€", "").replace("EUR", "")
        if "," in text:  # German: 1.234,50
            text = text.replace(".", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _CellError(
                _("“%(value)s” is not a number.") % {"value": _text(value)[:40]}
            ) from None
    if not number.is_finite():
        raise _CellError(_("“%(value)s” is not a number.") % {"value": _text(value)[:40]})
    if abs(number) >= MAX_AMOUNT:
        raise _CellError(_too_large(value))
    return number.quantize(CENT)


def _date(value) -> datetime.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = force_str(value).strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    raise _CellError(
        _("“%(value)s” is not a date (expected DD.MM.YYYY, e.g. 31.05.2011).") % {"value": text}
    )


def _boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise _CellError(_("“%(value)s” is neither “ja” nor empty.") % {"value": _text(value)})


class _Lookups:
    """Names → primary keys of the shared lists, loaded once per import."""

    def __init__(self):
        self.organisations = _names(Organisation.objects.values_list("name", "pk"))
        self.categories = _names(BudgetCategory.objects.values_list("name", "pk"))
        self.funding_sources = _names(FundingSource.objects.values_list("name", "pk"))
        self.programmes = _names(FundingProgramme.objects.values_list("name", "pk"))
        self.programme_rates = dict(FundingProgramme.objects.values_list("pk", "default_rate"))
        self.target_groups = _names(TargetGroup.objects.values_list("name", "pk"))
        self.persons: dict[str, list[tuple[int, int | None]]] = {}
        for person in Person.objects.only("pk", "first_name", "last_name", "organisation_id"):
            self.persons.setdefault(_person_name(person), []).append(
                (person.pk, person.organisation_id)
            )
        self._by_pk: dict[int, tuple[str, int | None]] | None = None
        self.choices = {}
        for key, choices in CHOICES.items():
            known = {}
            for value, label in zip(choices.values, choices.labels, strict=True):
                known[value.lower()] = value
                for language in ("de", "en"):
                    with translation.override(language):
                        known[force_str(label).lower()] = value
            self.choices[key] = known

    def person(self, pk: int) -> tuple[str, int | None]:
        """A person's name as the sheets write it, and their organisation's pk."""
        if self._by_pk is None:
            self._by_pk = {
                person: (name, organisation)
                for name, found in self.persons.items()
                for person, organisation in found
            }
        return self._by_pk[pk]


def _names(pairs) -> dict[str, list[int]]:
    names: dict[str, list[int]] = {}
    for name, pk in pairs:
        names.setdefault(name, []).append(pk)
    return names


def _one(names: dict, value: str, what: str) -> int:
    found = names.get(value, [])
    if not found:
        raise _CellError(_("Unknown %(what)s: “%(value)s”.") % {"what": what, "value": value})
    if len(found) > 1:
        raise _CellError(
            _("“%(value)s” names more than one %(what)s.") % {"what": what, "value": value}
        )
    return found[0]


class _SheetReader:
    def __init__(self, plan: Plan, lookups: _Lookups):
        self.plan = plan
        self.lookups = lookups
        self.problems: list[Problem] = []

    def headers(self, kind: str, sheet: RawSheet) -> dict[str, int] | None:
        title, columns = sheet_spec(kind)
        labels = [c.label for c in columns]
        present = [h for h in sheet.headers if h]
        unknown = [h for h in present if h not in labels]
        missing = [c.label for c in columns if c.label not in present and not c.optional]
        if unknown or missing:
            parts = []
            if missing:
                parts.append(_("Missing columns: %(columns)s.") % {"columns": _quoted(missing)})
            if unknown:
                parts.append(_("Unknown columns: %(columns)s.") % {"columns": _quoted(unknown)})
            parts.append(_("Expected: %(columns)s.") % {"columns": _quoted(labels)})
            self.problems.append(Problem(" ".join(parts), sheet=title, row=1))
            return None
        return {h: i for i, h in enumerate(sheet.headers) if h}

    def rows(self, kind: str, sheet: RawSheet):
        index = self.headers(kind, sheet)
        if index is None:
            return
        title, columns = sheet_spec(kind)
        columns = tuple(c for c in columns if c.label in index)  # optional ones may be missing
        labels = {c.attribute: c.label for c in columns}
        # a person is told apart by the organisation in the same row: read that first
        in_order = sorted(columns, key=lambda c: c.type == "person")
        for number, values in sheet.rows:
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            where = Where(title, number, labels)
            cells = {
                c.attribute: values[index[c.label]] if index[c.label] < len(values) else None
                for c in columns
            }
            parsed, ok = {}, True
            for column in in_order:
                try:
                    parsed[column.attribute] = self.cell(kind, column, cells, parsed)
                except _CellError as error:
                    self.problems.append(where.problem(str(error), column.attribute))
                    ok = False
            if ok:
                row = self.incoming(kind, parsed, where)
                if row is not None:
                    yield row

    def cell(self, kind: str, column: Column, cells: dict, parsed: dict):
        value = cells[column.attribute]
        kind_of = column.type
        if kind_of in ("id", "int", "parent"):
            return _integer(value)
        if kind_of == "decimal":
            return _decimal(value)
        if kind_of == "date":
            return _date(value)
        if kind_of == "bool":
            return _boolean(value)
        text = _text(value).strip() if kind_of != "text" else _text(value)
        if kind_of == "plan":
            if text and text != self.plan.slug:
                raise _CellError(
                    _("This row belongs to the plan “%(other)s”, not to “%(plan)s”.")
                    % {"other": text, "plan": self.plan.slug}
                )
            return text
        if kind_of == "choice":
            known = self.lookups.choices[(kind, column.attribute)]
            if not text and kind not in MODELS:
                return ""  # the plan's status and licence: the model says they are required
            if not text:  # a new row may leave it to the default (a measure: draft)
                return MODELS[kind]._meta.get_field(column.attribute).get_default()
            if text.lower() not in known:
                raise _CellError(
                    _("“%(value)s” is not one of: %(choices)s.")
                    % {
                        "value": text,
                        "choices": ", ".join(
                            _choice_label(CHOICES[(kind, column.attribute)], v)
                            for v in CHOICES[(kind, column.attribute)].values
                        ),
                    }
                )
            return known[text.lower()]
        if not text:
            return (
                frozenset()
                if kind_of == "target_groups"
                else (None if kind_of not in ("text", "field", "measure") else "")
            )
        if kind_of == "organisation":
            return _one(self.lookups.organisations, text, _("organisation"))
        if kind_of == "category":
            return _one(self.lookups.categories, text, _("budget category"))
        if kind_of == "funding_source":
            return _one(self.lookups.funding_sources, text, _("funding source"))
        if kind_of == "programme":
            return _one(self.lookups.programmes, text, _("funding programme"))
        if kind_of == "target_groups":
            names = [n.strip() for n in text.replace(",", ";").split(";") if n.strip()]
            unknown = [n for n in names if n not in self.lookups.target_groups]
            if unknown:
                raise _CellError(
                    _("Unknown target groups: %(names)s.") % {"names": _quoted(unknown)}
                )
            return frozenset(_one(self.lookups.target_groups, n, "") for n in names)
        if kind_of == "person":
            found = self.lookups.persons.get(text, [])
            organisation = parsed.get("organisation")
            if len(found) > 1 and organisation:
                found = [p for p in found if p[1] == organisation]
            if not found:
                raise _CellError(
                    _("Unknown person: “%(value)s” (expected “Last name, First name”).")
                    % {"value": text}
                )
            if len(found) > 1:
                raise _CellError(_("“%(value)s” names more than one person.") % {"value": text})
            return found[0][0]
        return text

    def incoming(self, kind: str, parsed: dict, where: Where):
        pk, delete = parsed.pop("id"), parsed.pop("delete")
        parsed.pop("plan")
        if kind in ("contact", "link"):
            return self.extra(kind, parsed, where, pk=pk, delete=delete)
        for attribute in ("position",) + (("field",) if kind != "field" else ()):
            if parsed.get(attribute) in (None, ""):
                self.problems.append(where.problem(_("This cell must not be empty."), attribute))
                return None
        if kind in ("step", "schedule", "responsibility", "budget") and not parsed["measure"]:
            self.problems.append(where.problem(_("This cell must not be empty."), "measure"))
            return None
        if kind == "budget" and parsed.get("programme") and parsed.get("co_funding_rate") is None:
            # as the admin does (BudgetLine.clean): no rate takes the programme's default
            parsed["co_funding_rate"] = self.lookups.programme_rates.get(parsed["programme"])
        position = parsed["position"]
        if kind == "field":
            parsed["slug"] = parsed["slug"] or FieldOfAction.slug_for(parsed["title"])
            key = (parsed["slug"],)
        elif kind == "finding":
            key = (parsed["field"], position)
            parsed["field"] = (parsed["field"],)
        elif kind == "measure":
            key = (parsed["field"], measure_ref(parsed["code"], position))
            parsed["slug"] = parsed["slug"] or Measure.slug_for(parsed["code"], parsed["title"])
            parsed["field"] = (parsed["field"],)
        else:
            measure_key = (parsed.pop("field"), parsed["measure"])
            parsed["measure"] = measure_key
            if kind == "step":
                parent = parsed["parent"] or 0
                key = (*measure_key, parent, position)
                parsed["parent"] = (*measure_key, 0, parent) if parent else None
            else:
                key = (*measure_key, position)
        return Incoming(kind, key, parsed, pk=pk, delete=delete, where=where)

    def extra(self, kind: str, parsed: dict, where: Where, *, pk, delete: bool):
        """A row of „Ansprechpartner“ or „Verknüpfungen“, for ``imports.plan_extras``."""
        required = (
            ("field", "position", "person")
            if kind == "contact"
            else ("field", "measure", "related_field", "related_measure")
        )
        empty = [a for a in required if parsed.get(a) in (None, "")]
        for attribute in empty:
            self.problems.append(where.problem(_("This cell must not be empty."), attribute))
        if empty:
            return None
        if kind == "contact":
            name, organisation = self.lookups.person(parsed["person"])
            if parsed["organisation"] is not None and parsed["organisation"] != organisation:
                # the column tells people of the same name apart; it does not move anyone
                self.problems.append(
                    where.problem(
                        _("“%(person)s” is not a person of this organisation.") % {"person": name},
                        "organisation",
                    )
                )
                return None
            return ContactRow(
                field=parsed["field"],
                person=parsed["person"],
                position=parsed["position"],
                pk=pk,
                delete=delete,
                where=where,
            )
        return LinkRow(
            source=(parsed["field"], parsed["measure"]),
            target=(parsed["related_field"], parsed["related_measure"]),
            pk=pk,
            delete=delete,
            where=where,
        )

    def unchanged_party(self, column: Column, value) -> int | None:
        """The stored project lead or publisher when the cell still names them: a name that
        two people (or organisations) share then stays readable as it was exported."""
        if column.type not in ("person", "organisation"):
            return None
        stored = getattr(self.plan, column.attribute)
        if stored is None:
            return None
        name = _person_name(stored) if column.type == "person" else stored.name
        return stored.pk if _text(value).strip() == name else None

    def plan_values(self, sheet: RawSheet) -> tuple[dict, dict]:
        """Sheet „Plan“: the attributes it gives (foreign keys as pks), and where each is."""
        index = self.headers("plan", sheet)
        if index is None:
            return {}, {}
        title, (label_column, value_column) = sheet_spec("plan")
        by_label = {c.label: c for c in PLAN_VALUES}
        values, places, seen = {}, {}, {}
        for number, cells in sheet.rows:
            label, value = (
                cells[index[c.label]] if index[c.label] < len(cells) else None
                for c in (label_column, value_column)
            )
            label = _text(label).strip()
            if not label and _text(value).strip() == "":
                continue
            where = Where(title, number, {"label": label_column.label})
            column = by_label.get(label)
            if column is None:
                self.problems.append(
                    where.problem(
                        _("Unknown entry “%(label)s”. Expected: %(labels)s.")
                        % {"label": label, "labels": _quoted(by_label)},
                        "label",
                    )
                )
                continue
            if label in seen:
                self.problems.append(
                    where.problem(
                        _("“%(label)s” appears more than once (also in row %(row)s).")
                        % {"label": label, "row": seen[label]},
                        "label",
                    )
                )
                continue
            seen[label] = number
            where = Where(
                title, number, {"label": label_column.label, column.attribute: value_column.label}
            )
            try:
                parsed = self.unchanged_party(column, value)
                if parsed is None:
                    parsed = self.cell("plan", column, {column.attribute: value}, {})
            except _CellError as error:
                self.problems.append(where.problem(str(error), column.attribute))
                continue
            if column.attribute != "slug":  # the slug only says which plan this is
                values[column.attribute] = parsed
                places[column.attribute] = where
        return values, places


def workbook_input(plan: Plan, sheets: dict[str, RawSheet], progress=None):
    """Every row of the row sheets as ``Incoming``, and what the sheets „Plan“,
    „Ansprechpartner“ and „Verknüpfungen“ give as arguments of ``PlanExtras`` (a sheet missing
    from an older workbook: ``None``, left as stored). ``PlanImportError`` lists all problems.

    ``progress(rows_read)`` is called after each sheet (the page of a background job shows it).
    """
    reader = _SheetReader(plan, _Lookups())
    missing = [title for title, _columns in SHEETS.values() if title not in sheets]
    if missing:
        raise PlanImportError(
            [
                Problem(
                    _("The workbook has no sheet “%(sheet)s”. Expected sheets: %(sheets)s.")
                    % {
                        "sheet": title,
                        "sheets": _quoted(t for t, _c in SHEETS.values()),
                    }
                )
                for title in missing
            ]
        )
    rows, extras, read = [], {}, 0
    for kind in WORKBOOK_KINDS:
        title = sheet_title(kind)
        if title not in sheets:
            continue
        if kind in plan_indicators.INDICATOR_SHEETS:
            read += len(sheets[title].rows)  # read by plan_indicators.entries_from_sheets
            continue
        if kind == "plan":
            extras["attributes"], extras["attribute_where"] = reader.plan_values(sheets[title])
        elif kind in ("contact", "link"):
            extras[f"{kind}s"] = [r for r in reader.rows(kind, sheets[title]) if r is not None]
        elif kind == "council":
            extras["council"] = council_input(reader, sheets[title])
        else:
            rows.extend(reader.rows(kind, sheets[title]))
        read += len(sheets[title].rows)
        if progress is not None:
            progress(read)
    if reader.problems:
        raise PlanImportError(reader.problems)
    return rows, extras


@transaction.atomic
def plan_workbook_import(
    *,
    plan: Plan,
    content: bytes,
    file_name: str,
    acting_user,
    dry_run: bool,
    expected_fingerprint: str | None = None,
    progress=None,
) -> PlanImportResult:
    """Read an uploaded workbook and apply it to ``plan`` — or, with ``dry_run``, only report.

    All or nothing: ``PlanImportError`` lists every problem (sheet, row, column) and nothing is
    written. Rows are deleted only where their “löschen” cell says so. The sheets „Plan“,
    „Ansprechpartner“ and „Verknüpfungen“ are compared and written by ``PlanExtras`` after the
    rows, in the same transaction; ``expected_fingerprint`` is ``plan_workbook_fingerprint``'s.
    """
    sheets, notices = read_workbook(content, file_name)
    rows, given = workbook_input(plan, sheets, progress=progress if dry_run else None)
    council = given.pop("council", None)
    indicator_entries, indicator_problems = plan_indicators.entries_from_sheets(plan, sheets)
    if indicator_problems:
        raise PlanImportError(
            [
                Problem(message, sheet=sheet, row=row, column=column)
                for sheet, row, column, message in indicator_problems
            ]
        )
    reason = _("Import of the workbook “%(name)s”") % {"name": file_name[:80]}
    extras = PlanExtras(plan, rows, **given)
    if extras.problems:
        try:  # the rows' problems too, in one list
            plan_apply_rows(
                plan=plan, rows=rows, complete=False, acting_user=None, dry_run=True, reason=""
            )
        except PlanImportError as error:
            raise PlanImportError(error.problems + extras.problems) from None
        raise PlanImportError(extras.problems)
    if not dry_run:
        plan_lock(plan)  # the check below and the writes after it, one import at a time
    if expected_fingerprint is not None and plan_workbook_fingerprint(plan) != expected_fingerprint:
        raise PlanImportError([Problem(stale_message())])
    result = plan_apply_rows(
        plan=plan,
        rows=rows,
        complete=False,
        acting_user=acting_user,
        dry_run=dry_run,
        reason=reason,
        progress=progress,
    )
    changes = list(extras.changes)
    if not dry_run:
        with _history_user(acting_user):
            extras.apply(plan, reason=reason)
    if council is not None:
        if dry_run:  # papers of measures the rows would create are not known yet
            council = {k: v for k, v in council.items() if k is None or _measure_exists(plan, k)}
        savepoint = transaction.savepoint()
        with _history_user(acting_user):
            changes += _council_apply(plan, council, reason)
        if dry_run:
            transaction.savepoint_rollback(savepoint)
        else:
            transaction.savepoint_commit(savepoint)
    if indicator_entries is not None:
        with _history_user(acting_user), transaction.atomic():
            savepoint = transaction.savepoint()
            changes = changes + plan_indicators.indicators_sync(
                plan,
                indicator_entries,
                measure_keys={
                    key: tuple(key.split("/", 1))
                    for e in indicator_entries
                    for key in (link["measure"] for link in e["links"])
                    if key
                },
                reason=reason,
            )
            if dry_run:
                transaction.savepoint_rollback(savepoint)
    plan_change = [c for c in changes if c.kind == "plan"]
    result.changes = plan_change + result.changes + [c for c in changes if c.kind != "plan"]
    result.notices = notices
    return result


def _measure_exists(plan: Plan, key: tuple) -> bool:
    return any(
        (m.field.slug, measure_ref(m.code, m.position)) == key
        for m in Measure.objects.filter(field__plan=plan, field__slug=key[0]).select_related(
            "field"
        )
    )


def plan_workbook_fingerprint(plan: Plan) -> str:
    """A digest of everything the workbook holds, taken at preview and checked at import."""
    digest = hashlib.sha256(plan_fingerprint(plan).encode())
    digest.update(extras_fingerprint(plan).encode())
    digest.update(repr(_council_rows(plan)).encode())
    return digest.hexdigest()
