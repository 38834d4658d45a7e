"""One importer for whole plans: validate → diff → apply, in one transaction, all or nothing.

Every way a plan comes in goes through here: the JSON document (``planwerk.plan/1``: the demo
data loader, ``manage.py import_plan``, moving a plan between instances) and the whole-plan
spreadsheet workbook (``imports/plan_workbook.py``: the admin's preview and import, large files
on the worker). An adapter turns its input into ``Incoming`` rows with natural keys; this
module compares them with the plan as stored, reports the changes (new, changed old → new,
deleted) and, unless it is a dry run, writes exactly those changes — an unchanged row is never
saved, so a round trip writes no history rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
from actionplan.schedule import END_BEFORE_START, INVALID_DATE, parse_schedule
from translations import registry as translation_registry

from . import changes
from .changes import (  # noqa: F401  (the plan importer's public names)
    CENT,
    PROGRESS_EVERY,
    ImportResult,
    Incoming,
    Planned,
    Problem,
    Where,
    by_pk,
    display,
    names_by_pk,
    normalise,
)

# The kinds of rows in a plan, in the order they are written (containers first).
KINDS = ("field", "finding", "measure", "step", "schedule", "responsibility", "budget")

MODELS = {
    "field": FieldOfAction,
    "finding": BaselineFinding,
    "measure": Measure,
    "step": Step,
    "schedule": ScheduleEntry,
    "responsibility": Responsibility,
    "budget": BudgetLine,
}

# The stored attributes each kind is compared by (its container first).
ATTRIBUTES = {
    "field": ("position", "title", "slug", "target_state", "lead_organisation", "lead_note"),
    "finding": ("field", "position", "text", "swot"),
    "measure": (
        "field",
        "position",
        "code",
        "title",
        "slug",
        "description",
        "status",
        "state",
        "target_groups",
    ),
    "step": ("measure", "parent", "position", "text"),
    "schedule": (
        "measure",
        "position",
        "label",
        "start_date",
        "start_precision",
        "end_date",
        "end_precision",
        "approximate",
        "dating",
    ),
    "responsibility": ("measure", "position", "role", "organisation", "person", "note"),
    "budget": (
        "measure",
        "position",
        "category",
        "funding_source",
        "planned_amount",
        "actual_amount",
        "note",
        *BudgetLine.FUNDING_FIELDS,
    ),
}
# The English version of each translated text (translations.registry) right after its German
# attribute: written, compared and shown like any other; a row without it (an older document or
# workbook, a pending change made before) leaves the stored English text as it is.
ATTRIBUTES = {
    kind: tuple(
        name
        for attribute in attributes
        for name in (
            (attribute, translation_registry.english(attribute))
            if translation_registry.is_translated(MODELS[kind], attribute)
            else (attribute,)
        )
    )
    for kind, attributes in ATTRIBUTES.items()
}
CONTAINER = {
    "field": None,
    "finding": "field",
    "measure": "field",
    "step": "measure",
    "schedule": "measure",
    "responsibility": "measure",
    "budget": "measure",
}
REFERENCES = {"field", "measure", "parent"}
_FOREIGN_KEYS = {
    "lead_organisation",
    "organisation",
    "person",
    "category",
    "funding_source",
    "programme",
}


class PlanImportError(changes.ImportRefused):
    """The input cannot be imported; ``problems`` says why, each with its place."""


class Change(changes.Change):
    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)


@dataclass
class PlanImportResult(ImportResult):
    plan: Plan | None = None


def kind_label(kind: str) -> str:
    return PLAN.kind_label(kind)


def field_label(kind: str, attribute: str) -> str:
    """The name of a compared attribute in the UI language."""
    return PLAN.field_label(kind, attribute)


# --- keys ---------------------------------------------------------------------------------


def measure_ref(code: str, position) -> str:
    """How a measure is named within its field: its code, or ``#<position>`` without one."""
    return code if code else f"#{position}"


def key_of(kind: str, obj) -> tuple:
    """The natural key of a stored row, unique within its plan."""
    if kind == "field":
        return (obj.slug,)
    if kind == "finding":
        return (obj.field.slug, obj.position)
    if kind == "measure":
        return (obj.field.slug, measure_ref(obj.code, obj.position))
    measure_key = key_of("measure", obj.measure)
    if kind == "step":
        parent = obj.parent.position if obj.parent_id else 0
        return (*measure_key, parent, obj.position)
    return (*measure_key, obj.position)


