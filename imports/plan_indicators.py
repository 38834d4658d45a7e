"""A plan's indicators on the import path: validate entries, compare them with the stored
indicators, write the differences (each with a history row).

An entry is the plan document's form (actionplan/export.py, key ``plan.indicators``):
``{"key", "name", "description", "unit", "direction", "source", "update_interval",
"baseline": {"value", "date"} | null, "targets": [...], "values": [...], "links": [...],
"is_example"}``. The JSON document passes its entries as they are; the workbook's sheets
„Indikatoren“, „Indikatorwerte“, „Indikatorziele“ and „Indikatorverknüpfungen“ are translated
into the same entries (imports/plan_workbook.py). A complete set: stored indicators of the plan
that the entries do not name are deleted. Without any entries key (old documents, workbooks
without the sheets) nothing here runs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils.translation import gettext as _

from actionplan.models import FieldOfAction, Measure, Plan
from config.numbers import bounded_decimal, format_number
from indicators.models import (
    DECIMAL_PLACES,
    MAX_DIGITS,
    Indicator,
    IndicatorLink,
    IndicatorTarget,
    IndicatorValue,
)
from translations import documents as tr
from translations import registry

from .changes import Change

ENTRY_KEYS = {
    "key",
    "name",
    "description",
    "unit",
    "direction",
    "source",
    "update_interval",
    "baseline",
    "targets",
    "values",
    "links",
    "is_example",
    # issue 21: English texts and their marks (``translations.documents``)
    *tr.english_keys(Indicator),
    *tr.MARK_KEYS,
}
# English versions (translations.registry): optional; an entry without one leaves it as stored
ENGLISH_ATTRIBUTES = tuple(registry.english(field) for field in registry.fields_of(Indicator))
TEXT_ATTRIBUTES = ("name", "description", "unit", "source", *ENGLISH_ATTRIBUTES)
TARGET_KEYS = {"date", "value", "note"}
VALUE_KEYS = {"date", "value", "source", "note"}
LINK_KEYS = {"field", "measure", "kind"}
TEXT_LIMITS = {"name": 200, "name_en": 200, "unit": 50, "unit_en": 50, "source": 300, "note": 500}


def number(value) -> Decimal:
    return bounded_decimal(value, max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES)


def document_measures(plan_spec: dict) -> dict[str, tuple[str, str]]:
    """Measure keys of a plan document → (field slug, measure slug)."""
    result = {}
    for field_spec in plan_spec.get("fields") or []:
        if not isinstance(field_spec, dict) or not field_spec.get("title"):
            continue
        field_slug = field_spec.get("slug") or FieldOfAction.slug_for(field_spec["title"])
        for measure_spec in field_spec.get("measures") or []:
            if not isinstance(measure_spec, dict) or not measure_spec.get("title"):
                continue
            slug = measure_spec.get("slug") or Measure.slug_for(
                measure_spec.get("code") or "", measure_spec["title"]
            )
            key = measure_spec.get("key") or f"{field_slug}/{slug}"
            result[key] = (field_slug, slug)
    return result


# --- validation ---------------------------------------------------------------------------------


def validate_entries(
    entries, *, path: str, field_slugs: set[str], measures: dict[str, tuple[str, str]]
) -> list[tuple[str, str]]:
    """Every problem of ``entries`` as ``(path, message)``; empty when they may be imported."""
    errors: list[tuple[str, str]] = []

    def error(where, message):
        errors.append((where, message))

    if not isinstance(entries, list):
        return [(path, "must be a list")]
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        ipath = f"{path}[{i}]"
        if not isinstance(entry, dict):
            error(ipath, "must be an object")
            continue
        for key in sorted(set(entry) - ENTRY_KEYS):
            error(f"{ipath}.{key}", "unknown key")
        key = entry.get("key")
        if not isinstance(key, str) or not key:
            error(f"{ipath}.key", "required")
        else:
            try:
                validate_slug(key)
            except ValidationError:
                error(f"{ipath}.key", "must be a slug (letters, digits, hyphens)")
            if key in seen:
                error(f"{ipath}.key", f"duplicate indicator key {key!r}")
            seen.add(key)
        if not isinstance(entry.get("name"), str) or not entry["name"].strip():
            error(f"{ipath}.name", "required")
        for attr in TEXT_ATTRIBUTES:
            value = entry.get(attr, "")
            if value is not None and not isinstance(value, str):
                error(f"{ipath}.{attr}", "must be text")
            elif value and len(value) > TEXT_LIMITS.get(attr, 10**6):
                error(f"{ipath}.{attr}", f"at most {TEXT_LIMITS[attr]} characters")
        errors += tr.validate(entry, Indicator, ipath)
        for attr in ("name", "unit"):
            value = entry.get(f"{attr}_en")
            if isinstance(value, str) and len(value) > TEXT_LIMITS[attr]:
                error(f"{ipath}.{attr}_en", f"at most {TEXT_LIMITS[attr]} characters")
        if entry.get("direction", "increase") not in Indicator.Direction.values:
            error(f"{ipath}.direction", f"must be one of {', '.join(Indicator.Direction.values)}")
        interval = entry.get("update_interval") or ""
        if interval and interval not in Indicator.Interval.values:
            error(
                f"{ipath}.update_interval",
                f"must be one of {', '.join(Indicator.Interval.values)} or empty",
            )
        if not isinstance(entry.get("is_example", False), bool):
            error(f"{ipath}.is_example", "must be true or false")
        baseline = entry.get("baseline")
        if baseline is not None:
            if not isinstance(baseline, dict) or set(baseline) - {"value", "date"}:
                error(f"{ipath}.baseline", "must be null or an object with value and date")
            else:
                _dated(baseline, f"{ipath}.baseline", error)
        for name, allowed in (("targets", TARGET_KEYS), ("values", VALUE_KEYS)):
            rows = entry.get(name, [])
            if not isinstance(rows, list):
                error(f"{ipath}.{name}", "must be a list")
                continue
            dates = set()
            for j, row in enumerate(rows):
                rpath = f"{ipath}.{name}[{j}]"
                if not isinstance(row, dict):
                    error(rpath, "must be an object")
                    continue
                for extra in sorted(set(row) - allowed):
                    error(f"{rpath}.{extra}", "unknown key")
                for attr in ("source", "note"):
                    text = row.get(attr, "")
                    if text is not None and not isinstance(text, str):
                        error(f"{rpath}.{attr}", "must be text")
                    elif text and len(text) > TEXT_LIMITS[attr]:
                        error(f"{rpath}.{attr}", f"at most {TEXT_LIMITS[attr]} characters")
                date = _dated(row, rpath, error)
                if date is not None:
                    if date in dates:
                        error(f"{rpath}.date", f"a second row for {date.isoformat()}")
                    dates.add(date)
        links = entry.get("links", [])
        if not isinstance(links, list):
            error(f"{ipath}.links", "must be a list")
            continue
        seen_links = set()
        for j, link in enumerate(links):
            lpath = f"{ipath}.links[{j}]"
            if not isinstance(link, dict):
                error(lpath, "must be an object")
                continue
            for extra in sorted(set(link) - LINK_KEYS):
                error(f"{lpath}.{extra}", "unknown key")
            field_slug, measure_key = link.get("field"), link.get("measure")
            if field_slug not in field_slugs:
                error(f"{lpath}.field", f"unknown field {field_slug!r}")
            if measure_key is not None:
                if measure_key not in measures:
                    error(f"{lpath}.measure", f"unknown measure key {measure_key!r}")
                elif measures[measure_key][0] != field_slug:
                    error(f"{lpath}.measure", "the measure belongs to another field")
            kind = link.get("kind", IndicatorLink.Kind.MEASURES)
            if kind not in IndicatorLink.Kind.values:
                error(f"{lpath}.kind", f"must be one of {', '.join(IndicatorLink.Kind.values)}")
            if (field_slug, measure_key, kind) in seen_links:
                error(lpath, "the same link twice")
            seen_links.add((field_slug, measure_key, kind))
    return errors


def _dated(row: dict, path: str, error) -> datetime.date | None:
    date = None
    try:
        date = datetime.date.fromisoformat(row.get("date"))
    except (TypeError, ValueError):
        error(f"{path}.date", "must be a date as YYYY-MM-DD")
    try:
        number(row.get("value"))
    except ValidationError as exc:
        error(f"{path}.value", "; ".join(exc.messages))
    return date


# --- comparing and writing ---------------------------------------------------------------------


@dataclass(frozen=True)
class _State:
    """An indicator's comparable state: attributes, targets, values, links."""

    attributes: dict
    targets: dict  # date -> (value, note)
    values: dict  # date -> (value, source, note)
    links: frozenset  # (field_id, measure_id | None, kind)


