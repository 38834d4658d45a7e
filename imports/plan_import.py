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

import copy
import datetime
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.encoding import force_str
from django.utils.formats import number_format
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
from actionplan.services import _history_user

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
    ),
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
CENT = Decimal("0.01")
PROGRESS_EVERY = 100


def kind_label(kind: str) -> str:
    if kind in MODELS:
        return force_str(MODELS[kind]._meta.verbose_name)
    return force_str(_OTHER_KINDS.get(kind, kind))


_OTHER_KINDS = {
    "plan": Plan._meta.verbose_name,
    "organisation": gettext_lazy("organisation"),
    "person": gettext_lazy("person"),
    "vocabulary": gettext_lazy("vocabulary entry"),
}


def field_label(kind: str, attribute: str) -> str:
    """The name of a compared attribute in the UI language."""
    return force_str(MODELS[kind]._meta.get_field(attribute).verbose_name)


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


# --- problems and results -----------------------------------------------------------------


@dataclass
class Problem:
    """One reason the import cannot go ahead, where it was found (sheet, row, column)."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(_("sheet “%(sheet)s”") % {"sheet": self.sheet})
        if self.row is not None:
            where.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("column “%(column)s”") % {"column": self.column})
        return f"{', '.join(where)}: {self.message}" if where else self.message


class PlanImportError(ValueError):
    """The input cannot be imported; ``problems`` says why, each with its place."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Where:
    sheet: str = ""
    row: int | None = None
    columns: dict = field(default_factory=dict)  # attribute -> column label
    path: str = ""  # in a JSON document

    def problem(self, message: str, attribute: str = "") -> Problem:
        if self.path:
            return Problem(message, column=f"{self.path}.{attribute}" if attribute else self.path)
        return Problem(message, self.sheet, self.row, self.columns.get(attribute, attribute))


@dataclass
class Incoming:
    """One row of the input: its natural key, the values it gives, where it came from.

    References to containers are natural keys: ``field`` a field key, ``measure`` a measure
    key, ``parent`` a step key. Attributes missing from ``values`` stay as stored.
    """

    kind: str
    key: tuple
    values: dict
    pk: int | None = None
    delete: bool = False
    where: Where = field(default_factory=Where)


@dataclass
class Change:
    action: str  # "new", "changed", "deleted"
    kind: str
    label: str
    diffs: list[tuple[str, str, str]] = field(default_factory=list)  # (attribute, old, new)

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)


@dataclass
class PlanImportResult:
    plan: Plan | None
    changes: list[Change]
    dry_run: bool
    notices: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = {"new": 0, "changed": 0, "deleted": 0}
        for change in self.changes:
            counts[change.action] += 1
        return counts

    def summary(self) -> str:
        counts = self.counts
        return _("%(new)d new, %(changed)d changed, %(deleted)d deleted") % counts


# --- the stored plan ----------------------------------------------------------------------


