"""Query-parameter filters with plain DRF filter backends (no django-filter).

The parameter descriptions are English, like the schema: it is the same for every client.

Each list view names a ``filter_params_class``: a serializer that validates the parameters
(a malformed value answers 400 with the reason) and applies them to the queryset. An id that
is well formed but names nothing the client may see gives an empty list: a draft reads exactly
like an id nobody knows. The same class describes the parameters in the OpenAPI schema.
"""

import datetime
import re

from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from rest_framework import filters, serializers

from access import rules
from actionplan import selectors
from actionplan.models import FieldOfAction, Measure, Plan, Responsibility, TargetGroup
from campaigns.models import Campaign, CampaignPartner, Market
from campaigns.selectors import lifecycle_q
from contacts.models import Organisation

YEAR = {"min_value": 1900, "max_value": 2200}
# Ids are positive 64-bit integers (the largest the databases store).
MAX_ID = 2**63 - 1


class Nothing:
    """An id filter naming no object the user may see: the list is empty."""

    def __repr__(self):
        return "NOTHING"


NOTHING = Nothing()


class FilterParams(serializers.Serializer):
    """Validated filter parameters; ``apply`` narrows the queryset."""

    def apply(self, qs):
        raise NotImplementedError

    @property
    def user(self):
        return self.context["request"].user


class StrictIntegerField(serializers.IntegerField):
    """Digits only (DRF's field also takes ``"12.0"``, which the schema's integer forbids)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not re.fullmatch(r"-?[0-9]+", data.strip()):
            self.fail("invalid")
        return super().to_internal_value(data)


class IdField(StrictIntegerField):
    """A positive id; an id nobody knows matches nothing (the list is empty)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class VisibleIdField(IdField):
    """An id among the objects the requesting user may see. An unknown or invisible one
    matches nothing: the list is empty, so a draft reads exactly like an id nobody knows."""

    def __init__(self, *, visible, **kwargs):
        self.visible = visible
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        pk = super().run_validation(data)  # the number, range-checked
        found = self.visible(self.context["request"].user).filter(pk=pk).first()
        return NOTHING if found is None else found


