"""The whole-plan JSON document (``planwerk.plan/1``) on the one importer path.

Backup, moving a plan between Planwerk instances, and the demo data (fixtures/leipzig.json).
The document is checked as a whole first (``_Validator``: every problem with its JSON path),
then its organisations, persons and vocabulary are matched by natural key (created when
missing), and its fields, measures and their rows become ``Incoming`` rows for
``imports.plan_import``, which compares them with the stored plan and writes the differences.
A document is the complete plan: stored rows it does not mention are deleted.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils.encoding import force_str
from django.utils.translation import gettext as _

from actionplan.models import (
    BaselineFinding,
    BudgetCategory,
    BudgetLine,
    FieldOfAction,
    FundingSource,
    Measure,
    Plan,
    Responsibility,
    ScheduleEntry,
    Step,
    TargetGroup,
)
from actionplan.services import _history_user
from config.numbers import bounded_decimal
from contacts.models import ContactConsent, Organisation, Person
from contacts.services import consent_label, contact_consent_set
from council.services import council_papers_sync, validate_entries
from funding.models import FundingProgramme
from translations import documents as tr
from translations import registry

from . import plan_indicators
from .plan_extras import PLAN_ATTRIBUTES, PLAN_FOREIGN_KEYS, ContactRow, LinkRow, PlanExtras
from .plan_import import (
    Change,
    Incoming,
    PlanImportError,
    PlanImportResult,
    Problem,
    Where,
    display,
    measure_ref,
    plan_apply_rows,
)

PLAN_DOCUMENT_FORMAT = "planwerk.plan/1"
# Positions are 32-bit columns; an organisation's parents are followed by recursion.
MAX_POSITION = 2**31 - 1
MAX_ORGANISATION_LEVELS = 20


class PlanDocumentError(PlanImportError):
    """A plan document that cannot be imported; ``errors`` holds ``(path, message)`` pairs."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        super().__init__([Problem(message, column=path) for path, message in errors])
        self.args = (
            "Invalid plan document:\n" + "\n".join(f"  {path}: {msg}" for path, msg in errors),
        )

    def __str__(self) -> str:
        return self.args[0]


def plan_import_document(*, data: dict, acting_user=None, replace: bool = False) -> Plan:
    """Create a plan with its fields, measures and contacts from a nested document.

    Organisations, people and vocabulary entries are reused by natural key. An existing plan
    with the same slug is returned untouched unless ``replace`` is set, which deletes it first.
    """
    _validate_document(data)
    existing = Plan.objects.filter(slug=data["plan"]["slug"]).first()
    if existing is not None and not replace:
        return existing
    return plan_document_import(data=data, acting_user=acting_user, replace=replace).plan


@transaction.atomic
def plan_document_import(
    *, data: dict, acting_user=None, dry_run: bool = False, replace: bool = False
) -> PlanImportResult:
    """Bring the plan named in the document to exactly the document's state.

    A new plan is created; an existing one (same slug) gets only the differences, each with a
    history row; ``replace`` deletes it first. ``dry_run`` reports the changes and writes
    nothing. Raises ``PlanDocumentError`` (or ``PlanImportError``) and writes nothing when the
    document is invalid.
    """
    _validate_document(data)
    file_name = force_str(data.get("source") or data["plan"]["slug"])[:80]
    reason = _("Import of the plan document “%(name)s”") % {"name": file_name}
    savepoint = transaction.savepoint()
    try:
        with _history_user(acting_user):
            result = _DocumentImport(data, reason=reason, acting_user=acting_user).run(
                acting_user=acting_user, replace=replace
            )
    except PlanDocumentError:
        transaction.savepoint_rollback(savepoint)
        raise
    except PlanImportError as exc:
        transaction.savepoint_rollback(savepoint)
        raise PlanDocumentError([(p.column or "plan", p.message) for p in exc.problems]) from exc
    except Exception:
        transaction.savepoint_rollback(savepoint)
        raise
    result.dry_run = dry_run
    if dry_run:
        transaction.savepoint_rollback(savepoint)
        result.plan = Plan.objects.filter(slug=data["plan"]["slug"]).first()
    else:
        transaction.savepoint_commit(savepoint)
    return result


def _validate_document(data) -> None:
    validator = _Validator(data)
    validator.run()
    if validator.errors:
        raise PlanDocumentError(validator.errors)


# --- validation -------------------------------------------------------------------------------


def _en(model, keys: dict | None = None) -> set[str]:
    """The English keys (``title_en``) and marks an entry of ``model`` may have
    (``translations.documents``)."""
    return tr.english_keys(model, keys) | set(tr.MARK_KEYS)


