"""The API's content in German and English (issue 21).

Every translated text (``translations.registry.FIELDS``) keeps its German version in the base
key (``"title"``) and adds its English version beside it (``"title_en"``, empty when there is
none). The client asks for English with ``?lang=en`` or ``Accept-Language: en`` (the parameter
wins; without either the language cookie of the browsable API, else German): the base key then
holds the English text where one exists, and each object lists in ``"in_german"`` the keys it
still gives in German (``translations.selectors.text`` decides, as on the English pages) —
never silently. A German answer lists nothing there: ``in_german`` is always present and empty
unless an English answer falls back. The answer's ``Content-Language`` says which was asked.

A key that prints a text of a related row (a budget line's ``category`` is its category's
name) names it in ``translated_sources`` (``{"category": "category.name"}``).
"""

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers

from campaigns.models import _lines
from translations import registry, selectors

LANGUAGES = (registry.SOURCE_LANGUAGE, registry.TARGET_LANGUAGE)
PARAMETER = "lang"

LANG_PARAMETER = OpenApiParameter(
    PARAMETER,
    str,
    OpenApiParameter.QUERY,
    enum=list(LANGUAGES),
    description=(
        "The language of the content: `de` (the default; German texts, their English "
        "versions in the `_en` keys) or `en` (English texts in the base keys where they "
        "exist; each object lists the keys still given in German in `in_german`). Wins over "
        "the `Accept-Language` header, which is used without it."
    ),
)
CONTENT_LANGUAGE_HEADER = {
    "Content-Language": {
        "description": "the language of the content: `en` when English was asked for "
        "(`?lang=en` or `Accept-Language: en`), else `de`",
        "schema": {"type": "string", "enum": list(LANGUAGES)},
        "required": True,
    }
}


def request_language(request) -> str:
    """The content language a client asks for: ``?lang=`` (400 unless ``de`` or ``en``), else
    the language cookie or ``Accept-Language`` (``django.utils.translation``)."""
    if PARAMETER in request.GET:
        value = request.GET[PARAMETER]
        if value not in LANGUAGES:
            raise exceptions.ValidationError(
                {PARAMETER: [_("Choose “de” or “en”.")]}, code="invalid_choice"
            )
        return value
    return translation.get_language_from_request(request)[:2]


def content_language() -> str:
    """The language the API answers in (activated per request by ``api.views``)."""
    return selectors.reader_language()


class LinesField(serializers.ListField):
    """A text of one item per line, printed as a list (a campaign event's topics)."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.CharField(), read_only=True, **kwargs)

    def to_representation(self, data):
        return _lines(data or "")


class InGermanField(serializers.ListField):
    """The keys of an object that an English answer still gives in German."""

    def __init__(self, keys):
        self.keys = list(keys)  # the schema's enum (api.schema.InGermanScheme)
        super().__init__(
            child=serializers.CharField(),
            source="*",
            read_only=True,
            help_text="keys whose text is given in German although English was asked for "
            "(no English version yet); always empty in a German answer",
        )

    def to_representation(self, instance):
        return [key for key, text in self.parent.texts(instance).items() if text.fallback]


def _holder(instance, path: str):
    for attribute in filter(None, path.split(".")):
        if instance is None:
            return None
        instance = getattr(instance, attribute)
    return instance


class TranslatedSerializer(serializers.ModelSerializer):
    """A model serializer whose translated texts are printed in both languages (see above)."""

    # key -> "path.field" for a key that prints a related row's text
    translated_sources: dict[str, str] = {}

    @classmethod
    def translated_keys(cls) -> dict[str, tuple[str, str]]:
        """key -> (path to the row holding the text, "" for the object itself; its field)."""
        keys = {}
        for name in cls.Meta.fields:
            if name in cls.translated_sources:
                path, _dot, field = cls.translated_sources[name].rpartition(".")
                keys[name] = (path, field)
            elif registry.is_translated(cls.Meta.model, name):
                keys[name] = ("", name)
        return keys

    def get_fields(self):
        keys = self.translated_keys()
        fields = {}
        for name, field in super().get_fields().items():
            fields[name] = field
            if name in keys:
                fields[registry.english(name)] = self._english_field(name, field, *keys[name])
        fields["in_german"] = InGermanField(keys)
        return fields

    @staticmethod
    def _english_field(name, german, path, field):
        source = ".".join(filter(None, (path, registry.english(field))))
        kwargs = {"help_text": f"the English version of `{name}`; empty when there is none"}
        if source != registry.english(name):
            kwargs["source"] = source
        if isinstance(german, serializers.ListField):
            return LinesField(**kwargs)
        return serializers.CharField(
            **kwargs,
            read_only=True,
            allow_null=getattr(german, "allow_null", False),
        )

    def texts(self, instance) -> dict[str, selectors.Text]:
        """Each translated key's text for the answer's language (empty: German answers)."""
        language = content_language()
        if language == registry.SOURCE_LANGUAGE:
            return {}
        texts = {}
        for key, (path, field) in self.translated_keys().items():
            holder = _holder(instance, path)
            if holder is not None:
                texts[key] = selectors.text(holder, field, language)
        return texts

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for key, text in self.texts(instance).items():
            if text.language == registry.TARGET_LANGUAGE:
                data[key] = data[registry.english(key)]
        return data
