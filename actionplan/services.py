"""Writes that span several action-plan models."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from contacts.models import Organisation, Person

from .models import (
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

PLAN_DOCUMENT_FORMAT = "planwerk.plan/1"


class PlanDocumentError(ValueError):
    """A plan document that cannot be imported; ``errors`` holds ``(path, message)`` pairs."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        super().__init__(
            "Invalid plan document:\n" + "\n".join(f"  {path}: {msg}" for path, msg in errors)
        )


@transaction.atomic
def plan_import_document(
    *, data: dict, acting_user: AbstractBaseUser | None = None, replace: bool = False
) -> Plan:
    """Create a plan with its fields, measures and contacts from a nested document.

    Organisations, people and vocabulary entries are reused by natural key. An existing plan
    with the same slug is returned untouched unless ``replace`` is set, which deletes it first.
    """
    _validate_document(data)
    spec = data["plan"]
    existing = Plan.objects.filter(slug=spec["slug"]).first()
    if existing is not None and not replace:
        return existing
    with _history_user(acting_user):
        if existing is not None:
            existing.delete()
        return _Importer(data).run()


@contextmanager
def _history_user(user: AbstractBaseUser | None) -> Iterator[None]:
    """Record ``user`` on every history row written inside the block, cascades included."""
    if user is None:
        yield
        return
    context = HistoricalRecords.context
    had_request = hasattr(context, "request")
    previous = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if had_request:
            context.request = previous
        else:
            del context.request


# --- validation -------------------------------------------------------------------------------

_ORG_KEYS = {"name", "short_name", "kind", "parent", "address", "phone", "email", "website"}
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
    "slug",
    "title",
    "subtitle",
    "region",
    "issued_label",
    "issued_on",
    "funding_note",
    "introduction",
    "status",
    "language",
    "project_lead",
    "author_organisation",
    "fields",
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
}
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
}
_BUDGET_KEYS = {"category", "funding_source", "planned_amount", "actual_amount", "note"}


class _Validator:
    def __init__(self, data):
        self.data = data
        self.errors: list[tuple[str, str]] = []
        self.org_keys: set[str] = set()
        self.person_keys: set[str] = set()
        self.measure_keys: set[str] = set()
        self.related: list[tuple[str, object]] = []

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
        if value is not None and value not in known:
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
            if not isinstance(position, int) or isinstance(position, bool) or position < 1:
                self.error(f"{path}[{i}].position", "must be a whole number from 1")
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
        for path, key in self.related:
            if key not in self.measure_keys:
                self.error(path, f"unknown measure key {key!r}")

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
            self.ref(org, "parent", path, self.org_keys, "organisation")
        for key in orgs:
            seen, current = {key}, orgs[key]
            while isinstance(current, dict) and current.get("parent") in orgs:
                if current["parent"] in seen:
                    self.error(f"organisations.{key}.parent", "organisations form a cycle")
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

    def plan(self, plan: dict) -> None:
        path = "plan"
        self.text(plan, "title", path, required=True)
        self.text(plan, "region", path, required=True)
        self.text(plan, "slug", path, required=True)
        if isinstance(plan.get("slug"), str):
            try:
                validate_slug(plan["slug"])
            except ValidationError:
                self.error("plan.slug", "must be a slug (letters, digits, hyphens)")
        for attr in ("subtitle", "issued_label", "funding_note", "language"):
            self.text(plan, attr, path)
        intro = plan.get("introduction", "")
        if not isinstance(intro, str) and not (
            isinstance(intro, list) and all(isinstance(p, str) for p in intro)
        ):
            self.error("plan.introduction", "must be text or a list of paragraphs")
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
            if slug in slugs:
                self.error(f"{fpath}.slug", f"duplicate slug {slug!r}")
            slugs.add(slug)

    def field(self, field: dict, path: str) -> None:
        self.text(field, "title", path, required=True)
        self.text(field, "slug", path)
        self.text(field, "target_state", path)
        contacts = self.items(field, "contacts", path)
        for j, key in enumerate(contacts):
            if key not in self.person_keys:
                self.error(f"{path}.contacts[{j}]", f"unknown person key {key!r}")
            elif contacts.index(key) != j:
                self.error(f"{path}.contacts[{j}]", f"person {key!r} listed twice")
        for j, finding in enumerate(self.items(field, "baseline", path)):
            fpath = f"{path}.baseline[{j}]"
            if self.mapping(finding, fpath, {"text", "swot"}):
                self.text(finding, "text", fpath, required=True)
                self.choice(finding, "swot", fpath, BaselineFinding.Swot)
        lead = field.get("lead")
        if lead is not None and self.mapping(lead, f"{path}.lead", {"organisation", "note"}):
            self.ref(lead, "organisation", f"{path}.lead", self.org_keys, "organisation")
            self.text(lead, "note", f"{path}.lead")
        measures = self.items(field, "measures", path)
        self.unique_positions(measures, f"{path}.measures")
        codes: set[str] = set()
        for j, measure in enumerate(measures):
            mpath = f"{path}.measures[{j}]"
            if not self.mapping(measure, mpath, _MEASURE_KEYS):
                continue
            self.measure(measure, mpath)
            code = measure.get("code") or ""
            if code and code in codes:
                self.error(f"{mpath}.code", f"duplicate code {code!r} in this field")
            codes.add(code)

    def measure(self, measure: dict, path: str) -> None:
        self.text(measure, "title", path, required=True)
        for attr in ("code", "slug", "description"):
            self.text(measure, attr, path)
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
            elif self.mapping(step, spath, {"text", "substeps"}):
                self.text(step, "text", spath, required=True)
                self.text_list(step, "substeps", spath)
        self.text_list(measure, "target_groups", path)
        self.text_list(measure, "schedule", path)
        for j, resp in enumerate(self.items(measure, "responsibilities", path)):
            rpath = f"{path}.responsibilities[{j}]"
            if not self.mapping(resp, rpath, {"role", "organisation", "person", "note"}):
                continue
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
            for attr in ("planned_amount", "actual_amount"):
                if line.get(attr) is not None:
                    try:
                        Decimal(str(line[attr]))
                    except InvalidOperation:
                        self.error(f"{bpath}.{attr}", "must be a number")
        for j, ref in enumerate(self.items(measure, "related_measures", path)):
            self.related.append((f"{path}.related_measures[{j}]", ref))