_ORG_KEYS = {"name", "short_name", "kind", "parent", "address", "phone", "email", "website"}
_ORG_KEYS |= _en(Organisation)
_PERSON_KEYS = {
    "salutation",
    "title",
    "first_name",
    "last_name",
    "function",
    "organisation",
    "phone",
    "email",
    "public_contact",
}
_PLAN_KEYS = {
    "funding_programmes",
    "slug",
    "title",
    "subtitle",
    "region",
    "issued_label",
    "issued_on",
    "period_label",
    "funding_note",
    "introduction",
    "status",
    "language",
    "project_lead",
    "author_organisation",
    "fields",
    "indicators",
    # council papers (council/) are imported; attachments are listed for reading only
    "council_papers",
    "attachments",
    # issue 21: the English texts, the note above the English pages, English vocabulary
    *_en(Plan),
    "english_note",
    "vocabulary_en",
}
_FIELD_KEYS = {
    "position",
    "title",
    "slug",
    "contacts",
    "baseline",
    "target_state",
    "lead",
    "measures",
    "attachments",
    *(_en(FieldOfAction) - {"lead_note_en"}),  # the lead's note: ``lead.note_en``
}
_LEAD_KEYS = {"organisation", "note", "note_en"}
_MEASURE_KEYS = {
    "key",
    "position",
    "code",
    "title",
    "slug",
    "description",
    "status",
    "state",
    "steps",
    "target_groups",
    "schedule",
    "responsibilities",
    "budget",
    "related_measures",
    "council_papers",
    "attachments",
    *_en(Measure),
}
_STEP_KEYS = {"text", "substeps", *_en(Step)}
_SUBSTEP_KEYS = {"text", *_en(Step)}
_FINDING_KEYS = {"text", "swot", *_en(BaselineFinding)}
_RESPONSIBILITY_KEYS = {"role", "organisation", "person", "note", *_en(Responsibility)}
_SCHEDULE_KEYS = {"label", "start_date", "end_date", "approximate", *_en(ScheduleEntry)}
_BUDGET_KEYS = {
    "category",
    "funding_source",
    "planned_amount",
    "actual_amount",
    "note",
    # funding (issue 20); a document without them imports as before
    *BudgetLine.FUNDING_FIELDS,
    *_en(BudgetLine),
}
_PROGRAMME_KEYS = {"key", "name", "level", "fund", "period", "default_rate"}
_PROGRAMME_KEYS |= _en(FundingProgramme)
# ``plan.vocabulary_en``: the English names of the vocabularies the plan names by German name
VOCABULARIES = {
    "target_groups": TargetGroup,
    "budget_categories": BudgetCategory,
    "funding_sources": FundingSource,
}


