"""The read API: list and detail of every public kind of object, under ``access.rules``.

Every queryset comes from ``api.selectors``, which asks the rules what the requesting user may
see: anonymous clients and accounts without a role get published content, members (by personal
token or session) what their roles show. An object the user may not see answers 404, like one
that does not exist.
"""

from django.conf import settings
from django.utils import translation
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions, routers, views, viewsets
from rest_framework.response import Response

from . import filters, languages, selectors, serializers
from .conditional import conditional
from .schema import ApiAutoSchema


class ConditionalMixin:
    """Content and messages in the client's language (``?lang=``, else ``Accept-Language``;
    the API lies outside ``i18n_patterns``, where the site's default would apply; see
    api.languages), ``Content-Language``, ETag and 304 on every API view (api.conditional)."""

    def initial(self, request, *args, **kwargs):
        # the header's language first, so that a malformed ?lang= is explained in it
        translation.activate(translation.get_language_from_request(request._request))
        translation.activate(languages.request_language(request._request))
        request._request.LANGUAGE_CODE = translation.get_language()
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = languages.content_language()
        return conditional(request, response)


class ApiRootView(ConditionalMixin, routers.APIRootView):
    """Planwerk's read API, version 1: published action plans and campaigns as JSON. The OpenAPI
    3 schema is at `schema/`. Members read drafts with a personal token from the admin
    (header `Authorization: Token <key>`). Texts come in German (`title`) and English
    (`title_en`); `?lang=en` or `Accept-Language: en` puts English in the base keys where it
    exists and lists the keys still in German in `in_german`."""


class SchemaView(ConditionalMixin, SpectacularAPIView):
    """The OpenAPI 3 schema of this API (YAML; `?format=json` for JSON)."""

    # Generating the schema takes ~0.3 s and it changes only with the code: once per process
    # and language (the public schema is the same for every user).
    _schemas: dict = {}

    def _get_schema_response(self, request):
        language = translation.get_language()
        if language not in dict(settings.LANGUAGES):
            return super()._get_schema_response(request)
        if language not in self._schemas:
            response = super()._get_schema_response(request)
            self._schemas[language] = (response.data, response["Content-Disposition"])
            return response
        data, disposition = self._schemas[language]
        return Response(data=data, headers={"Content-Disposition": disposition})


class ReadOnlyViewSet(ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    schema = ApiAutoSchema()
    lookup_value_converter = "int"
    filter_backends = [filters.ParamsFilterBackend]
    filter_params_class = None
    selector = None

    def get_queryset(self):
        return type(self).selector(self.request.user)


@extend_schema_view(
    list=extend_schema(summary="Action plans"), retrieve=extend_schema(summary="Action plan")
)
class PlanViewSet(ReadOnlyViewSet):
    """Action plans with their fields of action and the number of measures the client sees."""

    serializer_class = serializers.PlanSerializer
    filter_params_class = filters.PlanFilterParams
    selector = staticmethod(selectors.plans)


@extend_schema_view(
    list=extend_schema(summary="Fields of action"),
    retrieve=extend_schema(summary="Field of action"),
)
class FieldViewSet(ReadOnlyViewSet):
    """Fields of action with lead, contacts and baseline (SWOT findings)."""

    serializer_class = serializers.FieldSerializer
    filter_params_class = filters.FieldFilterParams
    selector = staticmethod(selectors.fields)


@extend_schema_view(
    list=extend_schema(summary="Measures"), retrieve=extend_schema(summary="Measure")
)
class MeasureViewSet(ReadOnlyViewSet):
    """Measures with steps, schedule (label and parsed dates), responsibilities, budget lines and
    target groups; filtered like the public measure list."""

    serializer_class = serializers.MeasureSerializer
    filter_params_class = filters.MeasureFilterParams
    selector = staticmethod(selectors.measures)


@extend_schema_view(
    list=extend_schema(summary="Campaigns"), retrieve=extend_schema(summary="Campaign")
)
class CampaignViewSet(ReadOnlyViewSet):
    """Campaigns and networks with partners, contacts, channels and events."""

    serializer_class = serializers.CampaignSerializer
    filter_params_class = filters.CampaignFilterParams
    selector = staticmethod(selectors.campaigns)


@extend_schema_view(
    list=extend_schema(summary="Organisations"),
    retrieve=extend_schema(summary="Organisation"),
)
class OrganisationViewSet(ReadOnlyViewSet):
    """Organisations named by the content the client may see, with the units above them."""

    serializer_class = serializers.OrganisationSerializer
    filter_params_class = filters.OrganisationFilterParams
    selector = staticmethod(selectors.organisations)


@extend_schema_view(
    list=extend_schema(summary="Contact persons"),
    retrieve=extend_schema(summary="Contact person"),
)
class PersonViewSet(ReadOnlyViewSet):
    """Contact persons named by visible content who consented to their details being public."""

    serializer_class = serializers.PersonSerializer
    filter_params_class = filters.PersonFilterParams
    selector = staticmethod(selectors.persons)


@extend_schema_view(
    list=extend_schema(summary="Indicators"), retrieve=extend_schema(summary="Indicator")
)
class IndicatorViewSet(ReadOnlyViewSet):
    """Indicators of the plans with baseline, targets, dated values and their links to fields
    of action and measures; ``is_example`` marks example figures that were not measured."""

    serializer_class = serializers.IndicatorSerializer
    filter_params_class = filters.IndicatorFilterParams
    selector = staticmethod(selectors.indicators)


class NotFoundView(ConditionalMixin, views.APIView):
    """Any other address under the API (``/api/v1/plans/abc/``, ``/api/v1/nothing/``): a 404
    in JSON like the API's own, not the site's HTML page."""

    schema = None

    def get(self, request, *args, **kwargs):
        raise exceptions.NotFound()

    head = options = get
