"""The round trip with a translation office: the texts of a plan (or of a campaign) whose
English version is missing, possibly outdated or unchecked machine output go out as XLIFF 2.0
(for CAT tools) or as a plain workbook (ID, German, English, status); the file that comes back
is read with the imports app's limits, previewed text by text (old English → new English, or
the problem that keeps a text out) and applied on confirmation.

A text is named by a stable ID ``<kind>:<pk>:<field>`` (``measure:123:title``). The German
text travels with it (XLIFF ``<source>``, the workbook's column „Deutsch“): a German text that
changed after the export is reported, not overwritten with a translation of its old version.
Applied texts are confirmed as current (``translations.services.translation_confirm``): their
state records the German text they were translated from.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from xml.etree import ElementTree

from django.db import transaction
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access import rules
from actionplan.models import (
    BaselineFinding,
    BudgetLine,
    FieldOfAction,
    Measure,
    Plan,
    Responsibility,
    ScheduleEntry,
    Step,
)
from actionplan.services import _history_user
from campaigns.models import Campaign, CampaignEvent, CampaignLink, Channel, KeyFigure
from imports import limits, uploads
from imports.changes import ImportRefused, Problem
from imports.formats import neutralise, restore
from indicators.models import Indicator

from . import registry, selectors
from .services import translation_confirm

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
XLIFF_CONTENT_TYPE = "application/xliff+xml"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_TITLE = "Übersetzung"
HEADERS = ("ID", "Deutsch", "Englisch", "Status")
WANTED = ("missing", "outdated", "machine")

# id prefix -> (model, how its rows reach the plan or campaign, order within the kind)
PLAN_KINDS: dict[str, tuple[type, str, tuple[str, ...]]] = {
    "plan": (Plan, "pk", ("pk",)),
    "field": (FieldOfAction, "plan", ("position", "pk")),
    "finding": (BaselineFinding, "field__plan", ("field__position", "position", "pk")),
    "measure": (Measure, "field__plan", ("field__position", "position", "pk")),
    "step": (
        Step,
        "measure__field__plan",
        ("measure__field__position", "measure__position", "parent_id", "position", "pk"),
    ),
    "schedule": (
        ScheduleEntry,
        "measure__field__plan",
        ("measure__field__position", "measure__position", "position", "pk"),
    ),
    "responsibility": (
        Responsibility,
        "measure__field__plan",
        ("measure__field__position", "measure__position", "position", "pk"),
    ),
    "budget": (
        BudgetLine,
        "measure__field__plan",
        ("measure__field__position", "measure__position", "position", "pk"),
    ),
    "indicator": (Indicator, "plan", ("slug", "pk")),
}
CAMPAIGN_KINDS: dict[str, tuple[type, str, tuple[str, ...]]] = {
    "campaign": (Campaign, "pk", ("pk",)),
    "campaignlink": (CampaignLink, "campaign", ("pk",)),
    "channel": (Channel, "campaign", ("pk",)),
    "event": (CampaignEvent, "campaign", ("pk",)),
    "keyfigure": (KeyFigure, "campaign", ("pk",)),
}
KINDS = {**PLAN_KINDS, **CAMPAIGN_KINDS}
# what each kind's label and plan check read, joined in the same query
RELATED = {
    "finding": ("field",),
    "measure": ("field",),
    "step": ("measure__field",),
    "schedule": ("measure__field",),
    "responsibility": ("measure__field", "person", "organisation"),
    "budget": ("measure__field", "category"),
}
STATUS_LABELS = {
    "missing": gettext_lazy("missing"),
    "outdated": gettext_lazy("possibly outdated"),
    "machine": gettext_lazy("machine-translated, unchecked"),
    "current": gettext_lazy("current"),
    "empty": gettext_lazy("no German text"),
}


class TranslationFileRefused(ImportRefused):
    """The uploaded file cannot be read at all; ``problems`` says why."""


@dataclass
class Text:
    """One translated text of the plan, as exported."""

    id: str
    obj: object
    field: str
    german: str
    english: str
    status: str

    @property
    def label(self) -> str:
        return text_label(self.obj, self.field)


def text_id(kind: str, obj, field_name: str) -> str:
    return f"{kind}:{obj.pk}:{field_name}"


def text_label(obj, field_name: str) -> str:
    """„Schritt „Ausschreibung“ (Maßnahme „A) Netzwerke“): Text“ — what and where, in the
    UI language."""
    verbose = force_str(obj._meta.get_field(field_name).verbose_name)
    label = f"{force_str(obj._meta.verbose_name)} „{_short(str(obj))}“"
    measure = getattr(obj, "measure", None)
    if isinstance(measure, Measure):
        label += f" ({force_str(Measure._meta.verbose_name)} „{_short(str(measure), 40)}“)"
    return f"{label}: {verbose}"


def _short(value: str, length: int = 60) -> str:
    value = " ".join(value.split())
    return value if len(value) <= length else value[: length - 1] + "…"


def scope_kinds(scope) -> dict[str, tuple[type, str, tuple[str, ...]]]:
    """The kinds of texts of a plan or of a campaign."""
    return PLAN_KINDS if isinstance(scope, Plan) else CAMPAIGN_KINDS


def scope_texts(scope, *, wanted=WANTED) -> list[Text]:
    """Every translated text of ``scope`` (a plan or a campaign) whose status is in ``wanted``,
    in the plan's (campaign's) order."""
    texts = []
    for kind, (model, path, order) in scope_kinds(scope).items():
        queryset = (
            model.objects.filter(**{path: scope.pk})
            .select_related(*RELATED.get(kind, ()))
            .order_by(*order)
        )
        for obj in queryset:
            for name, status in selectors.statuses(obj).items():
                if status in wanted:
                    texts.append(
                        Text(
                            text_id(kind, obj, name),
                            obj,
                            name,
                            getattr(obj, name) or "",
                            getattr(obj, registry.english(name)) or "",
                            status,
                        )
                    )
    return texts


def status_counts(scope) -> dict[str, int]:
    """How many texts of the plan (campaign) are missing, outdated or machine output."""
    counts = dict.fromkeys(WANTED, 0)
    for text in scope_texts(scope):
        counts[text.status] += 1
    return counts


# --- out -----------------------------------------------------------------------------------------


def export_file_name(scope, extension: str) -> str:
    return f"{scope.slug}-translation.{extension}"


def _scope_name(scope) -> str:
    return "plan" if isinstance(scope, Plan) else "campaign"


def xliff_export(scope) -> bytes:
    """XLIFF 2.0, German → English: one ``<unit>`` per text, the status as a note."""
    ElementTree.register_namespace("", XLIFF_NS)

    def tag(name: str) -> str:
        return f"{{{XLIFF_NS}}}{name}"

    root = ElementTree.Element(tag("xliff"), {"version": "2.0", "srcLang": "de", "trgLang": "en"})
    file = ElementTree.SubElement(
        root,
        tag("file"),
        {
            "id": f"{_scope_name(scope)}-{scope.pk}",
            "original": f"planwerk:{_scope_name(scope)}:{scope.slug}",
        },
    )
    with translation.override("de"):
        for text in scope_texts(scope):
            unit = ElementTree.SubElement(file, tag("unit"), {"id": text.id})
            notes = ElementTree.SubElement(unit, tag("notes"))
            ElementTree.SubElement(notes, tag("note"), {"category": "status"}).text = text.status
            ElementTree.SubElement(notes, tag("note"), {"category": "location"}).text = text.label
            limit = _max_length(text.obj, text.field)
            if limit:
                ElementTree.SubElement(notes, tag("note"), {"category": "max-length"}).text = str(
                    limit
                )
            segment = ElementTree.SubElement(
                unit, tag("segment"), {"state": "translated" if text.english else "initial"}
            )
            source = ElementTree.SubElement(segment, tag("source"))
            source.text = text.german
            source.set(XML_SPACE, "preserve")
            if text.english:
                target = ElementTree.SubElement(segment, tag("target"))
                target.text = text.english
                target.set(XML_SPACE, "preserve")
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def xlsx_export(scope) -> bytes:
    """Four columns for a translation office without CAT tools: ID, Deutsch, Englisch, Status."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    with translation.override("de"):
        for text in scope_texts(scope):
            sheet.append(
                [
                    text.id,
                    neutralise(text.german),
                    neutralise(text.english),
                    force_str(STATUS_LABELS[text.status]),
                ]
            )
    wrapped = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = "s"  # never a formula, whatever the text
            cell.alignment = wrapped
    for letter, width in zip("ABCD", (24, 60, 60, 18), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _max_length(obj, field_name: str) -> int | None:
    return obj._meta.get_field(registry.english(field_name)).max_length


# --- in: reading the file ------------------------------------------------------------------------


@dataclass
class Returned:
    """One text as the file brings it back."""

    id: str
    source: str
    target: str
    where: str  # "Einheit 3" / "Zeile 4"
    # the translator marked the segment as checked (XLIFF state „reviewed“ or „final“): an
    # English text returned unchanged is then confirmed as current
    checked: bool = False


def read_upload(content: bytes, file_name: str) -> list[Returned]:
    """The texts of an uploaded XLIFF 2.0 file or workbook. ``TranslationFileRefused`` says
    why a file is not read at all (empty, too large, hostile, not XLIFF/XLSX, beyond a cap)."""
    if not content:
        raise TranslationFileRefused([Problem(_("The file is empty."))])
    if len(content) > uploads.max_bytes():
        raise TranslationFileRefused([Problem(uploads.too_large_message(len(content)))])
    if content.startswith(b"PK\x03\x04"):
        return _read_workbook(content, file_name)
    return _read_xliff(content, file_name)


def _read_workbook(content: bytes, file_name: str) -> list[Returned]:
    from imports.plan_workbook import read_workbook

    try:
        sheets, _notices = read_workbook(content, file_name)
    except ImportRefused as refused:
        raise TranslationFileRefused(refused.problems) from None
    sheet = sheets.get(SHEET_TITLE)
    if sheet is None:
        raise TranslationFileRefused(
            [Problem(_("The workbook has no sheet “%(sheet)s”.") % {"sheet": SHEET_TITLE})]
        )
    index = {header: i for i, header in enumerate(sheet.headers)}
    missing = [h for h in HEADERS[:3] if h not in index]
    if missing:
        raise TranslationFileRefused(
            [
                Problem(
                    _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)},
                    sheet=SHEET_TITLE,
                    row=1,
                )
            ]
        )

    def cell(values, header) -> str:
        position = index[header]
        value = values[position] if position < len(values) else None
        return "" if value is None else restore(force_str(value))

    texts = []
    for number, values in sheet.rows:
        text_id = cell(values, "ID").strip()
        if not text_id and not cell(values, "Englisch").strip():
            continue
        texts.append(
            Returned(
                text_id,
                cell(values, "Deutsch"),
                cell(values, "Englisch"),
                _("row %(row)s") % {"row": number},
            )
        )
    return texts