class TextField(serializers.CharField):
    """Free text; blank means no filter, NUL characters (which no text holds) are dropped."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.replace("\x00", "")
        return super().to_internal_value(data)


def _year_overlap(year: int, start: str = "start_date", end: str = "end_date") -> Q:
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return (
        (Q(**{f"{start}__isnull": False}) | Q(**{f"{end}__isnull": False}))
        & (Q(**{f"{start}__isnull": True}) | Q(**{f"{start}__lte": last}))
        & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": first}))
    )


def _listed_organisations(user):
    return rules.listed_organisations(user, Organisation.objects.all())


class PlanFilterParams(FilterParams):
    region = TextField(required=False, max_length=150, help_text="city or region, exactly")

    def apply(self, qs):
        if region := self.validated_data.get("region"):
            qs = qs.filter(region=region)
        return qs


class FieldFilterParams(FilterParams):
    plan = VisibleIdField(
        visible=lambda user: Plan.objects.visible_to(user),
        required=False,
        help_text="id of the plan",
    )

    def apply(self, qs):
        if plan := self.validated_data.get("plan"):
            qs = qs.filter(plan=plan)
        return qs


class IndicatorFilterParams(FieldFilterParams):
    """Indicators of one plan."""


class MeasureFilterParams(FilterParams):
    """The filters of the public measure list, across plans."""

    plan = VisibleIdField(
        visible=lambda user: Plan.objects.visible_to(user), required=False, help_text="id"
    )
    field = VisibleIdField(
        visible=lambda user: FieldOfAction.objects.visible_to(user),
        required=False,
        help_text="id of the field of action",
    )
    status = serializers.ChoiceField(
        choices=Measure.Status.choices, required=False, help_text="progress of the work"
    )
    target_group = VisibleIdField(
        visible=lambda user: TargetGroup.objects.all(), required=False, help_text="id"
    )
    organisation = VisibleIdField(
        visible=_listed_organisations,
        required=False,
        help_text="id of an organisation holding a responsibility (itself or by a person)",
    )
    role = serializers.ChoiceField(
        choices=Responsibility.Role.choices,
        required=False,
        help_text="role of the responsibility",
    )
    year = StrictIntegerField(
        required=False, help_text="a dated schedule entry touches this year", **YEAR
    )
    q = TextField(required=False, max_length=200, help_text="words in title, description or steps")

    def apply(self, qs):
        data = self.validated_data
        if plan := data.get("plan"):
            qs = qs.filter(field__plan=plan)
        flt = selectors.MeasureFilter(
            field=data.get("field"),
            target_group=data.get("target_group"),
            organisation=data.get("organisation"),
            role=data.get("role") or None,
            status=data.get("status") or None,
            year=data.get("year"),
            query=(data.get("q") or "").strip(),
        )
        return selectors.filter_measures(qs, flt)


class CampaignFilterParams(FilterParams):
    """The filters of the public campaign list (region, organiser, status, target group, target
    market, year), plus kind and any organisation taking part."""

    region = TextField(required=False, max_length=150, help_text="city or region, exactly")
    organiser = VisibleIdField(
        visible=_listed_organisations, required=False, help_text="id of the organiser"
    )
    lifecycle = serializers.ChoiceField(
        choices=Campaign.Lifecycle.choices,
        required=False,
        help_text="planned, running or completed today (the status filter of the public list)",
    )
    kind = serializers.ChoiceField(choices=Campaign.Kind.choices, required=False)
    target_group = VisibleIdField(
        visible=lambda user: TargetGroup.objects.all(), required=False, help_text="id"
    )
    market = VisibleIdField(
        visible=lambda user: Market.objects.all(),
        required=False,
        help_text="id of a target market",
    )
    organisation = VisibleIdField(
        visible=_listed_organisations,
        required=False,
        help_text="id of the organiser or a partner",
    )
    year = StrictIntegerField(
        required=False, help_text="the campaign's period touches this year", **YEAR
    )

    def apply(self, qs):
        data = self.validated_data
        if region := data.get("region"):
            qs = qs.filter(region=region)
        if organiser := data.get("organiser"):
            qs = qs.filter(organiser=organiser)
        if lifecycle := data.get("lifecycle"):
            qs = qs.filter(lifecycle_q(lifecycle, timezone.localdate()))
        if kind := data.get("kind"):
            qs = qs.filter(kind=kind)
        if group := data.get("target_group"):
            through = Campaign.target_groups.through
            qs = qs.filter(
                Exists(through.objects.filter(campaign_id=OuterRef("pk"), targetgroup=group))
            )
        if market := data.get("market"):
            through = Campaign.markets.through
            qs = qs.filter(
                Exists(through.objects.filter(campaign_id=OuterRef("pk"), market=market))
            )
        if org := data.get("organisation"):
            partner = CampaignPartner.objects.filter(campaign_id=OuterRef("pk"), organisation=org)
            qs = qs.filter(Q(organiser=org) | Exists(partner))
        if (year := data.get("year")) is not None:
            qs = qs.filter(_year_overlap(year))
        return qs


class OrganisationFilterParams(FilterParams):
    kind = serializers.ChoiceField(choices=Organisation.Kind.choices, required=False)
    parent = IdField(required=False, help_text="id of the parent organisation")

    def apply(self, qs):
        data = self.validated_data
        if kind := data.get("kind"):
            qs = qs.filter(kind=kind)
        if parent := data.get("parent"):
            qs = qs.filter(parent_id=parent)
        return qs


class PersonFilterParams(FilterParams):
    organisation = IdField(required=False, help_text="id of the person's organisation")

    def apply(self, qs):
        if org := self.validated_data.get("organisation"):
            qs = qs.filter(organisation_id=org)
        return qs


_SCHEMA_TYPES = (
    (serializers.IntegerField, {"type": "integer"}),
    (serializers.CharField, {"type": "string"}),
)


class ParamsFilterBackend(filters.BaseFilterBackend):
    """Applies the view's ``filter_params_class`` on list requests."""

    def filter_queryset(self, request, queryset, view):
        params_class = getattr(view, "filter_params_class", None)
        if params_class is None or getattr(view, "action", "list") != "list":
            return queryset
        params = params_class(data=request.query_params, context={"request": request})
        blank = {
            name: [serializers.CharField.default_error_messages["blank"]]
            for name, field in params.fields.items()
            if not isinstance(field, serializers.CharField)
            and name in request.query_params
            and not request.query_params[name].strip()
        }
        if blank:  # "?kind=": not a choice, not an id (DRF would take it as left out)
            raise serializers.ValidationError(blank)
        params.is_valid(raise_exception=True)
        if any(value is NOTHING for value in params.validated_data.values()):
            return queryset.none()
        return params.apply(queryset)

    def get_schema_operation_parameters(self, view):
        params_class = getattr(view, "filter_params_class", None)
        if params_class is None:
            return []
        result = []
        for name, field in params_class().fields.items():
            if isinstance(field, serializers.ChoiceField):
                schema = {"type": "string", "enum": list(field.choices)}
            else:
                schema = next(s for cls, s in _SCHEMA_TYPES if isinstance(field, cls))
                schema = dict(schema)
                if isinstance(field, serializers.IntegerField):
                    if field.min_value is not None:
                        schema["minimum"] = field.min_value
                    if field.max_value is not None:
                        schema["maximum"] = field.max_value
                if isinstance(field, serializers.CharField) and field.max_length is not None:
                    schema["maxLength"] = field.max_length
            result.append(
                {
                    "name": name,
                    "required": False,
                    "in": "query",
                    "description": str(field.help_text or ""),
                    "schema": schema,
                }
            )
        return result
