"""The Leipzig demo data against the printed plan, line by line.

The seed text is parsed here, independently of ``fixtures/leipzig.json``; the data is then
loaded with the real ``load_demo_data`` command and every content line of the seed must be
found at its place in the database. ``check_plan`` returns a list of problems instead of
asserting, so the mutation tests below can prove that it notices a deleted or altered record.
"""

import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from actionplan.models import (
    BudgetLine,
    Measure,
    Plan,
    Responsibility,
    ScheduleEntry,
    Step,
)
from contacts.models import Organisation, Person

pytestmark = pytest.mark.django_db

SEED_COPY = settings.BASE_DIR / "fixtures" / "leipzig-2011.seed.txt"
SEED_ORIGINAL = Path("/work/shared/seeds/004_e067e993a6c8f863.txt")
SEED_SHA256 = "d722fbefa9ddf1332138a8bd06f8dd7cf5d032d08d88c5d0953eef13ce6206a8"

STEP_HEADINGS = {"Einzel Schritte", "Einzelschritte", "Einzelsschritte"}
MEASURE_HEADING = re.compile(r"^Maßnahme ([A-Z])\) (.+)$")
FIELD_HEADING = re.compile(r"^Handlungsfeld ‚(.+)‘$")
PERSON_REF = re.compile(r"(Frau|Herr) ([^\s/,()]+)/\s*([^,()]+?)\s*(?=,|\bsowie\b|\(|\)|$)")
RELATED_REF = re.compile(r"\(Verbindung zu Maßnahme ([A-Z])\)")
SALUTATIONS = {"Frau": Person.Salutation.FRAU, "Herr": Person.Salutation.HERR}


def norm(text: str) -> str:
    """Collapse whitespace and drop a leading bullet marker ("- ", "→")."""
    text = " ".join(text.split())
    return re.sub(r"^(?:- |→\s*)", "", text)


def dehyphenate(text: str) -> str:
    # The printed plan breaks "Wohnungsbau-förderung" across lines; a hyphen between two
    # lower-case letters is such a break, never part of an office's name.
    return re.sub(r"(?<=[a-zäöüß])-(?=[a-zäöüß])", "", text)


# --- the seed parser --------------------------------------------------------------------------


@dataclass
class SeedMeasure:
    code: str
    title: str
    steps: list[tuple[str, list[str]]] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    schedule: list[str] = field(default_factory=list)
    responsibility_lines: list[str] = field(default_factory=list)
    funding_source: str = ""
    budget: list[str] = field(default_factory=list)


@dataclass
class SeedField:
    title: str
    baseline: list[str] = field(default_factory=list)
    target_state: list[str] = field(default_factory=list)
    lead_line: str = ""
    measures: list[SeedMeasure] = field(default_factory=list)


@dataclass
class SeedPlan:
    title: str = ""
    subtitle: str = ""
    issued_label: str = ""
    funding_note: str = ""
    introduction: list[str] = field(default_factory=list)
    contact_blocks: list[tuple[str, list[str]]] = field(default_factory=list)
    fields: list[SeedField] = field(default_factory=list)


class SeedError(ValueError):
    pass