def _read_xliff(content: bytes, file_name: str) -> list[Returned]:
    """defusedxml, no DTD and no entities: a declared entity or DOCTYPE refuses the file."""
    import defusedxml
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException:
        raise TranslationFileRefused(
            [
                Problem(
                    _(
                        "“%(name)s” declares XML entities or a DOCTYPE. XLIFF files from "
                        "translation tools never need them; the file is refused."
                    )
                    % {"name": file_name}
                )
            ]
        ) from None
    except ElementTree.ParseError:
        raise TranslationFileRefused(
            [
                Problem(
                    _("“%(name)s” is neither an XLIFF 2.0 file nor an XLSX workbook.")
                    % {"name": file_name}
                )
            ]
        ) from None
    if root.tag != f"{{{XLIFF_NS}}}xliff" or root.get("version") != "2.0":
        raise TranslationFileRefused(
            [
                Problem(
                    _("“%(name)s” is neither an XLIFF 2.0 file nor an XLSX workbook.")
                    % {"name": file_name}
                )
            ]
        )
    if (root.get("trgLang") or "").lower()[:2] != "en" or (root.get("srcLang") or "")[:2] != "de":
        raise TranslationFileRefused(
            [Problem(_("The XLIFF file must translate from German (de) into English (en)."))]
        )
    ns = {"x": XLIFF_NS}
    texts = []
    for number, unit in enumerate(root.iterfind("x:file/x:unit", ns), start=1):
        if number > limits.max_rows():
            limits_message = limits.too_many_rows_message(_("“%(value)s”") % {"value": file_name})
            raise TranslationFileRefused([Problem(limits_message)])
        sources, targets, checked = [], [], True
        for segment in unit.iterfind("x:segment", ns):
            checked = checked and segment.get("state") in ("reviewed", "final")
            source = segment.find("x:source", ns)
            target = segment.find("x:target", ns)
            sources.append("".join(source.itertext()) if source is not None else "")
            targets.append("".join(target.itertext()) if target is not None else "")
        returned = Returned(
            unit.get("id") or "",
            "".join(sources),
            "".join(targets),
            _("unit %(number)s") % {"number": number},
            checked=checked and bool(sources),
        )
        if max(len(returned.source), len(returned.target)) > limits.max_cell_chars():
            raise TranslationFileRefused(
                [Problem(f"{returned.where}: {limits.cell_too_long_message()}")]
            )
        texts.append(returned)
    return texts


