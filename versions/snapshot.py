"""A stored version as objects: the snapshot document rebuilt as unsaved model instances.

Pages, PDFs and the changes report read a version through the same attribute names as
today's rows (``plan.fields.all()``, ``measure.get_status_display``, ``person.public_phone``…)
without a single query: every relation is filled in as if prefetched. Ids are made up per
snapshot (1, 2, …) and only serve as anchors and keys inside one rendering.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from itertools import count

from actionplan.models import (
    BaselineFinding,
    BudgetCategory,
    BudgetLine,
    FieldContact,
    FieldOfAction,
    FundingSource,
    Measure,
    Plan,
    Responsibility,
    ScheduleEntry,
    Step,
    TargetGroup,
)
from contacts.models import Organisation, Person

#: The maps of English vocabulary names in a plan document (``plan.vocabulary_en``).
VOCABULARY_KEYS = {
    TargetGroup: "target_groups",
    BudgetCategory: "budget_categories",
    FundingSource: "funding_sources",
}


def _english(instance, spec: dict, *fields: str, **keys: str):
    """The English texts a version's document carries beside the German ones (``title_en``,
    issue 21); a version stored before them has none and its pages show German, marked."""
    for field in fields:
        setattr(instance, f"{field}_en", spec.get(f"{field}_en") or "")
    for field, key in keys.items():
        setattr(instance, f"{field}_en", spec.get(f"{key}_en") or "")
    return instance


def _prefetched(instance, name: str, items: list) -> list:
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[name] = items
    return items


class SnapshotPlan:
    """The plan of a snapshot, with lookups by slug for the version's pages."""

    def __init__(self, document: dict):
        self.document = document
        self._ids = count(1)
        self.orgs: dict[str, Organisation] = {}
        self.persons: dict[str, Person] = {}
        self.vocab: dict[tuple[type, str], object] = {}
        self.measures_by_key: dict[str, Measure] = {}
        self.vocabulary_en: dict = document.get("plan", {}).get("vocabulary_en") or {}
        for key in document.get("organisations", {}):
            self._organisation(key)
        for key, spec in document.get("persons", {}).items():
            self.persons[key] = self._person(spec)
        self.plan = self._plan(document["plan"])

    def _id(self) -> int:
        return next(self._ids)

    def _organisation(self, key: str) -> Organisation:
        if key in self.orgs:
            return self.orgs[key]
        spec = self.document["organisations"][key]
        org = Organisation(
            pk=self._id(),
            name=spec["name"],
            short_name=spec.get("short_name") or "",
            kind=spec.get("kind") or Organisation.Kind.OTHER,
            address=spec.get("address") or "",
            phone=spec.get("phone") or "",
            email=spec.get("email") or "",
            website=spec.get("website") or "",
        )
        _english(org, spec, "name")
        org.parent = self._organisation(spec["parent"]) if spec.get("parent") else None
        self.orgs[key] = org
        return org

    def _person(self, spec: dict) -> Person:
        person = Person(
            pk=self._id(),
            salutation=spec.get("salutation") or "",
            title=spec.get("title") or "",
            first_name=spec.get("first_name") or "",
            last_name=spec["last_name"],
            function=spec.get("function") or "",
            phone=spec.get("phone") or "",
            email=spec.get("email") or "",
            public_contact=bool(spec.get("public_contact")),
        )
        person.organisation = self.orgs.get(spec.get("organisation"))
        return person

    def _programme(self, key):
        """The funding programme a line names, as the snapshot describes it (or None)."""
        from funding.models import FundingProgramme

        if not key:
            return None
        cache_key = (FundingProgramme, key)
        if cache_key not in self.vocab:
            specs = self.document.get("plan", {}).get("funding_programmes") or []
            spec = next((s for s in specs if s.get("key") == key), {})
            self.vocab[cache_key] = FundingProgramme(
                pk=self._id(),
                key=key,
                name=spec.get("name") or key,
                level=spec.get("level") or "",
                fund=spec.get("fund") or "",
                period=spec.get("period") or "",
                default_rate=_decimal(spec.get("default_rate")),
            )
            _english(self.vocab[cache_key], spec, "name")
        return self.vocab[cache_key]

    def _vocabulary(self, model, name: str):
        key = (model, name)
        if key not in self.vocab:
            english = self.vocabulary_en.get(VOCABULARY_KEYS.get(model, ""), {})
            self.vocab[key] = model(pk=self._id(), name=name, name_en=english.get(name) or "")
        return self.vocab[key]

    def _plan(self, spec: dict) -> Plan:
        intro = spec.get("introduction") or ""
        plan = Plan(
            pk=self._id(),
            slug=spec["slug"],
            title=spec["title"],
            subtitle=spec.get("subtitle") or "",
            region=spec["region"],
            issued_label=spec.get("issued_label") or "",
            issued_on=datetime.date.fromisoformat(spec["issued_on"])
            if spec.get("issued_on")
            else None,
            funding_note=spec.get("funding_note") or "",
            introduction="\n\n".join(intro) if isinstance(intro, list) else intro,
            status=spec.get("status") or Plan.Status.DRAFT,
            language=spec.get("language") or "de",
        )
        _english(plan, spec, "title", "subtitle", "funding_note")
        intro_en = spec.get("introduction_en") or ""
        plan.introduction_en = "\n\n".join(intro_en) if isinstance(intro_en, list) else intro_en
        plan.english_note = spec.get("english_note") or ""
        plan.project_lead = self.persons.get(spec.get("project_lead"))
        plan.author_organisation = self.orgs.get(spec.get("author_organisation"))
        fields = sorted(spec.get("fields", []), key=lambda f: f["position"])
        _prefetched(plan, "fields", [self._field(plan, f) for f in fields])
        related = []
        for fld in plan.fields.all():
            for measure in fld.measures.all():
                refs = measure._related_keys
                related.append(measure)
                _prefetched(
                    measure,
                    "related_measures",
                    [self.measures_by_key[r] for r in refs if r in self.measures_by_key],
                )
        return plan

    def _field(self, plan: Plan, spec: dict) -> FieldOfAction:
        lead = spec.get("lead") or {}
        fld = FieldOfAction(
            pk=self._id(),
            position=spec["position"],
            title=spec["title"],
            slug=spec.get("slug") or FieldOfAction.slug_for(spec["title"]),
            target_state=spec.get("target_state") or "",
            lead_note=lead.get("note") or "",
        )
        _english(fld, spec, "title", "target_state")
        fld.lead_note_en = lead.get("note_en") or ""
        fld.plan = plan
        fld.lead_organisation = self.orgs.get(lead.get("organisation"))
        contacts = []
        for i, key in enumerate(spec.get("contacts", [])):
            contact = FieldContact(pk=self._id(), position=i + 1)
            contact.field = fld
            contact.person = self.persons[key]
            contacts.append(contact)
        _prefetched(fld, "field_contacts", contacts)
        findings = []
        for i, finding in enumerate(spec.get("baseline", [])):
            if isinstance(finding, str):
                finding = {"text": finding}
            item = BaselineFinding(
                pk=self._id(),
                position=i + 1,
                text=finding["text"],
                swot=finding.get("swot") or BaselineFinding.Swot.UNCLASSIFIED,
            )
            _english(item, finding, "text")
            item.field = fld
            findings.append(item)
        _prefetched(fld, "baseline_findings", findings)
        measures = sorted(spec.get("measures", []), key=lambda m: m["position"])
        _prefetched(fld, "measures", [self._measure(fld, m) for m in measures])
        return fld

    def _measure(self, fld: FieldOfAction, spec: dict) -> Measure:
        code = spec.get("code") or ""
        measure = Measure(
            pk=self._id(),
            position=spec["position"],
            code=code,
            title=spec["title"],
            slug=spec.get("slug") or Measure.slug_for(code, spec["title"]),
            description=spec.get("description") or "",
            status=spec.get("status") or Measure.Status.PLANNED,
            state=spec.get("state") or Measure.State.DRAFT,
        )
        _english(measure, spec, "title", "description")
        measure.field = fld
        if spec.get("key"):
            self.measures_by_key[spec["key"]] = measure
        measure._related_keys = list(spec.get("related_measures", []))
        steps, top = [], []
        for i, step_spec in enumerate(spec.get("steps", [])):
            if isinstance(step_spec, str):
                step_spec = {"text": step_spec}
            step = Step(pk=self._id(), position=i + 1, text=step_spec["text"])
            _english(step, step_spec, "text")
            step.measure = measure
            subs = []
            for j, sub_spec in enumerate(step_spec.get("substeps", [])):
                if isinstance(sub_spec, str):
                    sub_spec = {"text": sub_spec}
                sub = Step(pk=self._id(), position=j + 1, text=sub_spec["text"])
                _english(sub, sub_spec, "text")
                sub.measure = measure
                sub.parent = step
                subs.append(sub)
            _prefetched(step, "substeps", subs)
            step.children = subs
            steps.extend([step, *subs])
            top.append(step)
        _prefetched(measure, "steps", steps)
        measure.top_steps = top
        _prefetched(
            measure,
            "target_groups",
            [self._vocabulary(TargetGroup, name) for name in spec.get("target_groups", [])],
        )
        schedule = []
        for i, label in enumerate(spec.get("schedule", [])):
            if isinstance(label, str):
                label = {"label": label}
            entry = ScheduleEntry(pk=self._id(), position=i + 1, label=label["label"])
            _english(entry, label, "label")
            entry.measure = measure
            entry.apply_dates()
            schedule.append(entry)
        _prefetched(measure, "schedule", schedule)
        responsibilities = []
        for i, resp in enumerate(spec.get("responsibilities", [])):
            item = Responsibility(
                pk=self._id(),
                position=i + 1,
                role=resp.get("role") or Responsibility.Role.RESPONSIBLE,
                note=resp.get("note") or "",
            )
            _english(item, resp, "note")
            item.measure = measure
            item.organisation = self.orgs.get(resp.get("organisation"))
            item.person = self.persons.get(resp.get("person"))
            responsibilities.append(item)
        _prefetched(measure, "responsibilities", responsibilities)
        lines = []
        for i, line in enumerate(spec.get("budget", [])):
            item = BudgetLine(
                pk=self._id(),
                position=i + 1,
                planned_amount=_decimal(line.get("planned_amount")),
                actual_amount=_decimal(line.get("actual_amount")),
                note=line.get("note") or "",
                year_from=line.get("year_from"),
                year_to=line.get("year_to"),
                kind=line.get("kind") or "",
                person_days=_decimal(line.get("person_days")),
                co_funding_rate=_decimal(line.get("co_funding_rate")),
            )
            _english(item, line, "note")
            item.measure = measure
            item.category = self._vocabulary(BudgetCategory, line["category"])
            source = line.get("funding_source")
            item.funding_source = self._vocabulary(FundingSource, source) if source else None
            item.programme = self._programme(line.get("programme"))
            lines.append(item)
        _prefetched(measure, "budget_lines", lines)
        _span(measure, schedule)
        return measure

    # --- lookups for the pages ---------------------------------------------------------------

    def field(self, slug: str) -> FieldOfAction | None:
        return next((f for f in self.plan.fields.all() if f.slug == slug), None)

    def measure(self, field_slug: str, measure_slug: str) -> Measure | None:
        fld = self.field(field_slug)
        if fld is None:
            return None
        return next((m for m in fld.measures.all() if m.slug == measure_slug), None)

    def measure_count(self) -> int:
        return sum(len(f.measures.all()) for f in self.plan.fields.all())


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _span(measure: Measure, schedule: list[ScheduleEntry]) -> None:
    """The span attributes ``selectors._span_annotations`` gives today's measures."""
    dated = [e for e in schedule if e.is_dated]
    starts = [e.start_date or e.end_date for e in dated]
    ends = [e.end_date or e.start_date for e in dated]
    measure.dated_count = len(dated)
    measure.span_start = min(starts) if starts else None
    measure.span_end = max(ends) if ends else None
    measure.span_open_end = sum(1 for e in dated if e.start_date and not e.end_date)
    measure.span_start_count = sum(1 for e in dated if e.start_date)
