"""The one importer's core: compare incoming rows with the stored ones, then write the changes.

A ``Schema`` says what is imported: the kinds of rows in the order they are written
(containers first), the model of each kind, the attributes compared, how a stored row is named
(its natural key) and which attributes name other rows. An adapter (the plan document, the
plan workbook, the campaign document) turns its input into ``Incoming`` rows; ``ChangeSet``
matches them with the stored rows (by ID or natural key), validates them and lists the changes
(new, changed old → new, deleted); ``apply_rows`` writes exactly those changes in one
transaction, all or nothing. An unchanged row is never saved, so a round trip writes no
history rows.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.utils.encoding import force_str
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from actionplan.ordering import park
from actionplan.services import _history_user
from translations.documents import apply_marks, compare_marks

CENT = Decimal("0.01")
PROGRESS_EVERY = 100


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


class ImportRefused(ValueError):
    """The input cannot be imported; ``problems`` says why, each with its place."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Where:
    """Where a row came from: a sheet row, or a path in a JSON document.

    ``columns`` names an attribute as the input does: a column label, or (with ``path``) the
    document key that holds it (``budget_amount`` → ``budget.amount``).
    """

    sheet: str = ""
    row: int | None = None
    columns: dict = field(default_factory=dict)  # attribute -> column label / document key
    path: str = ""  # in a JSON document

    def problem(self, message: str, attribute: str = "") -> Problem:
        if self.path:
            if not attribute:
                return Problem(message, column=self.path)
            return Problem(message, column=f"{self.path}.{self.columns.get(attribute, attribute)}")
        return Problem(message, self.sheet, self.row, self.columns.get(attribute, attribute))


@dataclass
class Incoming:
    """One row of the input: its natural key, the values it gives, where it came from.

    References to other rows (a schema's ``references``) are natural keys. Attributes missing
    from ``values`` stay as stored.
    """

    kind: str
    key: tuple
    values: dict
    pk: int | None = None
    delete: bool = False
    where: Where = field(default_factory=Where)
    #: A row known to be new (a pending change's added step): never matched to a stored row by
    #: its key, which may be a stored row's old place (a new step moved to the top).
    new: bool = False
    #: The marks of the English texts the input gives (``translations.documents``):
    #: field -> (possibly outdated, machine-translated); fields left out keep theirs.
    marks: dict = field(default_factory=dict)


@dataclass
class Change:
    action: str  # "new", "changed", "deleted"
    kind: str
    label: str
    diffs: list[tuple[str, str, str]] = field(default_factory=list)  # (attribute, old, new)
    kind_name: str = ""  # the kind in the UI language

    @property
    def kind_label(self) -> str:
        return self.kind_name or self.kind


@dataclass
class ImportResult:
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


SIGNS = {"new": "+", "changed": "~", "deleted": "-"}


def report_lines(changes: Iterable[Change]) -> Iterable[str]:
    """The changes as a command prints them: ``+ new``, ``~ changed`` with old → new, ``- gone``."""
    for change in changes:
        yield f"{SIGNS[change.action]} {change.label}"
        for attribute, old, new in change.diffs if change.action == "changed" else ():
            yield f"    {attribute}: {old} → {new}"


# --- values --------------------------------------------------------------------------------


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


def by_pk(model_path: str):
    """Shows a primary key as the object it names (for the list of changes)."""

    def show(pk):
        from django.apps import apps

        return apps.get_model(model_path).objects.filter(pk=pk).first() or pk

    return show


def names_by_pk(model_path: str):
    """Shows a set of primary keys as the names of the objects (many-to-many attributes)."""

    def show(pks):
        from django.apps import apps

        return [str(obj) for obj in apps.get_model(model_path).objects.filter(pk__in=pks)]

    return show


# --- the schema ------------------------------------------------------------------------------


def with_english(models: dict[str, type], attributes: dict[str, tuple[str, ...]]) -> dict:
    """``attributes`` with the English version of each translated one after it
    (``translations.registry``): an English-only change is a change like any other."""
    from translations import registry

    return {
        kind: tuple(
            name
            for attribute in names
            for name in (
                (attribute, registry.english(attribute))
                if registry.is_translated(models[kind], attribute)
                else (attribute,)
            )
        )
        for kind, names in attributes.items()
    }