def _incoming(entry: dict, fields: dict[str, int], measures: dict[str, int]) -> _State:
    baseline = entry.get("baseline") or None
    attributes = {
        "name": entry["name"].strip(),
        "description": entry.get("description") or "",
        "unit": entry.get("unit") or "",
        "direction": entry.get("direction") or Indicator.Direction.INCREASE,
        "source": entry.get("source") or "",
        "update_interval": entry.get("update_interval") or "",
        "baseline_value": number(baseline["value"]) if baseline else None,
        "baseline_date": datetime.date.fromisoformat(baseline["date"]) if baseline else None,
        "is_example": bool(entry.get("is_example", False)),
        # English: only what the entry gives; ``indicators_sync`` keeps the rest as stored
        **tr.english_values(entry, Indicator),
    }
    return _State(
        attributes,
        {
            datetime.date.fromisoformat(t["date"]): (number(t["value"]), t.get("note") or "")
            for t in entry.get("targets") or []
        },
        {
            datetime.date.fromisoformat(v["date"]): (
                number(v["value"]),
                v.get("source") or "",
                v.get("note") or "",
            )
            for v in entry.get("values") or []
        },
        frozenset(
            (
                fields[link["field"]],
                measures[link["measure"]] if link.get("measure") else None,
                link.get("kind") or IndicatorLink.Kind.MEASURES,
            )
            for link in entry.get("links") or []
        ),
    )