def describe_key(kind: str, key: tuple) -> str:
    """A key as people read it: ``Maßnahme netzwerke/A``, ``Schritt netzwerke/A/2.1``."""
    if kind == "step":
        field_slug, measure, parent, position = key
        number = f"{parent}.{position}" if parent else str(position)
        text = f"{field_slug}/{measure}/{number}"
    else:
        text = "/".join(str(part) for part in key)
    return f"{kind_label(kind)} {text}"


# --- the schema ---------------------------------------------------------------------------


class PlanSchema(changes.Schema):
    """The rows of one plan: fields, findings, measures and their steps, schedule lines,
    responsibilities and budget lines."""

    kinds = KINDS
    models = MODELS
    attributes = ATTRIBUTES
    references = {"field": "field", "measure": "measure", "parent": "step"}
    foreign_keys = frozenset(_FOREIGN_KEYS)
    many = frozenset({"target_groups"})
    slots = {kind: "position" for kind in KINDS}
    unchecked = frozenset({"plan", "dating"})
    shown_by_pk = {
        "lead_organisation": by_pk("contacts.Organisation"),
        "organisation": by_pk("contacts.Organisation"),
        "person": by_pk("contacts.Person"),
        "category": by_pk("actionplan.BudgetCategory"),
        "funding_source": by_pk("actionplan.FundingSource"),
        "programme": by_pk("funding.FundingProgramme"),
        "target_groups": names_by_pk("actionplan.TargetGroup"),
    }
    other_kinds = {
        "plan": Plan._meta.verbose_name,
        "organisation": gettext_lazy("organisation"),
        "person": gettext_lazy("person"),
        "vocabulary": gettext_lazy("vocabulary entry"),
    }
    error = PlanImportError

    def load(self, plan: Plan | None) -> dict[str, list]:
        if plan is None or plan.pk is None:
            return {}
        fields = list(FieldOfAction.objects.filter(plan=plan).select_related("lead_organisation"))
        by_field = {f.pk: f for f in fields}
        findings = list(BaselineFinding.objects.filter(field__plan=plan))
        measures = list(Measure.objects.filter(field__plan=plan).prefetch_related("target_groups"))
        for row in (*findings, *measures):
            row.field = by_field[row.field_id]
        by_measure = {m.pk: m for m in measures}
        steps = list(Step.objects.filter(measure__field__plan=plan).order_by("parent_id", "pk"))
        by_step = {s.pk: s for s in steps}
        for step in steps:
            step.measure = by_measure[step.measure_id]
            if step.parent_id:
                step.parent = by_step[step.parent_id]
        rows = {"field": fields, "finding": findings, "measure": measures, "step": steps}
        for kind, queryset in (
            ("schedule", ScheduleEntry.objects.all()),
            ("responsibility", Responsibility.objects.select_related("organisation", "person")),
            (
                "budget",
                BudgetLine.objects.select_related("category", "funding_source", "programme"),
            ),
        ):
            rows[kind] = list(queryset.filter(measure__field__plan=plan))
            for row in rows[kind]:
                row.measure = by_measure[row.measure_id]
        return rows

    def key_of(self, kind: str, obj) -> tuple:
        return key_of(kind, obj)

    def describe_key(self, kind: str, key: tuple) -> str:
        return describe_key(kind, key)

    def change(self, action: str, kind: str, label: str, diffs=None) -> Change:
        return Change(action, kind, label, diffs or [])

    def duplicate_problem(self, kind: str, row: Incoming, first: Incoming) -> Problem:
        if kind == "measure":
            message = _(
                "The measure code “%(code)s” appears twice in the field “%(field)s” "
                "(also in row %(row)s)."
            ) % {"code": row.key[1], "field": row.key[0], "row": first.where.row}
            return row.where.problem(message, "code")
        return super().duplicate_problem(kind, row, first)

    def missing_message(self, kind: str, key: tuple) -> str:
        if kind == "measure":
            return _("The measure “%(measure)s” in the field “%(field)s” does not exist.") % {
                "measure": key[1],
                "field": key[0],
            }
        if kind == "field":
            return _("The field of action “%(field)s” does not exist.") % {"field": key[0]}
        return super().missing_message(kind, key)

    def prepare(self, change_set, planned: Planned, new: dict) -> bool:
        if planned.kind == "schedule":
            return self._schedule(change_set, planned, planned.stored, new)
        return True

    def before_save(self, kind: str, instance, plan: Plan) -> None:
        if kind == "field":
            instance.plan = plan
        if kind == "schedule":
            # prepare() derived dates and dating already: saving must not take dates that
            # follow a changed label for dates set by hand (ScheduleEntry.apply_dates)
            instance._saved_dates = None

    def _schedule(self, change_set, planned: Planned, stored, new: dict) -> bool:
        """Dates follow the label unless entered by hand (``ScheduleEntry.apply_dates``)."""
        row = planned.incoming
        entry = ScheduleEntry(
            label=new.get("label", ""),
            start_date=new.get("start_date"),
            end_date=new.get("end_date"),
            approximate=bool(new.get("approximate")),
        )
        if stored is not None:
            entry.dating = stored.dating
            entry.start_precision, entry.end_precision = (
                stored.start_precision,
                (stored.end_precision),
            )
            entry._saved_dates = (stored.start_date, stored.end_date)
            entry._saved_label = stored.label
        if stored is None and (entry.start_date or entry.end_date):
            parsed = parse_schedule(entry.label)
            if (parsed.start, parsed.end) == (entry.start_date, entry.end_date):
                # the dates the label gives anyway: recognised, not entered by hand
                entry.start_date = entry.end_date = None
        label_changed = stored is None or stored.label != entry.label
        if label_changed and not (entry.start_date or entry.end_date):
            reason = parse_schedule(entry.label).reason
            if reason in (INVALID_DATE, END_BEFORE_START):
                change_set.problems.append(
                    row.where.problem(
                        _("The schedule “%(label)s” cannot be read: %(reason)s.")
                        % {"label": entry.label, "reason": force_str(reason)},
                        "label",
                    )
                )
                return False
        entry.apply_dates()
        for attribute in ("start_date", "start_precision", "end_date", "end_precision"):
            new[attribute] = getattr(entry, attribute)
        new["approximate"], new["dating"] = entry.approximate, entry.dating
        if entry.start_date and entry.end_date and entry.start_date > entry.end_date:
            change_set.problems.append(
                row.where.problem(force_str(_("The start must not lie after the end.")), "end_date")
            )
            return False
        return True


