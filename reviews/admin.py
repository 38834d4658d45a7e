"""The measure form's side of the change review (``PendingChangeAdminMixin``).

When an editor saves a published measure of a plan that reviews changes
(``access.rules.changes_reviewed``), the admin's normal save runs inside a savepoint: the
same validation, the same inline formsets, the same derived values (dates from schedule
labels). The resulting measure with its rows is read as JSON (``reviews.state``), the
savepoint is rolled back — nothing reaches the published tables, the public side and the
caches — and the JSON is kept as the measure's pending change. Opening the form again shows
the pending change: the form is bound to data built from the JSON (the optimistic lock's
``_lock_data`` mechanism), so saving it again edits the pending change.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.http import HttpResponseRedirect, QueryDict
from django.template.loader import select_template
from django.urls import reverse
from django.utils.translation import gettext as _

from access import rules
from actionplan.locking import _as_get
from actionplan.ordering import SLOT
from translations import registry as translation_registry

from . import services
from . import state as states
from .models import PendingChange

SUBMIT_FIELD = "_submit_pending"


def _form_values(bound_field) -> list[str]:
    """A form field's value as the browser would post it, formatted by its own widget."""
    value = bound_field.value()
    field = bound_field.field
    if value is None:
        return []
    if isinstance(value, bool):
        return ["on"] if value else []
    if isinstance(value, list | tuple | set):
        return [str(getattr(v, "pk", v)) for v in value]
    formatted = field.widget.format_value(field.prepare_value(value))
    if formatted is None:
        return []
    if isinstance(formatted, list | tuple):
        return [str(v) for v in formatted]
    return [str(formatted)]


def _put(data: QueryDict, form) -> None:
    for name in form.fields:
        data.setlist(form.add_prefix(name), _form_values(form[name]))


def _set_values(instance, model, row: dict) -> None:
    for attribute in states._attributes(states.kind_of(model)):
        if attribute not in row and attribute.endswith(translation_registry.SUFFIX):
            continue  # a change saved before it carried English: English as stored
        if attribute in states.REFERENCES:
            parent = row.get("_parent_pk")
            setattr(instance, f"{attribute}_id", parent)
        elif attribute in states.FOREIGN_KEYS:
            setattr(instance, f"{attribute}_id", row.get(attribute))
        else:
            setattr(instance, attribute, states._python(model, attribute, row.get(attribute)))


