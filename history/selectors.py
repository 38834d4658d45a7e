"""Reads over the history tables: an object's versions, and its inline rows as they stood at
one of them (from the inline rows' own history tables, not from today's rows).

A version of an object is one of its history rows. The admin saves the object first and its
inline rows right after, in the same request; so the inline rows of a version are taken as they
stood just before the object's *next* history row (for the latest version: as they are now).
"""

import datetime

from django.db.models import Q

from .registry import children_of

# A deletion takes the object's inline rows with it in one transaction, just before the
# object's own deletion row; rows deleted this close before it went with it.
CASCADE_WINDOW = datetime.timedelta(seconds=10)


def versions(model, pk):
    """The history rows of one object, newest first."""
    return model.history.filter(**{model._meta.pk.attname: pk}).order_by(
        "-history_date", "-history_id"
    )


def version_end(record) -> datetime.datetime | None:
    """When the version ``record`` was followed by the next one (None: it is the latest)."""
    model = record.instance_type
    later = (
        versions(model, getattr(record, model._meta.pk.attname))
        .filter(
            Q(history_date__gt=record.history_date)
            | Q(history_date=record.history_date, history_id__gt=record.history_id)
        )
        .order_by("history_date", "history_id")
        .values_list("history_date", flat=True)
        .first()
    )
    return later


def _latest_per_object(model, rows):
    """{pk: the newest history row} of ``rows`` (ordered newest first)."""
    pk_name = model._meta.pk.attname
    latest: dict = {}
    for row in rows:
        latest.setdefault(getattr(row, pk_name), row)
    return latest


def _child_rows(child, fk: str, parent_pk, until):
    """All history rows (newest first) of the child rows that ever belonged to the parent."""
    fk_attname = child._meta.get_field(fk).attname
    pk_name = child._meta.pk.attname
    ever = child.history.filter(**{fk_attname: parent_pk}).values(pk_name)
    rows = child.history.filter(**{f"{pk_name}__in": ever})
    if until is not None:
        rows = rows.filter(history_date__lt=until)
    return rows.order_by("-history_date", "-history_id"), fk_attname


def children_at(child, fk: str, parent_pk, until) -> dict:
    """{pk: history row} of the parent's ``child`` rows as they stood before ``until``."""
    rows, fk_attname = _child_rows(child, fk, parent_pk, until)
    return {
        pk: row
        for pk, row in _latest_per_object(child, rows).items()
        if row.history_type != "-" and getattr(row, fk_attname) == parent_pk
    }


def version_children(record) -> list[tuple[type, str, dict]]:
    """(child model, fk, {pk: history row}) of every inline kind, at version ``record``."""
    model = record.instance_type
    parent_pk = getattr(record, model._meta.pk.attname)
    until = version_end(record)
    if record.history_type == "-":
        return [(child, fk, {}) for child, fk in children_of(model)]
    return [
        (child, fk, children_at(child, fk, parent_pk, until)) for child, fk in children_of(model)
    ]


def state_before_deletion(deleted_record):
    """The object's last history row before its deletion row (its many-to-many values)."""
    model = deleted_record.instance_type
    return (
        versions(model, getattr(deleted_record, model._meta.pk.attname))
        .filter(history_date__lte=deleted_record.history_date)
        .exclude(history_type="-")
        .first()
    )


def children_before_deletion(deleted_record) -> list[tuple[type, str, dict]]:
    """The inline rows the object had when it was deleted: those deleted with it."""
    model = deleted_record.instance_type
    parent_pk = getattr(deleted_record, model._meta.pk.attname)
    start = deleted_record.history_date - CASCADE_WINDOW
    result = []
    for child, fk in children_of(model):
        rows, fk_attname = _child_rows(child, fk, parent_pk, None)
        rows = rows.filter(history_date__lte=deleted_record.history_date)
        pk_name = child._meta.pk.attname
        found, went_with_it = {}, {}
        for row in rows:
            pk = getattr(row, pk_name)
            if pk not in went_with_it:
                # the newest row: a deletion together with the object, or gone before
                went_with_it[pk] = row.history_type == "-" and row.history_date >= start
            elif went_with_it[pk] and pk not in found:
                found[pk] = row  # the state just before it went with the object
        result.append(
            (
                child,
                fk,
                {
                    pk: row
                    for pk, row in found.items()
                    if row.history_type != "-" and getattr(row, fk_attname) == parent_pk
                },
            )
        )
    return result


def deleted_objects(model, qs_filter=None, *, limit: int = 200):
    """Deletion rows of objects that do not exist any more, newest first (one per object)."""
    pk_name = model._meta.pk.attname
    rows = model.history.filter(history_type="-").exclude(
        **{f"{pk_name}__in": model._base_manager.values("pk")}
    )
    if qs_filter is not None:
        rows = qs_filter(rows)
    rows = rows.select_related("history_user").order_by("-history_date", "-history_id")
    seen, result = set(), []
    for row in rows[: limit * 2]:
        pk = getattr(row, pk_name)
        if pk not in seen:
            seen.add(pk)
            result.append(row)
        if len(result) == limit:
            break
    return result
