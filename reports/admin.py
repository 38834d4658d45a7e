"""Status reports in the admin: a coordinator generates one from a version or the plan now,
writes the summary and a text per field of action, and downloads it as PDF or Word."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from access import rules
from access.admin import RoleAdminMixin, RoleInlineMixin
from actionplan.models import Plan
from versions.models import PlanVersion

from .models import FieldReportText, StatusReport
from .services import status_report_create


class GenerateReportForm(forms.ModelForm):
    """Plan, source and period; the documents are taken by the service."""

    class Meta:
        model = StatusReport
        fields = ("plan", "version", "title", "period_label", "period_start", "period_end")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        plans = Plan.objects.all()
        coordinated = rules.coordinated_plan_ids(user)
        if coordinated is not None:
            plans = plans.filter(pk__in=coordinated)
        self.fields["plan"].queryset = plans.order_by("title")
        self.fields["plan"].help_text = _("Plans you coordinate.")
        self.fields["version"].queryset = (
            PlanVersion.objects.filter(plan__in=plans).listed().select_related("plan")
        )
        self.fields["version"].label_from_instance = lambda v: f"{v.plan} – {v.label}"
        self.fields["version"].empty_label = _("— the plan as it is now —")
        self.fields["title"].initial = _("Status report")
        self.fields["period_end"].initial = timezone.localdate

    def clean(self):
        data = super().clean()
        plan, version = data.get("plan"), data.get("version")
        if plan and version and version.plan_id != plan.pk:
            self.add_error("version", _("This version belongs to another plan."))
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("The period must not end before it starts."))
        return data

    def _post_clean(self):
        """The documents are taken by the service; the model's own checks run there."""


class FieldReportTextInline(RoleInlineMixin, admin.StackedInline):
    model = FieldReportText
    extra = 0
    fields = ("field_title", "text")
    readonly_fields = ("field_title",)
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # one per field of the report's document, made with the report

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StatusReport)
class StatusReportAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("title", "plan", "period_label", "state", "source", "created_at")
    list_filter = ("plan", "state")
    list_select_related = ("plan", "version")
    search_fields = ("title", "period_label", "plan__title")
    inlines = [FieldReportTextInline]
    readonly_fields = ("plan", "source", "source_date", "created_by", "created_at", "downloads")
    fields = (
        "plan",
        "source",
        "source_date",
        "title",
        "period_label",
        ("period_start", "period_end"),
        "summary",
        "state",
        "downloads",
        "created_by",
        "created_at",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).defer("document", "public_document", "extras")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class Form(GenerateReportForm):
            def __init__(self, *args, **kw):
                super().__init__(*args, user=user, **kw)

        return Form

    def get_fields(self, request, obj=None):
        if obj is None:
            return GenerateReportForm.Meta.fields
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "title": _("Generate status report")}
        return super().add_view(request, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        try:
            report = status_report_create(
                plan=data["plan"],
                version=data.get("version"),
                title=data["title"],
                period_label=data["period_label"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            raise PermissionDenied(" ".join(exc.messages)) from exc
        obj.pk, obj.created_at = report.pk, report.created_at
        obj.title, obj.plan = report.title, report.plan  # for the message and the log

    @admin.display(description=_("source"))
    def source(self, obj):
        return obj.source_label

    @admin.display(description=_("download"))
    def downloads(self, obj):
        if obj.pk is None:
            return "–"
        kwargs = {"plan_slug": obj.plan.slug, "pk": obj.pk}
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("reports:report_pdf", kwargs=kwargs),
            _("PDF"),
            reverse("reports:report_docx", kwargs=kwargs),
            _("Word document"),
        )