def _stored(indicator: Indicator) -> _State:
    return _State(
        {name: getattr(indicator, name) for name in _ATTRIBUTE_NAMES},
        {t.date: (t.value, t.note) for t in indicator.targets.all()},
        {v.date: (v.value, v.source, v.note) for v in indicator.values.all()},
        frozenset((ln.field_id, ln.measure_id, ln.kind) for ln in indicator.links.all()),
    )


_ATTRIBUTE_NAMES = (
    "name",
    "name_en",
    "description",
    "description_en",
    "unit",
    "unit_en",
    "direction",
    "source",
    "update_interval",
    "baseline_value",
    "baseline_date",
    "is_example",
    *(registry.english(f) for f in registry.fields_of(Indicator)),
)


def _shown(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, Decimal):
        return format_number(value.normalize(), None)
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _row_diffs(label: str, old: dict, new: dict) -> list[tuple[str, str, str]]:
    diffs = []
    for date in sorted(set(old) | set(new)):
        if old.get(date) != new.get(date):
            before = " · ".join(_shown(v) for v in old[date] if v != "") if date in old else "–"
            after = " · ".join(_shown(v) for v in new[date] if v != "") if date in new else "–"
            diffs.append((f"{label} {_shown(date)}", before, after))
    return diffs


def _diffs(old: _State | None, new: _State, link_label) -> list[tuple[str, str, str]]:
    diffs = []
    for name in _ATTRIBUTE_NAMES:
        before = old.attributes.get(name) if old else None
        after = new.attributes.get(name, "")
        if old is None and after in (None, "", False):
            continue
        if before != after:
            label = str(Indicator._meta.get_field(name).verbose_name)
            diffs.append((label, _shown(before), _shown(after)))
    diffs += _row_diffs(_("Target"), old.targets if old else {}, new.targets)
    diffs += _row_diffs(_("Value"), old.values if old else {}, new.values)
    old_links = old.links if old else frozenset()
    for link in sorted(old_links - new.links, key=str):
        diffs.append((_("Link"), link_label(link), "–"))
    for link in sorted(new.links - old_links, key=str):
        diffs.append((_("Link"), "–", link_label(link)))
    return diffs


