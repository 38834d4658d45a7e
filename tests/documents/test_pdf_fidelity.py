"""The Leipzig demo plan's PDF against the printed plan, section by section.

The demo data is loaded with the real ``load_demo_data`` command, rendered once, and read
back with ``pdftotext``. The seed is parsed by ``tests/actionplan/seed.py`` (the same parser
as the data fidelity test). Each part of the seed is looked for in its own part of the
document, found through the PDF outline and the headings: the introduction in the
introduction, a contact block in its contact card, a step in its measure.

Lines the plan prints as prose are compared verbatim (ignoring line breaks, hyphenation,
bullets and quotes). Lines that the data stores as structure are compared structurally:
every person or organisation of a "Verantwortung" line must appear in that measure's
responsibility under the right role heading, every phone number (with "-5512" shorthand
expanded) and e-mail of a contact block in its contact card, every budget category in the
measure's budget. ``check_pdf`` returns problems instead of asserting, so the mutation
tests can prove it notices a change.
"""

import io
import re
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import transaction

import documents
from actionplan.models import Measure, Plan, Responsibility
from tests.actionplan.seed import (
    SALUTATIONS,
    SEED_COPY,
    SeedMeasure,
    SeedPlan,
    expand_numbers,
    expected_responsibilities,
    parse_seed,
)
from tests.documents.pdf_factories import (
    pdf_body_pages,
    pdf_column_pages,
    pdf_outline,
    pdf_pages,
    requires_poppler,
    squash,
)

pytestmark = [
    pytest.mark.django_db,
    requires_poppler,
    pytest.mark.single_pass("the PDF text against the printed plan"),
]

Role = Responsibility.Role

#: The German role headings a reader sees above the parties (checked as words, so the
#: test does not borrow the renderer's own vocabulary).
ROLE_WORDS = {
    "federführung": Role.LEAD,
    "verantwortlich": Role.RESPONSIBLE,
    "unterstützung": Role.SUPPORT,
    "tutor": Role.TUTOR,
}
#: A line without a role word ("- Amt für Wirtschaftsförderung") names the responsible body;
#: the PDF then prints no heading, or "Federführung"/"Verantwortlich".
LEADING = {Role.LEAD, Role.RESPONSIBLE}


@dataclass
class Section:
    name: str
    text: str  # squashed

    def has(self, line: str) -> bool:
        return squash(line) in self.text


def cut(section: Section, headings: list[tuple[str, str]], problems: list[str], end: str = ""):
    """Split a section at headings that follow each other in order: [(name, heading), …]."""
    starts = []
    position = 0
    for name, heading in headings:
        index = section.text.find(squash(heading), position)
        if index < 0:
            problems.append(f"{section.name}: heading {heading!r} not found (in order)")
            starts.append(None)
            continue
        starts.append((name, index))
        position = index + len(squash(heading))
    found = [s for s in starts if s is not None]
    stop = section.text.find(squash(end), position) if end else -1
    bounds = [index for _, index in found[1:]] + [stop if stop >= 0 else len(section.text)]
    parts = {
        name: Section(name, section.text[index:bound])
        for (name, index), bound in zip(found, bounds, strict=True)
    }
    return parts, (section.text[: found[0][1]] if found else section.text)


def pdf_sections(data: bytes, problems: list[str]) -> dict[str, Section]:
    """Cover, introduction, contacts and every field of action, by the PDF outline."""
    pages = pdf_pages(data)
    # The contact cards stand in two columns; read them column by column.
    columns = pdf_column_pages(data)
    bodies = pdf_body_pages(data)
    outline = pdf_outline(data)
    tops = [(title, page) for title, page, _ in outline]
    sections = {"cover": Section("cover", squash(pages[0]))}
    for i, (title, page) in enumerate(tops):
        end = tops[i + 1][1] - 1 if i + 1 < len(tops) else len(pages)
        if title == "Ansprechpartner":
            text = "\n".join(columns[page - 1 : end])
        else:
            text = "\n".join(bodies[page - 1 : end])
        sections[title] = Section(title, squash(text))
    for required in ("Einleitung", "Ansprechpartner", "Zeitleiste"):
        if required not in sections:
            problems.append(f"outline: no entry {required!r}")
    return sections


