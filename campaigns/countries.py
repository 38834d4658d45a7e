"""Names in the UI language: countries (target markets) by ISO 3166-1 alpha-2 code and the
languages a campaign speaks by ISO 639-1 code."""

from django.utils.translation import gettext_lazy as _

COUNTRY_NAMES = {
    "AT": _("Austria"),
    "BE": _("Belgium"),
    "CH": _("Switzerland"),
    "CN": _("China"),
    "CZ": _("Czechia"),
    "DE": _("Germany"),
    "DK": _("Denmark"),
    "ES": _("Spain"),
    "FR": _("France"),
    "GB": _("United Kingdom"),
    "IN": _("India"),
    "IT": _("Italy"),
    "JP": _("Japan"),
    "NL": _("Netherlands"),
    "PL": _("Poland"),
    "SE": _("Sweden"),
    "TR": _("Turkey"),
    "US": _("USA"),
}


def country_name(iso_code: str) -> str:
    """The name in the active language; "" for codes this list does not know."""
    name = COUNTRY_NAMES.get(iso_code)
    return str(name) if name else ""


LANGUAGE_NAMES = {
    "ar": _("Arabic"),
    "cs": _("Czech"),
    "da": _("Danish"),
    "de": _("German"),
    "en": _("English"),
    "es": _("Spanish"),
    "fr": _("French"),
    "it": _("Italian"),
    "ja": _("Japanese"),
    "nl": _("Dutch"),
    "pl": _("Polish"),
    "ru": _("Russian"),
    "tr": _("Turkish"),
    "uk": _("Ukrainian"),
    "zh": _("Chinese"),
}


def language_name(code: str) -> str:
    """The language's name in the active language; the code itself when unknown."""
    name = LANGUAGE_NAMES.get(code)
    return str(name) if name else code
