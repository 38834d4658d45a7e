"""The admin under the per-plan roles: every admin of plan, campaign and contact data uses these
mixins, so changelists, forms, inlines, autocomplete, raw-id popups, history, bulk actions and
foreign-key choices all follow ``access.rules`` (Django's global model permissions are not used).
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from actionplan.constraints import UniqueRowsInlineFormSet
from config.numbers import read_only_numbers

from . import rules
from .forms import InvitationForm
from .models import AuditEvent, Membership
from .services import membership_delete, membership_invite, membership_save, target_kind


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


class SuperuserOnlyAdminMixin:
    """A model only superusers see and change in the admin (per-user settings, logs)."""

    def has_module_permission(self, request):
        return rules.is_superuser(request.user)

    def has_view_permission(self, request, obj=None):
        return rules.is_superuser(request.user)

    def has_add_permission(self, request):
        return rules.is_superuser(request.user)

    def has_change_permission(self, request, obj=None):
        return rules.is_superuser(request.user)

    def has_delete_permission(self, request, obj=None):
        return rules.is_superuser(request.user)


class ChoosableRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A changelist's filter by a related object lists only objects the user may see (a plan
    version's "by plan" filter names no draft plan of somebody else). Registered for every
    relation in ``AccessConfig.ready``."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        visible = rules.choosable(request.user, field.related_model._default_manager.all())
        return field.get_choices(
            include_blank=False,
            limit_choices_to={"pk__in": visible.values("pk")},
            ordering=ordering,
        )


class ChoosableLinksMixin:
    """Foreign-key and many-to-many choices (selects, autocomplete, raw ids) hold only what the
    user may see (``rules.choosable``): a posted ID of a hidden object is refused like an ID
    that does not exist, and the form never shows its title."""

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.using(db)
        return rules.choosable(request.user, queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" in kwargs:  # an admin's own narrower choice, still within what one sees
            kwargs["queryset"] = rules.choosable(request.user, kwargs["queryset"])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" in kwargs:
            kwargs["queryset"] = rules.choosable(request.user, kwargs["queryset"])
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class RoleAdminMixin(ChoosableLinksMixin, NotFoundOutsideScopeMixin):
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

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # One database question per measure for an editor's many permission checks.
        with rules.remembered_editor_checks():
            return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None and not self.has_change_permission(request, obj):
            from . import reasons

            self.message_user(request, reasons.read_only_reason(request.user, obj), messages.INFO)
        return super().render_change_form(request, context, add, change, form_url, obj)

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
        from . import reasons

        if change:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            if stored is not None and not rules.can_change(request.user, stored):
                raise PermissionDenied(reasons.read_only_reason(request.user, stored))
        if not (rules.can_change(request.user, obj) if change else self._may_create(request, obj)):
            raise PermissionDenied(reasons.read_only_reason(request.user, obj))
        super().save_model(request, obj, form, change)

    def _may_create(self, request, obj) -> bool:
        parent = rules.owner(obj)
        if obj._meta.model_name == "fieldofaction":
            parent = obj.plan
        return rules.can_add(request.user, self.model, parent=parent)


class RoleInlineMixin(ChoosableLinksMixin):
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

    # --- invitations: a coordinator invites a person by e-mail into a plan or campaign ---------

    def get_urls(self):
        return [
            path(
                "einladen/<str:kind>/<int:pk>/",
                self.admin_site.admin_view(self.invite_view),
                name="access_membership_invite",
            ),
            *super().get_urls(),
        ]

    def _invitation_target(self, request, kind, pk):
        """The plan or campaign to invite into: 404 outside the user's rows (as elsewhere in the
        admin), 403 for a member who does not coordinate it."""
        from actionplan.models import Plan
        from campaigns.models import Campaign

        model = {"plan": Plan, "campaign": Campaign}.get(kind)
        target = model.objects.filter(pk=pk).first() if model else None
        if target is None or not rules.in_admin_scope(request.user, target):
            raise Http404
        if not rules.can_manage_members(request.user, target):
            raise PermissionDenied
        return target

    def invite_view(self, request, kind, pk):
        target = self._invitation_target(request, kind, pk)
        form = InvitationForm(request.POST or None, acting_user=request.user, target=target)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                invitation = membership_invite(
                    target=target,
                    email=data["email"],
                    role=data["role"],
                    organisation=data["organisation"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    acting_user=request.user,
                    request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, self._invited_message(invitation))
                return HttpResponseRedirect(target_change_url(target))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Invite a person to “%(target)s”") % {"target": target},
            "form": form,
            "target": target,
            "target_url": target_change_url(target),
            "target_opts": target._meta,
            "opts": self.model._meta,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/access/membership/invite.html", context)

    @staticmethod
    def _invited_message(invitation) -> str:
        if invitation.new_account:
            text = gettext(
                "Invitation sent to %(email)s: the account was created, and the e-mail holds a "
                "link to choose a password."
            )
        elif invitation.new_membership:
            text = gettext("Invitation sent to %(email)s: the existing account now has the role.")
        else:
            text = gettext("Invitation sent to %(email)s again: the account had this role already.")
        return text % {"email": invitation.user.email}


def target_change_url(target) -> str:
    opts = target._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[target.pk])


def invite_url(target) -> str:
    kwargs = {"kind": target_kind(target), "pk": target.pk}
    return reverse("admin:access_membership_invite", kwargs=kwargs)


class MembershipInline(MembershipAdminBase, admin.TabularInline):
    """The members of one plan or campaign, on its change page (coordinators only)."""

    formset = UniqueRowsInlineFormSet

    model = Membership
    fields = ("user", "role", "organisation")
    autocomplete_fields = ("organisation",)
    extra = 0
    verbose_name_plural = _("members and roles")
    # Django's tabular inline with a link to invite a person by e-mail.
    template = "admin/access/membership/tabular_invite.html"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.invite_url = (
            invite_url(obj)
            if obj is not None and obj.pk and rules.can_manage_members(request.user, obj)
            else None
        )
        return formset

    def has_view_permission(self, request, obj=None):
        # Without an object Django asks twice: whether to list any rows at all (get_queryset,
        # whose rows are cut to the coordinated plans and campaigns) and, on an add page,
        # whether to show the block. A plan or campaign being created has no members yet.
        if obj is None:
            match = getattr(request, "resolver_match", None)
            adding = match is not None and (match.url_name or "").endswith("_add")
            return not adding and rules.coordinates_anything(request.user)
        return rules.can_manage_members(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return obj is not None and self.has_view_permission(request, obj)


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