def parse_seed(text: str) -> SeedPlan:
    """Parse the printed plan; any line that has no known place is an error, never skipped."""
    lines = [line.rstrip() for line in text.split("\n")]
    content = [(i, line) for i, line in enumerate(lines) if line.strip()]
    plan = SeedPlan()
    pos = 0

    def take() -> str:
        nonlocal pos
        line = content[pos][1]
        pos += 1
        return line

    plan.title, plan.subtitle = take(), take()
    plan.issued_label = re.fullmatch(r"\((.+)\)", take()).group(1)
    quote = [take()]
    while not quote[-1].endswith("“"):
        quote.append(take())
    plan.funding_note = " ".join(quote).strip("„“")
    if take() != "Einleitung":
        raise SeedError("expected Einleitung")
    while content[pos][1] != "Gesamtübersicht der Maßnahmen":
        plan.introduction.append(norm(take()))
    take()
    if take() != "Ansprechpartner":
        raise SeedError("expected Ansprechpartner")
    while not FIELD_HEADING.match(content[pos][1]):
        heading = take()
        if heading != "Projektleitung" and not heading.startswith("Handlungsfeld "):
            raise SeedError(f"unexpected line in Ansprechpartner: {heading!r}")
        block = []
        while not (
            content[pos][1] == "Projektleitung" or content[pos][1].startswith("Handlungsfeld ")
        ):
            block.append(norm(take()))
        plan.contact_blocks.append((heading.removeprefix("Handlungsfeld "), block))

    section = None
    current_field: SeedField | None = None
    measure: SeedMeasure | None = None
    heading_step_open = False
    while pos < len(content):
        line = take()
        next_line = content[pos][1] if pos < len(content) else ""
        if m := FIELD_HEADING.match(line):
            current_field = SeedField(title=m.group(1))
            plan.fields.append(current_field)
            section, measure = None, None
        elif line.startswith("Ausgangslage"):
            section = "baseline"
        elif line == "Zielzustand":
            section = "target"
        elif line == "Federführung im Handlungsfeld:":
            section = "lead"
        elif (m := MEASURE_HEADING.match(line)) or next_line in STEP_HEADINGS:
            code, title = (m.group(1), m.group(2)) if m else ("", line)
            measure = SeedMeasure(code=code, title=norm(title))
            current_field.measures.append(measure)
            section = None
        elif line in STEP_HEADINGS:
            section, heading_step_open = "steps", False
        elif line in {"Zielgruppe", "Zielgruppen"}:
            section = "target_groups"
        elif line == "Zeitplan":
            section = "schedule"
        elif line == "Verantwortung":
            section = "responsibility"
        elif line.startswith("Budget "):
            section = "budget"
            measure.funding_source = line.removeprefix("Budget ")
        elif section == "baseline" and line.startswith("- "):
            current_field.baseline.append(norm(line))
        elif section == "target":
            current_field.target_state.append(norm(line))
        elif section == "lead" and not current_field.lead_line:
            current_field.lead_line = norm(line)
        elif section == "steps":
            if line.startswith(" - ") or line.startswith("→"):
                measure.steps[-1][1].append(norm(line))
            elif line.startswith("- "):
                if heading_step_open:
                    measure.steps[-1][1].append(norm(line))
                else:
                    measure.steps.append((norm(line), []))
            else:
                # An un-bulleted line heads the bullets that follow it.
                measure.steps.append((norm(line), []))
                heading_step_open = True
        elif section == "target_groups" and line.startswith("- "):
            measure.target_groups.extend(norm(line).split(", "))
        elif section == "schedule" and line.startswith("- "):
            measure.schedule.append(norm(line))
        elif section == "responsibility":
            measure.responsibility_lines.append(norm(line))
        elif section == "budget":
            measure.budget.extend(norm(line).split(", "))
        else:
            raise SeedError(f"line {content[pos - 1][0] + 1} has no known place: {line!r}")
    return plan


def expand_numbers(line: str) -> list[str]:
    """'Tel. 0341/123 5441; -5512' -> ['0341/123 5441', '0341/123 5512']."""
    numbers: list[str] = []
    for part in line.removeprefix("Tel. ").split("; "):
        if part.startswith("-"):
            digits = part[1:]
            chars = list(numbers[-1])
            index = len(chars)
            for digit in reversed(digits):
                index -= 1
                while not chars[index].isdigit():
                    index -= 1
                chars[index] = digit
            part = "".join(chars)
        numbers.append(part)
    return numbers


# --- the checker ------------------------------------------------------------------------------


def resolve_org(text: str) -> Organisation | None:
    """An organisation named in the plan: by name, short name, or "Name (Parent)"."""
    text = dehyphenate(text.strip())
    if m := re.fullmatch(r"(.+) \((.+)\)", text):
        org, parent = resolve_org(m.group(1)), resolve_org(m.group(2))
        return org if org and parent and org.parent_id == parent.pk else None
    matches = list(Organisation.objects.filter(name=text)) or list(
        Organisation.objects.filter(short_name=text)
    )
    if not matches:
        # The plan writes "Kontaktstelle" for "Kontaktstelle Kreativwirtschaft".
        matches = list(Organisation.objects.filter(name__startswith=f"{text} "))
    return matches[0] if len(matches) == 1 else None


