"""The whole plan as one JSON document (format ``planwerk.plan/1``), the inverse of
``imports.plan_document.plan_import_document``.

The document holds what the importer reads, in a fixed order: export → import into an empty
database → export gives the same document. What the format cannot express (see the README,
“Whole-plan JSON”) is left out rather than written under keys the importer would refuse.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from access import rules
from attachments.selectors import attachment_entries
from contacts.models import Organisation, Person
from council.selectors import council_papers_prefetch
from council.services import paper_entry
from imports.plan_document import PLAN_DOCUMENT_FORMAT
from indicators.selectors import document_entries
from translations.documents import english_entries, mark_entries, translated_entries

from .models import (
    BudgetLine,
    FieldContact,
    FieldOfAction,
    Measure,
    Plan,
    Responsibility,
    ScheduleEntry,
    Step,
    TargetGroup,
    german_slugify,
)


def plan_export_document(
    plan: Plan, *, public_only: bool = False, consented_names_only: bool = False
) -> dict:
    """The plan with its fields, measures and the organisations and people they name.

    ``public_only``: only what anonymous visitors may see (``access.rules``): published
    measures of a published plan, and relations between them. Without it, everything — the
    caller decides who may have that (``manage.py export_plan`` is an administrator's tool).
    ``consented_names_only``: persons who did not consent to publication (``Person.is_public``)
    by their public name only — no name, phone or e-mail (open data; a version snapshot keeps
    the names, its pages apply the same rule when they render).
    """
    exporter = _Exporter(plan, public_only=public_only, consented_names_only=consented_names_only)
    return exporter.document()


def measure_key(field_slug: str, measure_slug: str) -> str:
    """The key a measure has in an exported document: stable across databases."""
    return f"{field_slug}/{measure_slug}"


def _measures(plan: Plan, public_only: bool) -> QuerySet[Measure]:
    measures = Measure.objects.filter(field__plan=plan)
    if public_only:
        measures = rules.public_measures(measures)
    return measures


class _Exporter:
    def __init__(self, plan: Plan, *, public_only: bool, consented_names_only: bool = False):
        self.public_only = public_only
        self.consented_names_only = consented_names_only
        measures = _measures(plan, public_only)
        self.measure_ids = set(measures.values_list("pk", flat=True))
        self.plan = (
            Plan.objects.select_related("project_lead", "author_organisation")
            .prefetch_related(
                Prefetch(
                    "fields",
                    queryset=FieldOfAction.objects.order_by("position", "pk").prefetch_related(
                        Prefetch("baseline_findings"),
                        Prefetch(
                            "field_contacts",
                            queryset=FieldContact.objects.order_by("position", "pk"),
                        ),
                        Prefetch(
                            "measures",
                            queryset=measures.order_by("position", "pk").prefetch_related(
                                Prefetch(
                                    "steps",
                                    queryset=Step.objects.order_by("position", "pk"),
                                ),
                                Prefetch(
                                    "target_groups", queryset=TargetGroup.objects.order_by("name")
                                ),
                                Prefetch(
                                    "schedule",
                                    queryset=ScheduleEntry.objects.order_by("position", "pk"),
                                ),
                                Prefetch(
                                    "responsibilities",
                                    queryset=Responsibility.objects.order_by("position", "pk"),
                                ),
                                Prefetch(
                                    "budget_lines",
                                    queryset=BudgetLine.objects.select_related(
                                        "category", "funding_source", "programme"
                                    ).order_by("position", "pk"),
                                ),
                                Prefetch(
                                    "related_measures",
                                    queryset=Measure.objects.select_related("field"),
                                ),
                                council_papers_prefetch(),
                                "attachments",
                            ),
                        ),
                        "attachments",
                    ),
                ),
                council_papers_prefetch(plan_level=True),
                "attachments",
            )
            .get(pk=plan.pk)
        )
        self.fields = list(self.plan.fields.all())
        self.org_keys: dict[int, str] = {}
        self.person_keys: dict[int, str] = {}
        self._collect_parties()

    # --- organisations and people ------------------------------------------------------------

    def _collect_parties(self) -> None:
        person_ids: set[int] = set()
        org_ids: set[int] = set()

        def person(pk):
            if pk is not None:
                person_ids.add(pk)

        def org(pk):
            if pk is not None:
                org_ids.add(pk)

        person(self.plan.project_lead_id)
        org(self.plan.author_organisation_id)
        for fld in self.fields:
            org(fld.lead_organisation_id)
            for contact in fld.field_contacts.all():
                person(contact.person_id)
            for measure in fld.measures.all():
                for resp in measure.responsibilities.all():
                    person(resp.person_id)
                    org(resp.organisation_id)
        self.persons = list(
            Person.objects.filter(pk__in=person_ids).select_related("organisation__parent")
        )
        org_ids |= {p.organisation_id for p in self.persons if p.organisation_id}
        all_orgs = {o.pk: o for o in Organisation.objects.all()}
        wanted: dict[int, Organisation] = {}
        for pk in org_ids:
            while pk is not None and pk not in wanted:
                wanted[pk] = all_orgs[pk]
                pk = all_orgs[pk].parent_id
        self.orgs = wanted
        self.org_keys = _unique_keys(
            wanted.values(),
            natural=lambda o: _org_path(o, all_orgs),
            base=lambda o: german_slugify(o.name) or "organisation",
            qualified=lambda o: "-".join(german_slugify(n) for n in _org_path(o, all_orgs)),
        )
        self.person_keys = _unique_keys(
            self.persons,
            natural=lambda p: (*self._name_natural(p), *self._org_natural(p, all_orgs)),
            base=lambda p: german_slugify(self._key_name(p)) or "person",
            qualified=lambda p: "-".join(
                part
                for part in (
                    german_slugify(self._key_name(p)),
                    self.org_keys.get(p.organisation_id, ""),
                )
                if part
            ),
        )

    def _hides(self, person: Person) -> bool:
        """Open data names a person only with their consent (``Person.is_public``)."""
        return self.consented_names_only and not person.is_public

    def _name_natural(self, person: Person) -> tuple:
        if self._hides(person):
            return (person.public_name,)
        return (person.last_name, person.first_name)

    def _key_name(self, person: Person) -> str:
        """The key is readable, so it says no more than the document may: the public name."""
        if self._hides(person):
            return person.public_name
        return f"{person.last_name} {person.first_name}"

    @staticmethod
    def _org_natural(person, all_orgs) -> tuple:
        if person.organisation_id is None:
            return ()
        return _org_path(all_orgs[person.organisation_id], all_orgs)

    def organisations(self) -> dict:
        result = {}
        for pk, key in sorted(self.org_keys.items(), key=lambda item: item[1]):
            org = self.orgs[pk]
            result[key] = {
                "name": org.name,
                "short_name": org.short_name,
                "kind": org.kind,
                "parent": self.org_keys[org.parent_id] if org.parent_id else None,
                "address": org.address,
                "phone": org.phone,
                "email": org.email,
                "website": org.website,
                **translated_entries(org),
            }
        return result

    def people(self) -> dict:
        result = {}
        by_pk = {p.pk: p for p in self.persons}
        for pk, key in sorted(self.person_keys.items(), key=lambda item: item[1]):
            person = by_pk[pk]
            if self._hides(person):
                # no name, no personal phone or e-mail: how the pages name them, and where
                # they work (the organisation's contact details are public)
                result[key] = {
                    "public_name": person.public_name,
                    "function": person.function,
                    "organisation": self.org_keys.get(person.organisation_id),
                    "public_contact": False,
                }
                continue
            result[key] = {
                "salutation": person.salutation,
                "title": person.title,
                "first_name": person.first_name,
                "last_name": person.last_name,
                "function": person.function,
                "organisation": self.org_keys.get(person.organisation_id),
                "phone": person.phone,
                "email": person.email,
                "public_contact": person.public_contact,
            }
        return result

    # --- the plan --------------------------------------------------------------------------

    def document(self) -> dict:
        plan = self.plan
        english = english_entries(plan)
        if "introduction_en" in english:
            english["introduction_en"] = _paragraphs(english["introduction_en"])
        fields = [self.field(fld) for fld in self.fields]
        return {
            "format": PLAN_DOCUMENT_FORMAT,
            "source": str(plan),
            "organisations": self.organisations(),
            "persons": self.people(),
            "plan": {
                "slug": plan.slug,
                "title": plan.title,
                "subtitle": plan.subtitle,
                "region": plan.region,
                "issued_label": plan.issued_label,
                "issued_on": plan.issued_on.isoformat() if plan.issued_on else None,
                "period_label": plan.period_label,
                "funding_note": plan.funding_note,
                "introduction": _paragraphs(plan.introduction),
                "status": plan.status,
                "language": plan.language,
                "project_lead": self.person_keys.get(plan.project_lead_id),
                "author_organisation": self.org_keys.get(plan.author_organisation_id),
                "fields": fields,
                "indicators": document_entries(plan, public_only=self.public_only),
                "funding_programmes": self.funding_programmes(),
                "council_papers": [paper_entry(p) for p in plan.plan_council_papers],
                "attachments": attachment_entries(plan),
                # issue 21: English beside German (``translations.documents``), each key only
                # when there is English; an untranslated plan's document is as it was
                **english,
                **({"english_note": plan.english_note} if plan.english_note else {}),
                **mark_entries(plan),
                **self.vocabulary_en(),
            },
        }

    def vocabulary_en(self) -> dict:
        """``{"vocabulary_en": {"target_groups": {"Kreative": "Creatives"}, …}}``: the English
        names of the vocabulary entries the document names by German name (if any)."""
        names: dict[str, dict[str, str]] = {}

        def add(vocabulary: str, entry) -> None:
            if entry is not None and entry.name_en:
                names.setdefault(vocabulary, {})[entry.name] = entry.name_en

        for fld in self.fields:
            for measure in fld.measures.all():
                for group in measure.target_groups.all():
                    add("target_groups", group)
                for line in measure.budget_lines.all():
                    add("budget_categories", line.category)
                    add("funding_sources", line.funding_source)
        if not names:
            return {}
        return {"vocabulary_en": {k: dict(sorted(v.items())) for k, v in sorted(names.items())}}

    def funding_programmes(self) -> list[dict]:
        """The programmes the exported budget lines name (the list itself is shared)."""
        used = {
            line.programme.pk: line.programme
            for fld in self.fields
            for measure in fld.measures.all()
            for line in measure.budget_lines.all()
            if line.programme_id
        }
        return [
            {
                "key": programme.key,
                "name": programme.name,
                "level": programme.level,
                "fund": programme.fund,
                "period": programme.period,
                "default_rate": _amount(programme.default_rate),
                **translated_entries(programme),
            }
            for programme in sorted(used.values(), key=lambda p: (p.position, p.name))
        ]

    def field(self, fld: FieldOfAction) -> dict:
        lead = None
        english = english_entries(fld)
        if fld.lead_organisation_id or fld.lead_note or "lead_note_en" in english:
            lead = {
                "organisation": self.org_keys.get(fld.lead_organisation_id),
                "note": fld.lead_note,
            }
            if "lead_note_en" in english:
                lead["note_en"] = english.pop("lead_note_en")
        findings = sorted(fld.baseline_findings.all(), key=lambda f: (f.position, f.pk))
        return {
            "position": fld.position,
            "title": fld.title,
            "slug": fld.slug,
            "target_state": fld.target_state,
            "lead": lead,
            "contacts": [self.person_keys[c.person_id] for c in fld.field_contacts.all()],
            "baseline": [
                {"text": f.text, **translated_entries(f), "swot": f.swot} for f in findings
            ],
            "measures": [self.measure(fld, m) for m in fld.measures.all()],
            "attachments": attachment_entries(fld),
            **english,
            **mark_entries(fld),
        }

    def measure(self, fld: FieldOfAction, measure: Measure) -> dict:
        related = sorted(
            (
                other
                for other in measure.related_measures.all()
                if other.pk in self.measure_ids and other.field.plan_id == self.plan.pk
            ),
            key=lambda m: (m.field.position, m.position, m.pk),
        )
        return {
            "key": measure_key(fld.slug, measure.slug),
            "position": measure.position,
            "code": measure.code,
            "title": measure.title,
            "slug": measure.slug,
            "description": measure.description,
            "status": measure.status,
            "state": measure.state,
            "steps": _steps(measure.steps.all()),
            "target_groups": [group.name for group in measure.target_groups.all()],
            "schedule": [_shorthand(entry, "label") for entry in measure.schedule.all()],
            "responsibilities": [
                {
                    "role": resp.role,
                    "organisation": self.org_keys.get(resp.organisation_id),
                    "person": self.person_keys.get(resp.person_id),
                    "note": resp.note,
                    **translated_entries(resp),
                }
                for resp in measure.responsibilities.all()
            ],
            "budget": [
                {
                    "category": line.category.name,
                    "funding_source": line.funding_source.name if line.funding_source_id else None,
                    "planned_amount": _amount(line.planned_amount),
                    "actual_amount": _amount(line.actual_amount),
                    "note": line.note,
                    "year_from": line.year_from,
                    "year_to": line.year_to,
                    "kind": line.kind,
                    "person_days": _plain(line.person_days),
                    "programme": line.programme.key if line.programme_id else None,
                    "co_funding_rate": _amount(line.co_funding_rate),
                    **translated_entries(line),
                }
                for line in measure.budget_lines.all()
            ],
            "related_measures": [measure_key(m.field.slug, m.slug) for m in related],
            "council_papers": [paper_entry(p) for p in measure.council_papers.all()],
            "attachments": attachment_entries(measure),
            **translated_entries(measure),
        }


def _shorthand(obj, key: str):
    """A step's text or a schedule label: the German text, or an object when it carries
    English (``{"label": …, "label_en": …}``, with its marks)."""
    english = translated_entries(obj)
    if not english:
        return getattr(obj, key)
    return {key: getattr(obj, key), **english}


def _org_path(org: Organisation, all_orgs: dict) -> tuple[str, ...]:
    """Names from the top organisation down to ``org``: its natural key."""
    names = []
    while org is not None:
        names.append(org.name)
        org = all_orgs.get(org.parent_id)
    return tuple(reversed(names))


def _unique_keys(items: Iterable, *, natural, base, qualified) -> dict[int, str]:
    """Readable document keys, the same in every database: slug of the name, qualified by
    the organisation where two share it, numbered as a last resort (sorted by natural key)."""
    items = sorted(items, key=lambda item: (natural(item), item.pk))
    counts: dict[str, int] = {}
    for item in items:
        counts[base(item)] = counts.get(base(item), 0) + 1
    keys: dict[int, str] = {}
    taken: set[str] = set()
    for item in items:
        key = base(item) if counts[base(item)] == 1 else qualified(item) or base(item)
        candidate, number = key, 2
        while candidate in taken:
            candidate, number = f"{key}-{number}", number + 1
        taken.add(candidate)
        keys[item.pk] = candidate
    return keys


def _paragraphs(text: str) -> list[str] | str:
    """Paragraphs as a list (the importer joins them with a blank line): exact both ways."""
    return text.split("\n\n") if text else ""


def _steps(steps) -> list:
    steps = list(steps)
    children: dict[int, list[Step]] = {}
    for step in steps:
        if step.parent_id:
            children.setdefault(step.parent_id, []).append(step)
    result: list = []
    for step in steps:
        if step.parent_id:
            continue
        subs = children.get(step.pk, [])
        if subs:
            result.append(
                {
                    "text": step.text,
                    **translated_entries(step),
                    "substeps": [_shorthand(s, "text") for s in subs],
                }
            )
        else:
            result.append(_shorthand(step, "text"))
    return result


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _plain(value: Decimal | None) -> str | None:
    """A plain decimal without trailing zeros: "12.5", "3"."""
    return None if value is None else format(value.normalize(), "f")