def _validate_document(data) -> None:
    validator = _Validator(data)
    validator.run()
    if validator.errors:
        raise PlanDocumentError(validator.errors)


# --- import -----------------------------------------------------------------------------------


def _save(instance, path: str) -> None:
    """``full_clean()`` then save; model errors are reported under the document path."""
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
    instance.save()


class _Importer:
    def __init__(self, data: dict):
        self.data = data
        self.orgs: dict[str, Organisation] = {}
        self.persons: dict[str, Person] = {}
        self.measures: dict[str, Measure] = {}
        self.vocab: dict[tuple[type, str], object] = {}
        self.related: list[tuple[Measure, list[str]]] = []

    def run(self) -> Plan:
        for key in self.data.get("organisations", {}):
            self.organisation(key)
        for key, spec in self.data.get("persons", {}).items():
            self.persons[key] = self.person(key, spec)
        spec = self.data["plan"]
        intro = spec.get("introduction", "")
        plan = Plan(
            slug=spec["slug"],
            title=spec["title"],
            subtitle=spec.get("subtitle", ""),
            region=spec["region"],
            issued_label=spec.get("issued_label", ""),
            issued_on=datetime.date.fromisoformat(spec["issued_on"])
            if spec.get("issued_on")
            else None,
            funding_note=spec.get("funding_note", ""),
            introduction="\n\n".join(intro) if isinstance(intro, list) else intro,
            status=spec.get("status", Plan.Status.DRAFT),
            language=spec.get("language", "de"),
            project_lead=self.persons.get(spec.get("project_lead")),
            author_organisation=self.orgs.get(spec.get("author_organisation")),
        )
        _save(plan, "plan")
        for i, field_spec in enumerate(spec.get("fields", [])):
            self.field(plan, field_spec, f"plan.fields[{i}]")
        for measure, refs in self.related:
            measure.related_measures.add(*(self.measures[ref] for ref in refs))
        return plan

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
                short_name=spec.get("short_name", ""),
                kind=spec.get("kind", Organisation.Kind.OTHER),
                address=spec.get("address", ""),
                phone=spec.get("phone", ""),
                email=spec.get("email", ""),
                website=spec.get("website", ""),
            )
            _save(org, f"organisations.{key}")
        self.orgs[key] = org
        return org

    def person(self, key: str, spec: dict) -> Person:
        organisation = self.orgs.get(spec.get("organisation"))
        natural_key = {
            "organisation": organisation,
            "first_name": spec.get("first_name", ""),
            "last_name": spec["last_name"],
        }
        person = Person.objects.filter(**natural_key).first()
        if person is None:
            person = Person(
                **natural_key,
                salutation=spec.get("salutation", ""),
                title=spec.get("title", ""),
                function=spec.get("function", ""),
                phone=spec.get("phone", ""),
                email=spec.get("email", ""),
                public_contact=spec.get("public_contact", False),
            )
            _save(person, f"persons.{key}")
        return person

    def vocabulary(self, model: type, name: str, path: str):
        cache_key = (model, name)
        if cache_key not in self.vocab:
            entry = model.objects.filter(name=name).first()
            if entry is None:
                entry = model(name=name)
                _save(entry, path)
            self.vocab[cache_key] = entry
        return self.vocab[cache_key]

    def field(self, plan: Plan, spec: dict, path: str) -> None:
        lead = spec.get("lead") or {}
        field = FieldOfAction(
            plan=plan,
            position=spec["position"],
            title=spec["title"],
            slug=spec.get("slug") or FieldOfAction.slug_for(spec["title"]),
            target_state=spec.get("target_state", ""),
            lead_organisation=self.orgs.get(lead.get("organisation")),
            lead_note=lead.get("note", ""),
        )
        _save(field, path)
        for i, key in enumerate(spec.get("contacts", [])):
            _save(
                FieldContact(field=field, person=self.persons[key], position=i + 1),
                f"{path}.contacts[{i}]",
            )
        for i, finding in enumerate(spec.get("baseline", [])):
            _save(
                BaselineFinding(
                    field=field,
                    position=i + 1,
                    text=finding["text"],
                    swot=finding.get("swot", BaselineFinding.Swot.UNCLASSIFIED),
                ),
                f"{path}.baseline[{i}]",
            )
        for i, measure_spec in enumerate(spec.get("measures", [])):
            self.measure(field, measure_spec, f"{path}.measures[{i}]")

    def measure(self, field: FieldOfAction, spec: dict, path: str) -> None:
        code = spec.get("code", "")
        measure = Measure(
            field=field,
            position=spec["position"],
            code=code,
            title=spec["title"],
            slug=spec.get("slug") or Measure.slug_for(code, spec["title"]),
            description=spec.get("description", ""),
            status=spec.get("status", Measure.Status.PLANNED),
            # New measures start as drafts unless the document says otherwise.
            state=spec.get("state", Measure.State.DRAFT),
        )
        _save(measure, path)
        if spec.get("key"):
            self.measures[spec["key"]] = measure
        if spec.get("related_measures"):
            self.related.append((measure, spec["related_measures"]))
        for i, step_spec in enumerate(spec.get("steps", [])):
            step_path = f"{path}.steps[{i}]"
            if isinstance(step_spec, str):
                step_spec = {"text": step_spec}
            step = Step(measure=measure, position=i + 1, text=step_spec["text"])
            _save(step, step_path)
            for j, text in enumerate(step_spec.get("substeps", [])):
                _save(
                    Step(measure=measure, parent=step, position=j + 1, text=text),
                    f"{step_path}.substeps[{j}]",
                )
        groups = [
            self.vocabulary(TargetGroup, name, f"{path}.target_groups[{i}]")
            for i, name in enumerate(spec.get("target_groups", []))
        ]
        if groups:
            measure.target_groups.add(*groups)
        for i, label in enumerate(spec.get("schedule", [])):
            entry = ScheduleEntry(measure=measure, position=i + 1, label=label)
            entry.apply_dates()
            _save(entry, f"{path}.schedule[{i}]")
        for i, resp in enumerate(spec.get("responsibilities", [])):
            _save(
                Responsibility(
                    measure=measure,
                    position=i + 1,
                    organisation=self.orgs.get(resp.get("organisation")),
                    person=self.persons.get(resp.get("person")),
                    role=resp.get("role", Responsibility.Role.RESPONSIBLE),
                    note=resp.get("note", ""),
                ),
                f"{path}.responsibilities[{i}]",
            )
        for i, line in enumerate(spec.get("budget", [])):
            bpath = f"{path}.budget[{i}]"
            source = line.get("funding_source")
            _save(
                BudgetLine(
                    measure=measure,
                    position=i + 1,
                    category=self.vocabulary(BudgetCategory, line["category"], bpath),
                    funding_source=self.vocabulary(FundingSource, source, bpath)
                    if source
                    else None,
                    planned_amount=_decimal(line.get("planned_amount")),
                    actual_amount=_decimal(line.get("actual_amount")),
                    note=line.get("note", ""),
                ),
                bpath,
            )


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