def indicators_sync(
    plan: Plan, entries: list[dict], *, measure_keys: dict[str, tuple[str, str]], reason: str
) -> list[Change]:
    """Bring the plan's indicators to ``entries`` (validated by ``validate_entries``): create,
    change and delete what differs; return the changes (none when nothing differs)."""
    fields = dict(FieldOfAction.objects.filter(plan=plan).values_list("slug", "pk"))
    stored_measures = {
        (field_slug, slug): pk
        for pk, field_slug, slug in Measure.objects.filter(field__plan=plan).values_list(
            "pk", "field__slug", "slug"
        )
    }
    measures = {
        key: stored_measures[ref] for key, ref in measure_keys.items() if ref in stored_measures
    }
    names = {
        pk: title
        for pk, title in FieldOfAction.objects.filter(plan=plan).values_list("pk", "title")
    }
    measure_names = {
        pk: str(m) for pk, m in ((m.pk, m) for m in Measure.objects.filter(field__plan=plan))
    }
    kinds = dict(IndicatorLink.Kind.choices)

    def link_label(link) -> str:
        field_id, measure_id, kind = link
        target = measure_names.get(measure_id) if measure_id else names.get(field_id, "?")
        return f"{kinds.get(kind, kind)}: {target}"

    stored = {
        ind.slug: ind
        for ind in Indicator.objects.filter(plan=plan).prefetch_related(
            "targets", "values", "links"
        )
    }
    changes: list[Change] = []
    kind_name = str(Indicator._meta.verbose_name)
    for entry in entries:
        new = _incoming(entry, fields, measures)
        indicator = stored.pop(entry["key"], None)
        old = _stored(indicator) if indicator is not None else None
        for name in _ATTRIBUTE_NAMES:  # English the entry leaves out stays as stored
            new.attributes.setdefault(name, old.attributes[name] if old else "")
        marks, mark_diffs = tr.compare_marks(
            Indicator,
            indicator,
            tr.marks_given(entry, Indicator),
            old.attributes if old else {},
            new.attributes,
        )
        if old == new and not mark_diffs:
            continue
        diffs = _diffs(old, new, link_label) + mark_diffs
        action = "new" if indicator is None else "changed"
        changes.append(Change(action, "indicator", f"{kind_name} {entry['key']}", diffs, kind_name))
        _write(plan, indicator, entry["key"], old, new, reason, marks=marks if mark_diffs else None)
    for slug, indicator in stored.items():
        changes.append(Change("deleted", "indicator", f"{kind_name} {slug}", [], kind_name))
        indicator._change_reason = reason
        indicator.delete()
    return changes


def _save(instance, reason: str) -> None:
    instance.full_clean()
    instance._change_reason = reason
    instance.save()