class Stored:
    """The rows of one plan as stored, by kind and natural key, read in a few queries."""

    def __init__(self, plan: Plan | None):
        self.by_key: dict[str, dict[tuple, object]] = {kind: {} for kind in KINDS}
        self.by_pk: dict[str, dict[int, object]] = {kind: {} for kind in KINDS}
        if plan is None or plan.pk is None:
            return
        fields = list(FieldOfAction.objects.filter(plan=plan).select_related("lead_organisation"))
        self._add("field", fields)
        by_field = {f.pk: f for f in fields}
        findings = list(BaselineFinding.objects.filter(field__plan=plan))
        measures = list(Measure.objects.filter(field__plan=plan).prefetch_related("target_groups"))
        for row in (*findings, *measures):
            row.field = by_field[row.field_id]
        self._add("finding", findings)
        self._add("measure", measures)
        by_measure = {m.pk: m for m in measures}
        steps = list(Step.objects.filter(measure__field__plan=plan).order_by("parent_id", "pk"))
        by_step = {s.pk: s for s in steps}
        for step in steps:
            step.measure = by_measure[step.measure_id]
            if step.parent_id:
                step.parent = by_step[step.parent_id]
        self._add("step", steps)
        for kind, queryset in (
            ("schedule", ScheduleEntry.objects.all()),
            ("responsibility", Responsibility.objects.select_related("organisation", "person")),
            ("budget", BudgetLine.objects.select_related("category", "funding_source")),
        ):
            rows = list(queryset.filter(measure__field__plan=plan))
            for row in rows:
                row.measure = by_measure[row.measure_id]
            self._add(kind, rows)

    def _add(self, kind: str, rows: Iterable) -> None:
        for row in rows:
            self.by_key[kind][key_of(kind, row)] = row
            self.by_pk[kind][row.pk] = row

    def fingerprint(self) -> str:
        """A digest of every stored value: equal before and after means nothing changed."""
        digest = hashlib.sha256()
        for kind in KINDS:
            for key in sorted(self.by_key[kind], key=repr):
                row = self.by_key[kind][key]
                digest.update(repr((kind, row.pk, key, stored_values(kind, row))).encode())
        return digest.hexdigest()


def stored_values(kind: str, row) -> dict:
    """A row's compared attributes, normalised as the database stores them."""
    values = {}
    for attribute in ATTRIBUTES[kind]:
        if attribute == "target_groups":
            values[attribute] = (
                frozenset(g.pk for g in row.target_groups.all()) if row.pk else (frozenset())
            )
        elif attribute in REFERENCES:
            values[attribute] = getattr(row, f"{attribute}_id")
        else:
            values[attribute] = normalise(getattr(row, attribute))
    return values


def normalise(value):
    """Compare values as stored: amounts to the cent, dates as dates, no ``None`` for text."""
    if isinstance(value, Decimal):
        return value.quantize(CENT)
    if isinstance(value, datetime.datetime):
        return value.date()
    if hasattr(value, "_meta"):  # a related object compares by primary key
        return value.pk
    return value


def display(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal):
        return number_format(value, decimal_pos=2, force_grouping=True)
    if isinstance(value, frozenset | set | list | tuple):
        return ", ".join(sorted(force_str(v) for v in value)) or "–"
    return force_str(value)


# --- diff -----------------------------------------------------------------------------------


@dataclass
class _Planned:
    kind: str
    action: str  # "new", "changed", "deleted", "same"
    incoming: Incoming | None
    stored: object | None
    values: dict  # attribute -> new value (references as natural keys)
    change: Change | None = None