class PendingChangeAdminMixin:
    """For ``MeasureAdmin``: editors' edits of published measures become pending changes.

    Put it first in the bases (before ``OptimisticLockAdminMixin``).
    """

    pending_template = "reviews/admin/measure_change_form.html"

    def _reviewed(self, request, obj) -> bool:
        if obj is None or obj.pk is None:
            return False
        # asked several times per request (readonly fields, views, template): once per object
        cache = request.__dict__.setdefault("_changes_reviewed", {})
        if obj.pk not in cache:
            cache[obj.pk] = rules.changes_reviewed(request.user, obj)
        return cache[obj.pk]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if self._reviewed(request, obj) and "state" not in readonly:
            # the publication state is not the editor's; the review box says where it stands
            readonly.append("state")
        return readonly

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # the editor checks below and those of the form itself ask the database once
        with rules.remembered_editor_checks():
            return self._changeform_or_pending(request, object_id, form_url, extra_context)

    def _changeform_or_pending(self, request, object_id, form_url, extra_context):
        if (
            object_id is None
            or "_saveasnew" in request.POST
            or not rules.may_have_reviewed_changes(request.user)
        ):
            return super().changeform_view(request, object_id, form_url, extra_context)
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self._reviewed(request, obj):
            return super().changeform_view(request, object_id, form_url, extra_context)
        if request.method == "POST":
            if not self.has_change_permission(request, obj):
                raise PermissionDenied
            return self._pending_post(request, obj, object_id, form_url, extra_context)
        pending = services.active_change(obj)
        if pending is None or getattr(request, "_lock_data", None) is not None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        data = self._pending_form_data(request, obj, pending)
        return super().changeform_view(_as_get(request, data), object_id, form_url, extra_context)

    def _pending_post(self, request, obj, object_id, form_url, extra_context):
        known = states.row_pks(obj)
        base = states.measure_state(obj)
        base_version = obj.version
        request._pending_capture = {"known": known}
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                response = super().changeform_view(request, object_id, form_url, extra_context)
                proposed = request._pending_capture.get("proposed")
                # nothing of the editor's save reaches the published measure
                transaction.set_rollback(True)
        finally:
            capture, request._pending_capture = request._pending_capture, None
        if capture.get("proposed") is None:
            return response  # invalid input, a lock conflict: the form answers as usual
        measure = type(obj).objects.select_related("field__plan").get(pk=obj.pk)
        try:
            pending = services.pending_change_save(
                measure=measure,
                acting_user=request.user,
                base=base,
                base_version=base_version,
                proposed=proposed,
                submit=SUBMIT_FIELD in request.POST,
                request=request,
            )
        except services.ReviewError as exc:
            raise PermissionDenied(str(exc)) from exc
        if pending.state == PendingChange.State.SUBMITTED and SUBMIT_FIELD in request.POST:
            text = _(
                "Your change has been submitted for review. The public pages show the "
                "published state until a coordinator approves it."
            )
        else:
            text = _(
                "Your change has been kept as a pending change. The public pages show the "
                "published state until a coordinator approves it; submit it for review when "
                "it is ready."
            )
        messages.success(request, text)
        return HttpResponseRedirect(request.path)

    def response_change(self, request, obj):
        capture = getattr(request, "_pending_capture", None)
        if capture is None:
            return super().response_change(request, obj)
        capture["proposed"] = states.measure_state(obj, known=capture["known"])
        return HttpResponseRedirect(request.path)

    # A revert would publish an old version directly: not the editor's on a reviewed measure

    def _refuse_direct_revert(self, request, object_id) -> None:
        if request.method == "POST" and rules.may_have_reviewed_changes(request.user):
            obj = self.get_object(request, unquote(object_id))
            if self._reviewed(request, obj):
                raise PermissionDenied(
                    _(
                        "This measure is published: an earlier version can be restored by "
                        "the plan's coordinators. Edit the measure instead; your change is "
                        "kept for review."
                    )
                )

    def history_revert_view(self, request, object_id, version_id):
        self._refuse_direct_revert(request, object_id)
        return super().history_revert_view(request, object_id, version_id)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._refuse_direct_revert(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    # The form bound to the pending change -----------------------------------------------

    def _pending_form_data(self, request, obj, pending) -> QueryDict:
        proposed = copy.deepcopy(pending.proposed)
        plain = _as_get(request)
        form_class = self.get_form(plain, obj, change=True)
        draft = type(obj).objects.get(pk=obj.pk)
        for attribute in states.MEASURE_ATTRIBUTES:
            if attribute in proposed["measure"]:
                setattr(draft, attribute, proposed["measure"][attribute])
        initial = {
            name: proposed["measure"].get(name, [])
            for name in states.MANY
            if name in form_class.base_fields
        }
        data = QueryDict(mutable=True)
        _put(data, form_class(instance=draft, initial=initial))
        formsets, _inlines = self._create_formsets(plain, obj, change=True)
        for formset in formsets:
            kind = states.kind_of(formset.model)
            if kind is None:
                # rows outside the review (attachments, council papers): as they are stored,
                # with their management form, so the re-opened form can be saved again
                _put(data, formset.management_form)
                for form in formset.forms:
                    _put(data, form)
                continue
            rows = proposed["rows"].get(kind, [])
            by_pk = {row["pk"]: row for row in rows if row["pk"] is not None}
            stored_pks = {o.pk for o in formset.get_queryset()}
            refs = {row["ref"]: row for row in rows}
            for row in rows:
                if kind == "schedule" and row.get("dating") != "manual":
                    # dated from the label again on saving, not taken for dates set by hand
                    row.update(start_date=None, end_date=None, start_precision="", end_precision="")
                # a parent among the stored rows; a new row's new parent cannot be named yet
                parent = refs.get(row.get("parent")) if row.get("parent") else None
                row["_parent_pk"] = (
                    parent["pk"] if parent is not None and parent["pk"] in stored_pks else None
                )
            for instance in formset.get_queryset():
                if instance.pk in by_pk:
                    _set_values(instance, formset.model, by_pk[instance.pk])
            initial_count = len(formset.forms)
            for form in formset.forms:
                _put(data, form)
                if form.instance.pk not in by_pk:
                    data[form.add_prefix("DELETE")] = "on"
            new_rows = [row for row in rows if row["pk"] is None or row["pk"] not in stored_pks]
            new_forms = {}
            for offset, row in enumerate(new_rows):
                instance = formset.model(measure=obj)
                _set_values(instance, formset.model, row)
                form = formset._construct_form(initial_count + offset, instance=instance)
                _put(data, form)
                data[form.add_prefix("id")] = ""
                new_forms[row["ref"]] = form
            self._place_rows(data, formset, rows, new_forms)
            data[f"{formset.prefix}-TOTAL_FORMS"] = str(initial_count + len(new_rows))
            data[f"{formset.prefix}-INITIAL_FORMS"] = str(initial_count)
            data[f"{formset.prefix}-MIN_NUM_FORMS"] = "0"
            data[f"{formset.prefix}-MAX_NUM_FORMS"] = "1000"
        return data

    @staticmethod
    def _place_rows(data: QueryDict, formset, rows: list[dict], new_forms: dict) -> None:
        """Give every row of the re-opened form its place in the pending change's order, and
        a new row's new parent its form reference (``new:<prefix>``, actionplan/ordering.py);
        static/js/admin-ordering.js shows the rows in that order."""
        empty = formset.empty_form
        if SLOT not in empty.fields:
            return
        ranked = sorted(rows, key=lambda row: (row.get(SLOT) is None, row.get(SLOT) or 0))
        place = {row["ref"]: index for index, row in enumerate(ranked, start=1)}
        forms_by_ref = {str(form.instance.pk): form for form in formset.forms}
        forms_by_ref.update(new_forms)
        for row in rows:
            form = forms_by_ref.get(row["ref"])
            if form is None:
                continue
            data[form.add_prefix(SLOT)] = str(place[row["ref"]])
            parent = row.get("parent")
            if "parent" in empty.fields and parent in new_forms:
                data[form.add_prefix("parent")] = f"new:{new_forms[parent].prefix}"

    # Templates ----------------------------------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        reviewed = change and self._reviewed(request, obj)
        pending = services.active_change(obj) if change and obj is not None else None
        if reviewed or pending is not None:
            context.update(self._review_context(request, obj, pending, reviewed))
        response = super().render_change_form(request, context, add, change, form_url, obj)
        if reviewed or pending is not None:
            names = response.template_name
            response.context_data["pending_parent_template"] = select_template(
                [names] if isinstance(names, str) else names
            )
            response.template_name = self.pending_template
        return response

    def _review_context(self, request, obj, pending, reviewed) -> dict:
        context = {
            "pending_change": pending,
            "pending_editor_mode": reviewed,
            "pending_submit_field": SUBMIT_FIELD,
        }
        if pending is not None:
            context["pending_compare_url"] = reverse("reviews:compare", args=[pending.pk])
            context["pending_withdraw_url"] = reverse("reviews:withdraw", args=[pending.pk])
            context["pending_submit_url"] = reverse("reviews:submit", args=[pending.pk])
            context["pending_may_review"] = rules.can_review_pending(request.user, pending)
            if reviewed and services.conflict_of(pending) is not None:
                context["pending_outdated"] = True
        return context
