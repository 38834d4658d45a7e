"""The admin under the per-plan roles: every admin of plan, campaign and contact data uses these
mixins, so changelists, forms, inlines, autocomplete, raw-id popups, history, bulk actions and
foreign-key choices all follow ``access.rules`` (Django's global model permissions are not used).
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from config.numbers import read_only_numbers

from . import rules
from .models import AuditEvent, Membership
from .services import membership_delete, membership_save


class NotFoundOutsideScopeMixin:
    """An object outside the user's rows answers 404, like one that does not exist — on the
    change, delete and history pages alike (Django would redirect to the index, and
    django-simple-history would answer 403 from the object's history: an existence oracle)."""

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._history_in_scope_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._history_in_scope_or_404(request, object_id)
        return super().history_form_view(
            request, object_id, version_id, extra_context=extra_context
        )

    def _history_in_scope_or_404(self, request, object_id):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied  # not this admin at all, as on the change page
        try:
            pk = self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError as exc:
            raise Http404 from exc
        if self.get_queryset(request).filter(pk=pk).exists():
            return
        if self.model._default_manager.filter(pk=pk).exists():
            raise Http404  # exists, but not among the user's rows
        history = getattr(self.model, "history", None)
        record = None
        if history is not None:
            record = history.filter(**{self.model._meta.pk.attname: pk}).order_by("-history_date")
            record = record.first()
        # a deleted object: its history only for those who could see it
        if record is None or not rules.in_admin_scope(request.user, record.instance):
            raise Http404


class RoleAdminMixin(NotFoundOutsideScopeMixin):
    """Rows and permissions of a ``ModelAdmin`` from ``access.rules``."""

    # A field that only those who may publish the object change (a plan's or campaign's status).
    publication_field: str | None = None

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if self.publication_field and (obj is None or not rules.can_publish(request.user, obj)):
            readonly.append(self.publication_field)
        return readonly

    def get_queryset(self, request):
        return rules.admin_scope(request.user, super().get_queryset(request))

    def has_module_permission(self, request):
        return rules.works_with(request.user, self.model)

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return rules.works_with(request.user, self.model)
        return rules.in_admin_scope(request.user, obj)

    def has_add_permission(self, request):
        return rules.can_add(request.user, self.model)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return rules.may_change_some(request.user, self.model)
        return rules.in_admin_scope(request.user, obj) and rules.can_change(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return rules.may_delete_some(request.user, self.model)
        return rules.in_admin_scope(request.user, obj) and rules.can_delete(request.user, obj)

    def delete_queryset(self, request, queryset):
        # Bulk deletion: the changelist may hold rows the user only reads.
        if any(not rules.can_delete(request.user, obj) for obj in queryset):
            raise PermissionDenied
        super().delete_queryset(request, queryset)

    def save_model(self, request, obj, form, change):
        # Checked against the stored row too: a history revert hands over an old instance.
        if change:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            if stored is not None and not rules.can_change(request.user, stored):
                raise PermissionDenied
        if not (rules.can_change(request.user, obj) if change else self._may_create(request, obj)):
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    def _may_create(self, request, obj) -> bool:
        parent = rules.owner(obj)
        if obj._meta.model_name == "fieldofaction":
            parent = obj.plan
        return rules.can_add(request.user, self.model, parent=parent)


class RoleInlineMixin:
    """Inline rows follow the parent object's rules (editors: steps, schedule, budget lines)."""

    def get_queryset(self, request):
        return rules.admin_scope(request.user, super().get_queryset(request))

    def has_view_permission(self, request, obj=None):
        return rules.is_member(request.user) if obj is None else rules.can_view(request.user, obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if not self.has_change_permission(request, obj):
            read_only_numbers(formset.form)  # "5.000,00", not "5000,00"
        return formset

    def has_add_permission(self, request, obj=None):
        return rules.can_change_rows(request.user, self.model, obj)

    def has_change_permission(self, request, obj=None):
        return rules.can_change_rows(request.user, self.model, obj)

    def has_delete_permission(self, request, obj=None):
        return rules.can_change_rows(request.user, self.model, obj)


# --- memberships -------------------------------------------------------------------------------


class MembershipAdminBase(NotFoundOutsideScopeMixin):
    """Coordinators manage the members of their plans and campaigns; superusers all."""

    def get_queryset(self, request):
        qs = (
            super().get_queryset(request).select_related("user", "plan", "campaign", "organisation")
        )
        coordinated = rules.coordinated_plan_ids(request.user)
        if coordinated is None:
            return qs
        campaigns = rules.roles(request.user).campaign_ids(rules.COORDINATOR)
        return qs.filter(plan_id__in=coordinated) | qs.filter(campaign_id__in=campaigns)

    def has_module_permission(self, request):
        return self.has_add_permission(request)

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return self.has_add_permission(request)
        return self._manages(request, obj)

    def has_add_permission(self, request, obj=None):
        return rules.coordinates_anything(request.user)

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def _manages(self, request, obj) -> bool:
        target = obj.plan if obj.plan_id else obj.campaign
        return target is not None and rules.can_manage_members(request.user, target)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        user = request.user
        if db_field.name == "plan" and not rules.is_superuser(user):
            from actionplan.models import Plan

            kwargs["queryset"] = Plan.objects.filter(pk__in=rules.coordinated_plan_ids(user))
        if db_field.name == "campaign" and not rules.is_superuser(user):
            from campaigns.models import Campaign

            ids = rules.roles(user).campaign_ids(rules.COORDINATOR)
            kwargs["queryset"] = Campaign.objects.filter(pk__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Membership)
class MembershipAdmin(MembershipAdminBase, admin.ModelAdmin):
    list_display = ("user", "role", "organisation", "plan", "campaign", "created_at")
    list_filter = (
        "role",
        ("plan", admin.RelatedOnlyFieldListFilter),
        ("campaign", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("user__username", "user__first_name", "user__last_name", "organisation__name")
    autocomplete_fields = ("organisation",)
    fields = ("user", "plan", "campaign", "role", "organisation")

    def save_model(self, request, obj, form, change):
        target = obj.plan or obj.campaign
        if target is None or not rules.can_manage_members(request.user, target):
            raise PermissionDenied
        membership_save(obj, acting_user=request.user, request=request, changed=form.changed_data)

    def delete_model(self, request, obj):
        if not self._manages(request, obj):
            raise PermissionDenied
        membership_delete(obj, acting_user=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class MembershipInline(MembershipAdminBase, admin.TabularInline):
    """The members of one plan or campaign, on its change page (coordinators only)."""

    model = Membership
    fields = ("user", "role", "organisation")
    autocomplete_fields = ("organisation",)
    extra = 0
    verbose_name_plural = _("members and roles")

    def has_view_permission(self, request, obj=None):
        return obj is not None and rules.can_manage_members(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)


# --- audit log ----------------------------------------------------------------------------------


@admin.register(AuditEvent)
class AuditEventAdmin(NotFoundOutsideScopeMixin, admin.ModelAdmin):
    """Read-only; coordinators see the events of their plans and campaigns."""

    list_display = ("at", "actor_name", "action", "object_repr", "plan", "campaign", "ip_address")
    list_filter = (
        "action",
        ("plan", admin.RelatedOnlyFieldListFilter),
        ("campaign", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("plan", "campaign")
    search_fields = ("actor_name", "object_repr", "detail")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        coordinated = rules.coordinated_plan_ids(request.user)
        if coordinated is None:
            return qs
        campaigns = rules.roles(request.user).campaign_ids(rules.COORDINATOR)
        members = Membership.objects.filter(
            Q(plan_id__in=coordinated) | Q(campaign_id__in=campaigns)
        ).values("user_id")
        return qs.filter(
            Q(plan_id__in=coordinated)
            | Q(campaign_id__in=campaigns)
            # logins of the people who work on those plans and campaigns
            | Q(plan__isnull=True, campaign__isnull=True, actor_id__in=members)
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        return rules.coordinates_anything(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
