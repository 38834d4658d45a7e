"""What the API prints. Values are codes (``"in_progress"``), not labels: the data is the same in
every language (only a target market's ``display_name`` follows the client's language). Texts
are printed in German and English (``title``, ``title_en``; api.languages). Internal
fields (review comments, notes for members, the lifecycle override) are never printed. A person
who did not consent to publication (``Person.is_public``) is never named: no name, salutation,
phone, e-mail or fax of their own — the content shows their function and organisation and the
organisation's phone and e-mail, as on the pages (``Person.public_name``).

Each object's serializer lists its fields in ``Meta.fields``; a new model field is added there
(and, for a nested list, as a serializer of its own below).
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actionplan.models import (
    BaselineFinding,
    BudgetLine,
    FieldOfAction,
    Measure,
    Plan,
    Responsibility,
    ScheduleEntry,
    Step,
    TargetGroup,
)
from actionplan.schedule import parse_schedule
from attachments.models import Attachment
from campaigns.countries import country_name
from campaigns.models import (
    Campaign,
    CampaignContact,
    CampaignEvent,
    CampaignLink,
    CampaignPartner,
    Channel,
    EventParticipant,
    KeyFigure,
    Market,
)
from contacts.models import Organisation, Person
from council.models import Consultation, CouncilPaper
from funding.models import FundingProgramme
from indicators.models import Indicator
from progress.selectors import plan_period
from translations.selectors import text

from .languages import TranslatedSerializer


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def page_url(request, obj) -> str:
    """The public page, in the default language (the same link whatever the client's)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _absolute(request, obj.get_absolute_url())


def api_url(request, name: str, pk) -> str:
    return _absolute(request, reverse(f"api:{name}-detail", args=[pk]))


class OrganisationRefSerializer(TranslatedSerializer):
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = ["id", "name", "short_name", "parent", "api_url"]

    def get_api_url(self, obj) -> str:
        return api_url(self.context.get("request"), "organisation", obj.pk)


class PersonRefSerializer(serializers.ModelSerializer):
    """A person as the content names them. With consent (``Person.is_public``): name, salutation,
    their own phone and e-mail and a link to the person. Without: no name (``null``), the
    function and organisation, the organisation's phone and e-mail; ``display_name`` is how the
    pages name them (the function, else the organisation)."""

    name = serializers.SerializerMethodField()
    salutation = serializers.SerializerMethodField()
    display_name = serializers.CharField(source="public_name", read_only=True)
    phone = serializers.CharField(source="public_phone", read_only=True)
    email = serializers.CharField(source="public_email", read_only=True)
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "name",
            "salutation",
            "display_name",
            "function",
            "organisation",
            "phone",
            "email",
            "api_url",
        ]

    def get_name(self, obj) -> str | None:
        return obj.full_name if obj.is_public else None

    def get_salutation(self, obj) -> str:
        return obj.salutation if obj.is_public else ""

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, obj) -> str | None:
        if not obj.is_public:
            return None
        return api_url(self.context.get("request"), "person", obj.pk)


class TargetGroupSerializer(TranslatedSerializer):
    class Meta:
        model = TargetGroup
        fields = ["id", "name"]


class StepSerializer(TranslatedSerializer):
    class Meta:
        model = Step
        fields = ["position", "text"]


class TopStepSerializer(StepSerializer):
    substeps = StepSerializer(many=True, read_only=True)

    class Meta(StepSerializer.Meta):
        fields = [*StepSerializer.Meta.fields, "substeps"]


class ScheduleEntrySerializer(TranslatedSerializer):
    class Meta:
        model = ScheduleEntry
        fields = [
            "position",
            "label",
            "start_date",
            "start_precision",
            "end_date",
            "end_precision",
            "approximate",
            "dating",
        ]


class ResponsibilitySerializer(TranslatedSerializer):
    organisation = OrganisationRefSerializer(read_only=True, allow_null=True)
    person = PersonRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Responsibility
        fields = ["position", "role", "organisation", "person", "note"]


class FundingProgrammeRefSerializer(TranslatedSerializer):
    class Meta:
        model = FundingProgramme
        fields = ["key", "name", "level", "fund", "period", "default_rate"]


