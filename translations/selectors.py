"""Reads of translated texts: the text a reader gets, and what is missing or outdated."""

from django.utils.translation import get_language

from . import registry
from .services import text_hash


class Text(str):
    """A text in the reader's language, or its German source where no English version exists.

    ``language`` is the language the text is in; ``fallback`` is true when an English reader
    gets German (pages then say so next to the text, never silently).
    """

    language: str = registry.SOURCE_LANGUAGE
    fallback: bool = False

    def __new__(cls, value: str, language: str = registry.SOURCE_LANGUAGE, fallback=False):
        text = super().__new__(cls, value)
        text.language = language
        text.fallback = fallback
        return text


def reader_language(language: str | None = None) -> str:
    return (language or get_language() or registry.SOURCE_LANGUAGE)[:2]


def text(obj, field: str, language: str | None = None) -> Text:
    """``obj.field`` for a reader of ``language`` (default: the active language)."""
    german = getattr(obj, field) or ""
    if reader_language(language) == registry.TARGET_LANGUAGE and registry.is_translated(obj, field):
        english = getattr(obj, registry.english(field)) or ""
        if english.strip():
            return Text(english, registry.TARGET_LANGUAGE)
        if german.strip():
            return Text(german, registry.SOURCE_LANGUAGE, fallback=True)
    return Text(german)


def field_status(obj, field: str) -> str:
    """``empty`` (no German text), ``missing`` (no English), ``outdated`` (the German text
    changed after the English one was written), ``machine`` (machine-translated, unchecked)
    or ``current``."""
    german = getattr(obj, field) or ""
    english = getattr(obj, registry.english(field)) or ""
    if not german.strip():
        return "empty" if not english.strip() else "current"
    if not english.strip():
        return "missing"
    entry = (obj.translation_state or {}).get(field) or {}
    if entry.get("de") and entry["de"] != text_hash(german):
        return "outdated"
    if entry.get("machine"):
        return "machine"
    return "current"


def statuses(obj) -> dict[str, str]:
    return {field: field_status(obj, field) for field in registry.fields_of(obj)}


def missing(obj) -> list[str]:
    return [field for field, status in statuses(obj).items() if status == "missing"]


def outdated(obj) -> list[str]:
    return [field for field, status in statuses(obj).items() if status == "outdated"]


def needs_translation(obj) -> list[str]:
    """Fields whose English text is missing, outdated or unchecked machine output."""
    return [
        field
        for field, status in statuses(obj).items()
        if status in ("missing", "outdated", "machine")
    ]