class Schema:
    """What one kind of import compares and writes; subclasses fill in the parts."""

    kinds: tuple[str, ...] = ()  # in write order, containers first
    models: dict[str, type] = {}
    attributes: dict[str, tuple[str, ...]] = {}  # compared, container first
    references: dict[str, str] = {}  # attribute -> the kind whose natural key it holds
    foreign_keys: frozenset[str] = frozenset()  # attributes given as primary keys
    many: frozenset[str] = frozenset()  # many-to-many attributes, frozensets of primary keys
    slots: dict[str, str] = {}  # kind -> attribute unique within its container ("position")
    unchecked: frozenset[str] = frozenset()  # derived attributes the field checks leave out
    shown_by_pk: dict = {}  # attribute -> callable showing a stored value in the list
    other_kinds: dict = {}  # labels of kinds reported outside the rows (contacts, vocabulary)
    error: type[ImportRefused] = ImportRefused

    def load(self, scope) -> dict[str, list]:
        """The stored rows in scope by kind, with references to their containers joined."""
        raise NotImplementedError

    def key_of(self, kind: str, obj) -> tuple:
        raise NotImplementedError

    def describe_key(self, kind: str, key: tuple) -> str:
        return f"{self.kind_label(kind)} {'/'.join(str(part) for part in key)}"

    def kind_label(self, kind: str) -> str:
        if kind in self.models:
            return force_str(self.models[kind]._meta.verbose_name)
        return force_str(self.other_kinds.get(kind, kind))

    def field_label(self, kind: str, attribute: str) -> str:
        """The name of a compared attribute in the UI language."""
        return force_str(self.models[kind]._meta.get_field(attribute).verbose_name)

    def choice_label(self, kind: str, attribute: str, value):
        """A stored code as its label in the UI language ("in_progress" → "in Umsetzung")."""
        try:
            field = self.models[kind]._meta.get_field(attribute)
        except (KeyError, FieldDoesNotExist):
            return value
        if field.choices and isinstance(value, str):
            return force_str(dict(field.flatchoices).get(value, value))
        return value

    def duplicate_problem(self, kind: str, row: Incoming, first: Incoming) -> Problem:
        return row.where.problem(
            _("%(what)s appears more than once (also in row %(row)s).")
            % {"what": self.describe_key(kind, row.key), "row": first.where.row}
        )

    def missing_message(self, kind: str, key: tuple) -> str:
        return _("%(what)s does not exist.") % {"what": self.describe_key(kind, key)}

    def prepare(self, change_set: ChangeSet, planned: Planned, new: dict) -> bool:
        """Derive stored values from the given ones (dates from labels); False on a problem."""
        return True

    def before_save(self, kind: str, instance, scope) -> None:
        """Set what the rows do not carry (the plan of a field)."""

    def change(self, action: str, kind: str, label: str, diffs=None) -> Change:
        return Change(action, kind, label, diffs or [], kind_name=self.kind_label(kind))


# --- the stored rows -------------------------------------------------------------------------


class Stored:
    """The rows in scope as stored, by kind and natural key, read in a few queries."""

    def __init__(self, schema: Schema, scope):
        self.schema = schema
        self.by_key: dict[str, dict[tuple, object]] = {kind: {} for kind in schema.kinds}
        self.by_pk: dict[str, dict[int, object]] = {kind: {} for kind in schema.kinds}
        for kind, rows in schema.load(scope).items():
            for row in rows:
                self.by_key[kind][schema.key_of(kind, row)] = row
                self.by_pk[kind][row.pk] = row

    def fingerprint(self) -> str:
        """A digest of every stored value: equal before and after means nothing changed."""
        digest = hashlib.sha256()
        for kind in self.schema.kinds:
            for key in sorted(self.by_key[kind], key=repr):
                row = self.by_key[kind][key]
                values = stored_values(self.schema, kind, row)
                digest.update(repr((kind, row.pk, key, values)).encode())
        return digest.hexdigest()


