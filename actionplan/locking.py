"""Optimistic locking: no lost updates when two people edit the same plan, field, measure or
campaign.

Each locked model has a ``version`` counter. A change form carries the version it was loaded
with (hidden input ``_version``). Saving first claims the next version in one statement,
``UPDATE … SET version = version + 1 WHERE pk = … AND version = <loaded>``, inside the admin's
transaction and before the object or any inline row is written. If no row matches, somebody
else saved in between: the save is refused, nothing is written, and the user sees what the
other person changed (from django-simple-history) with the option to reapply their own edit
on top of the current version.

Every ``save()`` of an existing locked object outside the admin (services, imports, other
admins) also raises the counter (``bump_version_on_save``), so forms opened before such a save
are refused too. ``QuerySet.update()``, ``bulk_update()`` and raw SQL bypass ``save()`` and
leave the counter alone: code that changes user-edited content that way must add
``version=F("version") + 1`` itself. Derived bookkeeping such as ``Plan.content_changed_at``
(``signals.plan_touch``) deliberately does not count as a change.
"""

import copy
import datetime
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models, router, transaction
from django.db.models import F
from django.db.models.signals import pre_save
from django.forms.models import _get_foreign_key
from django.http import QueryDict
from django.template.defaultfilters import yesno
from django.template.loader import select_template
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.utils import get_m2m_reverse_field_name

VERSION_FIELD = "_version"
REAPPLY_FIELD = "_lock_reapply"
LOCKED_MODELS = (
    "actionplan.Plan",
    "actionplan.FieldOfAction",
    "actionplan.Measure",
    "campaigns.Campaign",
)
CONFLICT_MESSAGES = {
    "actionplan.plan": _(
        "This action plan has been changed by %(user)s in the meantime (%(time)s)."
    ),
    "actionplan.fieldofaction": _(
        "This field of action has been changed by %(user)s in the meantime (%(time)s)."
    ),
    "actionplan.measure": _(
        "This measure has been changed by %(user)s in the meantime (%(time)s)."
    ),
    "campaigns.campaign": _(
        "This campaign has been changed by %(user)s in the meantime (%(time)s)."
    ),
}


class VersionConflict(Exception):
    """The stored version is no longer the one the edit was based on."""

    def __init__(self, model, pk, expected):
        super().__init__(f"{model._meta.label} {pk}: version {expected} is stale")
        self.model, self.pk, self.expected = model, pk, expected


def version_claim(model: type[models.Model], pk, *, expected: int | None) -> int:
    """Move the stored version from ``expected`` to the next one in one UPDATE; returns it.

    Raises ``VersionConflict`` when the row is at another version (or gone). Call it inside
    the transaction that then writes the object: a rollback gives the version back.
    """
    if expected is None:
        raise VersionConflict(model, pk, expected)
    claimed = model._base_manager.filter(pk=pk, version=expected).update(version=F("version") + 1)
    if claimed != 1:
        raise VersionConflict(model, pk, expected)
    return expected + 1


@transaction.atomic
def save_if_current(instance: models.Model, *, expected_version: int | None, acting_user=None):
    """Save an existing locked object only if nobody saved it since ``expected_version``."""
    instance.version = version_claim(type(instance), instance.pk, expected=expected_version)
    instance._version_claimed = True
    if acting_user is not None:
        instance._history_user = acting_user
    instance.save()
    return instance


def row_changed(row: models.Model, *, previous_parent_id=None) -> None:
    """A row of a locked object (a measure's step, schedule line, responsibility, budget line; a
    field's finding) was saved or deleted on its own admin page: move the parent's version on,
    so that a form of the parent opened before (which shows the row as an inline) reports a
    conflict instead of writing the old row back. A row moved to another parent moves both."""
    for name in ("measure", "field"):
        parent_field = row._meta.get_field(name) if hasattr(row, f"{name}_id") else None
        if parent_field is None:
            continue
        ids = {getattr(row, f"{name}_id"), previous_parent_id} - {None}
        parent_field.related_model._base_manager.filter(pk__in=ids).update(version=F("version") + 1)
        return


def bump_version_on_save(sender, instance, raw=False, **kwargs):
    """Every save of an existing locked object moves its version on (unless already claimed)."""
    if raw or instance._state.adding or instance.pk is None:
        return
    if getattr(instance, "_version_claimed", False):
        instance._version_claimed = False
        return
    rows = sender._base_manager.filter(pk=instance.pk)
    if rows.update(version=F("version") + 1):
        # Under the row lock the UPDATE took; save() writes the same number back.
        instance.version = rows.values_list("version", flat=True).get()


def connect() -> None:
    for label in LOCKED_MODELS:
        pre_save.connect(bump_version_on_save, sender=label, dispatch_uid=f"lock-{label}")


