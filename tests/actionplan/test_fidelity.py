"""The Leipzig demo data against the printed plan, line by line.

The seed text is parsed by ``tests/actionplan/seed.py``, independently of
``fixtures/leipzig.json``; the data is then loaded with the real ``load_demo_data`` command
and every content line of the seed must be found at its place in the database.
``check_plan`` returns a list of problems instead of asserting, so the mutation tests below
can prove that it notices a deleted or altered record.
"""

import hashlib
import io
from collections import Counter

import pytest
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
from contacts.models import Person
from tests.actionplan.seed import (
    RELATED_REF,
    SALUTATIONS,
    SEED_COPY,
    SEED_ORIGINAL,
    SEED_SHA256,
    SeedError,
    SeedMeasure,
    SeedPlan,
    expand_numbers,
    expected_responsibilities,
    norm,
    parse_seed,
    resolve_org,
)

pytestmark = pytest.mark.django_db


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
