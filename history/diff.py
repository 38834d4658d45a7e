"""A readable comparison of two versions of an object: its fields, many-to-many values and
inline rows, with labels as the admin shows them and word-level changes in longer texts."""

import datetime
import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef
from django.template.defaultfilters import yesno
from django.utils import formats
from django.utils.translation import gettext as _
from simple_history.utils import get_m2m_reverse_field_name

from access import rules
from config.numbers import format_number

from . import selectors
from .registry import NOT_COMPARED

EMPTY = "—"
# Texts longer than this (or with several lines) are compared word by word.
WORD_DIFF_MIN_LENGTH = 40
_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass
class FieldChange:
    label: str
    old: str
    new: str
    # (operation, text) pieces: "equal", "delete" or "insert"; None for short values
    words: list[tuple[str, str]] | None = None


@dataclass
class RowChange:
    label: str
    changes: list[FieldChange] = field(default_factory=list)  # changed rows
    values: list[tuple[str, str]] = field(default_factory=list)  # added and removed rows


@dataclass
class ChildDiff:
    title: str
    added: list[RowChange] = field(default_factory=list)
    removed: list[RowChange] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass
class VersionDiff:
    old: object  # history rows, old before new
    new: object
    fields: list[FieldChange] = field(default_factory=list)
    children: list[ChildDiff] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.fields) or any(c.has_changes for c in self.children)


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The pieces of ``old`` → ``new``, word by word (whitespace kept)."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    pieces: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("equal", "".join(a[i1:i2])))
        if op in ("delete", "replace"):
            pieces.append(("delete", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(("insert", "".join(b[j1:j2])))
    return pieces


def compared_fields(model, *, skip: str | None = None) -> list:
    """The tracked fields shown in a comparison, in model order."""
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in NOT_COMPARED and f.name != skip and not f.primary_key
    ]


class Labels:
    """Display names of referenced rows, looked up in one query per model, as ``user`` may
    read them: a row the access rules hide from them (a draft measure of another plan linked
    as related) is named by its number only, never by its title. Without a user, as an
    anonymous visitor sees them."""

    def __init__(self, user=None):
        self.user = user if user is not None else AnonymousUser()
        self.wanted: dict[type, set] = defaultdict(set)
        self.found: dict[type, dict] = {}
        self.hidden: dict[type, set] = defaultdict(set)

    def want(self, model_field, value) -> None:
        if model_field.many_to_one and value is not None:
            self.wanted[model_field.related_model].add(value)

    def want_many(self, model, ids) -> None:
        self.wanted[model].update(ids)

    def resolve(self) -> None:
        for model, ids in self.wanted.items():
            ids = ids - self.found.get(model, {}).keys()
            if ids:
                qs = model._base_manager.filter(pk__in=ids)
                related = [f.name for f in model._meta.concrete_fields if f.many_to_one]
                # their own labels may name a related row (“role: organisation”)
                qs = qs.select_related(*related) if related else qs
                own = model._base_manager.filter(pk=OuterRef("pk"))
                qs = qs.annotate(planwerk_seen=Exists(rules.choosable(self.user, own)))
                found = self.found.setdefault(model, {})
                for obj in qs:
                    found[obj.pk] = obj
                    if not obj.planwerk_seen:
                        self.hidden[model].add(obj.pk)
        self.wanted.clear()

    def object(self, model, pk):
        return self.found.get(model, {}).get(pk)

    def label(self, model, pk) -> str:
        obj = self.object(model, pk)
        if obj is None:
            return _("%(pk)s (deleted)") % {"pk": f"#{pk}"}
        if pk in self.hidden.get(model, ()):
            return _("%(pk)s (not visible to you)") % {"pk": f"#{pk}"}
        return str(obj)

    def attach(self, instance) -> None:
        """Put the looked-up related rows into ``instance`` so that str() needs no query."""
        for f in instance._meta.concrete_fields:
            if f.many_to_one:
                value = getattr(instance, f.attname)
                obj = self.object(f.related_model, value) if value is not None else None
                if obj is not None:
                    f.set_cached_value(instance, obj)


def display(model_field, value, labels: Labels) -> str:
    """A value as the admin shows it: choice labels, names of related rows, local dates."""
    if value is None or value == "":
        return EMPTY
    if model_field.many_to_one:
        return labels.label(model_field.related_model, value)
    if model_field.flatchoices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return yesno(value, _("yes,no"))
    if isinstance(value, Decimal):
        return format_number(value, getattr(model_field, "decimal_places", None))
    if isinstance(value, datetime.datetime | datetime.date):
        return formats.localize(value, use_l10n=True)
    return str(value)


def _change(label, old_text, new_text, raw_old, raw_new) -> FieldChange:
    long_text = isinstance(raw_old, str) and isinstance(raw_new, str)
    long_text = long_text and (
        max(len(raw_old), len(raw_new)) >= WORD_DIFF_MIN_LENGTH
        or "\n" in raw_old
        or "\n" in raw_new
    )
    words = word_diff(raw_old, raw_new) if long_text and raw_old and raw_new else None
    return FieldChange(label=label, old=old_text, new=new_text, words=words)


def _field_changes(fields, old_values: dict, new_values: dict, labels: Labels):
    changes = []
    for f in fields:
        old, new = old_values.get(f.attname), new_values.get(f.attname)
        if old != new:
            changes.append(
                _change(
                    str(f.verbose_name),
                    display(f, old, labels),
                    display(f, new, labels),
                    old,
                    new,
                )
            )
    return changes


def _record_values(record, fields) -> dict:
    return {f.attname: getattr(record, f.attname) for f in fields}


def _m2m_ids(record) -> dict:
    """{m2m field: [ids]} of a history row's many-to-many snapshot."""
    result = {}
    for m2m in getattr(record, "_history_m2m_fields", ()):
        key = get_m2m_reverse_field_name(m2m)
        result[m2m] = [row[key] for row in getattr(record, m2m.name).values(key)]
    return result


def _m2m_changes(old_m2m: dict, new_m2m: dict, labels: Labels) -> list[FieldChange]:
    changes = []
    for m2m in new_m2m.keys() | old_m2m.keys():
        before, after = old_m2m.get(m2m, []), new_m2m.get(m2m, [])
        if sorted(before) != sorted(after):
            names = [
                ", ".join(sorted(labels.label(m2m.related_model, pk) for pk in ids)) or EMPTY
                for ids in (before, after)
            ]
            changes.append(FieldChange(str(m2m.verbose_name), names[0], names[1]))
    return changes


def _m2m_ids_of(records) -> list[dict]:
    """``_m2m_ids`` of many history rows of one model, in one query per many-to-many field."""
    result: list[dict] = [{} for _ in records]
    for m2m in getattr(records[0], "_history_m2m_fields", ()):
        key = get_m2m_reverse_field_name(m2m)
        through = getattr(records[0], m2m.name).model
        ids = defaultdict(list)
        rows = through.objects.filter(history_id__in=[r.history_id for r in records])
        for history_id, pk in rows.values_list("history_id", key):
            ids[history_id].append(pk)
        for i, record in enumerate(records):
            result[i][m2m] = ids[record.history_id]
    return result


def _sort_key(row):
    return (getattr(row, "parent_id", None) or 0, getattr(row, "position", 0) or 0, row.pk)


def compare(old, new, *, user=None, chronological: bool = True) -> VersionDiff:
    """What changed from history row ``old`` to ``new`` of the same object (any two versions),
    as ``user`` may read it (``Labels``).

    The older of the two is ``old`` unless ``chronological`` is off (a revert: now → then).
    """
    if chronological and (old.history_date, old.history_id) > (new.history_date, new.history_id):
        old, new = new, old
    model = old.instance_type
    labels = Labels(user)
    fields = compared_fields(model)
    old_values, new_values = _record_values(old, fields), _record_values(new, fields)
    old_m2m, new_m2m = _m2m_ids(old), _m2m_ids(new)
    old_children = selectors.version_children(old)
    new_children = selectors.version_children(new)
    for f in fields:
        labels.want(f, old_values[f.attname])
        labels.want(f, new_values[f.attname])
    for m2m, ids in (*old_m2m.items(), *new_m2m.items()):
        labels.want_many(m2m.related_model, ids)
    for children in (old_children, new_children):
        for child, fk, rows in children:
            for row in rows.values():
                for f in compared_fields(child, skip=fk):
                    labels.want(f, getattr(row, f.attname))
    labels.resolve()

    result = VersionDiff(old=old, new=new)
    result.fields = _field_changes(fields, old_values, new_values, labels)
    result.fields += _m2m_changes(old_m2m, new_m2m, labels)

    for (child, fk, before), (_child, _fk, after) in zip(old_children, new_children, strict=True):
        child_fields = compared_fields(child, skip=fk)
        diff = ChildDiff(title=str(child._meta.verbose_name_plural))

        def label_of(row):
            instance = row.instance
            labels.attach(instance)
            return str(instance)

        for pk in sorted(after.keys() - before.keys(), key=lambda pk: _sort_key(after[pk])):
            row = after[pk]
            diff.added.append(
                RowChange(
                    label=label_of(row),
                    values=[
                        (str(f.verbose_name), display(f, getattr(row, f.attname), labels))
                        for f in child_fields
                    ],
                )
            )
        for pk in sorted(before.keys() - after.keys(), key=lambda pk: _sort_key(before[pk])):
            row = before[pk]
            diff.removed.append(
                RowChange(
                    label=label_of(row),
                    values=[
                        (str(f.verbose_name), display(f, getattr(row, f.attname), labels))
                        for f in child_fields
                    ],
                )
            )
        for pk in sorted(before.keys() & after.keys(), key=lambda pk: _sort_key(after[pk])):
            changes = _field_changes(
                child_fields,
                _record_values(before[pk], child_fields),
                _record_values(after[pk], child_fields),
                labels,
            )
            if changes:
                diff.changed.append(RowChange(label=label_of(after[pk]), changes=changes))
        result.children.append(diff)
    return result


def consecutive_changes(records, *, user=None) -> None:
    """Set ``history_delta_changes`` (readable field changes) on each of ``records`` (newest
    first) against the next older one in the list, as ``user`` may read them; labels in one
    query per model."""
    records = list(records)
    if len(records) < 2:
        return
    model = records[0].instance_type
    fields = compared_fields(model)
    labels = Labels(user)
    values = [_record_values(r, fields) for r in records]
    m2m = _m2m_ids_of(records)
    for row in values:
        for f in fields:
            labels.want(f, row[f.attname])
    for ids_by_field in m2m:
        for m2m_field, ids in ids_by_field.items():
            labels.want_many(m2m_field.related_model, ids)
    labels.resolve()
    for i, record in enumerate(records[:-1]):
        changes = _field_changes(fields, values[i + 1], values[i], labels)
        record.history_delta_changes = changes + _m2m_changes(m2m[i + 1], m2m[i], labels)