# What the other person changed ------------------------------------------------------------


@dataclass
class Conflict:
    message: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    inline_changes: list[str] = field(default_factory=list)
    current_version: int = 0
    snapshot: object = None  # historical record of the loaded version, if any
    since: datetime.datetime | None = None  # first later save


def _user_label(user) -> str:
    if user is None:
        return gettext("someone else")
    return user.get_full_name() or user.get_username()


def _display(model_field, value) -> str:
    if value in (None, "", []):
        return "—"
    if model_field.many_to_many:
        target = model_field.related_model
        key = get_m2m_reverse_field_name(model_field)
        ids = [row[key] for row in value]
        found = {obj.pk: str(obj) for obj in target._base_manager.filter(pk__in=ids)}
        return ", ".join(found.get(pk, f"#{pk}") for pk in ids)
    if model_field.many_to_one:
        obj = model_field.related_model._base_manager.filter(pk=value).first()
        return str(obj) if obj is not None else f"#{value}"
    if model_field.flatchoices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return yesno(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return formats.localize(value)
    return str(value)


def _inline_summary(model, fk, parent_pk, since) -> str | None:
    rows = model.history.filter(**{fk.attname: parent_pk, "history_date__gte": since})
    pk_name = model._meta.pk.attname
    kinds: dict = {}
    for pk, kind in rows.order_by("history_date", "history_id").values_list(
        pk_name, "history_type"
    ):
        kinds.setdefault(pk, []).append(kind)
    added = sum(1 for k in kinds.values() if k[0] == "+" and "-" not in k)
    removed = sum(1 for k in kinds.values() if "-" in k and k[0] != "+")
    changed = sum(1 for k in kinds.values() if "+" not in k and "-" not in k)
    parts = [
        text % {"count": count}
        for count, text in (
            (changed, gettext("%(count)d changed")),
            (added, gettext("%(count)d added")),
            (removed, gettext("%(count)d removed")),
        )
        if count
    ]
    if not parts:
        return None
    return f"{model._meta.verbose_name_plural}: {', '.join(parts)}"


def describe_conflict(obj, loaded_version, *, field_names, inlines) -> Conflict:
    """What changed on ``obj`` since ``loaded_version``: message, field table, inline summary.

    ``inlines`` are (model, fk) pairs of the change form's inline rows.
    """
    history = obj.history.order_by("-history_date", "-history_id")
    snapshot = (
        history.filter(version=loaded_version).first() if loaded_version is not None else None
    )
    later = list(history.filter(version__gt=loaded_version or 0).reverse()) if snapshot else []
    latest = history.first()
    users = []
    for record in later or [latest]:
        label = _user_label(record.history_user) if record else _user_label(None)
        if label not in users:
            users.append(label)
    last = later[-1] if later else latest
    when = last.history_date if last else timezone.now()
    template = CONFLICT_MESSAGES.get(
        obj._meta.label_lower,
        _("“%(object)s” has been changed by %(user)s in the meantime (%(time)s)."),
    )
    conflict = Conflict(
        message=str(template)
        % {
            "object": obj,
            "user": ", ".join(users),
            "time": formats.date_format(timezone.localtime(when), "DATETIME_FORMAT"),
        },
        current_version=obj.version,
        snapshot=snapshot,
    )
    if snapshot is None or latest is None:
        return conflict
    opts = obj._meta
    tracked = {f.name for f in snapshot.tracked_fields} | {
        f.name for f in snapshot._history_m2m_fields
    }
    names = [n for n in field_names if n in tracked and n != "version"]
    delta = latest.diff_against(snapshot, included_fields=names)
    by_name = {change.field: change for change in delta.changes}
    for name in names:  # in form order
        if name in by_name:
            model_field = opts.get_field(name)
            change = by_name[name]
            conflict.changes.append(
                (
                    str(model_field.verbose_name),
                    _display(model_field, change.old),
                    _display(model_field, change.new),
                )
            )
    if later:
        conflict.since = later[0].history_date
        for model, fk in inlines:
            if hasattr(model, "history"):
                summary = _inline_summary(model, fk, obj.pk, conflict.since)
                if summary:
                    conflict.inline_changes.append(summary)
    return conflict


# Reapplying the user's edit on top of the current version -------------------------------


def _post_values(bound_field) -> list[str]:
    value = bound_field.value()
    if value is None:
        return []
    if isinstance(value, bool):
        return ["on"] if value else []
    if isinstance(value, list | tuple | set):
        return [str(getattr(v, "pk", v)) for v in value]
    return [str(getattr(value, "pk", value))]


def _put(data: QueryDict, form) -> None:
    for name in form.fields:
        data.setlist(form.add_prefix(name), _post_values(form[name]))


def _rows_as_of(model, fk, parent_pk, before):
    """The inline rows of a parent as they were just before ``before``: {pk: instance}."""
    if before is None or not hasattr(model, "history"):
        return {obj.pk: obj for obj in model._default_manager.filter(**{fk.attname: parent_pk})}
    records = model.history.filter(**{fk.attname: parent_pk, "history_date__lt": before})
    rows = {}
    for record in records.order_by("-history_date", "-history_id"):
        pk = getattr(record, model._meta.pk.attname)
        if pk not in rows:
            rows[pk] = None if record.history_type == "-" else record.instance
    return {pk: obj for pk, obj in rows.items() if obj is not None}


def _snapshot_initial(form_class, snapshot) -> dict:
    """Initial values for many-to-many fields as the historical record holds them."""
    initial = {}
    for m2m in snapshot._history_m2m_fields:
        if m2m.name in form_class.base_fields:
            key = get_m2m_reverse_field_name(m2m)
            initial[m2m.name] = [row[key] for row in getattr(snapshot, m2m.name).values(key)]
    return initial


def merge_edit(posted, *, form_class, current_form, formsets, snapshot, since) -> QueryDict:
    """POST data for the current version with the fields and rows the user changed on top.

    ``current_form`` and ``formsets`` are unbound and show the current version; the user's
    change is what ``posted`` differs in from the loaded version (``snapshot``; rows as they
    were before ``since``). Rows the other person removed are dropped.
    """
    merged = QueryDict(mutable=True)
    _put(merged, current_form)
    if snapshot is None:
        changed = list(current_form.fields)
    else:
        loaded = form_class(
            data=posted,
            instance=snapshot.instance,
            initial=_snapshot_initial(form_class, snapshot),
        )
        changed = loaded.changed_data
    for name in changed:
        merged.setlist(name, posted.getlist(name))
    parent_pk = current_form.instance.pk
    for formset in formsets:
        prefix = formset.prefix
        _put(merged, formset.management_form)
        for form in formset.forms:
            _put(merged, form)
        index = {str(f.instance.pk): i for i, f in enumerate(formset.forms) if f.instance.pk}
        before = _rows_as_of(formset.model, formset.fk, parent_pk, since if snapshot else None)
        pk_name = formset.model._meta.pk.name
        total = len(formset.forms)
        try:
            posted_total = int(posted.get(f"{prefix}-TOTAL_FORMS", 0))
        except ValueError:
            posted_total = 0
        for i in range(posted_total):
            row = f"{prefix}-{i}"
            pk = posted.get(f"{row}-{pk_name}")
            if pk:
                if pk not in index:
                    continue
                old = before.get(formset.model._meta.pk.to_python(pk))
                mine = formset.form(data=posted, prefix=row, instance=old)
                names = mine.changed_data if old is not None else list(mine.fields)
                if posted.get(f"{row}-DELETE"):
                    names.append("DELETE")
                for name in names:
                    merged.setlist(f"{prefix}-{index[pk]}-{name}", posted.getlist(f"{row}-{name}"))
            else:
                keys = [k for k in posted if k.startswith(f"{row}-")]
                for key in keys:
                    merged.setlist(f"{prefix}-{total}-{key[len(row) + 1 :]}", posted.getlist(key))
                total += 1
        merged[f"{prefix}-TOTAL_FORMS"] = str(total)
    return merged


# Admin ------------------------------------------------------------------------------------


def _as_get(request, data=None):
    """A copy of the request that Django's change view renders as a form, bound to ``data``."""
    clone = copy.copy(request)
    clone.method = "GET"
    clone._lock_data = data
    return clone


def _loaded_version(request) -> int | None:
    try:
        return int(request.POST.get(VERSION_FIELD, ""))
    except ValueError:
        return None


class OptimisticLockAdminMixin:
    """Refuses the save of a stale change form and shows what the other person changed.

    Put it before ``SimpleHistoryAdmin`` in the bases. The change form gets a hidden
    ``_version``; a stale POST answers 409 with the user's input kept, a table of the other
    person's changes and a button that reapplies the user's edit to the current version.
    The history revert form of django-simple-history is guarded the same way (409 + message).
    ``save_as`` creates a new object and never overwrites anything, so it is not checked.
    ``list_editable`` is not used by these admins; a save from it would still move the
    version on (``bump_version_on_save``) but is not checked.
    """

    lock_template = "admin/locking/change_form.html"

    # Forms bound to the data of a refused or reapplied edit ---------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        data = getattr(request, "_lock_data", None)
        if data is None:
            return form_class

        class LockDataForm(form_class):
            def __init__(self, *args, **kw):
                if not args and "data" not in kw:
                    kw["data"] = data
                super().__init__(*args, **kw)

        LockDataForm.__name__ = form_class.__name__
        return LockDataForm

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        data = getattr(request, "_lock_data", None)
        if data is not None:
            kwargs.update(data=data, files=request.FILES)
        return kwargs

    # Views -----------------------------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is None or request.method != "POST" or "_saveasnew" in request.POST:
            return super().changeform_view(request, object_id, form_url, extra_context)
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        if REAPPLY_FIELD in request.POST:
            return self._reapply(request, obj, object_id, form_url, extra_context)
        loaded = _loaded_version(request)
        context = {**(extra_context or {}), "lock_version": request.POST.get(VERSION_FIELD, "")}
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                request._lock_claimed = version_claim(self.model, obj.pk, expected=loaded)
                response = super().changeform_view(request, object_id, form_url, context)
                if not getattr(request, "_lock_saved", False):
                    # Invalid input (or refused): nothing was saved, give the version back.
                    transaction.set_rollback(True)
                return response
        except VersionConflict:
            return self._conflict(request, obj, loaded, object_id, form_url, extra_context)
        finally:
            request._lock_claimed = None

    def _inline_models(self, request, obj):
        return [
            (inline.model, _get_foreign_key(self.model, inline.model, fk_name=inline.fk_name))
            for inline in self.get_inline_instances(request, obj)
        ]

    def _conflict(self, request, obj, loaded, object_id, form_url, extra_context):
        form_class = self.get_form(request, obj, change=True)
        conflict = describe_conflict(
            obj,
            loaded,
            field_names=list(form_class.base_fields),
            inlines=self._inline_models(request, obj),
        )
        context = {
            **(extra_context or {}),
            "lock_version": request.POST.get(VERSION_FIELD, ""),
            "lock_conflict": conflict,
        }
        response = super().changeform_view(
            _as_get(request, request.POST), object_id, form_url, context
        )
        response.status_code = 409
        return response

    def _reapply(self, request, obj, object_id, form_url, extra_context):
        loaded = _loaded_version(request)
        plain = _as_get(request)
        form_class = self.get_form(plain, obj, change=True)
        formsets, _ = self._create_formsets(plain, obj, change=True)
        history = obj.history.order_by("-history_date", "-history_id")
        snapshot = history.filter(version=loaded).first() if loaded is not None else None
        later = history.filter(version__gt=loaded or 0).order_by("history_date").first()
        data = merge_edit(
            request.POST,
            form_class=form_class,
            current_form=form_class(instance=obj),
            formsets=formsets,
            snapshot=snapshot,
            since=later.history_date if later else None,
        )
        messages.info(
            request,
            gettext(
                "Your changes have been applied to the current version. Please check them "
                "and save again."
            ),
        )
        context = {**(extra_context or {}), "lock_version": obj.version}
        return super().changeform_view(_as_get(request, data), object_id, form_url, context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        current = self.model._base_manager.filter(pk=unquote(object_id)).first()
        context = {**(extra_context or {})}
        if current is None or request.method != "POST":
            context["lock_version"] = current.version if current else ""
            return super().history_form_view(request, object_id, version_id, context)
        context["lock_version"] = request.POST.get(VERSION_FIELD, "")
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                request._lock_claimed = version_claim(
                    self.model, current.pk, expected=_loaded_version(request)
                )
                response = super().history_form_view(request, object_id, version_id, context)
                if not getattr(request, "_lock_saved", False):
                    transaction.set_rollback(True)
                return response
        except VersionConflict:
            pass
        finally:
            request._lock_claimed = None
        conflict = describe_conflict(current, _loaded_version(request), field_names=[], inlines=[])
        messages.error(
            request, f"{conflict.message} {gettext('Your changes have not been saved.')}"
        )
        context["lock_version"] = current.version
        response = super().history_form_view(_as_get(request), object_id, version_id, context)
        response.status_code = 409
        return response

    def save_model(self, request, obj, form, change):
        claimed = getattr(request, "_lock_claimed", None)
        if change and claimed is not None:
            obj.version = claimed
            obj._version_claimed = True
        super().save_model(request, obj, form, change)
        request._lock_saved = True

    # Templates -------------------------------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None:
            context.setdefault("lock_version", obj.version)
        response = super().render_change_form(request, context, add, change, form_url, obj)
        if change and obj is not None:
            names = response.template_name
            response.context_data["lock_parent_template"] = select_template(
                [names] if isinstance(names, str) else names
            )
            response.template_name = self.lock_template
        return response

    def render_history_view(self, request, template, context, **kwargs):
        context["lock_parent_template"] = template
        return super().render_history_view(request, self.lock_template, context, **kwargs)