# --- in: the preview -----------------------------------------------------------------------------


@dataclass
class Item:
    """One returned text: what applying it would do, or why it is left out."""

    id: str
    where: str
    label: str = ""
    old: str = ""
    new: str = ""
    action: str = "problem"  # "change" (new English), "confirm" (same English, now current),
    # "same" (nothing to do) or "problem"
    problem: str = ""
    obj: object = None
    field: str = ""


@dataclass
class Preview:
    items: list[Item] = field(default_factory=list)

    @property
    def changes(self) -> list[Item]:
        return [i for i in self.items if i.action in ("change", "confirm")]

    @property
    def problems(self) -> list[Item]:
        return [i for i in self.items if i.action == "problem"]

    @property
    def unchanged(self) -> list[Item]:
        return [i for i in self.items if i.action == "same"]

    def fingerprint(self) -> str:
        """What the preview was computed from: the stored texts it would change."""
        digest = hashlib.sha256()
        for item in self.changes:
            digest.update(repr((item.id, item.old, item.new, _german_of(item))).encode())
        return digest.hexdigest()


def _german_of(item: Item) -> str:
    return getattr(item.obj, item.field) or ""


def _parse_id(text_id: str) -> tuple[str, int, str] | None:
    parts = text_id.split(":")
    if len(parts) != 3 or parts[0] not in KINDS or not parts[1].isdigit():
        return None
    kind, pk, name = parts[0], int(parts[1]), parts[2]
    if not registry.is_translated(KINDS[kind][0], name) or len(parts[1]) > 12:
        return None
    return kind, pk, name