class BudgetLineSerializer(TranslatedSerializer):
    translated_sources = {"category": "category.name", "funding_source": "funding_source.name"}

    category = serializers.CharField(source="category.name")
    funding_source = serializers.CharField(source="funding_source.name", allow_null=True)
    programme = FundingProgrammeRefSerializer(read_only=True, allow_null=True)
    own_share = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="planned_amount × (100 − co_funding_rate) / 100; null without amount or rate",
    )

    class Meta:
        model = BudgetLine
        fields = [
            "position",
            "category",
            "funding_source",
            "planned_amount",
            "actual_amount",
            "note",
            *BudgetLine.FUNDING_FIELDS,
            "own_share",
        ]


class ConsultationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consultation
        fields = ["date", "committee", "result"]


class CouncilPaperSerializer(serializers.ModelSerializer):
    """A council paper (Drucksache) the plan or measure rests on (council/)."""

    consultations = ConsultationSerializer(many=True, read_only=True)

    class Meta:
        model = CouncilPaper
        fields = ["reference", "title", "date", "body", "url", "oparl_id", "consultations"]


class AttachmentSerializer(TranslatedSerializer):
    """A document attached to the plan, field or measure (attachments/); the type is the one
    its content showed."""

    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "title",
            "description",
            "file_name",
            "content_type",
            "size",
            "sha256",
            "download_url",
        ]

    def get_download_url(self, obj) -> str:
        return _absolute(self.context.get("request"), obj.get_absolute_url())


class FieldRefSerializer(TranslatedSerializer):
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = FieldOfAction
        fields = ["id", "position", "title", "slug", "api_url"]

    def get_api_url(self, obj) -> str:
        return api_url(self.context.get("request"), "field", obj.pk)


NULLABLE_DATE = {"type": "string", "format": "date", "nullable": True}


class PeriodSerializer(serializers.Serializer):
    """The plan's term: as written (``label``, may be blank) and as dates. The dates come from
    the label when it names any, else from the earliest and latest dated schedule entries of
    the plan; either may be ``null``."""

    label = serializers.CharField(source="period_label", help_text="as written, e.g. “2011–2012”")
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()

    @staticmethod
    def bounds(plan) -> tuple:
        if plan.period_label:
            parsed = parse_schedule(plan.period_label)
            if parsed.is_dated:
                return parsed.start, parsed.end
        if not hasattr(plan, "schedule_first_start"):
            return plan_period(plan)
        starts = [d for d in (plan.schedule_first_start, plan.schedule_first_end) if d]
        ends = [d for d in (plan.schedule_last_start, plan.schedule_last_end) if d]
        return (min(starts) if starts else None, max(ends) if ends else None)

    @extend_schema_field(NULLABLE_DATE)
    def get_start(self, plan):
        start = self.bounds(plan)[0]
        return start.isoformat() if start else None

    @extend_schema_field(NULLABLE_DATE)
    def get_end(self, plan):
        end = self.bounds(plan)[1]
        return end.isoformat() if end else None


class PlanSerializer(TranslatedSerializer):
    period = PeriodSerializer(source="*", read_only=True)
    publisher = OrganisationRefSerializer(
        source="author_organisation", read_only=True, allow_null=True
    )
    project_lead = PersonRefSerializer(read_only=True, allow_null=True)
    fields_of_action = FieldRefSerializer(source="fields", many=True, read_only=True)
    measure_count = serializers.IntegerField(
        read_only=True, help_text="measures the client may see"
    )
    council_papers = CouncilPaperSerializer(source="plan_council_papers", many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()
    measures_url = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "id",
            "slug",
            "title",
            "subtitle",
            "region",
            "issued_on",
            "issued_label",
            "period",
            "status",
            "language",
            "english_note",
            "introduction",
            "funding_note",
            "publisher",
            "project_lead",
            "content_changed_at",
            "fields_of_action",
            "measure_count",
            "council_papers",
            "attachments",
            "url",
            "measures_url",
        ]

    def get_url(self, obj) -> str:
        return page_url(self.context.get("request"), obj)

    def get_measures_url(self, obj) -> str:
        request = self.context.get("request")
        return _absolute(request, f"{reverse('api:measure-list')}?plan={obj.pk}")


