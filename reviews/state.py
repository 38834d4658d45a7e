"""A measure with its inline rows as JSON, and that JSON as rows for the plan importer.

``measure_state`` reads what is stored (the published state, or inside a rolled-back
savepoint the state an editor's save would give). ``incoming_rows`` turns a state into the
plan importer's vocabulary (``imports.changes.Incoming``): the importer core validates, diffs
and writes it like any other input, so there is one code path that applies rows.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from actionplan.models import BudgetLine, Measure, Responsibility, ScheduleEntry, Step
from imports.plan_import import ATTRIBUTES, Incoming, key_of, measure_ref
from translations import registry as translation_registry

#: The measure's own attributes a pending change carries (with the English texts); its place
#: (field, position) and publication state stay the coordinator's.
MEASURE_ATTRIBUTES = (
    "code",
    "title",
    "title_en",
    "slug",
    "description",
    "description_en",
    "status",
)
MANY = ("target_groups", "related_measures")

#: kind (as the plan importer names it) -> (related name on Measure, model)
ROWS = {
    "step": ("steps", Step),
    "schedule": ("schedule", ScheduleEntry),
    "responsibility": ("responsibilities", Responsibility),
    "budget": ("budget_lines", BudgetLine),
}
REFERENCES = {"parent"}
FOREIGN_KEYS = {"organisation", "person", "category", "funding_source", "programme"}


def kind_of(model) -> str | None:
    """The importer's name for a row model of a measure (None for other models)."""
    return next((kind for kind, (_name, m) in ROWS.items() if m is model), None)


def _attributes(kind: str) -> tuple[str, ...]:
    return tuple(a for a in ATTRIBUTES[kind] if a != "measure")


def _json(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _python(model, attribute: str, value):
    if value is None:
        return None
    return model._meta.get_field(attribute).to_python(value)


def row_pks(measure: Measure) -> dict[str, list[int]]:
    """The primary keys of the measure's stored rows, by kind."""
    return {
        kind: sorted(model.objects.filter(measure=measure).values_list("pk", flat=True))
        for kind, (_name, model) in ROWS.items()
    }


def measure_state(measure: Measure, *, known: dict | None = None) -> dict:
    """The measure and its rows as stored, JSON-ready.

    With ``known`` (``row_pks`` taken before a rolled-back save), rows not among them are
    new: their ``pk`` is None (their id would be rolled back), ``ref`` names them within the
    state (a sub-step names its parent by ``ref``).
    """
    measure = Measure.objects.get(pk=measure.pk)
    state = {
        "measure": {a: _json(getattr(measure, a)) for a in MEASURE_ATTRIBUTES},
        "rows": {},
    }
    for name in MANY:
        state["measure"][name] = sorted(getattr(measure, name).values_list("pk", flat=True))
    for kind, (_name, model) in ROWS.items():
        rows = []
        queryset = model.objects.filter(measure=measure)
        if kind == "step":
            queryset = queryset.order_by("parent_id", "position", "pk")
        else:
            queryset = queryset.order_by("position", "pk")
        kept = set(known[kind]) if known is not None else None
        for obj in queryset:
            row = {"ref": str(obj.pk), "pk": obj.pk if kept is None or obj.pk in kept else None}
            for attribute in _attributes(kind):
                if attribute in REFERENCES:
                    parent_id = getattr(obj, f"{attribute}_id")
                    row[attribute] = str(parent_id) if parent_id else None
                elif attribute in FOREIGN_KEYS:
                    row[attribute] = getattr(obj, f"{attribute}_id")
                else:
                    row[attribute] = _json(getattr(obj, attribute))
            rows.append(row)
        state["rows"][kind] = rows
    return state


def content(state: dict) -> dict:
    """A state without the row ids given by a save (for comparing two states)."""
    return {
        "measure": state.get("measure", {}),
        "rows": {
            kind: [{k: v for k, v in row.items() if k != "ref"} for row in rows]
            for kind, rows in state.get("rows", {}).items()
        },
    }


def incoming_rows(measure: Measure, state: dict) -> list[Incoming]:
    """``state`` as the plan importer's rows for ``measure``: every row of the measure named,
    stored rows the state leaves out marked for deletion."""
    measure = Measure.objects.select_related("field").get(pk=measure.pk)
    values = state["measure"]
    measure_key = (measure.field.slug, measure_ref(values.get("code", ""), measure.position))
    rows = [
        Incoming(
            "measure",
            measure_key,
            {
                "field": (measure.field.slug,),  # references are written as given: name it
                **{a: values[a] for a in MEASURE_ATTRIBUTES if a in values},
                "target_groups": frozenset(values.get("target_groups", [])),
            },
            pk=measure.pk,
        )
    ]
    for kind, (_name, model) in ROWS.items():
        stored = {obj.pk: obj for obj in _stored_rows(kind, model, measure)}
        proposed = state["rows"].get(kind, [])
        by_ref = {row["ref"]: row for row in proposed}
        mentioned = set()
        for row in proposed:
            pk = row["pk"] if row["pk"] in stored else None
            mentioned.add(pk)
            row_values = {"measure": measure_key}
            for attribute in _attributes(kind):
                if attribute in REFERENCES:
                    parent = by_ref.get(row.get(attribute))
                    row_values[attribute] = (
                        (*measure_key, 0, parent["position"]) if parent is not None else None
                    )
                elif attribute not in row and attribute.endswith(translation_registry.SUFFIX):
                    continue  # a change saved before it carried English: English as stored
                else:
                    row_values[attribute] = _python(model, attribute, row.get(attribute))
            if kind == "schedule" and row.get("dating") != ScheduleEntry.Dating.MANUAL:
                # dated from the label, as a save would date it
                row_values["start_date"] = row_values["end_date"] = None
            if kind == "step":
                parent = by_ref.get(row.get("parent"))
                key = (*measure_key, parent["position"] if parent else 0, row["position"])
            else:
                key = (*measure_key, row["position"])
            rows.append(Incoming(kind, key, row_values, pk=pk, new=row["pk"] is None))
        for pk, obj in stored.items():
            if pk not in mentioned:
                rows.append(Incoming(kind, key_of(kind, obj), {}, pk=pk, delete=True))
    return rows


def _stored_rows(kind, model, measure):
    queryset = model.objects.filter(measure=measure).select_related("measure__field")
    if kind == "step":
        queryset = queryset.select_related("parent")
    return list(queryset)


def related_measures(state: dict) -> list[int]:
    return list(state["measure"].get("related_measures", []))