# --- publication workflow ---------------------------------------------------------------------


class WorkflowError(PermissionError):
    """A state change the acting user may not make; the message is for the user."""


_STATE_ACTIONS = {
    Measure.State.REVIEW: "submitted",
    Measure.State.PUBLISHED: "published",
    Measure.State.ARCHIVED: "archived",
}


@transaction.atomic
def measure_set_state(
    *, measure: Measure, state: str, acting_user, comment: str = "", request=None
) -> Measure:
    """Move a measure through draft → in review → published → archived (or back).

    Editors may submit their drafts for review (and withdraw them); everything else is the
    coordinator's. Sending a measure back from review to draft keeps the coordinator's comment
    for the editors. Recorded in the history (with a reason) and in the audit log.
    """
    from access import rules
    from access.models import AuditEvent
    from access.services import audit

    previous = Measure.objects.values_list("state", flat=True).get(pk=measure.pk)
    stored = Measure.objects.select_related("field").get(pk=measure.pk)
    if state not in rules.allowed_measure_states(acting_user, stored):
        raise WorkflowError(
            _("You may not set the publication state “%(state)s” for this measure.")
            % {"state": Measure.State(state).label}
        )
    if state == previous and not comment:
        return measure
    sent_back = previous == Measure.State.REVIEW and state == Measure.State.DRAFT
    measure.state = state
    fields = ["state"]
    if sent_back and rules.can_publish(acting_user, stored):
        measure.review_comment = comment
        fields.append("review_comment")
    elif state == Measure.State.PUBLISHED:
        measure.review_comment = ""
        fields.append("review_comment")
    measure._change_reason = _("Publication state: %(old)s → %(new)s") % {
        "old": Measure.State(previous).label,
        "new": Measure.State(state).label,
    }
    with _history_user(acting_user):
        measure.save(update_fields=fields)
    if state != previous:
        if sent_back and rules.can_publish(acting_user, stored):
            action = AuditEvent.Action.SENT_BACK
        elif previous == Measure.State.PUBLISHED:
            action = AuditEvent.Action.UNPUBLISHED
        else:
            action = _STATE_ACTIONS.get(state, AuditEvent.Action.UNPUBLISHED)
        audit(action, actor=acting_user, request=request, obj=measure, detail=comment)
    return measure