class BaselineFindingSerializer(TranslatedSerializer):
    class Meta:
        model = BaselineFinding
        fields = ["position", "text", "swot"]


class FieldSerializer(TranslatedSerializer):
    plan = serializers.PrimaryKeyRelatedField(read_only=True)
    lead_organisation = OrganisationRefSerializer(read_only=True, allow_null=True)
    contacts = serializers.SerializerMethodField()
    baseline = BaselineFindingSerializer(source="baseline_findings", many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = FieldOfAction
        fields = [
            "id",
            "plan",
            "position",
            "title",
            "slug",
            "target_state",
            "lead_organisation",
            "lead_note",
            "contacts",
            "baseline",
            "url",
        ]

    @extend_schema_field(PersonRefSerializer(many=True))
    def get_contacts(self, obj):
        people = [link.person for link in obj.field_contacts.all()]
        return PersonRefSerializer(people, many=True, context=self.context).data

    def get_url(self, obj) -> str:
        return page_url(self.context.get("request"), obj)


class MeasureSerializer(TranslatedSerializer):
    plan = serializers.IntegerField(source="field.plan_id", read_only=True)
    steps = TopStepSerializer(source="top_steps", many=True, read_only=True)
    schedule = ScheduleEntrySerializer(many=True, read_only=True)
    responsibilities = ResponsibilitySerializer(many=True, read_only=True)
    budget_lines = BudgetLineSerializer(many=True, read_only=True)
    target_groups = TargetGroupSerializer(many=True, read_only=True)
    related_measures = serializers.SerializerMethodField()
    council_papers = CouncilPaperSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Measure
        fields = [
            "id",
            "plan",
            "field",
            "code",
            "title",
            "slug",
            "position",
            "description",
            "status",
            "status_reported_at",
            "state",
            "steps",
            "schedule",
            "responsibilities",
            "budget_lines",
            "target_groups",
            "related_measures",
            "council_papers",
            "attachments",
            "url",
        ]

    def get_related_measures(self, obj) -> list[int]:
        """Ids of related measures (either direction) the client may see."""
        ids = {m.pk for m in [*obj.related_to, *obj.related_by]} - {obj.pk}
        return sorted(ids)

    def get_url(self, obj) -> str:
        return page_url(self.context.get("request"), obj)


def _language_list():
    return serializers.ListField(
        source="language_list",
        child=serializers.CharField(),
        read_only=True,
        help_text="ISO 639-1 codes",
    )


class ChannelSerializer(TranslatedSerializer):
    languages = _language_list()

    class Meta:
        model = Channel
        fields = [
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
        ]


class EventParticipantSerializer(serializers.ModelSerializer):
    """A participant: a person (named only with consent) and/or the organisation represented."""

    person = PersonRefSerializer(read_only=True, allow_null=True)
    organisation = OrganisationRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = EventParticipant
        fields = ["position", "person", "organisation", "role"]


class CampaignEventSerializer(TranslatedSerializer):
    topics = serializers.ListField(
        source="topic_items", child=serializers.CharField(), read_only=True
    )
    methods = serializers.ListField(
        source="method_items", child=serializers.CharField(), read_only=True
    )
    participants = EventParticipantSerializer(source="participant_links", many=True, read_only=True)

    class Meta:
        model = CampaignEvent
        fields = [
            "position",
            "title",
            "kind",
            "date",
            "date_precision",
            "date_label",
            "place",
            "description",
            "topics",
            "methods",
            "results",
            "participants_count",
            "participants",
        ]


class KeyFigureSerializer(TranslatedSerializer):
    class Meta:
        model = KeyFigure
        fields = [
            "position",
            "name",
            "unit",
            "target",
            "actual",
            "date",
            "date_precision",
            "date_label",
            "note",
        ]


class CampaignLinkSerializer(TranslatedSerializer):
    languages = _language_list()

    class Meta:
        model = CampaignLink
        fields = ["position", "label", "url", "languages"]


class CampaignPartnerSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = CampaignPartner
        fields = ["organisation", "role", "note"]


class CampaignContactSerializer(serializers.ModelSerializer):
    person = PersonRefSerializer(read_only=True)
    fax = serializers.SerializerMethodField()

    class Meta:
        model = CampaignContact
        fields = ["person", "role", "fax"]

    def get_fax(self, obj) -> str:
        """A fax number of the person's own: only with their consent."""
        return obj.fax if obj.person.is_public else ""


class MarketSerializer(TranslatedSerializer):
    display_name = serializers.SerializerMethodField(
        help_text="the country's name in the client's language (`lang`, Accept-Language); "
        "for regions the name as in `name`",
    )

    class Meta:
        model = Market
        fields = ["id", "name", "display_name", "iso_code"]

    def get_display_name(self, obj) -> str:
        return country_name(obj.iso_code) or text(obj, "name")


class CampaignSerializer(TranslatedSerializer):
    organiser = OrganisationRefSerializer(read_only=True, allow_null=True)
    lifecycle = serializers.ChoiceField(
        choices=Campaign.Lifecycle.choices,
        read_only=True,
        allow_blank=True,
        help_text="planned/running/completed: set by the editors, else derived from the "
        "period and today; empty when the period is unknown",
    )
    languages = _language_list()
    target_groups = TargetGroupSerializer(many=True, read_only=True)
    markets = MarketSerializer(many=True, read_only=True)
    links = CampaignLinkSerializer(many=True, read_only=True)
    partners = CampaignPartnerSerializer(source="partner_links", many=True, read_only=True)
    contacts = CampaignContactSerializer(source="contact_links", many=True, read_only=True)
    channels = ChannelSerializer(many=True, read_only=True)
    events = CampaignEventSerializer(many=True, read_only=True)
    key_figures = KeyFigureSerializer(many=True, read_only=True)
    related_measures = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "slug",
            "title",
            "kind",
            "motto",
            "slogan",
            "region",
            "status",
            "lifecycle",
            "languages",
            "english_note",
            "organiser",
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
            "content_changed_at",
            "links",
            "target_groups",
            "markets",
            "partners",
            "contacts",
            "channels",
            "events",
            "key_figures",
            "related_measures",
            "url",
        ]

    def get_related_measures(self, obj) -> list[int]:
        """Ids of the related measures the client may see."""
        return sorted(m.pk for m in obj.visible_measures)

    def get_url(self, obj) -> str:
        return page_url(self.context.get("request"), obj)