def _write(
    plan, indicator, slug, old: _State | None, new: _State, reason: str, *, marks=None
) -> None:
    if indicator is None:
        indicator = Indicator(plan=plan, slug=slug)
    if old is None or old.attributes != new.attributes or marks:
        for name, value in new.attributes.items():
            setattr(indicator, name, value)
        tr.apply_marks(indicator, marks or {})
        _save(indicator, reason)
    old_targets = old.targets if old else {}
    old_values = old.values if old else {}
    rows = {t.date: t for t in indicator.targets.all()} if old else {}
    for date in set(old_targets) - set(new.targets):
        rows[date]._change_reason = reason
        rows[date].delete()
    for date, (value, note) in new.targets.items():
        if old_targets.get(date) != (value, note):
            row = rows.get(date) or IndicatorTarget(indicator=indicator, date=date)
            row.value, row.note = value, note
            _save(row, reason)
    rows = {v.date: v for v in indicator.values.all()} if old else {}
    for date in set(old_values) - set(new.values):
        rows[date]._change_reason = reason
        rows[date].delete()
    for date, (value, source, note) in new.values.items():
        if old_values.get(date) != (value, source, note):
            row = rows.get(date) or IndicatorValue(indicator=indicator, date=date)
            row.value, row.source, row.note = value, source, note
            _save(row, reason)
    old_links = old.links if old else frozenset()
    for link in indicator.links.all() if old else []:
        if (link.field_id, link.measure_id, link.kind) not in new.links:
            link._change_reason = reason
            link.delete()
    for field_id, measure_id, kind in new.links - old_links:
        _save(
            IndicatorLink(indicator=indicator, field_id=field_id, measure_id=measure_id, kind=kind),
            reason,
        )


# --- the whole-plan workbook (imports/plan_workbook.py) -------------------------------------------
# Four sheets, keyed by the indicator's slug („Kürzel“); measures as in the other sheets, by
# field slug and code (or „#position“). The sheets are a complete set: an indicator, value,
# target or link missing from them is deleted; a workbook without the sheet „Indikatoren“
# leaves the plan's indicators as stored.

INDICATOR_SHEETS = {
    "indicator": (
        "Indikatoren",
        (
            ("key", "Kürzel", 24),
            ("name", "Name", 36),
            ("name_en", "Name (englisch)", 36),
            ("description", "Beschreibung", 60),
            ("description_en", "Beschreibung (englisch)", 60),
            ("unit", "Einheit", 14),
            ("unit_en", "Einheit (englisch)", 14),
            ("direction", "Richtung", 18),
            ("source", "Quelle", 30),
            ("update_interval", "Turnus", 14),
            ("baseline_value", "Ausgangswert", 14),
            ("baseline_date", "Datum Ausgangswert", 14),
            ("is_example", "Beispielwerte", 12),
        ),
    ),
    "indicatorvalue": (
        "Indikatorwerte",
        (
            ("indicator", "Indikator", 24),
            ("date", "Datum", 12),
            ("value", "Wert", 14),
            ("source", "Quelle", 30),
            ("note", "Anmerkung", 40),
        ),
    ),
    "indicatortarget": (
        "Indikatorziele",
        (
            ("indicator", "Indikator", 24),
            ("date", "Datum", 12),
            ("value", "Zielwert", 14),
            ("note", "Anmerkung", 40),
        ),
    ),
    "indicatorlink": (
        "Indikatorverknüpfungen",
        (
            ("indicator", "Indikator", 24),
            ("field", "Handlungsfeld", 18),
            ("measure", "Maßnahme", 11),
            ("kind", "Art", 24),
        ),
    ),
}
NUMBER_COLUMNS = {"baseline_value", "value"}
DATE_COLUMNS = {"baseline_date", "date"}


def _german_choices(choices) -> dict[str, str]:
    from django.utils import translation

    with translation.override("de"):
        return {value: str(label) for value, label in choices.choices}


def workbook_sheets(plan: Plan, *, public_only: bool = False) -> dict[str, list[list]]:
    """The rows of the four indicator sheets by kind (values as Python objects), read once."""
    from .plan_import import measure_ref

    entries = _entries_for(plan, public_only)
    refs = {
        f"{field_slug}/{slug}": measure_ref(code, position)
        for field_slug, slug, code, position in Measure.objects.filter(
            field__plan=plan
        ).values_list("field__slug", "slug", "code", "position")
    }
    return {kind: _sheet_rows(entries, kind, refs) for kind in INDICATOR_SHEETS}