@transaction.atomic
def plan_set_status(
    *, plan: Plan, status: str, acting_user, publish_reviewed: bool = False, request=None
) -> Plan:
    """Publish, withdraw or archive a plan (coordinators).

    Publishing a plan publishes none of its measures; with ``publish_reviewed`` the measures
    that wait in review are published with it — the coordinator's explicit choice.
    """
    from access import rules
    from access.models import AuditEvent
    from access.services import audit

    if not rules.can_publish(acting_user, plan):
        raise WorkflowError(_("Only the plan's coordinators may publish it."))
    previous = Plan.objects.values_list("status", flat=True).get(pk=plan.pk)
    if status != previous:
        plan.status = status
        plan._change_reason = _("Status: %(old)s → %(new)s") % {
            "old": Plan.Status(previous).label,
            "new": Plan.Status(status).label,
        }
        with _history_user(acting_user):
            plan.save(update_fields=["status", "updated_at"])
        action = {
            Plan.Status.PUBLISHED: AuditEvent.Action.PUBLISHED,
            Plan.Status.ARCHIVED: AuditEvent.Action.ARCHIVED,
        }.get(status, AuditEvent.Action.UNPUBLISHED)
        audit(action, actor=acting_user, request=request, obj=plan)
    if publish_reviewed and status == Plan.Status.PUBLISHED:
        waiting = Measure.objects.filter(field__plan=plan, state=Measure.State.REVIEW)
        for measure in waiting.select_related("field"):
            measure_set_state(
                measure=measure,
                state=Measure.State.PUBLISHED,
                acting_user=acting_user,
                request=request,
            )
    return plan