@dataclass
class Expected:
    roles: set[str]
    organisation: Organisation | None
    person: Person | None = None
    note: str = ""


def expected_responsibilities(line: str, problems: list[str], where: str) -> list[Expected]:
    lead_roles = {Responsibility.Role.LEAD, Responsibility.Role.RESPONSIBLE}
    text = dehyphenate(line)
    result: list[Expected] = []

    def org_or_problem(name: str) -> Organisation | None:
        org = resolve_org(name)
        if org is None:
            problems.append(f"{where}: no organisation for {name!r} in {line!r}")
        return org

    if PERSON_REF.search(text):
        support_span = re.search(r"\((?:unterstützt|Unterstützung) durch [^)]*\)", text)
        for m in PERSON_REF.finditer(text):
            supported = support_span and support_span.start() < m.start() < support_span.end()
            if supported:
                roles = {Responsibility.Role.SUPPORT}
            elif "Tutoren" in text:
                roles = {Responsibility.Role.TUTOR}
            else:
                roles = lead_roles
            org = org_or_problem(m.group(3))
            person = Person.objects.filter(
                last_name=m.group(2), salutation=SALUTATIONS[m.group(1)], organisation=org
            ).first()
            if person is None:
                problems.append(f"{where}: no person {m.group(1)} {m.group(2)}/{m.group(3)}")
            result.append(Expected(roles, org, person))
    elif m := re.fullmatch(r"Unterstützung durch (.+)", text):
        names = m.group(1).split(", ")
        if resolve_org(names[-1]) is None and " und " in names[-1]:
            names[-1:] = names[-1].rsplit(" und ", 1)
        for name in names:
            result.append(Expected({Responsibility.Role.SUPPORT}, org_or_problem(name)))
    elif m := re.search(r"zwischen (.+) und (.+)$", text):
        for name in m.groups():
            result.append(Expected(lead_roles, org_or_problem(name), note=line))
    elif (m := re.fullmatch(r"([^:]+): (.+)", text)) and resolve_org(m.group(1)):
        result.append(Expected(lead_roles, resolve_org(m.group(1)), note=m.group(2)))
    else:
        result.append(Expected(lead_roles, org_or_problem(text)))
    return result


def check_responsibilities(measure: Measure, seed: SeedMeasure, problems: list[str]) -> int:
    where = f"{measure}"
    expected = [
        exp
        for line in seed.responsibility_lines
        for exp in expected_responsibilities(line, problems, where)
    ]
    actual = list(measure.responsibilities.all())
    for exp in expected:
        match = next(
            (
                r
                for r in actual
                if r.role in exp.roles
                and r.organisation_id == (exp.organisation.pk if exp.organisation else None)
                and r.person_id == (exp.person.pk if exp.person else None)
                and r.note == exp.note
            ),
            None,
        )
        if match is None:
            problems.append(
                f"{where}: no responsibility {sorted(exp.roles)} for "
                f"{exp.person or exp.organisation} with note {exp.note!r}"
            )
        else:
            actual.remove(match)
    for extra in actual:
        problems.append(f"{where}: responsibility not in the seed: {extra} ({extra.note!r})")
    return len(expected)


def check_contact_block(block: list[str], persons: list[Person], problems: list[str], where):
    person_lines = [line for line in block if line.split(" ", 1)[0] in SALUTATIONS]
    phone_lines = [line for line in block if line.startswith("Tel. ")]
    mail_lines = [line for line in block if "@" in line]
    org_lines = [line for line in block if line not in person_lines + phone_lines + mail_lines]
    if len(org_lines) == 1:
        org_lines = org_lines[0].split(", ")
    names = [n.strip() for line in person_lines for n in line.split("/")]
    numbers = [n for line in phone_lines for n in expand_numbers(line)]
    mails = [m for line in mail_lines for m in line.split("; ")]
    if None in persons or len(persons) != len(names):
        problems.append(f"{where}: expected persons {names}, found {persons}")
        return
    for i, (person, name) in enumerate(zip(persons, names, strict=True)):
        salutation, rest = name.split(" ", 1)
        full = " ".join(
            p for p in (person.function, person.title, person.first_name, person.last_name) if p
        )
        if person.salutation != SALUTATIONS[salutation] or full != rest:
            problems.append(f"{where}: person {name!r} stored as {person.formal_name!r}")
        for label, values, actual in (
            ("phone", numbers, person.phone),
            ("e-mail", mails, person.email),
        ):
            value = values[i] if len(values) == len(names) else values[0]
            if actual != value:
                problems.append(f"{where}: {label} of {name!r} is {actual!r}, seed {value!r}")
        if not person.public_contact:
            problems.append(f"{where}: {name!r} was published but public_contact is off")
        chain = []
        org = person.organisation
        while org is not None:
            chain.insert(0, org.name)
            org = org.parent
        if chain[-len(org_lines) :] != org_lines:
            problems.append(f"{where}: organisation of {name!r} is {chain}, seed {org_lines}")


