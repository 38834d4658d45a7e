"""Writes around the change history: the reason every history row carries, reverting an object
with its inline rows to an earlier version, and recovering a deleted one."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords
from simple_history.utils import get_m2m_reverse_field_name

from access import rules

from . import selectors
from .registry import KEPT_ON_REVERT, children_of

# The reason for the history rows written in the current block (None: no reason given).
_reason: ContextVar[SimpleNamespace | None] = ContextVar("planwerk_change_reason", default=None)

# Rows moved out of the way while positions are set back (unique per parent and position).
_POSITION_OFFSET = 1_000_000


@contextmanager
def change_reason(reason: str | None = None, *, acting_user=None) -> Iterator[SimpleNamespace]:
    """Every history row written inside the block gets ``reason`` (unless its object carries a
    reason of its own, ``_change_reason``); with ``acting_user`` also that user.

    Yields a holder whose ``reason`` may still be set inside the block (the admin learns the
    reason only when the form has been validated).
    """
    holder = SimpleNamespace(reason=reason)
    token = _reason.set(holder)
    context = HistoricalRecords.context
    had_request = hasattr(context, "request")
    previous = getattr(context, "request", None)
    if acting_user is not None:
        context.request = SimpleNamespace(user=acting_user)
    try:
        yield holder
    finally:
        _reason.reset(token)
        if acting_user is not None:
            if had_request:
                context.request = previous
            else:
                del context.request


def fill_change_reason(sender, history_instance, **kwargs) -> None:
    """``pre_create_historical_record``: the block's reason where the object brings none."""
    holder = _reason.get()
    if holder is not None and holder.reason and not history_instance.history_change_reason:
        history_instance.history_change_reason = str(holder.reason)[:1000]


# --- revert and recover ------------------------------------------------------------------------


class HistoryRefused(Exception):
    """A revert or recovery that cannot be done; ``messages`` are for the user."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("; ".join(messages))


class HistoryConflict(HistoryRefused):
    """The object was saved by someone else since the user looked at it."""


@dataclass
class RestoreResult:
    obj: models.Model
    reason: str
    restored: int = 0  # inline rows written (changed, restored or added back)
    removed: int = 0  # inline rows deleted
    skipped: list[str] = field(default_factory=list)  # inline kinds the user may not change


def _when(record) -> str:
    return formats.date_format(timezone.localtime(record.history_date), "DATETIME_FORMAT")


def _validation_messages(exc: ValidationError, model) -> list[str]:
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    result = []
    for name, errors in exc.message_dict.items():
        label = (
            str(model._meta.get_field(name).verbose_name)
            if name != "__all__" and name in {f.name for f in model._meta.fields}
            else ""
        )
        result += [f"{label}: {msg}" if label else msg for msg in errors]
    return result


def _missing_references(instance) -> list[str]:
    """Foreign keys of ``instance`` that point at rows that no longer exist."""
    missing = []
    for f in instance._meta.concrete_fields:
        if not f.many_to_one:
            continue
        value = getattr(instance, f.attname)
        if value is None:
            continue
        if not f.related_model._base_manager.filter(pk=value).exists():
            missing.append(
                _("%(field)s of “%(object)s”: the referenced entry no longer exists.")
                % {"field": f.verbose_name, "object": _label(instance)}
            )
    return missing


def _label(instance) -> str:
    try:
        return str(instance)
    except Exception:  # a label that needs a row which is gone
        return f"{instance._meta.verbose_name} #{instance.pk}"


def _set_m2m(obj, record) -> None:
    for m2m in getattr(record, "_history_m2m_fields", ()):
        key = get_m2m_reverse_field_name(m2m)
        ids = [row[key] for row in getattr(record, m2m.name).values(key)]
        getattr(obj, m2m.name).set(ids)


def _parents_first(instances):
    """Steps before their sub-steps (a self-reference must exist before it is pointed at)."""
    return sorted(instances, key=lambda obj: getattr(obj, "parent_id", None) is not None)


def _values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _restore_children(parent, rows_by_model, *, acting_user, result: RestoreResult) -> None:
    """Make the parent's inline rows exactly ``rows_by_model`` ({model: {pk: instance}})."""
    for model, (fk, wanted) in rows_by_model.items():
        current = {obj.pk: obj for obj in model._default_manager.filter(**{fk: parent.pk})}
        # Sub-steps first: deleting a step takes its sub-steps along.
        for obj in sorted(
            (obj for pk, obj in current.items() if pk not in wanted),
            key=lambda obj: getattr(obj, "parent_id", None) is None,
        ):
            if model._default_manager.filter(pk=obj.pk).exists():
                obj._history_user = acting_user
                obj.delete()
                result.removed += 1
        to_write = [
            obj
            for pk, obj in wanted.items()
            if pk not in current or _values(obj) != _values(current[pk])
        ]
        moving = [obj.pk for obj in to_write if obj.pk in current]
        if moving and any(f.name == "position" for f in model._meta.fields):
            model._base_manager.filter(pk__in=moving).update(
                position=F("position") + _POSITION_OFFSET
            )
        for obj in _parents_first(to_write):
            missing = _missing_references(obj)
            if missing:
                raise HistoryRefused(missing)
            obj._history_user = acting_user
            obj.save()
            result.restored += 1