def _scope_of(kind: str, obj) -> tuple[str, int]:
    """The plan or campaign a text belongs to, as (``plan``/``campaign``, pk)."""
    if kind in ("plan", "campaign"):
        return kind, obj.pk
    if kind in CAMPAIGN_KINDS:
        return "campaign", obj.campaign_id
    if kind in ("indicator", "field"):
        return "plan", obj.plan_id
    if kind in ("finding", "measure"):
        return "plan", obj.field.plan_id
    return "plan", obj.measure.field.plan_id


def _load(parsed: list[tuple[str, int, str]]) -> dict[tuple[str, int], object]:
    """The objects the returned IDs name, one query per kind."""
    wanted: dict[str, set[int]] = {}
    for kind, pk, _name in parsed:
        wanted.setdefault(kind, set()).add(pk)
    found = {}
    for kind, pks in wanted.items():
        model = KINDS[kind][0]
        queryset = model.objects.filter(pk__in=pks).select_related(*RELATED.get(kind, ()))
        for obj in queryset:
            found[(kind, obj.pk)] = obj
    return found


def translation_preview(*, scope, user, returned: list[Returned]) -> Preview:
    """What the returned texts would change, text by text; nothing is written."""
    parsed = {r.id: _parse_id(r.id) for r in returned}
    objects = _load([p for p in parsed.values() if p is not None])
    preview, seen = Preview(), {}
    for text in returned:
        item = Item(text.id, text.where, new=text.target)
        preview.items.append(item)
        key = parsed[text.id]
        if key is None:
            item.problem = _("Unknown ID “%(id)s”.") % {"id": _short(text.id, 80)}
            continue
        if text.id in seen:
            item.problem = _("The ID appears more than once (also in %(where)s).") % {
                "where": seen[text.id]
            }
            continue
        seen[text.id] = text.where
        kind, pk, name = key
        obj = objects.get((kind, pk))
        if obj is None:
            item.problem = _("This text no longer exists: its object has been deleted.")
            continue
        item.obj, item.field = obj, name
        item.label = text_label(obj, name)
        item.old = getattr(obj, registry.english(name)) or ""
        if not rules.can_change(user, obj):
            item.problem = _("You may not change this text.")
            continue
        if _scope_of(kind, obj) != (_scope_name(scope), scope.pk):
            item.problem = _("This text belongs to another plan or campaign.")
            continue
        german = getattr(obj, name) or ""
        if text.source.strip() != german.strip():
            item.problem = _(
                "The German text has been changed since the export. Please have the new "
                "version translated."
            )
            continue
        if not text.target.strip():
            item.problem = _("No English text given.")
            continue
        limit = _max_length(obj, name)
        if limit and len(text.target) > limit:
            item.problem = _(
                "Too long for this field: at most %(limit)s characters, here %(length)s."
            ) % {"limit": limit, "length": len(text.target)}
            continue
        if text.target == item.old:
            status = selectors.field_status(obj, name)
            item.action = "confirm" if status != "current" and text.checked else "same"
        else:
            item.action = "change"
    return preview


