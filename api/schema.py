"""How drf-spectacular describes the API: the personal token, and every error the API answers
(``ApiAutoSchema``), each with its body, so that a client generated from the schema, or one
that checks answers against it, meets no undocumented status."""

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from .languages import CONTENT_LANGUAGE_HEADER, LANG_PARAMETER


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "A personal token from the admin („API-Tokens“), sent as `Token <key>`. "
                "Without it the API shows published content only."
            ),
        }


class InGermanScheme(OpenApiSerializerFieldExtension):
    """``in_german``: a list of the object's translated keys. Told by a pattern, not an enum:
    drf-spectacular would make each set of keys a named component, and the same sets recur
    in objects of different kinds."""

    target_class = "api.languages.InGermanField"

    def map_serializer_field(self, auto_schema, direction):
        keys = "|".join(self.target.keys)
        return {
            "type": "array",
            "items": {"type": "string", "pattern": f"^({keys})$"},
            "uniqueItems": True,
        }


class ErrorSerializer(serializers.Serializer):
    """The body of every error but a bad parameter (DRF's ``{"detail": …}``)."""

    detail = serializers.CharField(help_text="what went wrong, in the client's language")


class ValidationErrorSerializer(serializers.Serializer):
    """The body of a 400: each rejected parameter with its reasons (mapped below)."""


class ValidationErrorScheme(OpenApiSerializerExtension):
    target_class = ValidationErrorSerializer

    def map_serializer(self, auto_schema, direction):
        return {
            "type": "object",
            "description": (
                "Each rejected query parameter with the reasons, in the client's language, "
                'e.g. `{"year": ["Ensure this value is less than or equal to 2200."]}`.'
            ),
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "minProperties": 1,
        }


RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds until the client may ask again",
        "schema": {"type": "integer", "minimum": 0},
    }
}


class ApiAutoSchema(AutoSchema):
    """Adds the content language (``?lang=``, the ``Content-Language`` of each answer;
    api.languages) and the errors to each operation: 400 (a malformed ``lang``, a list's
    malformed filter or page size), 401 (a wrong, expired or revoked token), 404 (no such
    object, or one the client may not see; a page beyond the last) and 429 (rate limit, with
    ``Retry-After``)."""

    def get_override_parameters(self):
        return [*super().get_override_parameters(), LANG_PARAMETER]

    def error_responses(self) -> dict[str, OpenApiResponse]:
        responses = {
            "400": OpenApiResponse(ValidationErrorSerializer, "A query parameter is malformed.")
        }
        responses["401"] = OpenApiResponse(
            ErrorSerializer,
            "The `Authorization` header holds a wrong, expired or revoked token. "
            "(Without the header the API answers with published content.)",
        )
        responses["404"] = OpenApiResponse(
            ErrorSerializer,
            "No such page of the list."
            if self._is_list_view()
            else "No such object, or one the client may not see.",
        )
        responses["429"] = OpenApiResponse(
            ErrorSerializer, "Too many requests: ask again after `Retry-After` seconds."
        )
        return responses

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in self.error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        if "429" in responses:
            responses["429"]["headers"] = RETRY_AFTER
        if "200" in responses:
            responses["200"]["headers"] = CONTENT_LANGUAGE_HEADER
        return responses