class ChangeSet:
    """What applying ``rows`` to ``plan`` would do; built without writing anything.

    ``complete``: the input is the whole plan (a JSON document), so stored rows it does not
    mention are deleted. Otherwise (a workbook) rows are deleted only where the input says so.
    """

    def __init__(self, plan: Plan | None, rows: list[Incoming], *, complete: bool):
        self.plan = plan
        self.complete = complete
        self.stored = Stored(plan)
        self.problems: list[Problem] = []
        self.planned: dict[str, list[_Planned]] = {kind: [] for kind in KINDS}
        self.deleted: dict[str, set[tuple]] = {kind: set() for kind in KINDS}
        self._shown_cache: dict[tuple, object] = {}
        # natural key (as in the input) -> planned row, per kind
        self.target: dict[str, dict[tuple, _Planned]] = {kind: {} for kind in KINDS}
        by_kind = defaultdict(list)
        for row in rows:
            by_kind[row.kind].append(row)
        for kind in KINDS:
            self._match(kind, by_kind[kind])
        if complete:
            self._delete_unmentioned()
        for kind in KINDS:
            for planned in self.planned[kind]:
                self._compare(planned)

    # matching rows to stored rows

    def _match(self, kind: str, rows: list[Incoming]) -> None:
        stored_by_key, stored_by_pk = self.stored.by_key[kind], self.stored.by_pk[kind]
        matched_pks: dict[int, Incoming] = {}
        for row in rows:
            if row.pk is not None:
                stored = stored_by_pk.get(row.pk)
                if stored is None:
                    self.problems.append(
                        row.where.problem(
                            _("There is no %(kind)s with the ID %(id)s in this plan.")
                            % {"kind": kind_label(kind), "id": row.pk},
                            "id",
                        )
                    )
                    continue
            else:
                stored = stored_by_key.get(row.key)
            if stored is not None and stored.pk in matched_pks:
                self.problems.append(self._duplicate(kind, row, matched_pks[stored.pk]))
                continue
            if row.key in self.target[kind] and not row.delete:
                first = self.target[kind][row.key].incoming
                self.problems.append(self._duplicate(kind, row, first))
                continue
            if stored is not None:
                matched_pks[stored.pk] = row
            if row.delete:
                if stored is None:
                    self.problems.append(
                        row.where.problem(
                            _("%(what)s is marked for deletion but does not exist.")
                            % {"what": describe_key(kind, row.key)},
                            "delete",
                        )
                    )
                    continue
                planned = _Planned(kind, "deleted", row, stored, {})
                self.deleted[kind].update({row.key, key_of(kind, stored)})
            else:
                planned = _Planned(kind, "changed" if stored else "new", row, stored, {})
                self.target[kind][row.key] = planned
            self.planned[kind].append(planned)
        # stored rows the input leaves alone stay reachable by their key
        for key, stored in stored_by_key.items():
            if stored.pk not in matched_pks and key not in self.target[kind]:
                self.target[kind][key] = _Planned(kind, "same", None, stored, {})

    def _duplicate(self, kind: str, row: Incoming, first: Incoming) -> Problem:
        if kind == "measure":
            message = _(
                "The measure code “%(code)s” appears twice in the field “%(field)s” "
                "(also in row %(row)s)."
            ) % {"code": row.key[1], "field": row.key[0], "row": first.where.row}
            return row.where.problem(message, "code")
        return row.where.problem(
            _("%(what)s appears more than once (also in row %(row)s).")
            % {"what": describe_key(kind, row.key), "row": first.where.row}
        )

    def _delete_unmentioned(self) -> None:
        for kind in KINDS:
            for key, planned in list(self.target[kind].items()):
                if planned.action == "same":
                    planned.action = "deleted"
                    del self.target[kind][key]
                    self.planned[kind].append(planned)

    # comparing values

    def _resolve(self, kind: str, key: tuple, row: Incoming, attribute: str):
        """The planned container row a reference names; a problem if there is none."""
        planned = self.target[kind].get(key)
        if planned is None or planned.action == "deleted":
            if kind == "measure":
                message = _(
                    "The measure “%(measure)s” in the field “%(field)s” does not exist."
                ) % {
                    "measure": key[1],
                    "field": key[0],
                }
            elif kind == "field":
                message = _("The field of action “%(field)s” does not exist.") % {"field": key[0]}
            else:
                message = _("%(what)s does not exist.") % {"what": describe_key(kind, key)}
            self.problems.append(row.where.problem(message, attribute))
            return None
        return planned

    def _compare(self, planned: _Planned) -> None:
        kind, row, stored = planned.kind, planned.incoming, planned.stored
        if planned.action == "deleted":
            planned.change = Change("deleted", kind, describe_key(kind, key_of(kind, stored)))
            return
        old = stored_values(kind, stored) if stored is not None else {}
        new = dict(old)
        for attribute, value in row.values.items():
            new[attribute] = normalise(value)
        # references: compare the stored container's primary key (or "new")
        refs = {}
        for attribute in REFERENCES & set(ATTRIBUTES[kind]):
            if attribute not in row.values:
                continue
            ref_kind = "step" if attribute == "parent" else attribute
            if row.values[attribute] is None:
                new[attribute] = None
                continue
            key = row.values[attribute]
            if key in self.deleted[ref_kind] and stored is not None:
                planned.action = "same"  # goes with its deleted container
                return
            target = self._resolve(ref_kind, key, row, attribute)
            if target is None:
                return
            refs[attribute] = target
            new[attribute] = target.stored.pk if target.stored is not None else ("new", target)
        if kind == "schedule" and not self._schedule(planned, stored, new):
            return
        planned.values = {**new, **{f"{a}__planned": t for a, t in refs.items()}}
        if (stored is None or old != new) and not self._valid(kind, stored, new, row):
            return
        if stored is None:
            diffs = [
                (field_label(kind, a), "", display(self._shown(a, v)))
                for a, v in new.items()
                if a not in REFERENCES and v not in (None, "", frozenset(), False)
            ]
            planned.change = Change("new", kind, describe_key(kind, row.key), diffs)
            return
        diffs = [
            (field_label(kind, a), display(self._shown(a, old[a])), display(self._shown(a, new[a])))
            for a in ATTRIBUTES[kind]
            if old.get(a) != new.get(a)
        ]
        if diffs:
            planned.change = Change(
                "changed", kind, describe_key(kind, key_of(kind, stored)), diffs
            )
        else:
            planned.action = "same"

    def _valid(self, kind: str, stored, new: dict, row: Incoming) -> bool:
        """Field checks of the model (lengths, choices, blanks) before anything is written."""
        probe = copy.copy(stored) if stored is not None else MODELS[kind]()
        skip = {"plan", "target_groups", "dating", *REFERENCES, *_FOREIGN_KEYS}
        for attribute, value in new.items():
            if attribute in ATTRIBUTES[kind] and attribute not in skip:
                setattr(probe, attribute, value)
        try:
            probe.clean_fields(exclude=[f.name for f in probe._meta.fields if f.name in skip])
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    self.problems.append(row.where.problem(message, name))
            return False
        return True

    def _shown(self, attribute: str, value):
        if isinstance(value, tuple) and value and value[0] == "new":
            return describe_key(value[1].kind, value[1].incoming.key)
        if attribute in _SHOWN_BY_PK and value is not None:
            cache_key = (attribute, value)
            if cache_key not in self._shown_cache:
                self._shown_cache[cache_key] = _SHOWN_BY_PK[attribute](value)
            return self._shown_cache[cache_key]
        return value

    def _schedule(self, planned: _Planned, stored, new: dict) -> bool:
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
        if stored is None and (entry.start_date or entry.end_date):
            parsed = parse_schedule(entry.label)
            if (parsed.start, parsed.end) == (entry.start_date, entry.end_date):
                # the dates the label gives anyway: recognised, not entered by hand
                entry.start_date = entry.end_date = None
        label_changed = stored is None or stored.label != entry.label
        if label_changed and not (entry.start_date or entry.end_date):
            reason = parse_schedule(entry.label).reason
            if reason in (INVALID_DATE, END_BEFORE_START):
                self.problems.append(
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
            self.problems.append(
                row.where.problem(force_str(_("The start must not lie after the end.")), "end_date")
            )
            return False
        return True

    # the result

    @property
    def changes(self) -> list[Change]:
        return [
            p.change
            for kind in KINDS
            for p in self.planned[kind]
            if p.change is not None and p.action != "same"
        ]


def _person(pk):
    from contacts.models import Person

    return Person.objects.filter(pk=pk).first() or pk


def _by_pk(model_path: str):
    def show(pk):
        from django.apps import apps

        return apps.get_model(model_path).objects.filter(pk=pk).first() or pk

    return show


_SHOWN_BY_PK = {
    "lead_organisation": _by_pk("contacts.Organisation"),
    "organisation": _by_pk("contacts.Organisation"),
    "person": _person,
    "category": _by_pk("actionplan.BudgetCategory"),
    "funding_source": _by_pk("actionplan.FundingSource"),
}


def _target_group_names(pks) -> list[str]:
    from actionplan.models import TargetGroup

    return list(TargetGroup.objects.filter(pk__in=pks).values_list("name", flat=True))


_SHOWN_BY_PK["target_groups"] = _target_group_names


# --- apply ----------------------------------------------------------------------------------


def _clean_and_save(instance, planned: _Planned, problems: list[Problem]) -> bool:
    try:
        instance.full_clean()
    except ValidationError as exc:
        where = planned.incoming.where if planned.incoming else Where()
        if hasattr(exc, "error_dict"):
            for name, messages in exc.message_dict.items():
                for message in messages:
                    problems.append(where.problem(message, "" if name == "__all__" else name))
        else:
            problems.extend(where.problem(m) for m in exc.messages)
        return False
    instance.save()
    return True


def _apply(change_set: ChangeSet, plan: Plan, *, reason: str, progress=None) -> None:
    """Write the planned changes; raise ``PlanImportError`` on the first invalid row."""
    problems: list[Problem] = []
    written: dict[int, object] = {}  # id(_Planned) -> saved instance

    def instance_of(target: _Planned):
        return target.stored if target.stored is not None else written[id(target)]

    for kind in KINDS:
        model = MODELS[kind]
        # top-level steps before their sub-steps
        ordered = sorted(
            change_set.planned[kind],
            key=lambda p: bool(p.values.get("parent")) if kind == "step" else 0,
        )
        for planned in ordered:
            if planned.action not in ("new", "changed"):
                continue
            instance = planned.stored if planned.stored is not None else model()
            if kind == "field":
                instance.plan = plan
            groups = None
            for attribute in ATTRIBUTES[kind]:
                if attribute not in planned.values:
                    continue
                value = planned.values[attribute]
                if attribute == "target_groups":
                    groups = value
                elif attribute in REFERENCES:
                    target = planned.values.get(f"{attribute}__planned")
                    setattr(instance, attribute, instance_of(target) if target else None)
                elif attribute in _FOREIGN_KEYS:
                    setattr(instance, f"{attribute}_id", value)
                elif attribute not in ("dating",):
                    setattr(instance, attribute, value)
            if kind == "schedule":
                instance.dating = planned.values["dating"]
            instance._change_reason = reason
            if not _clean_and_save(instance, planned, problems):
                raise PlanImportError(problems)
            if groups is not None and (
                planned.stored is None
                or frozenset(g.pk for g in planned.stored.target_groups.all()) != groups
            ):
                instance.target_groups.set(groups)
            written[id(planned)] = instance
            if progress is not None and len(written) % PROGRESS_EVERY == 0:
                progress(len(written))
    for kind in reversed(KINDS):
        for planned in change_set.planned[kind]:
            if planned.action != "deleted":
                continue
            # a container deleted before may have taken this row with it
            if type(planned.stored).objects.filter(pk=planned.stored.pk).exists():
                planned.stored._change_reason = reason
                planned.stored.delete()


_FOREIGN_KEYS = {"lead_organisation", "organisation", "person", "category", "funding_source"}


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
    change_set = ChangeSet(plan, rows, complete=complete)
    if change_set.problems:
        raise PlanImportError(change_set.problems)
    if expected_fingerprint is not None and (
        change_set.stored.fingerprint() != expected_fingerprint
    ):
        raise PlanImportError([Problem(stale_message())])
    result = PlanImportResult(plan=plan, changes=change_set.changes, dry_run=dry_run)
    if not dry_run and result.changes:
        with transaction.atomic(), _history_user(acting_user):
            try:
                _apply(change_set, plan, reason=reason, progress=progress)
            except IntegrityError as exc:
                raise PlanImportError(
                    [
                        Problem(
                            _(
                                "The rows contradict each other (two rows claim the same "
                                "position or key). Nothing was imported."
                            )
                        )
                    ]
                ) from exc
    return result


def plan_fingerprint(plan: Plan) -> str:
    """A digest of the plan's stored rows, taken at preview and checked at import."""
    return Stored(plan).fingerprint()


def stale_message() -> str:
    return _(
        "Since the preview, someone else has changed this plan. Nothing was imported. "
        "Please upload the file again to see a new preview."
    )