def stored_values(schema: Schema, kind: str, row) -> dict:
    """A row's compared attributes, normalised as the database stores them."""
    values = {}
    for attribute in schema.attributes[kind]:
        if attribute in schema.many:
            values[attribute] = (
                frozenset(obj.pk for obj in getattr(row, attribute).all())
                if row.pk
                else frozenset()
            )
        elif attribute in schema.references:
            values[attribute] = getattr(row, f"{attribute}_id")
        else:
            values[attribute] = normalise(getattr(row, attribute))
    return values


# --- diff ------------------------------------------------------------------------------------


@dataclass
class Planned:
    kind: str
    action: str  # "new", "changed", "deleted", "same"
    incoming: Incoming | None
    stored: object | None
    values: dict  # attribute -> new value (references as natural keys)
    change: Change | None = None
    marks: dict = field(default_factory=dict)  # English texts' marks to set (translations)


class ChangeSet:
    """What applying ``rows`` to the stored rows in ``scope`` would do; writes nothing.

    ``complete``: the input is the whole of what is in scope (a JSON document), so stored
    rows it does not mention are deleted. Otherwise (a workbook) rows are deleted only where
    the input says so.
    """

    def __init__(self, schema: Schema, scope, rows: list[Incoming], *, complete: bool):
        self.schema = schema
        self.scope = scope
        self.complete = complete
        self.stored = Stored(schema, scope)
        self.problems: list[Problem] = []
        kinds = schema.kinds
        self.planned: dict[str, list[Planned]] = {kind: [] for kind in kinds}
        self.deleted: dict[str, set[tuple]] = {kind: set() for kind in kinds}
        self._shown_cache: dict[tuple, object] = {}
        # natural key (as in the input) -> planned row, per kind
        self.target: dict[str, dict[tuple, Planned]] = {kind: {} for kind in kinds}
        by_kind = defaultdict(list)
        for row in rows:
            by_kind[row.kind].append(row)
        for kind in kinds:
            self._match(kind, by_kind[kind])
        if complete:
            self._delete_unmentioned()
        for kind in kinds:
            for planned in self.planned[kind]:
                self._compare(planned)

    # matching rows to stored rows

    def _match(self, kind: str, rows: list[Incoming]) -> None:
        schema = self.schema
        stored_by_key, stored_by_pk = self.stored.by_key[kind], self.stored.by_pk[kind]
        matched_pks: dict[int, Incoming] = {}
        for row in rows:
            if row.pk is not None:
                stored = stored_by_pk.get(row.pk)
                if stored is None:
                    self.problems.append(
                        row.where.problem(
                            _("There is no %(kind)s with the ID %(id)s in this plan.")
                            % {"kind": schema.kind_label(kind), "id": row.pk},
                            "id",
                        )
                    )
                    continue
            else:
                stored = None if row.new else stored_by_key.get(row.key)
            if stored is not None and stored.pk in matched_pks:
                self.problems.append(schema.duplicate_problem(kind, row, matched_pks[stored.pk]))
                continue
            if row.key in self.target[kind] and not row.delete:
                first = self.target[kind][row.key].incoming
                self.problems.append(schema.duplicate_problem(kind, row, first))
                continue
            if stored is not None:
                matched_pks[stored.pk] = row
            if row.delete:
                if stored is None:
                    self.problems.append(
                        row.where.problem(
                            _("%(what)s is marked for deletion but does not exist.")
                            % {"what": schema.describe_key(kind, row.key)},
                            "delete",
                        )
                    )
                    continue
                planned = Planned(kind, "deleted", row, stored, {})
                self.deleted[kind].update({row.key, schema.key_of(kind, stored)})
            else:
                planned = Planned(kind, "changed" if stored else "new", row, stored, {})
                self.target[kind][row.key] = planned
            self.planned[kind].append(planned)
        # stored rows the input leaves alone stay reachable by their key
        for key, stored in stored_by_key.items():
            if stored.pk not in matched_pks and key not in self.target[kind]:
                self.target[kind][key] = Planned(kind, "same", None, stored, {})

    def _delete_unmentioned(self) -> None:
        for kind in self.schema.kinds:
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
            message = self.schema.missing_message(kind, key)
            self.problems.append(row.where.problem(message, attribute))
            return None
        return planned

    def _compare(self, planned: Planned) -> None:
        schema = self.schema
        kind, row, stored = planned.kind, planned.incoming, planned.stored
        if planned.action == "deleted":
            label = schema.describe_key(kind, schema.key_of(kind, stored))
            planned.change = schema.change("deleted", kind, label)
            return
        attributes = schema.attributes[kind]
        old = stored_values(schema, kind, stored) if stored is not None else {}
        new = dict(old)
        for attribute, value in row.values.items():
            new[attribute] = normalise(value)
        # references: compare the stored container's primary key (or "new")
        refs = {}
        for attribute in attributes:
            ref_kind = schema.references.get(attribute)
            if ref_kind is None or attribute not in row.values:
                continue
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
        if not schema.prepare(self, planned, new):
            return
        planned.values = {**new, **{f"{a}__planned": t for a, t in refs.items()}}
        if (stored is None or old != new) and not self._valid(kind, stored, new, row):
            return
        planned.marks, mark_diffs = (
            compare_marks(schema.models[kind], stored, row.marks, old, new)
            if row.marks
            else ({}, [])
        )
        if stored is None:
            diffs = [
                (schema.field_label(kind, a), "", display(self._shown(kind, a, v)))
                for a, v in new.items()
                if a not in schema.references and v not in (None, "", frozenset(), False)
            ] + mark_diffs
            label = schema.describe_key(kind, row.key)
            planned.change = schema.change("new", kind, label, diffs)
            return
        diffs = [
            (
                schema.field_label(kind, a),
                display(self._shown(kind, a, old[a])),
                display(self._shown(kind, a, new[a])),
            )
            for a in attributes
            if old.get(a) != new.get(a)
        ] + mark_diffs
        if diffs:
            label = schema.describe_key(kind, schema.key_of(kind, stored))
            planned.change = schema.change("changed", kind, label, diffs)
        else:
            planned.action = "same"

    def _valid(self, kind: str, stored, new: dict, row: Incoming) -> bool:
        """Field checks of the model (lengths, choices, blanks) before anything is written."""
        schema = self.schema
        probe = copy.copy(stored) if stored is not None else schema.models[kind]()
        skip = {*schema.many, *schema.unchecked, *schema.references, *schema.foreign_keys}
        for attribute, value in new.items():
            if attribute in schema.attributes[kind] and attribute not in skip:
                setattr(probe, attribute, value)
        try:
            probe.clean_fields(exclude=[f.name for f in probe._meta.fields if f.name in skip])
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    self.problems.append(row.where.problem(message, name))
            return False
        return True

    def _shown(self, kind: str, attribute: str, value):
        if isinstance(value, tuple) and value and value[0] == "new":
            return self.schema.describe_key(value[1].kind, value[1].incoming.key)
        show = self.schema.shown_by_pk.get(attribute)
        if show is not None and value is not None:
            cache_key = (attribute, value)
            if cache_key not in self._shown_cache:
                self._shown_cache[cache_key] = show(value)
            return self._shown_cache[cache_key]
        return self.schema.choice_label(kind, attribute, value)

    # the result

    @property
    def changes(self) -> list[Change]:
        return [
            p.change
            for kind in self.schema.kinds
            for p in self.planned[kind]
            if p.change is not None and p.action != "same"
        ]


