from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.fields import Field

from actionplan.models import TargetGroup
from contacts.models import Organisation
from imports.widgets import DecimalWidget, ForeignKeyWidget, IntegerWidget, ManyToManyWidget

from .models import Campaign, Channel, Market


class ExportOnlyResource(resources.ModelResource):
    """A spreadsheet export (the admin offers CSV, TSV and XLSX, with formula protection).

    Campaign files are imported only as campaign documents (``imports.campaign_document``):
    one write path, with its preview, history reason and permission checks.
    """

    def import_data(self, *args, **kwargs):
        raise NotImplementedError(
            "Campaigns are imported as campaign documents (imports.campaign_document)."
        )


class CampaignResource(ExportOnlyResource):
    """Campaigns by slug, one row each."""

    slug = Field(attribute="slug", column_name=_("slug"))
    title = Field(attribute="title", column_name=_("title"))
    kind = Field(attribute="kind", column_name=_("kind"))
    status = Field(attribute="status", column_name=_("status"))
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

    class Meta:
        model = Campaign
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

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("organiser").prefetch_related("target_groups", "markets")


class ChannelResource(ExportOnlyResource):
    """Channels with the slug of their campaign, one row each."""

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

    class Meta:
        model = Channel
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

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("campaign")