class _Validator:
    def __init__(self, data):
        self.data = data
        self.errors: list[tuple[str, str]] = []
        self.org_keys: set[str] = set()
        self.person_keys: set[str] = set()
        self.measure_keys: set[str] = set()
        self.related: list[tuple[str, object]] = []
        self.programme_keys: set[str] = set()

    def error(self, path: str, message: str) -> None:
        self.errors.append((path, message))

    def mapping(self, value, path: str, allowed: set[str]) -> bool:
        if not isinstance(value, dict):
            self.error(path, "must be an object")
            return False
        for key in sorted(set(value) - allowed):
            self.error(f"{path}.{key}", "unknown key")
        return True

    def text(self, obj: dict, key: str, path: str, *, required: bool = False) -> None:
        value = obj.get(key)
        if value is None and not required:
            return
        if value is None or (required and isinstance(value, str) and not value.strip()):
            self.error(f"{path}.{key}", "required text is missing")
        elif not isinstance(value, str):
            self.error(f"{path}.{key}", "must be text")

    def english(self, obj: dict, model, path: str) -> None:
        """The English texts (``title_en``) and marks of an entry (``translations.documents``)."""
        self.errors += tr.validate(obj, model, path)

    def vocabulary_en(self, plan: dict) -> None:
        value = plan.get("vocabulary_en")
        if value is None:
            return
        if not self.mapping(value, "plan.vocabulary_en", set(VOCABULARIES)):
            return
        for name, names in value.items():
            path = f"plan.vocabulary_en.{name}"
            if not isinstance(names, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in names.items()
            ):
                self.error(path, "must be an object of German name → English name")

    def text_list(self, obj: dict, key: str, path: str) -> None:
        value = obj.get(key, [])
        if not isinstance(value, list):
            self.error(f"{path}.{key}", "must be a list")
            return
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.error(f"{path}.{key}[{i}]", "must be non-empty text")

    def choice(self, obj: dict, key: str, path: str, choices) -> None:
        if key in obj and obj[key] not in choices.values:
            self.error(f"{path}.{key}", f"must be one of {', '.join(map(repr, choices.values))}")

    def ref(self, obj: dict, key: str, path: str, known: set[str], what: str) -> None:
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            self.error(f"{path}.{key}", "must be text")
        elif value is not None and value not in known:
            self.error(f"{path}.{key}", f"unknown {what} key {value!r}")

    def items(self, obj: dict, key: str, path: str) -> list:
        value = obj.get(key, [])
        if not isinstance(value, list):
            self.error(f"{path}.{key}", "must be a list")
            return []
        return value

    def unique_positions(self, items: list, path: str) -> None:
        seen: dict[int, int] = {}
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            position = item.get("position")
            if (
                not isinstance(position, int)
                or isinstance(position, bool)
                or not 1 <= position <= MAX_POSITION
            ):
                self.error(
                    f"{path}[{i}].position",
                    _("must be a whole number from 1 to %(limit)s") % {"limit": MAX_POSITION},
                )
            elif position in seen:
                first = seen[position]
                self.error(f"{path}[{i}].position", f"duplicate position {position}, as [{first}]")
            else:
                seen[position] = i

    def run(self) -> None:
        data = self.data
        if not isinstance(data, dict):
            self.error("$", "the document must be an object")
            return
        for key in sorted(set(data) - {"format", "source", "organisations", "persons", "plan"}):
            self.error(key, "unknown key")
        if data.get("format") != PLAN_DOCUMENT_FORMAT:
            self.error("format", f"must be {PLAN_DOCUMENT_FORMAT!r}")
        self.organisations(data.get("organisations", {}))
        self.persons(data.get("persons", {}))
        if not self.mapping(data.get("plan"), "plan", _PLAN_KEYS):
            return
        self.plan(data["plan"])
        self.council_papers(data["plan"], "plan")
        for path, key in self.related:
            if not isinstance(key, str) or key not in self.measure_keys:
                self.error(path, f"unknown measure key {key!r}")
        if "indicators" in data["plan"] and isinstance(data["plan"].get("fields", []), list):
            measures = plan_indicators.document_measures(data["plan"])
            self.errors += plan_indicators.validate_entries(
                data["plan"]["indicators"],
                path="plan.indicators",
                field_slugs={slug for slug, _measure in measures.values()}
                | {
                    f.get("slug") or FieldOfAction.slug_for(f["title"])
                    for f in data["plan"]["fields"]
                    if isinstance(f, dict) and isinstance(f.get("title"), str)
                },
                measures=measures,
            )

    def organisations(self, orgs) -> None:
        if not isinstance(orgs, dict):
            self.error("organisations", "must be an object keyed by organisation key")
            return
        self.org_keys = set(orgs)
        for key, org in orgs.items():
            path = f"organisations.{key}"
            if not self.mapping(org, path, _ORG_KEYS):
                continue
            self.text(org, "name", path, required=True)
            for attr in ("short_name", "address", "phone", "email", "website"):
                self.text(org, attr, path)
            self.choice(org, "kind", path, Organisation.Kind)
            self.english(org, Organisation, path)
            self.ref(org, "parent", path, self.org_keys, "organisation")
        for key in orgs:
            seen, current = {key}, orgs[key]
            while isinstance(current, dict) and _is_key(current.get("parent"), self.org_keys):
                if current["parent"] in seen:
                    self.error(f"organisations.{key}.parent", "organisations form a cycle")
                    break
                if len(seen) > MAX_ORGANISATION_LEVELS:
                    self.error(
                        f"organisations.{key}.parent",
                        _("organisations are nested deeper than %(limit)s levels")
                        % {"limit": MAX_ORGANISATION_LEVELS},
                    )
                    break
                seen.add(current["parent"])
                current = orgs[current["parent"]]

    def persons(self, persons) -> None:
        if not isinstance(persons, dict):
            self.error("persons", "must be an object keyed by person key")
            return
        self.person_keys = set(persons)
        for key, person in persons.items():
            path = f"persons.{key}"
            if not self.mapping(person, path, _PERSON_KEYS):
                continue
            self.text(person, "last_name", path, required=True)
            for attr in ("title", "first_name", "function", "phone", "email"):
                self.text(person, attr, path)
            self.choice(person, "salutation", path, Person.Salutation)
            self.ref(person, "organisation", path, self.org_keys, "organisation")
            if not isinstance(person.get("public_contact", False), bool):
                self.error(f"{path}.public_contact", "must be true or false")

    def funding_programmes(self, plan: dict) -> None:
        keys = set()
        for i, spec in enumerate(self.items(plan, "funding_programmes", "plan")):
            path = f"plan.funding_programmes[{i}]"
            if not self.mapping(spec, path, _PROGRAMME_KEYS):
                continue
            self.text(spec, "key", path, required=True)
            self.text(spec, "name", path, required=True)
            self.text(spec, "fund", path)
            self.text(spec, "period", path)
            self.english(spec, FundingProgramme, path)
            self.choice(spec, "level", path, FundingProgramme.Level)
            if "level" not in spec:
                self.error(f"{path}.level", "required")
            if isinstance(spec.get("key"), str):
                try:
                    validate_slug(spec["key"])
                except ValidationError:
                    self.error(f"{path}.key", "must be a slug (letters, digits, hyphens)")
                keys.add(spec["key"])
            self.rate(spec, "default_rate", path)
        self.programme_keys = keys | set(FundingProgramme.objects.values_list("key", flat=True))

    def rate(self, obj: dict, key: str, path: str) -> None:
        value = obj.get(key)
        if value is None:
            return
        try:
            number = bounded_decimal(value, max_digits=5, decimal_places=2)
        except ValidationError as error:
            self.error(f"{path}.{key}", error.messages[0])
            return
        if not 0 <= number <= 100:
            self.error(f"{path}.{key}", "must be a percentage from 0 to 100")

    def funding(self, line: dict, path: str) -> None:
        """A budget line's year or period, kind, programme and co-funding rate."""
        from actionplan.models import FIRST_YEAR, LAST_YEAR, CostKind

        years = {}
        for attr in ("year_from", "year_to"):
            value = line.get(attr)
            if value is None:
                continue
            if not isinstance(value, int) or isinstance(value, bool):
                self.error(f"{path}.{attr}", "must be a year (a whole number) or null")
            elif not FIRST_YEAR <= value <= LAST_YEAR:
                self.error(f"{path}.{attr}", f"must be a year from {FIRST_YEAR} to {LAST_YEAR}")
            else:
                years[attr] = value
        if len(years) == 2 and years["year_from"] > years["year_to"]:
            self.error(f"{path}.year_to", "must not come before year_from")
        if line.get("year_to") is not None and line.get("year_from") is None:
            self.error(f"{path}.year_from", "required when year_to is given")
        if line.get("kind") not in (None, "", *CostKind.values):
            self.error(f"{path}.kind", f"must be one of {', '.join(map(repr, CostKind.values))}")
        self.ref(line, "programme", path, self.programme_keys, "funding programme")
        self.rate(line, "co_funding_rate", path)

    def plan(self, plan: dict) -> None:
        path = "plan"
        self.funding_programmes(plan)
        self.text(plan, "title", path, required=True)
        self.text(plan, "region", path, required=True)
        self.text(plan, "slug", path, required=True)
        if isinstance(plan.get("slug"), str):
            try:
                validate_slug(plan["slug"])
            except ValidationError:
                self.error("plan.slug", "must be a slug (letters, digits, hyphens)")
        for attr in ("subtitle", "issued_label", "period_label", "funding_note", "language"):
            self.text(plan, attr, path)
        for key in ("introduction", "introduction_en"):
            intro = plan.get(key, "")
            if not isinstance(intro, str) and not (
                isinstance(intro, list) and all(isinstance(p, str) for p in intro)
            ):
                self.error(f"plan.{key}", "must be text or a list of paragraphs")
        self.english(_joined_introduction(plan), Plan, path)
        self.text(plan, "english_note", path)
        self.vocabulary_en(plan)
        if plan.get("issued_on") is not None:
            try:
                datetime.date.fromisoformat(plan["issued_on"])
            except (TypeError, ValueError):
                self.error("plan.issued_on", "must be a date as YYYY-MM-DD")
        self.choice(plan, "status", path, Plan.Status)
        self.ref(plan, "project_lead", path, self.person_keys, "person")
        self.ref(plan, "author_organisation", path, self.org_keys, "organisation")
        fields = self.items(plan, "fields", path)
        self.unique_positions(fields, "plan.fields")
        slugs: set[str] = set()
        for i, field in enumerate(fields):
            fpath = f"plan.fields[{i}]"
            if not self.mapping(field, fpath, _FIELD_KEYS):
                continue
            self.field(field, fpath)
            slug = field.get("slug") or FieldOfAction.slug_for(str(field.get("title", "")))
            if not isinstance(slug, str):
                continue  # named by the check of the field's texts
            if slug in slugs:
                self.error(f"{fpath}.slug", f"duplicate slug {slug!r}")
            slugs.add(slug)

    def field(self, field: dict, path: str) -> None:
        self.text(field, "title", path, required=True)
        self.text(field, "slug", path)
        self.text(field, "target_state", path)
        self.english(_with_lead_note(field), FieldOfAction, path)
        listed: set[str] = set()
        for j, key in enumerate(self.items(field, "contacts", path)):
            if not isinstance(key, str) or key not in self.person_keys:
                self.error(f"{path}.contacts[{j}]", f"unknown person key {key!r}")
            elif key in listed:
                self.error(f"{path}.contacts[{j}]", f"person {key!r} listed twice")
            else:
                listed.add(key)
        for j, finding in enumerate(self.items(field, "baseline", path)):
            fpath = f"{path}.baseline[{j}]"
            if self.mapping(finding, fpath, _FINDING_KEYS):
                self.text(finding, "text", fpath, required=True)
                self.english(finding, BaselineFinding, fpath)
                self.choice(finding, "swot", fpath, BaselineFinding.Swot)
        lead = field.get("lead")
        if lead is not None and self.mapping(lead, f"{path}.lead", _LEAD_KEYS):
            self.ref(lead, "organisation", f"{path}.lead", self.org_keys, "organisation")
            self.text(lead, "note", f"{path}.lead")
            self.text(lead, "note_en", f"{path}.lead")
        measures = self.items(field, "measures", path)
        self.unique_positions(measures, f"{path}.measures")
        codes: set[str] = set()
        for j, measure in enumerate(measures):
            mpath = f"{path}.measures[{j}]"
            if not self.mapping(measure, mpath, _MEASURE_KEYS):
                continue
            self.measure(measure, mpath)
            code = measure.get("code") or ""
            if not isinstance(code, str):
                continue  # named by the check of the measure's texts
            if code and code in codes:
                self.error(f"{mpath}.code", f"duplicate code {code!r} in this field")
            codes.add(code)

    def council_papers(self, obj: dict, path: str) -> None:
        if "council_papers" in obj:
            self.errors += validate_entries(obj["council_papers"], f"{path}.council_papers")

    def measure(self, measure: dict, path: str) -> None:
        self.council_papers(measure, path)
        self.text(measure, "title", path, required=True)
        for attr in ("code", "slug", "description"):
            self.text(measure, attr, path)
        self.english(measure, Measure, path)
        self.choice(measure, "status", path, Measure.Status)
        self.choice(measure, "state", path, Measure.State)
        key = measure.get("key")
        if key is not None:
            if not isinstance(key, str) or not key:
                self.error(f"{path}.key", "must be non-empty text")
            elif key in self.measure_keys:
                self.error(f"{path}.key", f"duplicate measure key {key!r}")
            else:
                self.measure_keys.add(key)
        for j, step in enumerate(self.items(measure, "steps", path)):
            spath = f"{path}.steps[{j}]"
            if isinstance(step, str):
                if not step.strip():
                    self.error(spath, "must be non-empty text")
            elif self.mapping(step, spath, _STEP_KEYS):
                self.text(step, "text", spath, required=True)
                self.english(step, Step, spath)
                for k, sub in enumerate(self.items(step, "substeps", spath)):
                    subpath = f"{spath}.substeps[{k}]"
                    if isinstance(sub, str):
                        if not sub.strip():
                            self.error(subpath, "must be non-empty text")
                    elif self.mapping(sub, subpath, _SUBSTEP_KEYS):
                        self.text(sub, "text", subpath, required=True)
                        self.english(sub, Step, subpath)
        self.text_list(measure, "target_groups", path)
        for j, entry in enumerate(self.items(measure, "schedule", path)):
            spath = f"{path}.schedule[{j}]"
            if isinstance(entry, str):
                if not entry.strip():
                    self.error(spath, "must be non-empty text")
            elif self.mapping(entry, spath, _SCHEDULE_KEYS):
                self.text(entry, "label", spath, required=True)
                self.english(entry, ScheduleEntry, spath)
                for attr in ("start_date", "end_date"):
                    if entry.get(attr) is not None:
                        try:
                            datetime.date.fromisoformat(entry[attr])
                        except (TypeError, ValueError):
                            self.error(f"{spath}.{attr}", "must be a date as YYYY-MM-DD")
                if not isinstance(entry.get("approximate", False), bool):
                    self.error(f"{spath}.approximate", "must be true or false")
        for j, resp in enumerate(self.items(measure, "responsibilities", path)):
            rpath = f"{path}.responsibilities[{j}]"
            if not self.mapping(resp, rpath, _RESPONSIBILITY_KEYS):
                continue
            self.english(resp, Responsibility, rpath)
            self.choice(resp, "role", rpath, Responsibility.Role)
            self.ref(resp, "organisation", rpath, self.org_keys, "organisation")
            self.ref(resp, "person", rpath, self.person_keys, "person")
            self.text(resp, "note", rpath)
            if not resp.get("organisation") and not resp.get("person"):
                self.error(rpath, "needs an organisation or a person")
        for j, line in enumerate(self.items(measure, "budget", path)):
            bpath = f"{path}.budget[{j}]"
            if not self.mapping(line, bpath, _BUDGET_KEYS):
                continue
            self.text(line, "category", bpath, required=True)
            self.text(line, "funding_source", bpath)
            self.text(line, "note", bpath)
            self.english(line, BudgetLine, bpath)
            for attr in ("planned_amount", "actual_amount", "person_days", "co_funding_rate"):
                if line.get(attr) is not None:
                    try:
                        _decimal(line[attr], attr)
                    except ValidationError as error:
                        self.error(f"{bpath}.{attr}", error.messages[0])
            self.funding(line, bpath)
        for j, ref in enumerate(self.items(measure, "related_measures", path)):
            self.related.append((f"{path}.related_measures[{j}]", ref))