def check_measure(section: Section, seed: SeedMeasure, problems: list[str]) -> None:
    where = section.name

    def verbatim(kind: str, line: str) -> None:
        if not section.has(line):
            problems.append(f"{where}: {kind} {line!r} missing")

    for text, subs in seed.steps:
        verbatim("step", text)
        for sub in subs:
            verbatim("sub-step", sub)
    for group in seed.target_groups:
        verbatim("target group", group)
    for label in seed.schedule:
        verbatim("schedule entry", label)
    for heading, present in (
        ("Einzelschritte", seed.steps),
        ("Zielgruppen", seed.target_groups),
        ("Zeitplan", seed.schedule),
        ("Verantwortung", seed.responsibility_lines),
    ):
        if present:
            verbatim("heading", heading)

    budget_heading = squash(f"Budget {seed.funding_source}")
    budget_at = section.text.rfind(budget_heading)
    if budget_at < 0:
        problems.append(f"{where}: heading 'Budget {seed.funding_source}' missing")
        budget_at = len(section.text)
    budget = section.text[budget_at:]
    for category in seed.budget:
        if squash(category) not in budget:
            problems.append(f"{where}: budget category {category!r} missing from its budget")

    start = section.text.rfind("verantwortung", 0, budget_at)
    responsibility = section.text[start:budget_at] if start >= 0 else ""
    for line in seed.responsibility_lines:
        for exp in expected_responsibilities(line, problems, where):
            check_party(responsibility, exp, line, problems, where)


def role_before(text: str, index: int) -> str | None:
    """The role heading a party at ``index`` stands under, or None if there is none."""
    best, role = -1, None
    for word, value in ROLE_WORDS.items():
        at = text.rfind(word, 0, index)
        if at > best:
            best, role = at, value
    return role


def check_party(text: str, exp, line: str, problems: list[str], where: str) -> None:
    """The person (salutation and name) with their organisation right after it, or the
    organisation alone, under a heading of the expected role, with the note."""
    if exp.note and squash(exp.note) not in text:
        problems.append(f"{where}: note {exp.note!r} of {line!r} missing")
    org = squash(exp.organisation.name) if exp.organisation else ""
    if exp.person is not None:
        salutation = next(k for k, v in SALUTATIONS.items() if v == exp.person.salutation)
        label = f"{salutation} {exp.person.last_name}"
        anchors = [
            m.end()
            for m in re.finditer(re.escape(squash(exp.person.last_name)), text)
            if squash(salutation) in text[max(0, m.start() - 40) : m.start()]
            and org in text[m.end() : m.end() + 80]
        ]
    else:
        label = exp.organisation.name if exp.organisation else line
        anchors = [m.start() for m in re.finditer(re.escape(org), text)] if org else []
    if not anchors:
        problems.append(f"{where}: {label!r} (from {line!r}) missing from its responsibility")
        return
    allowed = exp.roles | ({None} if exp.roles == LEADING else set())
    if not any(role_before(text, anchor) in allowed for anchor in anchors):
        roles = sorted(str(r) for r in exp.roles)
        problems.append(f"{where}: {label!r} is not listed under a {roles} heading")


def check_contacts(section: Section, seed: SeedPlan, problems: list[str]) -> None:
    headings = [
        (name, name if name == "Projektleitung" else f"Handlungsfeld {name}")
        for name, _ in seed.contact_blocks
    ]
    cards, _ = cut(section, headings, problems, end="Abkürzungen")
    for name, block in seed.contact_blocks:
        card = cards.get(name)
        if card is None:
            continue
        for line in block:
            if line.startswith("Tel. "):
                wanted = [("phone", n) for n in expand_numbers(line)]
            elif "@" in line:
                wanted = [("e-mail", m) for m in line.split("; ")]
            else:
                wanted = [("line", part) for part in line.split(", ")]
            for kind, value in wanted:
                if not card.has(value):
                    problems.append(f"contact card {name!r}: {kind} {value!r} missing")


def check_pdf(data: bytes, seed: SeedPlan) -> list[str]:
    """Every problem found comparing the rendered plan with the parsed seed."""
    problems: list[str] = []
    sections = pdf_sections(data, problems)
    cover = sections["cover"]
    for label, value in (
        ("title", seed.title),
        ("subtitle", seed.subtitle),
        ("date label", seed.issued_label),
        ("funding note", seed.funding_note),
    ):
        if not cover.has(value):
            problems.append(f"cover: {label} {value!r} missing")
    intro = sections.get("Einleitung", Section("Einleitung", ""))
    for paragraph in seed.introduction:
        if not intro.has(paragraph):
            problems.append(f"introduction: paragraph {paragraph[:60]!r}… missing")
    check_contacts(sections.get("Ansprechpartner", Section("contacts", "")), seed, problems)

    for seed_field in seed.fields:
        heading = f"Handlungsfeld ‚{seed_field.title}‘"
        field_section = sections.get(heading)
        if field_section is None:
            problems.append(f"outline: no entry {heading!r}")
            continue
        if not field_section.text.startswith(squash(heading)):
            problems.append(f"{heading}: does not start with its heading")
        measures = [
            (m, f"Maßnahme {m.code}) {m.title}" if m.code else m.title) for m in seed_field.measures
        ]
        parts, summary_text = cut(
            field_section,
            [(f"{heading} / {title}", title) for _, title in measures],
            problems,
        )
        summary = Section(f"{heading} summary", summary_text)
        for label, lines in (
            ("baseline", seed_field.baseline),
            ("target state", [" ".join(seed_field.target_state)]),
            ("lead", [seed_field.lead_line]),
            ("heading", ["Ausgangslage", "Zielzustand", "Federführung im Handlungsfeld"]),
        ):
            for line in lines:
                if not summary.has(line):
                    problems.append(f"{heading}: {label} {line!r} missing")
        for seed_measure, title in measures:
            part = parts.get(f"{heading} / {title}")
            if part is not None:
                check_measure(part, seed_measure, problems)
    return problems


