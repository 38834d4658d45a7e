"""Publishing and listing a plan's versions in the admin (coordinators publish)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from access import rules
from access.admin import RoleAdminMixin
from actionplan.models import Plan, german_slugify

from .models import PlanVersion
from .services import plan_version_delete, plan_version_publish


class PublishVersionForm(forms.ModelForm):
    """Plan, label and date; the snapshot is taken by the service."""

    class Meta:
        model = PlanVersion
        fields = ("plan", "label", "date")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        plans = Plan.objects.filter(rules.public_plans_q())
        coordinated = rules.coordinated_plan_ids(user)
        if coordinated is not None:
            plans = plans.filter(pk__in=coordinated)
        self.fields["plan"].queryset = plans.order_by("title")
        self.fields["plan"].help_text = _(
            "Published plans you coordinate. The version stores what the public sees now: "
            "published measures only, never drafts."
        )
        self.fields["date"].initial = timezone.localdate

    def clean(self):
        data = super().clean()
        plan, label = data.get("plan"), data.get("label")
        if plan and label:
            slug = german_slugify(" ".join(label.split()))
            if not slug:
                self.add_error("label", _("The label needs at least one letter or digit."))
            elif PlanVersion.objects.filter(plan=plan, slug=slug).exists():
                self.add_error("label", _("This plan already has a version with this label."))
        return data

    def validate_unique(self):
        """The slug is set by the service; ``clean`` checks the label instead."""


@admin.register(PlanVersion)
class PlanVersionAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("label", "plan", "date", "created_by", "created_at", "public_link")
    list_filter = ("plan",)
    list_select_related = ("plan", "created_by")
    search_fields = ("label", "plan__title")
    date_hierarchy = "date"
    readonly_fields = ("plan", "label", "slug", "date", "created_by", "created_at", "public_link")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("snapshot")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class Form(PublishVersionForm):
            def __init__(self, *args, **kw):
                super().__init__(*args, user=user, **kw)

        return Form

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "title": _("Publish version")}
        return super().add_view(request, form_url, extra_context)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ("plan", "label", "date")

    def has_change_permission(self, request, obj=None):
        return False  # a version is a record: it is published or deleted, never edited

    def save_model(self, request, obj, form, change):
        try:
            version = plan_version_publish(
                plan=form.cleaned_data["plan"],
                label=form.cleaned_data["label"],
                date=form.cleaned_data["date"],
                acting_user=request.user,
                request=request,
            )
        except ValidationError as exc:
            # checked by the form already; a race with another coordinator ends here
            raise PermissionDenied(" ".join(exc.messages)) from exc
        obj.pk = version.pk
        obj.slug, obj.created_at = version.slug, version.created_at

    def delete_model(self, request, obj):
        plan_version_delete(version=obj, acting_user=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for version in queryset.select_related("plan"):
            plan_version_delete(version=version, acting_user=request.user, request=request)

    def response_add(self, request, obj, post_url_continue=None):
        messages.success(
            request,
            format_html(
                _("The version “{}” has been published: {}"),
                obj.label,
                format_html('<a href="{0}">{0}</a>', obj.get_absolute_url()),
            ),
        )
        return self.response_post_save_add(request, obj)

    @admin.display(description=_("public page"))
    def public_link(self, obj):
        url = obj.get_absolute_url()
        return format_html('<a href="{}">{}</a>', url, url)
