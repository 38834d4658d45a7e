"""Reads of translated texts: the text a reader gets, and what is missing or outdated."""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import CharField, F, Value
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


# --- what is untranslated per plan (the coordinator's start page) ---------------------------

#: A plan's translated content: (model, the path from a row to its plan's id).
PLAN_CONTENT = (
    ("actionplan.Plan", "id"),
    ("actionplan.FieldOfAction", "plan_id"),
    ("actionplan.BaselineFinding", "field__plan_id"),
    ("actionplan.Measure", "field__plan_id"),
    ("actionplan.Step", "measure__field__plan_id"),
    ("actionplan.ScheduleEntry", "measure__field__plan_id"),
    ("actionplan.Responsibility", "measure__field__plan_id"),
    ("actionplan.BudgetLine", "measure__field__plan_id"),
    ("indicators.Indicator", "plan_id"),
)


@dataclass
class TranslationCounts:
    """A plan's German texts (``texts``) and how many of them lack a current English version."""

    plan: object
    texts: int = 0
    missing: int = 0
    outdated: int = 0
    machine: int = 0

    @property
    def open(self) -> int:
        return self.missing + self.outdated + self.machine


class _Text:
    """One German text with its English version and state, as ``field_status`` reads it."""

    def __init__(self, field, german, english, state):
        setattr(self, field, german)
        setattr(self, registry.english(field), english)
        self.translation_state = {field: (state or {}).get(field)} if state else {}


def plans_translation_counts(plans) -> list[TranslationCounts]:
    """Per plan (in the order given): its German texts (plan, fields of action, baseline,
    measures with their rows, indicators) without English, possibly outdated or unchecked
    machine output. One query whatever the number of plans and texts: every (model, field)
    is one member of a UNION ALL of (plan, German, English, state, field)."""
    plans = list(plans)
    counts = {plan.pk: TranslationCounts(plan) for plan in plans}
    if not counts:
        return []
    parts = []
    for label, path in PLAN_CONTENT:
        model = apps.get_model(label)
        for field in registry.FIELDS[label]:
            parts.append(
                model._default_manager.filter(**{f"{path}__in": list(counts)})
                .exclude(**{field: ""})
                .order_by()
                .values_list(
                    F(path),
                    F(field),
                    F(registry.english(field)),
                    "translation_state",
                    Value(field, output_field=CharField()),
                )
            )
    for plan_id, german, english, state, field in parts[0].union(*parts[1:], all=True):
        status = field_status(_Text(field, german, english, state), field)
        entry = counts[plan_id]
        entry.texts += 1
        if status in ("missing", "outdated", "machine"):
            setattr(entry, status, getattr(entry, status) + 1)
    return [counts[plan.pk] for plan in plans]


def plan_translation_counts(plan) -> TranslationCounts:
    return plans_translation_counts([plan])[0]
