"""The change history in the admin: a reason on every save, a comparison of any two versions
(inline rows included), revert with the inline rows, and recovery of deleted objects.

``HistoryAdmin`` takes the place of django-simple-history's ``SimpleHistoryAdmin`` in the bases
of an admin; permissions come from the admin's own ``has_*_permission`` (``access.rules``).
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from access import rules

from . import selectors
from .diff import Labels, compare, compared_fields, consecutive_changes, display
from .registry import is_revertible
from .services import HistoryConflict, HistoryRefused, change_reason, object_recover, object_revert

REASON_FIELD = "history_change_reason"
REASON_MAX_LENGTH = 500


def reason_form(base):
    """``base`` with the optional reason field (once)."""
    if REASON_FIELD in base.base_fields:
        return base
    field = forms.CharField(
        label=_("Reason for change"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        help_text=_("Optional; shown in the change history with your name and the time."),
        widget=forms.TextInput(attrs={"class": "vLargeTextField"}),
    )
    return type(base.__name__, (base,), {REASON_FIELD: field})


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class HistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's admin with reasons, comparisons, revert and recovery."""

    object_history_template = "history/object_history.html"
    object_history_list_template = "history/object_history_list.html"
    change_list_template = "history/change_list.html"
    history_list_per_page = 50

    # Reason for change -----------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = reason_form(kwargs.get("form", self.form))
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        return [f for f in super().get_fields(request, obj) if f != REASON_FIELD]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        may_save = (
            self.has_change_permission(request, obj)
            if obj is not None
            else self.has_add_permission(request)
        )
        if may_save:
            fieldsets.append((_("Change history"), {"fields": [REASON_FIELD]}))
        return fieldsets

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with change_reason() as holder:
            request._history_reason = holder
            return super().changeform_view(request, object_id, form_url, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        with change_reason() as holder:
            request._history_reason = holder
            return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        holder = getattr(request, "_history_reason", None)
        reason = form.cleaned_data.get(REASON_FIELD, "").strip()
        if holder is not None and reason:
            # The object and the inline rows saved with it in this request.
            holder.reason = reason
        super().save_model(request, obj, form, change)

    def delete_view(self, request, object_id, extra_context=None):
        with change_reason(gettext("Deleted in the admin")):
            return super().delete_view(request, object_id, extra_context)

    def delete_queryset(self, request, queryset):
        with change_reason(gettext("Deleted in the admin")):
            super().delete_queryset(request, queryset)

    # URLs ------------------------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        urls = [
            path(
                "<path:object_id>/history/compare/",
                view(self.history_compare_view),
                name="{}_{}_history_compare".format(*info),
            ),
        ]
        if is_revertible(self.model):
            urls += [
                path(
                    "<path:object_id>/history/<int:version_id>/revert/",
                    view(self.history_revert_view),
                    name="{}_{}_history_revert".format(*info),
                ),
                path(
                    "recover/", view(self.recover_list_view), name="{}_{}_recoverlist".format(*info)
                ),
                path(
                    "recover/<int:version_id>/",
                    view(self.recover_view),
                    name="{}_{}_recover".format(*info),
                ),
            ]
        return urls + super().get_urls()

    def _history_admin_url(self, name, *args):
        return reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{name}",
            args=args,
        )

    # Looking up the object -------------------------------------------------------------

    def _history_object(self, request, object_id):
        """The object (or, deleted, its last version) whose history the user may see."""
        scope_check = getattr(self, "_history_in_scope_or_404", None)
        if scope_check is not None:
            scope_check(request, object_id)
        try:
            pk = self.opts.pk.to_python(unquote(object_id))
        except ValidationError as exc:
            raise Http404 from exc
        obj = self.get_queryset(request).filter(pk=pk).first()
        if obj is None:
            record = selectors.versions(self.model, pk).first()
            if record is None:
                raise Http404
            obj = record.instance
        if not self.has_view_history_or_change_history_permission(request, obj):
            raise PermissionDenied
        return pk, obj

    def _context(self, request, obj, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "object": obj,
            "history_url": self._history_admin_url("history", obj.pk),
            "change_url": self._history_admin_url("change", obj.pk),
            **extra,
        }

    def _may_revert(self, request, obj) -> bool:
        return (
            is_revertible(self.model)
            and self.model._default_manager.filter(pk=obj.pk).exists()
            and self.has_change_permission(request, obj)
        )

    # History list ----------------------------------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        pk, obj = self._history_object(request, object_id)
        context = {
            "history_compare_url": self._history_admin_url("history_compare", pk),
            "history_may_revert": self._may_revert(request, obj),
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, extra_context=context)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        consecutive_changes(historical_records, user=request.user)

    def changelist_view(self, request, extra_context=None):
        context = dict(extra_context or {})
        if is_revertible(self.model) and self.has_add_permission(request):
            context["history_recover_url"] = self._history_admin_url("recoverlist")
        return super().changelist_view(request, extra_context=context)

    # Comparing two versions ----------------------------------------------------------------

    def history_compare_view(self, request, object_id):
        pk, obj = self._history_object(request, object_id)
        records = selectors.versions(self.model, pk).select_related("history_user")
        old_id, new_id = _int_or_none(request.GET.get("old")), _int_or_none(request.GET.get("new"))
        if "old" not in request.GET and "new" not in request.GET:
            latest = list(records[:2])
            if len(latest) < 2:
                messages.info(request, gettext("There is only one version: nothing to compare."))
                return HttpResponseRedirect(self._history_admin_url("history", pk))
            new, old = latest
        else:
            found = {r.history_id: r for r in records.filter(history_id__in=[old_id, new_id])}
            if old_id is None or new_id is None or old_id not in found or new_id not in found:
                messages.error(
                    request, gettext("Please choose two versions of this entry from the list.")
                )
                return HttpResponseRedirect(self._history_admin_url("history", pk))
            if old_id == new_id:
                messages.error(request, gettext("Please choose two different versions."))
                return HttpResponseRedirect(self._history_admin_url("history", pk))
            old, new = found[old_id], found[new_id]
        diff = compare(old, new, user=request.user)
        context = self._context(
            request,
            obj,
            title=gettext("Compare versions: %(object)s") % {"object": obj},
            diff=diff,
            history_may_revert=self._may_revert(request, obj),
            revert_url=self._history_admin_url("history_revert", pk, diff.old.history_id)
            if is_revertible(self.model)
            else None,
        )
        return TemplateResponse(request, "history/compare.html", context)

    # Revert ----------------------------------------------------------------------------

    def _revert_keep(self, request, obj) -> set[str]:
        """Fields the user may not change in the form keep their value."""
        names = {f.name for f in self.opts.concrete_fields}
        return set(self.get_readonly_fields(request, obj)) & names

    def history_revert_view(self, request, object_id, version_id):
        pk, obj = self._history_object(request, object_id)
        current = self.get_queryset(request).filter(pk=pk).first()
        if current is None:
            raise Http404  # deleted: recover it instead
        if not self.has_change_permission(request, current):
            raise PermissionDenied
        record = selectors.versions(self.model, pk).filter(history_id=version_id).first()
        if record is None or record.history_type == "-":
            raise Http404
        status = 200
        if request.method == "POST":
            try:
                result = object_revert(
                    obj=current,
                    record=record,
                    acting_user=request.user,
                    expected_version=_int_or_none(request.POST.get("_version")),
                    keep=self._revert_keep(request, current),
                )
            except PermissionError as exc:
                raise PermissionDenied from exc
            except HistoryRefused as exc:
                status = 409 if isinstance(exc, HistoryConflict) else 400
                for message in exc.messages:
                    messages.error(request, message)
                messages.error(request, gettext("Nothing has been changed."))
                current = self.get_queryset(request).get(pk=pk)
            else:
                self.log_change(request, result.obj, result.reason)
                messages.success(request, self._done_message(result))
                return HttpResponseRedirect(self._history_admin_url("history", pk))
        latest = selectors.versions(self.model, pk).first()
        context = self._context(
            request,
            current,
            title=gettext("Revert: %(object)s") % {"object": current},
            record=record,
            diff=(
                compare(latest, record, user=request.user, chronological=False)
                if latest.history_id != record.history_id
                else None
            ),
            current_version=getattr(current, "version", ""),
            kept=[
                str(self.opts.get_field(n).verbose_name)
                for n in self._revert_keep(request, current)
            ],
        )
        return TemplateResponse(request, "history/revert_confirm.html", context, status=status)

    def _done_message(self, result) -> str:
        message = gettext("“%(object)s”: %(reason)s.") % {
            "object": result.obj,
            "reason": result.reason,
        }
        if result.skipped:
            message += " " + gettext("Left as they are (not yours to change): %(kinds)s.") % {
                "kinds": ", ".join(result.skipped)
            }
        return message

    # Recovering deleted objects --------------------------------------------------------

    def _deleted_in_scope(self, request, record) -> bool:
        try:
            return rules.in_admin_scope(request.user, record.instance)
        except ObjectDoesNotExist:
            # what it belonged to is gone as well
            return rules.is_superuser(request.user)

    def recover_list_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        deleted = selectors.deleted_objects(
            self.model, lambda rows: rules.history_admin_scope(request.user, rows, self.model)
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "title": gettext("Recover deleted %(name)s") % {"name": self.opts.verbose_name_plural},
            "deleted": [
                (record, self._history_admin_url("recover", record.history_id))
                for record in deleted
            ],
        }
        return TemplateResponse(request, "history/recover_list.html", context)

    def recover_view(self, request, version_id):
        if not self.has_add_permission(request):
            raise PermissionDenied
        record = self.model.history.filter(history_id=version_id, history_type="-").first()
        if record is None or not self._deleted_in_scope(request, record):
            raise Http404
        instance = record.instance
        if self.model._base_manager.filter(pk=instance.pk).exists():
            messages.info(request, gettext("This entry exists (it has been restored already)."))
            return HttpResponseRedirect(self._history_admin_url("change", instance.pk))
        parent = rules.owner(instance)
        if not rules.can_add(request.user, self.model, parent=parent):
            raise PermissionDenied
        status = 200
        if request.method == "POST":
            try:
                result = object_recover(deleted_record=record, acting_user=request.user)
            except PermissionError as exc:
                raise PermissionDenied from exc
            except HistoryRefused as exc:
                status = 400
                for message in exc.messages:
                    messages.error(request, message)
                messages.error(request, gettext("Nothing has been changed."))
            else:
                self.log_addition(request, result.obj, result.reason)
                messages.success(
                    request,
                    format_html(
                        '{} <a href="{}">{}</a>',
                        self._done_message(result),
                        self._history_admin_url("history", result.obj.pk),
                        gettext("Change history"),
                    ),
                )
                return HttpResponseRedirect(self._history_admin_url("change", result.obj.pk))
        labels = Labels(request.user)
        fields = compared_fields(self.model)
        for f in fields:
            labels.want(f, getattr(record, f.attname))
        children = selectors.children_before_deletion(record)
        for child, fk, found in children:
            for row in found.values():
                for f in compared_fields(child, skip=fk):
                    labels.want(f, getattr(row, f.attname))
        labels.resolve()
        rows = []
        for child, _fk, found in children:
            instances = []
            for row in sorted(found.values(), key=lambda r: getattr(r, "position", 0) or 0):
                child_instance = row.instance
                labels.attach(child_instance)
                instances.append(str(child_instance))
            rows.append((child._meta.verbose_name_plural, instances))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "title": gettext("Recover: %(object)s") % {"object": instance},
            "record": record,
            "values": [
                (f.verbose_name, display(f, getattr(record, f.attname), labels)) for f in fields
            ],
            "children": rows,
            "recover_list_url": self._history_admin_url("recoverlist"),
        }
        return TemplateResponse(request, "history/recover_confirm.html", context, status=status)