# --- document → rows ------------------------------------------------------------------------


# A schedule entry as an object only for its English label: dates follow the label, as for
# the shorthand "II. Quartal 2011" (an object with dates, or an old one without, sets them).
_SCHEDULE_SHORTHAND = {"label", *_en(ScheduleEntry)}


def _marks_new(obj, given: dict) -> None:
    """A new object's English texts with the marks the document gives them."""
    marks, _diffs = tr.compare_marks(type(obj), None, given, {}, obj.__dict__)
    tr.apply_marks(obj, marks)


def _joined_introduction(plan: dict) -> dict:
    """The plan's entry with its English introduction as one text (a list is paragraphs)."""
    intro = plan.get("introduction_en")
    if isinstance(intro, list) and all(isinstance(p, str) for p in intro):
        return {**plan, "introduction_en": "\n\n".join(intro)}
    return plan


def _with_lead_note(field: dict) -> dict:
    """A field's entry with its lead's English note beside its own texts (``lead_note_en``)."""
    lead = field.get("lead")
    if isinstance(lead, dict) and "note_en" in lead:
        return {**field, "lead_note_en": lead["note_en"]}
    return field


def _is_key(value, keys: set[str]) -> bool:
    return isinstance(value, str) and value in keys


def _decimal(value, attribute: str) -> Decimal | None:
    """An amount of a budget line within its column's digits (ValidationError if not)."""
    if value is None:
        return None
    field = BudgetLine._meta.get_field(attribute)
    return bounded_decimal(value, max_digits=field.max_digits, decimal_places=field.decimal_places)