def check_plan(plan: Plan, seed: SeedPlan) -> list[str]:
    """Every problem found comparing the stored plan with the parsed seed."""
    problems: list[str] = []

    def same(where: str, stored, printed) -> None:
        if stored != printed:
            problems.append(f"{where}: stored {stored!r}, seed {printed!r}")

    same("plan title", plan.title, seed.title)
    same("plan subtitle", plan.subtitle, seed.subtitle)
    same("plan date label", plan.issued_label, seed.issued_label)
    same("funding note", plan.funding_note, seed.funding_note)
    same("introduction", [norm(p) for p in plan.introduction.split("\n\n")], seed.introduction)

    fields = list(plan.fields.order_by("position"))
    same("number of fields", len(fields), len(seed.fields))
    totals = Counter()
    related_expected, related_actual = set(), set()
    for position, (fld, seed_field) in enumerate(zip(fields, seed.fields, strict=False), start=1):
        where = f"field {seed_field.title}"
        same(f"{where} position", fld.position, position)
        same(f"{where} title", fld.title, seed_field.title)
        same(
            f"{where} baseline",
            [norm(b.text) for b in fld.baseline_findings.all()],
            seed_field.baseline,
        )
        same(f"{where} target state", norm(fld.target_state), " ".join(seed_field.target_state))
        lead_name, _, lead_note = seed_field.lead_line.partition(", ")
        lead = resolve_org(lead_name)
        if lead is None or fld.lead_organisation_id != lead.pk:
            problems.append(f"{where}: lead is {fld.lead_organisation}, seed {lead_name!r}")
        same(f"{where} lead note", fld.lead_note, lead_note)
        measures = list(fld.measures.order_by("position"))
        same(f"{where} number of measures", len(measures), len(seed_field.measures))
        for measure, seed_measure in zip(measures, seed_field.measures, strict=False):
            mwhere = f"{where} / measure {seed_measure.code or seed_measure.title}"
            same(f"{mwhere} code", measure.code, seed_measure.code)
            same(f"{mwhere} title", measure.title, seed_measure.title)
            steps = [
                (norm(s.text), [norm(sub.text) for sub in s.substeps.order_by("position")])
                for s in measure.steps.filter(parent__isnull=True).order_by("position")
            ]
            for text, subs in seed_measure.steps:
                if (text, subs) not in steps:
                    problems.append(f"{mwhere}: step {text!r} (sub-steps {subs}) missing")
            same(f"{mwhere} steps", steps, seed_measure.steps)
            same(
                f"{mwhere} schedule",
                [e.label for e in measure.schedule.all()],
                seed_measure.schedule,
            )
            same(
                f"{mwhere} target groups",
                Counter(g.name for g in measure.target_groups.all()),
                Counter(seed_measure.target_groups),
            )
            lines = list(measure.budget_lines.select_related("category", "funding_source"))
            same(f"{mwhere} budget", [b.category.name for b in lines], seed_measure.budget)
            for line in lines:
                source = line.funding_source.name if line.funding_source else None
                same(f"{mwhere} budget {line.category} source", source, seed_measure.funding_source)
                same(f"{mwhere} budget {line.category} amount", line.planned_amount, None)
            totals["responsibilities"] += check_responsibilities(measure, seed_measure, problems)
            totals["measures"] += 1
            totals["steps"] += len(seed_measure.steps)
            totals["substeps"] += sum(len(subs) for _, subs in seed_measure.steps)
            totals["schedule"] += len(seed_measure.schedule)
            totals["target_groups"] += len(seed_measure.target_groups)
            totals["budget"] += len(seed_measure.budget)
            for text, _ in seed_measure.steps:
                for code in RELATED_REF.findall(text):
                    related_expected.add((measure.pk, fld.measures.get(code=code).pk))
            related_actual.update((measure.pk, r.pk) for r in measure.related_measures.all())
    same("related measures", related_actual, related_expected)

    for heading, block in seed.contact_blocks:
        if heading == "Projektleitung":
            check_contact_block(block, [plan.project_lead], problems, "project lead")
            continue
        title = heading.replace(" und ", " & ")
        fld = next((f for f in fields if f.title in (heading, title)), None)
        if fld is None:
            problems.append(f"contacts: no field {heading!r}")
            continue
        persons = [fc.person for fc in fld.field_contacts.order_by("position")]
        check_contact_block(block, persons, problems, f"contacts of {fld.title}")

    steps = Step.objects.filter(measure__field__plan=plan)
    through = Measure.target_groups.through.objects.filter(measure__field__plan=plan)
    stored = {
        "measures": Measure.objects.filter(field__plan=plan).count(),
        "steps": steps.filter(parent__isnull=True).count(),
        "substeps": steps.filter(parent__isnull=False).count(),
        "schedule": ScheduleEntry.objects.filter(measure__field__plan=plan).count(),
        "target_groups": through.count(),
        "budget": BudgetLine.objects.filter(measure__field__plan=plan).count(),
        "responsibilities": Responsibility.objects.filter(measure__field__plan=plan).count(),
    }
    for name, count in stored.items():
        same(f"number of {name}", count, totals[name])
    return problems


