"""What the API prints. Values are codes (``"in_progress"``), not labels: the data is the same in
every language. Internal fields (review comments, notes for members) are never printed; a
person's own phone and e-mail only with their consent, otherwise their organisation's, as on
the pages.

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
from campaigns.models import (
    Campaign,
    CampaignContact,
    CampaignEvent,
    CampaignPartner,
    Channel,
    Market,
)
from contacts.models import Organisation, Person


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def page_url(request, obj) -> str:
    """The public page, in the default language (the same link whatever the client's)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _absolute(request, obj.get_absolute_url())


def api_url(request, name: str, pk) -> str:
    return _absolute(request, reverse(f"api:{name}-detail", args=[pk]))


class OrganisationRefSerializer(serializers.ModelSerializer):
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = ["id", "name", "short_name", "parent", "api_url"]

    def get_api_url(self, obj) -> str:
        return api_url(self.context.get("request"), "organisation", obj.pk)


class PersonRefSerializer(serializers.ModelSerializer):
    """A person as the content names them: name and function; contact details of their own only
    with consent (otherwise the organisation's); a link to the person only with consent."""

    name = serializers.CharField(source="full_name")
    phone = serializers.CharField(source="public_phone")
    email = serializers.CharField(source="public_email")
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = ["name", "salutation", "function", "organisation", "phone", "email", "api_url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, obj) -> str | None:
        if not obj.public_contact:
            return None
        return api_url(self.context.get("request"), "person", obj.pk)


class TargetGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = TargetGroup
        fields = ["id", "name"]


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = Step
        fields = ["position", "text"]


class TopStepSerializer(StepSerializer):
    substeps = StepSerializer(many=True, read_only=True)

    class Meta(StepSerializer.Meta):
        fields = [*StepSerializer.Meta.fields, "substeps"]


class ScheduleEntrySerializer(serializers.ModelSerializer):
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


class ResponsibilitySerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True, allow_null=True)
    person = PersonRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Responsibility
        fields = ["position", "role", "organisation", "person", "note"]


class BudgetLineSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.name")
    funding_source = serializers.CharField(source="funding_source.name", allow_null=True)

    class Meta:
        model = BudgetLine
        fields = [
            "position",
            "category",
            "funding_source",
            "planned_amount",
            "actual_amount",
            "note",
        ]


class FieldRefSerializer(serializers.ModelSerializer):
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = FieldOfAction
        fields = ["id", "position", "title", "slug", "api_url"]

    def get_api_url(self, obj) -> str:
        return api_url(self.context.get("request"), "field", obj.pk)


class PlanSerializer(serializers.ModelSerializer):
    publisher = OrganisationRefSerializer(
        source="author_organisation", read_only=True, allow_null=True
    )
    project_lead = PersonRefSerializer(read_only=True, allow_null=True)
    fields_of_action = FieldRefSerializer(source="fields", many=True, read_only=True)
    measure_count = serializers.IntegerField(
        read_only=True, help_text="measures the client may see"
    )
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
            "status",
            "language",
            "introduction",
            "funding_note",
            "publisher",
            "project_lead",
            "content_changed_at",
            "fields_of_action",
            "measure_count",
            "url",
            "measures_url",
        ]

    def get_url(self, obj) -> str:
        return page_url(self.context.get("request"), obj)

    def get_measures_url(self, obj) -> str:
        request = self.context.get("request")
        return _absolute(request, f"{reverse('api:measure-list')}?plan={obj.pk}")


class BaselineFindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = BaselineFinding
        fields = ["position", "text", "swot"]


class FieldSerializer(serializers.ModelSerializer):
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


class MeasureSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="field.plan_id", read_only=True)
    steps = TopStepSerializer(source="top_steps", many=True, read_only=True)
    schedule = ScheduleEntrySerializer(many=True, read_only=True)
    responsibilities = ResponsibilitySerializer(many=True, read_only=True)
    budget_lines = BudgetLineSerializer(many=True, read_only=True)
    target_groups = TargetGroupSerializer(many=True, read_only=True)
    related_measures = serializers.SerializerMethodField()
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
            "state",
            "steps",
            "schedule",
            "responsibilities",
            "budget_lines",
            "target_groups",
            "related_measures",
            "url",
        ]

    def get_related_measures(self, obj) -> list[int]:
        """Ids of related measures (either direction) the client may see."""
        ids = {m.pk for m in [*obj.related_to, *obj.related_by]} - {obj.pk}
        return sorted(ids)

    def get_url(self, obj) -> str:
        return page_url(self.context.get("request"), obj)


class ChannelSerializer(serializers.ModelSerializer):
    languages = serializers.ListField(
        source="language_list", child=serializers.CharField(), read_only=True
    )

    class Meta:
        model = Channel
        fields = [
            "position",
            "kind",
            "name",
            "description",
            "reach",
            "reach_label",
            "languages",
            "url",
            "period_label",
            "start_date",
            "end_date",
            "date_precision",
            "status",
        ]


class CampaignEventSerializer(serializers.ModelSerializer):
    agenda = serializers.ListField(
        source="agenda_items", child=serializers.CharField(), read_only=True
    )

    class Meta:
        model = CampaignEvent
        fields = [
            "position",
            "title",
            "date",
            "date_precision",
            "date_label",
            "place",
            "description",
            "agenda",
            "participants_count",
        ]


class CampaignPartnerSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = CampaignPartner
        fields = ["organisation", "role", "note"]


class CampaignContactSerializer(serializers.ModelSerializer):
    person = PersonRefSerializer(read_only=True)

    class Meta:
        model = CampaignContact
        fields = ["person", "role"]


class MarketSerializer(serializers.ModelSerializer):
    class Meta:
        model = Market
        fields = ["id", "name", "iso_code"]


class CampaignSerializer(serializers.ModelSerializer):
    organiser = OrganisationRefSerializer(read_only=True, allow_null=True)
    target_groups = TargetGroupSerializer(many=True, read_only=True)
    markets = MarketSerializer(many=True, read_only=True)
    partners = CampaignPartnerSerializer(source="partner_links", many=True, read_only=True)
    contacts = CampaignContactSerializer(source="contact_links", many=True, read_only=True)
    channels = ChannelSerializer(many=True, read_only=True)
    events = CampaignEventSerializer(many=True, read_only=True)
    related_measures = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "slug",
            "title",
            "kind",
            "slogan",
            "region",
            "status",
            "organiser",
            "summary",
            "description",
            "goals",
            "period_label",
            "start_date",
            "end_date",
            "date_precision",
            "budget_amount",
            "budget_note",
            "funding_note",
            "website",
            "source",
            "target_groups",
            "markets",
            "partners",
            "contacts",
            "channels",
            "events",
            "related_measures",
        ]

    def get_related_measures(self, obj) -> list[int]:
        """Ids of the related measures the client may see."""
        return sorted(m.pk for m in obj.visible_measures)


class OrganisationSerializer(serializers.ModelSerializer):
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
