from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.fields import Field

from access import rules
from actionplan.models import TargetGroup
from contacts.models import Organisation
from imports.resources import PlanwerkResourceMixin, StrictHeadersMixin
from imports.widgets import DecimalWidget, ForeignKeyWidget, IntegerWidget, ManyToManyWidget

from .models import Campaign, Channel, Market


def _check_campaigns(user, campaigns) -> None:
    """Every campaign a row touches (before and after) must be one the user may import into."""
    for campaign in campaigns:
        if campaign is not None and not rules.can_import_campaigns(user, campaign):
            raise ValidationError(
                gettext("You may not import into the campaign “%(campaign)s”.")
                % {"campaign": campaign.title}
            )


class CampaignResource(PlanwerkResourceMixin, StrictHeadersMixin, resources.ModelResource):
    """Campaigns by slug. The publication status is exported only: a file cannot publish."""

    slug = Field(attribute="slug", column_name=_("slug"))
    title = Field(attribute="title", column_name=_("title"))
    kind = Field(attribute="kind", column_name=_("kind"))
    status = Field(attribute="status", column_name=_("status"), readonly=True)
    region = Field(attribute="region", column_name=_("city/region"))
    organiser = Field(
        attribute="organiser",
        column_name=_("organiser"),
        widget=ForeignKeyWidget(Organisation, field="name"),
    )
    motto = Field(attribute="motto", column_name=_("motto"))
    slogan = Field(attribute="slogan", column_name=_("claim"))
    languages = Field(attribute="languages", column_name=_("languages"))
    lifecycle_override = Field(attribute="lifecycle_override", column_name=_("lifecycle status"))
    summary = Field(attribute="summary", column_name=_("summary"))
    description = Field(attribute="description", column_name=_("description"))
    goals = Field(attribute="goals", column_name=_("goals"))
    period_label = Field(attribute="period_label", column_name=_("period label"))
    start_date = Field(attribute="start_date", column_name=_("start"))
    end_date = Field(attribute="end_date", column_name=_("end"))
    date_precision = Field(attribute="date_precision", column_name=_("date precision"))
    budget_amount = Field(
        attribute="budget_amount", column_name=_("budget"), widget=DecimalWidget()
    )
    budget_currency = Field(attribute="budget_currency", column_name=_("currency"))
    budget_note = Field(attribute="budget_note", column_name=_("budget source"))
    funding_note = Field(attribute="funding_note", column_name=_("funding note"))
    source = Field(attribute="source", column_name=_("source"))
    target_groups = Field(
        attribute="target_groups",
        column_name=_("target groups"),
        widget=ManyToManyWidget(TargetGroup, field="name", separator=";"),
    )
    markets = Field(
        attribute="markets",
        column_name=_("target markets"),
        widget=ManyToManyWidget(Market, field="name", separator=";"),
    )

    def import_instance(self, instance, row, **kwargs):
        stored_title = instance.title  # name the campaign as it is, not as the file renames it
        super().import_instance(instance, row, **kwargs)
        if not rules.can_import_campaigns(kwargs.get("user"), instance):
            raise ValidationError(
                gettext("You may not import into the campaign “%(campaign)s”.")
                % {"campaign": stored_title or instance.title}
            )

    class Meta:
        model = Campaign
        import_id_fields = ("slug",)
        fields = (
            "slug",
            "title",
            "kind",
            "status",
            "region",
            "organiser",
            "motto",
            "slogan",
            "languages",
            "lifecycle_override",
            "summary",
            "description",
            "goals",
            "period_label",
            "start_date",
            "end_date",
            "date_precision",
            "budget_amount",
            "budget_currency",
            "budget_note",
            "funding_note",
            "source",
            "target_groups",
            "markets",
        )
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = True

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("organiser").prefetch_related("target_groups", "markets")


class ChannelResource(PlanwerkResourceMixin, StrictHeadersMixin, resources.ModelResource):
    id = Field(attribute="id", column_name="id", widget=IntegerWidget())
    campaign = Field(
        attribute="campaign",
        column_name=_("campaign"),
        widget=ForeignKeyWidget(Campaign, field="slug"),
    )
    position = Field(attribute="position", column_name=_("position"), widget=IntegerWidget())
    kind = Field(attribute="kind", column_name=_("kind"))
    name = Field(attribute="name", column_name=_("name"))
    description = Field(attribute="description", column_name=_("description"))
    reach = Field(attribute="reach", column_name=_("reach"), widget=IntegerWidget())
    reach_unit = Field(attribute="reach_unit", column_name=_("unit of reach"))
    reach_label = Field(attribute="reach_label", column_name=_("reach label"))
    languages = Field(attribute="languages", column_name=_("languages"))
    url = Field(attribute="url", column_name=_("web address"))
    period_label = Field(attribute="period_label", column_name=_("period label"))
    start_date = Field(attribute="start_date", column_name=_("start"))
    end_date = Field(attribute="end_date", column_name=_("end"))
    date_precision = Field(attribute="date_precision", column_name=_("date precision"))
    status = Field(attribute="status", column_name=_("status"))

    def import_instance(self, instance, row, **kwargs):
        before = instance.campaign if instance.pk is not None and instance.campaign_id else None
        super().import_instance(instance, row, **kwargs)
        after = instance.campaign if instance.campaign_id else None
        _check_campaigns(kwargs.get("user"), [before, after])

    class Meta:
        model = Channel
        import_id_fields = ("id",)
        fields = (
            "id",
            "campaign",
            "position",
            "kind",
            "name",
            "description",
            "reach",
            "reach_unit",
            "reach_label",
            "languages",
            "url",
            "period_label",
            "start_date",
            "end_date",
            "date_precision",
            "status",
        )
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = True

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("campaign")
