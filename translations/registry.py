"""Which texts are translated: the one list every path reads (models, admin, pages, documents,
API, open data, search, round trip, translator export).

German is the source language of every text and is required where the model requires it; the
English version is optional and lives in a column of its own beside the German one, named
``<field>_en`` (``title`` → ``title_en``). History, diffs, revert, pending changes, optimistic
locking and the whole-plan round trip therefore cover both languages without special cases.

Why columns and not django-modeltranslation or django-parler: both were read (modeltranslation
0.20.6, parler 2.4). modeltranslation turns ``title`` into a descriptor that reads and *writes*
the active language (fields.py ``__set__`` stores the value in ``title_<active>`` and in the base
column), so an export, an import or a history record made under an English request would carry
English in German columns, and simple-history builds its historical models before
modeltranslation adds its fields (simple-history issues #209, #1299). parler moves every German
text into side tables: every query, ordering, search and history record of the plan would
change. Explicit columns keep German where it always was and make English one more field.
"""

from django.apps import apps

SOURCE_LANGUAGE = "de"
TARGET_LANGUAGE = "en"
SUFFIX = "_en"

FIELDS: dict[str, tuple[str, ...]] = {
    "actionplan.Plan": ("title", "subtitle", "introduction", "funding_note"),
    "actionplan.FieldOfAction": ("title", "target_state", "lead_note"),
    "actionplan.BaselineFinding": ("text",),
    "actionplan.Measure": ("title", "description"),
    "actionplan.Step": ("text",),
    "actionplan.ScheduleEntry": ("label",),
    "actionplan.Responsibility": ("note",),
    "actionplan.BudgetLine": ("note",),
    "actionplan.TargetGroup": ("name",),
    "actionplan.BudgetCategory": ("name",),
    "actionplan.FundingSource": ("name",),
    "funding.FundingProgramme": ("name",),
    "campaigns.Market": ("name",),
    "campaigns.Campaign": ("title", "motto", "slogan", "summary", "description", "goals"),
    "campaigns.CampaignLink": ("label",),
    "campaigns.Channel": ("name", "description", "reach_label"),
    "campaigns.CampaignEvent": ("title", "description", "topics", "methods", "results"),
    "campaigns.KeyFigure": ("name", "note"),
    "contacts.Organisation": ("name",),
    "indicators.Indicator": ("name", "description", "unit"),
    "attachments.Attachment": ("title",),
}


def english(field: str) -> str:
    """The column of a field's English version."""
    return f"{field}{SUFFIX}"


def fields_of(model_or_obj) -> tuple[str, ...]:
    """The translated fields of a model (or of an instance's model); () if none."""
    return FIELDS.get(model_or_obj._meta.label, ())


def models() -> list:
    return [apps.get_model(label) for label in FIELDS]


def is_translated(model_or_obj, field: str) -> bool:
    return field in fields_of(model_or_obj)