class StalePreview(ImportRefused):
    pass


def stale_message() -> str:
    return _(
        "Since the preview, someone has changed these texts. Nothing was saved. Please upload "
        "the file again to see a new preview."
    )


@transaction.atomic
def translation_apply(
    *, scope, acting_user, returned: list[Returned], expected_fingerprint: str, reason: str
) -> Preview:
    """Write the English texts the preview accepted (problems stay out); each applied text is
    confirmed current. ``StalePreview`` when the texts changed since the preview."""
    from imports.plan_import import plan_lock

    if isinstance(scope, Plan):
        plan_lock(scope)  # one import at a time, as for the workbook
    else:
        list(Campaign.objects.select_for_update().filter(pk=scope.pk).values_list("pk"))
    preview = translation_preview(scope=scope, user=acting_user, returned=returned)
    if preview.fingerprint() != expected_fingerprint:
        raise StalePreview([Problem(stale_message())])
    by_object: dict[tuple, list[Item]] = {}
    for item in preview.changes:
        by_object.setdefault((type(item.obj), item.obj.pk), []).append(item)
    with _history_user(acting_user):
        for items in by_object.values():
            obj = items[0].obj
            for item in items:
                setattr(obj, registry.english(item.field), item.new)
            obj._change_reason = reason
            translation_confirm(obj, fields=[item.field for item in items])
    return preview