def _sheet_rows(entries: list[dict], kind: str, refs: dict) -> list[list]:
    directions = _german_choices(Indicator.Direction)
    intervals = _german_choices(Indicator.Interval)
    kinds = _german_choices(IndicatorLink.Kind)
    rows = []
    for entry in entries:
        if kind == "indicator":
            baseline = entry["baseline"] or {}
            rows.append(
                [
                    entry["key"],
                    entry["name"],
                    entry.get("name_en", ""),
                    entry["description"],
                    entry.get("description_en", ""),
                    entry["unit"],
                    entry.get("unit_en", ""),
                    directions.get(entry["direction"], entry["direction"]),
                    entry["source"],
                    intervals.get(entry["update_interval"], ""),
                    Decimal(baseline["value"]) if baseline else None,
                    datetime.date.fromisoformat(baseline["date"]) if baseline else None,
                    "ja" if entry["is_example"] else "",
                ]
            )
        elif kind == "indicatorvalue":
            rows.extend(
                [entry["key"], _iso(v["date"]), Decimal(v["value"]), v["source"], v["note"]]
                for v in entry["values"]
            )
        elif kind == "indicatortarget":
            rows.extend(
                [entry["key"], _iso(t["date"]), Decimal(t["value"]), t["note"]]
                for t in entry["targets"]
            )
        else:
            rows.extend(
                [
                    entry["key"],
                    link["field"],
                    refs.get(link["measure"], "") if link["measure"] else "",
                    kinds.get(link["kind"], link["kind"]),
                ]
                for link in entry["links"]
            )
    return rows