# --- apply ----------------------------------------------------------------------------------


def _clean_and_save(instance, planned: Planned, problems: list[Problem]) -> bool:
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


def _delete(change_set: ChangeSet, reason: str) -> None:
    """Deleted rows go first, so that new and moved rows may take their places."""
    for kind in reversed(change_set.schema.kinds):
        for planned in change_set.planned[kind]:
            if planned.action != "deleted":
                continue
            # a container deleted before may have taken this row with it
            if type(planned.stored).objects.filter(pk=planned.stored.pk).exists():
                planned.stored._change_reason = reason
                planned.stored.delete()


def _park(change_set: ChangeSet) -> None:
    """Move rows whose slot (position) changes to free slots, so that two may swap
    (``actionplan.ordering.park``: no history row; the row's one history row is written when
    it is saved in its final slot)."""
    for kind, slot in change_set.schema.slots.items():
        moving = [
            p.stored.pk
            for p in change_set.planned[kind]
            if p.action == "changed" and getattr(p.stored, slot) != p.values.get(slot)
        ]
        park(change_set.schema.models[kind], moving, slot=slot)


def apply_changes(change_set: ChangeSet, *, reason: str, progress=None) -> None:
    """Write the planned changes; raise the schema's error on the first invalid row."""
    schema = change_set.schema
    problems: list[Problem] = []
    written: dict[int, object] = {}  # id(Planned) -> saved instance

    def instance_of(target: Planned):
        return target.stored if target.stored is not None else written[id(target)]

    _delete(change_set, reason)
    _park(change_set)
    for kind in schema.kinds:
        model = schema.models[kind]
        attributes = schema.attributes[kind]
        # rows naming a row of their own kind (a sub-step its step) after that row
        own = [a for a in attributes if schema.references.get(a) == kind]
        ordered = sorted(
            change_set.planned[kind],
            key=lambda p: any(p.values.get(a) for a in own),
        )
        for planned in ordered:
            if planned.action not in ("new", "changed"):
                continue
            instance = planned.stored if planned.stored is not None else model()
            schema.before_save(kind, instance, change_set.scope)
            many = {}
            for attribute in attributes:
                if attribute not in planned.values:
                    continue
                value = planned.values[attribute]
                if attribute in schema.many:
                    many[attribute] = value
                elif attribute in schema.references:
                    target = planned.values.get(f"{attribute}__planned")
                    setattr(instance, attribute, instance_of(target) if target else None)
                elif attribute in schema.foreign_keys:
                    setattr(instance, f"{attribute}_id", value)
                else:
                    setattr(instance, attribute, value)
            apply_marks(instance, planned.marks)
            instance._change_reason = reason
            if not _clean_and_save(instance, planned, problems):
                raise schema.error(problems)
            for attribute, value in many.items():
                if planned.stored is None or (
                    frozenset(o.pk for o in getattr(planned.stored, attribute).all()) != value
                ):
                    getattr(instance, attribute).set(value)
            written[id(planned)] = instance
            if progress is not None and len(written) % PROGRESS_EVERY == 0:
                progress(len(written))


