from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from imports import widgets
from imports.resources import PlanwerkResourceMixin

from .models import FieldOfAction, Measure, Responsibility, TargetGroup


class MeasureResource(PlanwerkResourceMixin, resources.ModelResource):
    """Measures as one row each, for the measure admin's export (CSV, TSV, XLSX).

    Export only: measures are imported through the plan's workbook
    (``imports/plan_workbook.py``), the one import path.
    """

    id = fields.Field(attribute="id", column_name="ID", widget=widgets.IntegerWidget())
    plan = fields.Field(attribute="field__plan__title", column_name=_("plan"), readonly=True)
    field = fields.Field(
        attribute="field",
        column_name=_("field of action (ID)"),
        widget=widgets.ForeignKeyWidget(FieldOfAction),
    )
    field_title = fields.Field(
        attribute="field__title", column_name=_("field of action"), readonly=True
    )
    code = fields.Field(attribute="code", column_name=_("code"))
    title = fields.Field(attribute="title", column_name=_("title"))
    slug = fields.Field(attribute="slug", column_name=_("slug"))
    position = fields.Field(
        attribute="position", column_name=_("position"), widget=widgets.IntegerWidget()
    )
    status = fields.Field(attribute="status", column_name=_("status"))
    state = fields.Field(attribute="state", column_name=_("publication state"), readonly=True)
    description = fields.Field(attribute="description", column_name=_("description"))
    target_groups = fields.Field(
        attribute="target_groups",
        column_name=_("target groups"),
        widget=widgets.ManyToManyWidget(TargetGroup, field="name", separator="; "),
    )
    lead_organisation = fields.Field(column_name=_("lead (measure)"), readonly=True)
    steps = fields.Field(column_name=_("steps"), readonly=True)

    class Meta:
        model = Measure
        fields = (
            "id",
            "plan",
            "field",
            "field_title",
            "code",
            "title",
            "slug",
            "position",
            "status",
            "state",
            "description",
            "target_groups",
            "lead_organisation",
            "steps",
        )
        # Rows are fetched (with their prefetches) in pages of this size; a whole plan fits
        # into one page, so an export costs the same few queries however large the plan.
        chunk_size = 1000

    def get_queryset(self):
        return with_export_relations(super().get_queryset())

    def dehydrate_lead_organisation(self, measure):
        return "; ".join(str(r.organisation or r.person) for r in lead_responsibilities(measure))

    def dehydrate_steps(self, measure):
        steps = list(measure.steps.all())
        lines = []
        for step in (s for s in steps if s.parent_id is None):
            lines.append(f"- {step.text}")
            lines.extend(f"  - {sub.text}" for sub in steps if sub.parent_id == step.pk)
        return "\n".join(lines)


def lead_responsibilities(measure) -> list[Responsibility]:
    """The measure's lead responsibilities, from the prefetch when the queryset made one."""
    if hasattr(measure, "lead_responsibilities"):
        return measure.lead_responsibilities
    return list(
        measure.responsibilities.filter(role=Responsibility.Role.LEAD).select_related(
            "organisation", "person"
        )
    )


EXPORT_PREFETCH = ("target_groups", "steps")


def with_export_relations(queryset):
    """Everything a measure export row reads, fetched in a constant number of queries."""
    return queryset.select_related("field__plan").prefetch_related(
        *EXPORT_PREFETCH, lead_responsibilities_prefetch()
    )


def lead_responsibilities_prefetch() -> Prefetch:
    return Prefetch(
        "responsibilities",
        queryset=Responsibility.objects.filter(role=Responsibility.Role.LEAD).select_related(
            "organisation", "person"
        ),
        to_attr="lead_responsibilities",
    )