def _iso(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def _entries_for(plan, public_only):
    from indicators.selectors import document_entries

    return document_entries(plan, public_only=public_only)


def entries_from_sheets(plan: Plan, sheets: dict) -> tuple[list[dict] | None, list[tuple]]:
    """The indicator entries the workbook's sheets give, and their problems as ``(sheet, row
    number, column, message)``; ``None`` without the sheet „Indikatoren“ (an older workbook)."""
    from .plan_import import measure_ref

    titles = {kind: spec[0] for kind, spec in INDICATOR_SHEETS.items()}
    if titles["indicator"] not in sheets:
        return None, []
    problems: list[tuple] = []
    missing = [t for k, t in titles.items() if k != "indicator" and t not in sheets]
    for title in missing:
        problems.append((title, None, "", _("The sheet is missing.")))
    if missing:
        return None, problems
    choice_maps = {
        "direction": _reverse(Indicator.Direction),
        "update_interval": _reverse(Indicator.Interval),
        "kind": _reverse(IndicatorLink.Kind),
    }
    measure_keys = {
        (field_slug, measure_ref(code, position)): f"{field_slug}/{slug}"
        for field_slug, slug, code, position in Measure.objects.filter(
            field__plan=plan
        ).values_list("field__slug", "slug", "code", "position")
    }
    tables = {}
    for kind, (title, columns) in INDICATOR_SHEETS.items():
        sheet = sheets[title]
        index = {header: i for i, header in enumerate(sheet.headers)}
        for attribute, label, _w in columns:
            if label not in index and attribute not in ENGLISH_ATTRIBUTES:
                problems.append((title, 1, label, _("The column is missing.")))
        rows = []
        for line, cells in sheet.rows:
            row = {}
            for attribute, label, _w in columns:
                if label not in index and attribute in ENGLISH_ATTRIBUTES:
                    continue
                raw = cells[index[label]] if label in index and index[label] < len(cells) else None
                try:
                    row[attribute] = _cell_value(attribute, raw, choice_maps)
                except ValueError as error:
                    problems.append((title, line, label, str(error)))
            if any(v not in (None, "") for v in row.values()):
                rows.append((line, row))
        tables[kind] = rows
    entries: dict[str, dict] = {}
    for _line, row in tables["indicator"]:
        key = row.get("key") or ""
        entries[key] = {
            "key": key,
            "name": row.get("name") or "",
            "description": row.get("description") or "",
            "unit": row.get("unit") or "",
            "direction": row.get("direction") or Indicator.Direction.INCREASE,
            "source": row.get("source") or "",
            "update_interval": row.get("update_interval") or "",
            "baseline": (
                {"value": str(row["baseline_value"]), "date": row["baseline_date"]}
                if row.get("baseline_value") is not None or row.get("baseline_date")
                else None
            ),
            "targets": [],
            "values": [],
            "links": [],
            "is_example": bool(row.get("is_example")),
        }
        for name in ENGLISH_ATTRIBUTES:
            if name in row:  # an older workbook without the column: as stored
                entries[key][name] = row[name] or ""
    for kind, target in (("indicatorvalue", "values"), ("indicatortarget", "targets")):
        for line, row in tables[kind]:
            entry = entries.get(row.get("indicator") or "")
            if entry is None:
                problems.append(
                    (titles[kind], line, "Indikator", _("No such indicator in „Indikatoren“."))
                )
                continue
            item = {
                "date": row.get("date"),
                "value": str(row.get("value")),
                "note": row.get("note") or "",
            }
            if kind == "indicatorvalue":
                item["source"] = row.get("source") or ""
            entry[target].append(item)
    for line, row in tables["indicatorlink"]:
        entry = entries.get(row.get("indicator") or "")
        if entry is None:
            problems.append(
                (
                    titles["indicatorlink"],
                    line,
                    "Indikator",
                    _("No such indicator in „Indikatoren“."),
                )
            )
            continue
        measure = None
        if row.get("measure"):
            measure = measure_keys.get((row.get("field"), row["measure"]))
            if measure is None:
                problems.append((titles["indicatorlink"], line, "Maßnahme", _("No such measure.")))
                continue
        entry["links"].append(
            {"field": row.get("field"), "measure": measure, "kind": row.get("kind") or "measures"}
        )
    result = list(entries.values())
    if not problems:
        fields = set(FieldOfAction.objects.filter(plan=plan).values_list("slug", flat=True))
        known = {key: tuple(key.split("/", 1)) for key in measure_keys.values()}
        for path, message in validate_entries(
            result, path="indicators", field_slugs=fields, measures=known
        ):
            problems.append((titles["indicator"], None, path, message))
    return result, problems


def _reverse(choices) -> dict[str, str]:
    mapping = {value: value for value in choices.values}
    mapping.update({label.lower(): value for value, label in _german_choices(choices).items()})
    return mapping


def _cell_value(attribute: str, raw, choice_maps):
    from .plan_workbook import _boolean, _CellError, _date, _text

    try:
        if attribute in DATE_COLUMNS:
            day = _date(raw)
            return day.isoformat() if day else None
        if attribute in NUMBER_COLUMNS:
            return _number_cell(raw)
        if attribute == "is_example":
            return _boolean(raw)
    except _CellError as error:
        raise ValueError(str(error)) from None
    text = _text(raw).strip() if raw is not None else ""
    if attribute in choice_maps and text:
        value = choice_maps[attribute].get(text) or choice_maps[attribute].get(text.lower())
        if value is None:
            raise ValueError(_("“%(value)s” is not one of the choices.") % {"value": text[:40]})
        return value
    return text


def _number_cell(raw) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise ValueError(_("“%(value)s” is not a number.") % {"value": raw})
    if isinstance(raw, int | float | Decimal):
        text = str(raw)
    else:
        text = str(raw).strip().replace(" ", "")
        if "," in text:  # German: 1.234,5
            text = text.replace(".", "").replace(",", ".")
    try:
        return number(text)
    except ValidationError as error:
        raise ValueError("; ".join(error.messages)) from None