def apply_rows(
    schema: Schema,
    scope,
    rows: list[Incoming],
    *,
    complete: bool,
    acting_user,
    dry_run: bool,
    reason: str,
    expected_fingerprint: str | None = None,
    stale_message: str = "",
    progress=None,
) -> list[Change]:
    """Compare ``rows`` with the stored rows and, unless ``dry_run``, write the differences.

    All or nothing: any problem raises the schema's error and nothing is written (the
    caller's transaction rolls back). ``expected_fingerprint`` (from ``Stored.fingerprint``
    at preview time) refuses the import when the stored rows changed since the preview.
    """
    change_set = ChangeSet(schema, scope, rows, complete=complete)
    if change_set.problems:
        raise schema.error(change_set.problems)
    if expected_fingerprint is not None and (
        change_set.stored.fingerprint() != expected_fingerprint
    ):
        raise schema.error([Problem(stale_message)])
    changes = change_set.changes
    if not dry_run and changes:
        with transaction.atomic(), _history_user(acting_user):
            try:
                apply_changes(change_set, reason=reason, progress=progress)
            except IntegrityError as exc:
                raise schema.error(
                    [
                        Problem(
                            _(
                                "The rows contradict each other (two rows claim the same "
                                "position or key). Nothing was imported."
                            )
                        )
                    ]
                ) from exc
    return changes