PLAN = PlanSchema()


class Stored(changes.Stored):
    """The rows of one plan as stored, by kind and natural key, read in a few queries."""

    def __init__(self, plan: Plan | None):
        super().__init__(PLAN, plan)


class ChangeSet(changes.ChangeSet):
    """What applying ``rows`` to ``plan`` would do; built without writing anything."""

    def __init__(self, plan: Plan | None, rows: list[Incoming], *, complete: bool):
        self.plan = plan
        super().__init__(PLAN, plan, rows, complete=complete)


def stored_values(kind: str, row) -> dict:
    """A row's compared attributes, normalised as the database stores them."""
    return changes.stored_values(PLAN, kind, row)


def plan_apply_rows(
    *,
    plan: Plan,
    rows: list[Incoming],
    complete: bool,
    acting_user,
    dry_run: bool,
    reason: str,
    expected_fingerprint: str | None = None,
    progress=None,
) -> PlanImportResult:
    """Compare ``rows`` with ``plan`` and, unless ``dry_run``, write the differences.

    All or nothing: any problem raises ``PlanImportError`` and nothing is written (the
    caller's transaction rolls back). ``expected_fingerprint`` (from ``plan_fingerprint`` at
    preview time) refuses the import when the plan changed since the preview.
    """
    with transaction.atomic():
        if not dry_run:
            plan_lock(plan)
        found = changes.apply_rows(
            PLAN,
            plan,
            rows,
            complete=complete,
            acting_user=acting_user,
            dry_run=dry_run,
            reason=reason,
            expected_fingerprint=expected_fingerprint,
            stale_message=stale_message(),
            progress=progress,
        )
    return PlanImportResult(plan=plan, changes=found, dry_run=dry_run)


def plan_lock(plan: Plan) -> None:
    """Hold ``plan`` until the current transaction ends: imports (and approvals, which import)
    of one plan run one after the other, and each checks "changed since the preview?" only
    once it holds the plan, so a second confirmation made from the same preview waits, then
    finds the plan changed and is refused with nothing written.

    PostgreSQL locks the plan's row (``SELECT … FOR UPDATE``). SQLite has no row locks: an
    ``UPDATE`` that changes nothing takes its database-wide write lock, which does the same.
    """
    if plan.pk is None:
        return
    if connection.vendor == "sqlite":
        Plan.objects.filter(pk=plan.pk).update(version=F("version"))
    else:
        list(Plan.objects.select_for_update().filter(pk=plan.pk).values_list("pk", flat=True))


def plan_fingerprint(plan: Plan) -> str:
    """A digest of the plan's stored rows, taken at preview and checked at import."""
    return Stored(plan).fingerprint()


def stale_message() -> str:
    return _(
        "Since the preview, someone else has changed this plan. Nothing was imported. "
        "Please upload the file again to see a new preview."
    )
