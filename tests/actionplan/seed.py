"""The printed Leipzig plan (``fixtures/leipzig-2011.seed.txt``), parsed.

One parser for every test that compares something with the seed: the demo data
(``test_fidelity.py``) and the PDF document (``tests/documents/test_pdf_fidelity.py``).
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from actionplan.models import Responsibility
from contacts.models import Organisation, Person

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


# --- names in the plan's text -----------------------------------------------------------------


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
