"""English texts from a plan document for a plan that exists already (the demo plan loaded
before its fixture was translated): ``manage.py load_demo_data`` on an installation where the
Leipzig plan is stored.

Only English that the database lacks is added, and only where the stored German text is the
one the document translates (an English text written for another German text would be wrong,
not outdated). Nothing else changes: the plan as stored (``plan_export_document``) gets the
document's English texts and their marks beside its own texts, and goes through the one
importer (``plan_document_import``), which writes exactly those differences with history rows.
"""

from __future__ import annotations

import copy

from actionplan.models import (
    BaselineFinding,
    BudgetLine,
    FieldOfAction,
    Measure,
    Plan,
    Responsibility,
    ScheduleEntry,
    Step,
)
from contacts.models import Organisation
from funding.models import FundingProgramme
from indicators.models import Indicator
from translations import documents as tr
from translations import registry


def plan_english_fill_in(*, plan: Plan, document: dict, acting_user=None) -> int:
    """Add the English texts ``document`` has and the stored ``plan`` lacks; returns how many
    texts were added (0: nothing written)."""
    from actionplan.export import plan_export_document

    from .plan_document import plan_document_import

    stored = plan_export_document(plan)
    overlay = _Overlay()
    merged = overlay.document(copy.deepcopy(stored), document)
    if not overlay.added:
        return 0
    plan_document_import(data=merged, acting_user=acting_user)
    return overlay.added


def _german(value) -> str:
    if isinstance(value, list):  # the introduction's paragraphs
        return "\n\n".join(value)
    return value or ""


class _Overlay:
    def __init__(self):
        self.added = 0

    def entry(self, stored, given, model, german_key: str | None = None):
        """``stored`` (an entry of the stored plan's export) with the English texts of
        ``given`` (the same entry in the document) that it lacks, where the German agrees.
        A shorthand (a step's text, a schedule label) becomes an object when it gets English."""
        if german_key is not None:
            if isinstance(stored, str):
                stored = {german_key: stored}
            if isinstance(given, str):
                given = {german_key: given}
        if not isinstance(stored, dict) or not isinstance(given, dict):
            return stored
        given_marks = {mark: set(given.get(mark) or ()) for mark in tr.MARK_KEYS}
        for field in registry.fields_of(model):
            english = registry.english(field)
            if stored.get(english) or not given.get(english):
                continue
            if _german(stored.get(field)) != _german(given.get(field)):
                continue
            stored[english] = given[english]
            self.added += 1
            for mark, fields in given_marks.items():
                if field in fields:
                    stored.setdefault(mark, []).append(field)
        if german_key is not None and set(stored) == {german_key}:
            return stored[german_key]
        return stored

    def by(self, stored: list, given: list, key) -> list[tuple[int, dict]]:
        """Pairs (index in ``stored``, entry of ``given``) matched by ``key``."""
        given_by_key = {key(g): g for g in given if isinstance(g, dict)}
        return [
            (i, given_by_key[key(s)])
            for i, s in enumerate(stored)
            if isinstance(s, dict) and key(s) in given_by_key
        ]

    def document(self, stored: dict, document: dict) -> dict:
        given_orgs = {o.get("name"): o for o in (document.get("organisations") or {}).values()}
        for key, org in stored.get("organisations", {}).items():
            if org.get("name") in given_orgs:
                stored["organisations"][key] = self.entry(
                    org, given_orgs[org["name"]], Organisation
                )
        plan, given = stored["plan"], document.get("plan") or {}
        self.entry(plan, given, Plan)
        if given.get("english_note") and not plan.get("english_note"):
            plan["english_note"] = given["english_note"]
            self.added += 1
        self.vocabulary(plan, given)
        for name, model, key in (
            ("funding_programmes", FundingProgramme, "key"),
            ("indicators", Indicator, "key"),
        ):
            items = plan.get(name) or []
            for i, entry in self.by(items, given.get(name) or [], lambda e, k=key: e.get(k)):
                items[i] = self.entry(items[i], entry, model)
        fields = plan.get("fields") or []
        for i, given_field in self.by(fields, given.get("fields") or [], _field_slug):
            self.field(fields[i], given_field)
        return stored

    def vocabulary(self, plan: dict, given: dict) -> None:
        """English names of the vocabulary entries the stored plan names."""
        named = _named_vocabulary(plan)
        given_names = given.get("vocabulary_en") or {}
        names = plan.setdefault("vocabulary_en", {})
        for vocabulary, english in given_names.items():
            have = names.setdefault(vocabulary, {})
            for german, name in english.items():
                if name and not have.get(german) and german in named.get(vocabulary, ()):
                    have[german] = name
                    self.added += 1
            if not have:
                del names[vocabulary]
        if not names:
            del plan["vocabulary_en"]

    def field(self, field: dict, given: dict) -> None:
        lead, given_lead = field.get("lead"), given.get("lead")
        if isinstance(lead, dict) and isinstance(given_lead, dict):
            # the lead's note is the field's ``lead_note``; its marks are the field's
            probe = self.entry(
                {"lead_note": lead.get("note"), "lead_note_en": lead.get("note_en")},
                {
                    "lead_note": given_lead.get("note"),
                    "lead_note_en": given_lead.get("note_en"),
                    **{m: given.get(m) for m in tr.MARK_KEYS if given.get(m)},
                },
                FieldOfAction,
            )
            if probe.get("lead_note_en") and not lead.get("note_en"):
                lead["note_en"] = probe["lead_note_en"]
                for mark in tr.MARK_KEYS:
                    if "lead_note" in (probe.get(mark) or ()):
                        field.setdefault(mark, []).append("lead_note")
        self.entry(field, given, FieldOfAction)
        self.pairs(field, given, "baseline", BaselineFinding)
        measures = field.get("measures") or []
        for i, given_measure in self.by(measures, given.get("measures") or [], _measure_ref):
            self.measure(measures[i], given_measure)

    def pairs(self, entry, given, name, model, german_key=None) -> None:
        """Rows of a list matched by their place (steps, schedule, budget lines …)."""
        items, given_items = entry.get(name) or [], given.get(name) or []
        for i, given_item in enumerate(given_items[: len(items)]):
            items[i] = self.entry(items[i], given_item, model, german_key)

    def measure(self, measure: dict, given: dict) -> None:
        self.entry(measure, given, Measure)
        steps, given_steps = measure.get("steps") or [], given.get("steps") or []
        for i, given_step in enumerate(given_steps[: len(steps)]):
            step = self.entry(steps[i], given_step, Step, "text")
            if isinstance(step, dict) and isinstance(given_step, dict):
                self.pairs(step, given_step, "substeps", Step, "text")
            steps[i] = step
        self.pairs(measure, given, "schedule", ScheduleEntry, "label")
        self.pairs(measure, given, "responsibilities", Responsibility)
        self.pairs(measure, given, "budget", BudgetLine)


def _named_vocabulary(plan: dict) -> dict[str, set[str]]:
    named: dict[str, set[str]] = {"target_groups": set(), "budget_categories": set()}
    named["funding_sources"] = set()
    for field in plan.get("fields") or []:
        for measure in field.get("measures") or []:
            named["target_groups"].update(measure.get("target_groups") or ())
            for line in measure.get("budget") or []:
                named["budget_categories"].add(line.get("category"))
                named["funding_sources"].add(line.get("funding_source"))
    return named


def _field_slug(entry: dict):
    return entry.get("slug") or FieldOfAction.slug_for(entry.get("title") or "")


def _measure_ref(entry: dict):
    """A measure by its code, or without one by its position (``imports.plan_import``)."""
    return entry.get("code") or f"#{entry.get('position')}"