# --- tests ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> SeedPlan:
    return parse_seed(SEED_COPY.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def loaded_plan_pk(django_db_setup, django_db_blocker):
    """Load once per module with the real command, inside an atomic block rolled back at the end.

    Each test still runs in its own savepoint, so the mutation tests do not leak.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo_data", stdout=io.StringIO())
        yield Plan.objects.get(slug="leipzig-2011").pk
        transaction.set_rollback(True)


@pytest.fixture
def plan(loaded_plan_pk, db) -> Plan:
    return Plan.objects.get(pk=loaded_plan_pk)


def test_seed_copy_is_the_original_seed():
    data = SEED_COPY.read_bytes()
    assert hashlib.sha256(data).hexdigest() == SEED_SHA256
    if SEED_ORIGINAL.exists():
        assert SEED_ORIGINAL.read_bytes() == data


def test_seed_parser_finds_the_whole_plan(seed):
    assert [f.title for f in seed.fields] == [
        "Netzwerke",
        "Bildung & Beschäftigung",
        "Marketing",
        "Stadtentwicklung",
        "Finanzierung",
    ]
    assert [[m.code for m in f.measures] for f in seed.fields] == [
        ["A", "B", "C"],
        ["A"],
        ["A", "B", "C"],
        ["A"],
        ["A", ""],
    ]
    assert len(seed.introduction) == 4
    assert [heading for heading, _ in seed.contact_blocks][:2] == ["Projektleitung", "Netzwerke"]
    stadtentwicklung = seed.fields[3].measures[0]
    assert len(stadtentwicklung.steps) == 1 and len(stadtentwicklung.steps[0][1]) == 5
    netzwerke_c = seed.fields[0].measures[2]
    assert netzwerke_c.steps[-1][0] == "Entwicklung von Angeboten"
    assert len(netzwerke_c.steps[-1][1]) == 2
    assert seed.fields[1].measures[0].steps[-1][1] == [
        "Feedback/Weitergabe an Fachämter und Institutionen"
    ]


def test_seed_parser_refuses_a_line_without_a_place():
    text = SEED_COPY.read_text(encoding="utf-8").replace(
        "Zeitplan\n\n- März 2011 – Dezember 2012\n", "Zeitplan\n\nMärz 2011 – Dezember 2012\n"
    )
    with pytest.raises(SeedError, match="no known place"):
        parse_seed(text)


def test_expand_numbers_replaces_trailing_digits():
    assert expand_numbers("Tel. 0341/123 5441; -5512") == ["0341/123 5441", "0341/123 5512"]
    assert expand_numbers("Tel. 0341/1234280") == ["0341/1234280"]
    assert expand_numbers("Tel. 0341/12 34; -567") == ["0341/12 34", "0341/15 67"]


def test_demo_data_matches_the_seed_line_by_line(plan, seed):
    assert check_plan(plan, seed) == []


def test_demo_data_counts_equal_the_seed(plan, seed):
    measures = [m for f in seed.fields for m in f.measures]
    assert plan.fields.count() == len(seed.fields) == 5
    assert Measure.objects.filter(field__plan=plan).count() == len(measures) == 10
    steps = Step.objects.filter(measure__field__plan=plan)
    assert steps.filter(parent__isnull=True).count() == sum(len(m.steps) for m in measures)
    assert steps.filter(parent__isnull=False).count() == sum(
        len(subs) for m in measures for _, subs in m.steps
    )
    assert ScheduleEntry.objects.filter(measure__field__plan=plan).count() == sum(
        len(m.schedule) for m in measures
    )
    assert Measure.target_groups.through.objects.filter(measure__field__plan=plan).count() == sum(
        len(m.target_groups) for m in measures
    )
    assert BudgetLine.objects.filter(measure__field__plan=plan).count() == sum(
        len(m.budget) for m in measures
    )


def _measure(plan, field_title, code):
    return Measure.objects.get(field__plan=plan, field__title=field_title, code=code)


def _delete_marketing_b_step(plan):
    step = _measure(plan, "Marketing", "B").steps.order_by("position").last()
    step.delete()
    return step.text


def _alter_schedule_label(plan):
    entry = _measure(plan, "Netzwerke", "A").schedule.get(position=2)
    entry.label = entry.label.replace("21.", "22.")
    entry.save()
    return "schedule"


def _delete_substep(plan):
    sub = _measure(plan, "Stadtentwicklung", "A").steps.filter(parent__isnull=False).first()
    sub.delete()
    return sub.text


def _alter_baseline(plan):
    finding = plan.fields.get(title="Marketing").baseline_findings.first()
    finding.text += " (geändert)"
    finding.save()
    return "baseline"


def _tutor_becomes_support(plan):
    resp = _measure(plan, "Netzwerke", "A").responsibilities.get(person__last_name="Milev")
    resp.role = Responsibility.Role.SUPPORT
    resp.save()
    return "Milev"


def _drop_budget_category(plan):
    _measure(plan, "Marketing", "A").budget_lines.get(
        category__name="Mittel für Öffentlichkeitsarbeit"
    ).delete()
    return "budget"


def _second_phone_wrong(plan):
    Person.objects.filter(last_name="Raschke").update(phone="0341/123 5441")
    return "phone"


def _drop_target_group(plan):
    measure = _measure(plan, "Stadtentwicklung", "A")
    measure.target_groups.remove(measure.target_groups.get(name="NutzerInnen/KundInnen"))
    return "target groups"


def _drop_related_measure(plan):
    _measure(plan, "Marketing", "C").related_measures.clear()
    return "related measures"


def _drop_intro_paragraph(plan):
    plan.introduction = plan.introduction.rsplit("\n\n", 1)[0]
    plan.save()
    return "introduction"


def _drop_lead_note(plan):
    plan.fields.filter(title="Stadtentwicklung").update(lead_note="")
    return "lead note"


@pytest.mark.parametrize(
    "mutate",
    [
        _delete_marketing_b_step,
        _alter_schedule_label,
        _delete_substep,
        _alter_baseline,
        _tutor_becomes_support,
        _drop_budget_category,
        _second_phone_wrong,
        _drop_target_group,
        _drop_related_measure,
        _drop_intro_paragraph,
        _drop_lead_note,
    ],
)
def test_check_plan_reports_a_mutated_record(plan, seed, mutate):
    assert check_plan(plan, seed) == []
    needle = mutate(plan)
    problems = check_plan(plan, seed)
    assert problems
    assert any(needle in problem for problem in problems), problems