# --- tests ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> SeedPlan:
    return parse_seed(SEED_COPY.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker):
    """The demo plan loaded once per module (rolled back at the end) and its PDF."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo_data", stdout=io.StringIO())
        plan = Plan.objects.get(slug="leipzig-2011")
        yield plan.pk, documents.render("plan", plan)
        transaction.set_rollback(True)


@pytest.fixture
def plan(rendered, db) -> Plan:
    return Plan.objects.get(pk=rendered[0])


def test_demo_plan_pdf_matches_the_seed_section_by_section(rendered, plan, seed):
    assert check_pdf(rendered[1], seed) == []


def test_demo_plan_pdf_shows_structured_lines_as_the_seed_reads_them(rendered, plan):
    text = "\n".join(pdf_pages(rendered[1]))
    for line in (
        "Kontaktstelle Kreativwirtschaft (Aufbauwerk)",
        "Amt für Stadterneuerung und Wohnungsbauförderung, in enger Abstimmung mit dem "
        "Stadtplanungsamt",
        "Frau Milev / Dezernat Kultur",
        "Herr Stefan Geiss/Herr Norbert Raschke",
        "Tel. 0341/123 5441; 0341/123 5512",
        "ASW Amt für Stadterneuerung und Wohnungsbauförderung",
    ):
        assert squash(line) in squash(text), line


def test_check_pdf_finds_the_parts_it_compares(rendered, plan, seed):
    problems: list[str] = []
    sections = pdf_sections(rendered[1], problems)
    assert problems == []
    field = sections["Handlungsfeld ‚Netzwerke‘"]
    parts, summary = cut(
        field, [(m.code, f"Maßnahme {m.code}) {m.title}") for m in seed.fields[0].measures], []
    )
    assert list(parts) == ["A", "B", "C"]
    # A step of measure B is in B's part only, not in A's or C's.
    step = squash("Erfassung bestehender Netzwerke und Strukturen")
    assert [code for code, part in parts.items() if step in part.text] == ["B"]
    assert squash("Akteure und Einrichtungen der Kreativwirtschaft") in summary


def _measure(plan, field_title, code):
    return Measure.objects.get(field__plan=plan, field__title=field_title, code=code)


def _delete_step(plan):
    step = _measure(plan, "Marketing", "B").steps.order_by("position").last()
    step.delete()
    return "Bereitstellung von Daten"


def _tutor_becomes_support(plan):
    resp = _measure(plan, "Netzwerke", "A").responsibilities.get(person__last_name="Milev")
    resp.role = Role.SUPPORT
    resp.save()
    return "'Frau Milev' is not listed under a ['tutor'] heading"


def _second_phone_wrong(plan):
    from contacts.models import Person

    Person.objects.filter(last_name="Raschke").update(phone="0341/123 5441")
    return "phone '0341/123 5512' missing"


def _budget_moves_to_another_measure(plan):
    line = _measure(plan, "Marketing", "A").budget_lines.get(
        category__name="Mittel für Öffentlichkeitsarbeit"
    )
    line.measure = _measure(plan, "Marketing", "B")
    line.position = 99
    line.save()
    return "budget category 'Mittel für Öffentlichkeitsarbeit' missing"


@pytest.mark.parametrize(
    "mutate",
    [_delete_step, _tutor_becomes_support, _second_phone_wrong, _budget_moves_to_another_measure],
)
def test_check_pdf_reports_a_mutated_plan(plan, seed, mutate):
    needle = mutate(plan)
    problems = check_pdf(documents.render("plan", Plan.objects.get(pk=plan.pk), variant=""), seed)
    assert any(needle in problem for problem in problems), problems