def _save_or_refuse(work) -> None:
    try:
        with transaction.atomic():
            work()
    except IntegrityError as exc:
        raise HistoryRefused(
            [_("The earlier state conflicts with the current data and cannot be restored.")]
        ) from exc


@transaction.atomic
def object_revert(
    *, obj: models.Model, record, acting_user, expected_version: int | None = None, keep=()
) -> RestoreResult:
    """Set ``obj`` and its inline rows back to the state of the history ``record``.

    Inline rows added since are deleted, removed ones restored, changed ones reset — all in
    one transaction, each change recorded in the history with the reason “reverted to the
    version of …”. Fields in ``keep`` (and the publication workflow's) keep their current value;
    inline kinds the user may not change are left as they are. The object's ``version`` moves
    on (optimistic locking).
    """
    model = type(obj)
    current = model._default_manager.select_for_update().get(pk=obj.pk)
    if not rules.can_change(acting_user, current):
        raise PermissionError
    if expected_version is not None and getattr(current, "version", None) != expected_version:
        raise HistoryConflict(
            [_("“%(object)s” has been changed in the meantime.") % {"object": current}]
        )
    target = record.instance
    target._state.adding = False
    target._state.db = current._state.db
    for name in {*KEPT_ON_REVERT.get(model._meta.label_lower, ()), *keep}:
        f = model._meta.get_field(name)
        if f.concrete and not f.many_to_many:
            setattr(target, f.attname, getattr(current, f.attname))
    if hasattr(current, "version"):
        target.version = current.version
    if not rules.can_change(acting_user, target):
        raise PermissionError
    try:
        target.full_clean()
    except ValidationError as exc:
        raise HistoryRefused(_validation_messages(exc, model)) from exc
    missing = _missing_references(target)
    if missing:
        raise HistoryRefused(missing)
    reason = _("Reverted to the version of %(date)s") % {"date": _when(record)}
    result = RestoreResult(obj=target, reason=reason)
    until = selectors.version_end(record)
    wanted = {}
    for child, fk in children_of(model):
        if not rules.can_change_rows(acting_user, child, current):
            result.skipped.append(str(child._meta.verbose_name_plural))
            continue
        rows = selectors.children_at(child, fk, current.pk, until)
        wanted[child] = (fk, {pk: row.instance for pk, row in rows.items()})

    def work():
        with change_reason(reason):
            target._history_user = acting_user
            target.save()
            _set_m2m(target, record)
            _restore_children(target, wanted, acting_user=acting_user, result=result)

    _save_or_refuse(work)
    return result


@transaction.atomic
def object_recover(*, deleted_record, acting_user) -> RestoreResult:
    """Bring a deleted object back with the inline rows it had when it was deleted."""
    model = deleted_record.instance_type
    pk = deleted_record.instance.pk
    if model._base_manager.filter(pk=pk).exists():
        raise HistoryRefused([_("This entry exists (it has been restored already).")])
    instance = deleted_record.instance
    missing = _missing_references(instance)
    if missing:
        raise HistoryRefused(missing)
    parent = rules.owner(instance)
    if model._meta.model_name == "fieldofaction":
        parent = instance.plan
    if not rules.can_add(acting_user, model, parent=parent):
        raise PermissionError
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise HistoryRefused(_validation_messages(exc, model)) from exc
    before = selectors.state_before_deletion(deleted_record)
    reason = _("Restored after deletion on %(date)s") % {"date": _when(deleted_record)}
    result = RestoreResult(obj=instance, reason=reason)
    rows = {
        child: (fk, {pk: row.instance for pk, row in found.items()})
        for child, fk, found in selectors.children_before_deletion(deleted_record)
    }

    def work():
        with change_reason(reason):
            instance._history_user = acting_user
            instance.save(force_insert=True)
            if before is not None:
                _set_m2m(instance, before)
            _restore_children(instance, rows, acting_user=acting_user, result=result)

    _save_or_refuse(work)
    return result