def _date(value) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


_ORDER = {"organisation": 0, "person": 1, "vocabulary": 2, "plan": 3}


class _DocumentImport:
    """Turns a validated document into rows for the importer; creates missing contacts."""

    def __init__(self, data: dict, *, reason: str, acting_user=None):
        self.data = data
        self.reason = reason
        self.acting_user = acting_user
        self.orgs: dict[str, Organisation] = {}
        self.persons: dict[str, Person] = {}
        self.vocab: dict[tuple[type, str], object] = {}
        self.changes: list[Change] = []

    def run(self, *, acting_user, replace: bool) -> PlanImportResult:
        for key in self.data.get("organisations", {}):
            self.organisation(key)
        for key, spec in self.data.get("persons", {}).items():
            self.persons[key] = self.person(key, spec)
        spec = self.data["plan"]
        plan = Plan.objects.filter(slug=spec["slug"]).first()
        if plan is not None and replace:
            plan._change_reason = self.reason
            plan.delete()
            plan = None
        existing = plan is not None
        plan = self.plan(plan, spec)
        rows = list(self.rows(spec))
        before = sorted(self.changes, key=lambda c: _ORDER.get(c.kind, len(_ORDER)))
        extras = PlanExtras(
            plan,
            rows,
            attributes=self.plan_values(spec) if existing else None,
            attribute_where={a: Where(path="plan") for a in PLAN_ATTRIBUTES},
            attribute_marks=tr.marks_given(_joined_introduction(spec), Plan),
            contacts=list(self.contacts(spec)),
            links=list(self.links(spec)),
            complete=True,
        )
        if extras.problems:
            raise PlanImportError(extras.problems)
        result = plan_apply_rows(
            plan=plan,
            rows=rows,
            complete=True,
            acting_user=acting_user,
            dry_run=False,
            reason=self.reason,
        )
        extras.apply(plan, reason=self.reason)
        changes = extras.changes
        if "indicators" in spec:
            try:
                changes = changes + plan_indicators.indicators_sync(
                    plan,
                    spec["indicators"],
                    measure_keys=plan_indicators.document_measures(spec),
                    reason=self.reason,
                )
            except ValidationError as exc:
                raise PlanDocumentError([("plan.indicators", m) for m in exc.messages]) from exc
        changes = changes + council_papers_sync(
            plan=plan, owners=self.council_owners(plan, spec), reason=self.reason
        )
        plan_change = [c for c in changes if c.kind == "plan"]
        others = [c for c in changes if c.kind != "plan"]
        result.changes = before + plan_change + result.changes + others
        return result

    @staticmethod
    def council_owners(plan: Plan, spec: dict) -> dict:
        """The plan and measures whose council papers the document lists (council/)."""
        owners = {}
        if "council_papers" in spec:
            owners[None] = spec["council_papers"]
        listed = {
            (fld["slug"], m.get("slug") or Measure.slug_for(m.get("code") or "", m["title"])): m[
                "council_papers"
            ]
            for fld in spec["fields"]
            for m in fld.get("measures", [])
            if "council_papers" in m
        }
        if listed:
            for measure in Measure.objects.filter(field__plan=plan).select_related("field"):
                entries = listed.get((measure.field.slug, measure.slug))
                if entries is not None:
                    owners[measure] = entries
        return owners

    def _created(self, kind: str, label: str) -> None:
        self.changes.append(Change("new", kind, label))

    def _save(self, instance, path: str) -> None:
        try:
            instance.full_clean()
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors = [
                    (path if name == "__all__" else f"{path}.{name}", msg)
                    for name, messages in exc.message_dict.items()
                    for msg in messages
                ]
            else:
                errors = [(path, msg) for msg in exc.messages]
            raise PlanDocumentError(errors) from exc
        instance._change_reason = self.reason
        instance.save()

    def organisation(self, key: str) -> Organisation:
        if key in self.orgs:
            return self.orgs[key]
        spec = self.data["organisations"][key]
        parent = self.organisation(spec["parent"]) if spec.get("parent") else None
        org = Organisation.objects.filter(name=spec["name"], parent=parent).first()
        if org is None:
            org = Organisation(
                name=spec["name"],
                parent=parent,
                short_name=spec.get("short_name") or "",
                kind=spec.get("kind", Organisation.Kind.OTHER),
                address=spec.get("address") or "",
                phone=spec.get("phone") or "",
                email=spec.get("email") or "",
                website=spec.get("website") or "",
                **tr.english_values(spec, Organisation),
            )
            _marks_new(org, tr.marks_given(spec, Organisation))
            self._save(org, f"organisations.{key}")
            self._created("organisation", f"{_('organisation')} {org.name}")
        else:
            label = f"{_('organisation')} {org.name}"
            self.english_update(org, spec, "organisation", label, f"organisations.{key}")
        self.orgs[key] = org
        return org

    def person(self, key: str, spec: dict) -> Person:
        organisation = self.orgs.get(spec.get("organisation"))
        natural_key = {
            "organisation": organisation,
            "first_name": spec.get("first_name") or "",
            "last_name": spec["last_name"],
        }
        person = Person.objects.filter(**natural_key).first()
        if person is None:
            person = Person(
                **natural_key,
                salutation=spec.get("salutation") or "",
                title=spec.get("title") or "",
                function=spec.get("function") or "",
                phone=spec.get("phone") or "",
                email=spec.get("email") or "",
            )
            self._save(person, f"persons.{key}")
            self._created("person", f"{_('person')} {person}")
            if spec.get("public_contact", False):
                contact_consent_set(
                    person,
                    public=True,
                    source=ContactConsent.Source.IMPORTED,
                    note=self.reason,
                    acting_user=self.acting_user,
                )
                self.changes[-1].diffs.append(
                    (_("Consent: contact details public"), "–", consent_label(True))
                )
        return person

    def vocabulary(self, model: type, name: str, path: str):
        cache_key = (model, name)
        if cache_key not in self.vocab:
            entry = model.objects.filter(name=name).first()
            english = self.vocabulary_english(model, name)
            label = f"{model._meta.verbose_name} {name}"
            if entry is None:
                entry = model(name=name, **english)
                self._save(entry, path)
                self._created("vocabulary", label)
            else:
                self.english_update(entry, english, "vocabulary", label, path)
            self.vocab[cache_key] = entry
        return self.vocab[cache_key]

    def vocabulary_english(self, model: type, name: str) -> dict:
        """``{"name_en": …}`` if ``plan.vocabulary_en`` names the entry (else: as stored)."""
        vocabulary = next(key for key, m in VOCABULARIES.items() if m is model)
        names = (self.data["plan"].get("vocabulary_en") or {}).get(vocabulary) or {}
        return {"name_en": names[name] or ""} if name in names else {}

    def english_update(self, obj, spec: dict, kind: str, label: str, path: str) -> None:
        """An existing organisation's or vocabulary entry's English text and its marks as the
        document gives them (keys it leaves out stay as stored); a difference is a change."""
        model = type(obj)
        values = tr.english_values(spec, model)
        if not values:
            return
        fields = registry.fields_of(model)
        old = {
            name: getattr(obj, name)
            for field in fields
            for name in (field, registry.english(field))
        }
        new = {**old, **values}
        marks, diffs = tr.compare_marks(model, obj, tr.marks_given(spec, model), old, new)
        diffs = [
            (
                force_str(model._meta.get_field(name).verbose_name),
                display(old[name]),
                display(value),
            )
            for name, value in values.items()
            if old[name] != value
        ] + diffs
        if not diffs:
            return
        for name, value in values.items():
            setattr(obj, name, value)
        tr.apply_marks(obj, marks)
        self._save(obj, path)
        self.changes.append(Change("changed", kind, label, diffs))

    def plan_values(self, spec: dict) -> dict:
        """The plan's own attributes as the document gives them (foreign keys as pks)."""
        intro = spec.get("introduction") or ""
        lead = self.persons.get(spec.get("project_lead"))
        publisher = self.orgs.get(spec.get("author_organisation"))
        return {
            "slug": spec["slug"],
            "title": spec["title"],
            "subtitle": spec.get("subtitle") or "",
            "region": spec["region"],
            "issued_label": spec.get("issued_label") or "",
            "issued_on": _date(spec.get("issued_on")),
            "period_label": spec.get("period_label") or "",
            "funding_note": spec.get("funding_note") or "",
            "introduction": "\n\n".join(intro) if isinstance(intro, list) else intro,
            "status": spec.get("status", Plan.Status.DRAFT),
            "language": spec.get("language", "de"),
            "project_lead": lead.pk if lead else None,
            "author_organisation": publisher.pk if publisher else None,
            # English: only what the document gives (absent keys stay as stored)
            **tr.english_values(_joined_introduction(spec), Plan),
            **({"english_note": spec["english_note"] or ""} if "english_note" in spec else {}),
        }

    def plan(self, plan: Plan | None, spec: dict) -> Plan:
        """A new plan is created here (its rows need it); an existing one is compared and
        changed by ``PlanExtras``, like the workbook's sheet „Plan“."""
        if plan is not None:
            return plan
        values = self.plan_values(spec)
        for attribute in PLAN_FOREIGN_KEYS:
            values[f"{attribute}_id"] = values.pop(attribute)
        plan = Plan(**values)
        _marks_new(plan, tr.marks_given(_joined_introduction(spec), Plan))
        self._save(plan, "plan")
        self.changes.append(Change("new", "plan", f"{_('action plan')} {spec['slug']}"))
        return plan

    def rows(self, spec: dict):
        for i, field_spec in enumerate(spec.get("fields", [])):
            path = f"plan.fields[{i}]"
            slug = field_spec.get("slug") or FieldOfAction.slug_for(field_spec["title"])
            lead = field_spec.get("lead") or {}
            org = self.orgs.get(lead.get("organisation"))
            yield Incoming(
                "field",
                (slug,),
                {
                    "position": field_spec["position"],
                    "title": field_spec["title"],
                    "slug": slug,
                    "target_state": field_spec.get("target_state") or "",
                    "lead_organisation": org.pk if org else None,
                    "lead_note": lead.get("note") or "",
                    **tr.english_values(_with_lead_note(field_spec), FieldOfAction),
                },
                where=Where(path=path),
                marks=tr.marks_given(_with_lead_note(field_spec), FieldOfAction),
            )
            for j, finding in enumerate(field_spec.get("baseline", [])):
                yield Incoming(
                    "finding",
                    (slug, j + 1),
                    {
                        "field": (slug,),
                        "position": j + 1,
                        "text": finding["text"],
                        "swot": finding.get("swot", BaselineFinding.Swot.UNCLASSIFIED),
                        **tr.english_values(finding, BaselineFinding),
                    },
                    where=Where(path=f"{path}.baseline[{j}]"),
                    marks=tr.marks_given(finding, BaselineFinding),
                )
            for j, measure_spec in enumerate(field_spec.get("measures", [])):
                yield from self.measure(slug, measure_spec, f"{path}.measures[{j}]")

    def measure(self, field_slug: str, spec: dict, path: str):
        code = spec.get("code") or ""
        key = (field_slug, measure_ref(code, spec["position"]))
        groups = [
            self.vocabulary(TargetGroup, name, f"{path}.target_groups[{i}]")
            for i, name in enumerate(spec.get("target_groups", []))
        ]
        yield Incoming(
            "measure",
            key,
            {
                "field": (field_slug,),
                "position": spec["position"],
                "code": code,
                "title": spec["title"],
                "slug": spec.get("slug") or Measure.slug_for(code, spec["title"]),
                "description": spec.get("description") or "",
                "status": spec.get("status", Measure.Status.PLANNED),
                # New measures start as drafts unless the document says otherwise.
                "state": spec.get("state", Measure.State.DRAFT),
                "target_groups": frozenset(g.pk for g in groups),
                **tr.english_values(spec, Measure),
            },
            where=Where(path=path),
            marks=tr.marks_given(spec, Measure),
        )
        for i, step in enumerate(spec.get("steps", [])):
            if isinstance(step, str):
                step = {"text": step}
            step_key = (*key, 0, i + 1)
            yield Incoming(
                "step",
                step_key,
                {
                    "measure": key,
                    "parent": None,
                    "position": i + 1,
                    "text": step["text"],
                    **tr.english_values(step, Step),
                },
                where=Where(path=f"{path}.steps[{i}]"),
                marks=tr.marks_given(step, Step),
            )
            for j, sub in enumerate(step.get("substeps", [])):
                if isinstance(sub, str):
                    sub = {"text": sub}
                yield Incoming(
                    "step",
                    (*key, i + 1, j + 1),
                    {
                        "measure": key,
                        "parent": step_key,
                        "position": j + 1,
                        "text": sub["text"],
                        **tr.english_values(sub, Step),
                    },
                    where=Where(path=f"{path}.steps[{i}].substeps[{j}]"),
                    marks=tr.marks_given(sub, Step),
                )
        for i, entry in enumerate(spec.get("schedule", [])):
            values = {"measure": key, "position": i + 1}
            shorthand = isinstance(entry, str) or (
                set(entry) <= _SCHEDULE_SHORTHAND and set(entry) != {"label"}
            )
            if isinstance(entry, str):
                entry = {"label": entry}
            values["label"] = entry["label"]
            if not shorthand:
                # dates given (or left out on purpose): as the document says
                values["start_date"] = _date(entry.get("start_date"))
                values["end_date"] = _date(entry.get("end_date"))
                values["approximate"] = entry.get("approximate", False)
            values.update(tr.english_values(entry, ScheduleEntry))
            yield Incoming(
                "schedule",
                (*key, i + 1),
                values,
                where=Where(path=f"{path}.schedule[{i}]"),
                marks=tr.marks_given(entry, ScheduleEntry),
            )
        for i, resp in enumerate(spec.get("responsibilities", [])):
            org = self.orgs.get(resp.get("organisation"))
            person = self.persons.get(resp.get("person"))
            yield Incoming(
                "responsibility",
                (*key, i + 1),
                {
                    "measure": key,
                    "position": i + 1,
                    "organisation": org.pk if org else None,
                    "person": person.pk if person else None,
                    "role": resp.get("role", Responsibility.Role.RESPONSIBLE),
                    "note": resp.get("note") or "",
                    **tr.english_values(resp, Responsibility),
                },
                where=Where(path=f"{path}.responsibilities[{i}]"),
                marks=tr.marks_given(resp, Responsibility),
            )
        for i, line in enumerate(spec.get("budget", [])):
            bpath = f"{path}.budget[{i}]"
            source = line.get("funding_source")
            yield Incoming(
                "budget",
                (*key, i + 1),
                {
                    "measure": key,
                    "position": i + 1,
                    "category": self.vocabulary(BudgetCategory, line["category"], bpath).pk,
                    "funding_source": self.vocabulary(FundingSource, source, bpath).pk
                    if source
                    else None,
                    "planned_amount": _decimal(line.get("planned_amount"), "planned_amount"),
                    "actual_amount": _decimal(line.get("actual_amount"), "actual_amount"),
                    "note": line.get("note") or "",
                    **self.funding_values(line, bpath),
                    **tr.english_values(line, BudgetLine),
                },
                where=Where(path=bpath),
                marks=tr.marks_given(line, BudgetLine),
            )

    def funding_values(self, line: dict, path: str) -> dict:
        """The funding keys the line gives; an old document's lines keep what is stored."""
        from funding.models import line_rate

        values = {}
        for attr in ("year_from", "year_to"):
            if attr in line:
                values[attr] = line[attr]
        if "kind" in line:
            values["kind"] = line["kind"] or ""
        if "person_days" in line:
            values["person_days"] = _decimal(line["person_days"], "person_days")
        programme = None
        if "programme" in line:
            key = line["programme"]
            programme = self.programme(key, path) if key else None
            values["programme"] = programme.pk if programme else None
        if "co_funding_rate" in line or programme is not None:
            rate = _decimal(line.get("co_funding_rate"), "co_funding_rate")
            # as the admin does: a line without a rate takes its programme's default
            values["co_funding_rate"] = line_rate(rate, programme)
        return values

    def programme(self, key: str, path: str):
        """A funding programme by its key; created from the document when missing."""
        cache_key = (FundingProgramme, key)
        if cache_key not in self.vocab:
            entry = FundingProgramme.objects.filter(key=key).first()
            if entry is None:
                specs = self.data["plan"].get("funding_programmes") or []
                spec = next(s for s in specs if s.get("key") == key)
                entry = FundingProgramme(
                    key=key,
                    name=spec["name"],
                    level=spec["level"],
                    fund=spec.get("fund") or "",
                    period=spec.get("period") or "",
                    default_rate=_decimal(spec.get("default_rate"), "co_funding_rate"),
                    **tr.english_values(spec, FundingProgramme),
                )
                _marks_new(entry, tr.marks_given(spec, FundingProgramme))
                self._save(entry, path)
                self._created("vocabulary", f"{FundingProgramme._meta.verbose_name} {entry.name}")
            else:
                specs = self.data["plan"].get("funding_programmes") or []
                spec = next((s for s in specs if s.get("key") == key), None)
                if spec is not None:
                    label = f"{FundingProgramme._meta.verbose_name} {entry.name}"
                    self.english_update(entry, spec, "vocabulary", label, path)
            self.vocab[cache_key] = entry
        return self.vocab[cache_key]

    def contacts(self, spec: dict):
        """Each field's contact persons, in the document's order."""
        for i, field_spec in enumerate(spec.get("fields", [])):
            slug = field_spec.get("slug") or FieldOfAction.slug_for(field_spec["title"])
            for j, key in enumerate(field_spec.get("contacts", [])):
                yield ContactRow(
                    field=slug,
                    person=self.persons[key].pk,
                    position=j + 1,
                    where=Where(path=f"plan.fields[{i}].contacts[{j}]"),
                )

    def links(self, spec: dict):
        """Related measures: the document names them by its measure keys."""
        by_doc_key: dict[str, tuple] = {}
        measures = []
        for i, field_spec in enumerate(spec.get("fields", [])):
            slug = field_spec.get("slug") or FieldOfAction.slug_for(field_spec["title"])
            for j, measure_spec in enumerate(field_spec.get("measures", [])):
                key = (slug, measure_ref(measure_spec.get("code") or "", measure_spec["position"]))
                if measure_spec.get("key"):
                    by_doc_key[measure_spec["key"]] = key
                measures.append((key, measure_spec, f"plan.fields[{i}].measures[{j}]"))
        for key, measure_spec, path in measures:
            for k, ref in enumerate(measure_spec.get("related_measures", [])):
                yield LinkRow(
                    source=key,
                    target=by_doc_key[ref],
                    where=Where(path=f"{path}.related_measures[{k}]"),
                )
