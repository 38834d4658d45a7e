"""Indicators in the admin: coordinators manage an indicator with its targets, links and
values on one page; editors enter values on the value form (only for indicators linked to a
measure they may edit). Rows and permissions come from ``access.rules``."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from access import rules
from access.admin import RoleAdminMixin
from actionplan.admin import ConstantQueriesInline, coordinated_plans
from actionplan.models import FieldOfAction, Measure
from config.numbers import format_number
from history.admin import HistoryAdmin
from translations.admin import TranslatedFieldsMixin

from .models import Indicator, IndicatorLink, IndicatorTarget, IndicatorValue


def _number(value):
    return format_number(value, None) if value is not None else "–"


class IndicatorRowInline(ConstantQueriesInline):
    def get_formset(self, request, obj=None, **kwargs):
        request._indicator_plan_id = obj.plan_id if obj is not None else None
        return super().get_formset(request, obj, **kwargs)


class IndicatorTargetInline(IndicatorRowInline):
    model = IndicatorTarget
    fields = ("date", "value", "note")
    ordering = ("date",)


class IndicatorValueInline(IndicatorRowInline):
    model = IndicatorValue
    fields = ("date", "value", "source", "note")
    ordering = ("date",)


class IndicatorLinkInline(IndicatorRowInline):
    """The measure is an autocomplete (a plan of 1,000 measures would print them all in every
    row); what it offers is what the measure admin shows the user, what a save accepts is the
    queryset below: measures of the indicator's plan, in plans the user coordinates."""

    model = IndicatorLink
    fields = ("kind", "field", "measure")
    autocomplete_fields = ("measure",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("field", "measure")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        plan_id = getattr(request, "_indicator_plan_id", None)
        plans = coordinated_plans(request.user)
        if db_field.name == "field":
            qs = FieldOfAction.objects.filter(plan__in=plans).select_related("plan")
            kwargs["queryset"] = qs.filter(plan_id=plan_id) if plan_id else qs
        if db_field.name == "measure":
            qs = Measure.objects.filter(field__plan__in=plans).select_related("field")
            kwargs["queryset"] = qs.filter(field__plan_id=plan_id) if plan_id else qs
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Indicator)
class IndicatorAdmin(TranslatedFieldsMixin, RoleAdminMixin, HistoryAdmin):
    list_display = ("name", "plan", "unit", "direction", "update_interval", "is_example")
    list_filter = (("plan", admin.RelatedOnlyFieldListFilter), "direction", "is_example")
    list_select_related = ("plan",)
    search_fields = ("name", "description", "source")
    fieldsets = (
        (None, {"fields": ("plan", "name", "slug", "description", "unit", "direction")}),
        (_("Source and interval"), {"fields": ("source", "update_interval")}),
        (_("Baseline"), {"fields": ("baseline_value", "baseline_date")}),
        (None, {"fields": ("is_example",)}),
    )
    inlines = (IndicatorTargetInline, IndicatorLinkInline, IndicatorValueInline)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "plan":
            kwargs["queryset"] = coordinated_plans(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly.append("plan")  # its links and values belong to the plan
        return readonly


@admin.register(IndicatorValue)
class IndicatorValueAdmin(RoleAdminMixin, HistoryAdmin):
    """The value form: editors enter the values of the indicators of their measures."""

    list_display = ("indicator", "date", "shown_value", "source")
    list_filter = (("indicator__plan", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("indicator",)
    search_fields = ("indicator__name", "source", "note")
    date_hierarchy = "date"
    fields = ("indicator", "date", "value", "source", "note")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("indicator", "indicator__plan")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "indicator":
            kwargs["queryset"] = rules.editable_indicators(
                request.user, Indicator.objects.select_related("plan")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("value"), ordering="value")
    def shown_value(self, row):
        return _number(row.value)