class OrganisationSerializer(TranslatedSerializer):
    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "parent",
            "address",
            "phone",
            "email",
            "website",
        ]


class PersonSerializer(serializers.ModelSerializer):
    """A person who consented to their contact details being public."""

    organisation = OrganisationRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "salutation",
            "title",
            "first_name",
            "last_name",
            "function",
            "organisation",
            "phone",
            "email",
        ]


# --- indicators (indicators/) ----------------------------------------------------------------


class IndicatorPointSerializer(serializers.Serializer):
    date = serializers.DateField()
    value = serializers.DecimalField(max_digits=18, decimal_places=4, coerce_to_string=True)


class IndicatorTargetSerializer(IndicatorPointSerializer):
    note = serializers.CharField()


class IndicatorValueSerializer(IndicatorPointSerializer):
    source = serializers.CharField()
    note = serializers.CharField()


class IndicatorLinkSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["measures", "influenced_by"])
    field = serializers.IntegerField(source="field_id")
    measure = serializers.IntegerField(source="measure_id", allow_null=True)


class IndicatorSerializer(TranslatedSerializer):
    """An indicator with baseline, targets, values and its links to fields and measures (only
    those the client sees)."""

    baseline = serializers.SerializerMethodField()
    targets = IndicatorTargetSerializer(many=True, read_only=True)
    values = IndicatorValueSerializer(many=True, read_only=True)
    links = IndicatorLinkSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "id",
            "plan",
            "name",
            "slug",
            "description",
            "unit",
            "direction",
            "source",
            "update_interval",
            "baseline",
            "is_example",
            "targets",
            "values",
            "links",
            "url",
        ]

    @extend_schema_field(IndicatorPointSerializer(allow_null=True))
    def get_baseline(self, obj):
        if obj.baseline_value is None or obj.baseline_date is None:
            return None
        return IndicatorPointSerializer(
            {"date": obj.baseline_date, "value": obj.baseline_value}
        ).data

    def get_url(self, obj) -> str:
        return page_url(self.context.get("request"), obj)
