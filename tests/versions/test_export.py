"""The whole-plan JSON export: the importer's format, lossless and deterministic."""

import io
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from actionplan.export import plan_export_document
from actionplan.models import (
    BudgetLine,
    FieldOfAction,
    Measure,
    Plan,
    Responsibility,
    ScheduleEntry,
    Step,
)
from contacts.models import Organisation, Person
from imports.plan_document import plan_import_document
from tests.factories import (
    BudgetCategoryFactory,
    BudgetLineFactory,
    FundingSourceFactory,
    OrganisationFactory,
    PersonFactory,
    ResponsibilityFactory,
    StepFactory,
    TargetGroupFactory,
    build_plan,
)

pytestmark = pytest.mark.django_db

FIXTURE = settings.BASE_DIR / "fixtures" / "leipzig.json"


def leipzig_document() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def normalise(document: dict) -> dict:
    """What the importer makes of a document: references as natural keys, defaults filled in,
    positions of lists as their order, paragraphs joined."""
    orgs = document.get("organisations", {})
    persons = document.get("persons", {})

    def org(key):
        names = []
        while key is not None:
            names.append(orgs[key]["name"])
            key = orgs[key].get("parent")
        return tuple(reversed(names)) if names else None

    def person(key):
        if key is None:
            return None
        spec = persons[key]
        natural = (spec["last_name"], spec.get("first_name", ""), org(spec.get("organisation")))
        details = {
            attr: spec.get(attr, "") for attr in ("salutation", "title", "function", "phone")
        }
        details["email"] = spec.get("email", "")
        details["public_contact"] = spec.get("public_contact", False)
        return (natural, tuple(sorted(details.items())))

    def org_details(key):
        spec = orgs[key]
        return (
            org(key),
            spec.get("short_name", ""),
            spec.get("kind", "other"),
            spec.get("address", ""),
            spec.get("phone", ""),
            spec.get("email", ""),
            spec.get("website", ""),
        )

    plan = document["plan"]
    keys = {}
    for fld in plan["fields"]:
        slug = fld.get("slug") or FieldOfAction.slug_for(fld["title"])
        for m in fld.get("measures", []):
            mslug = m.get("slug") or Measure.slug_for(m.get("code", ""), m["title"])
            if m.get("key"):
                keys[m["key"]] = (slug, mslug)

    def steps(items):
        result = []
        for step in items:
            step = {"text": step} if isinstance(step, str) else step
            result.append((step["text"], tuple(step.get("substeps", []))))
        return result

    def amount(value):
        return None if value is None else Decimal(str(value))

    fields = []
    for fld in plan["fields"]:
        lead = fld.get("lead") or {}
        fields.append(
            {
                "position": fld["position"],
                "title": fld["title"],
                "slug": fld.get("slug") or FieldOfAction.slug_for(fld["title"]),
                "target_state": fld.get("target_state", ""),
                "lead": (org(lead.get("organisation")), lead.get("note", "")),
                "contacts": [person(k) for k in fld.get("contacts", [])],
                "baseline": [
                    (b["text"], b.get("swot", "unclassified")) for b in fld.get("baseline", [])
                ],
                "measures": [
                    {
                        "position": m["position"],
                        "code": m.get("code", ""),
                        "title": m["title"],
                        "slug": m.get("slug") or Measure.slug_for(m.get("code", ""), m["title"]),
                        "description": m.get("description", ""),
                        "status": m.get("status", "planned"),
                        "state": m.get("state", "draft"),
                        "steps": steps(m.get("steps", [])),
                        "target_groups": sorted(m.get("target_groups", [])),
                        "schedule": m.get("schedule", []),
                        "responsibilities": [
                            (
                                r.get("role", "responsible"),
                                org(r.get("organisation")),
                                person(r.get("person")),
                                r.get("note", ""),
                            )
                            for r in m.get("responsibilities", [])
                        ],
                        "budget": [
                            (
                                b["category"],
                                b.get("funding_source"),
                                amount(b.get("planned_amount")),
                                amount(b.get("actual_amount")),
                                b.get("note", ""),
                            )
                            for b in m.get("budget", [])
                        ],
                        "related": sorted(keys[k] for k in m.get("related_measures", [])),
                    }
                    for m in fld.get("measures", [])
                ],
            }
        )
    intro = plan.get("introduction", "")
    return {
        "format": document["format"],
        "organisations": sorted(org_details(k) for k in orgs),
        "persons": sorted(person(k) for k in persons),
        "plan": {
            "slug": plan["slug"],
            "title": plan["title"],
            "subtitle": plan.get("subtitle", ""),
            "region": plan["region"],
            "issued_label": plan.get("issued_label", ""),
            "issued_on": plan.get("issued_on"),
            "period_label": plan.get("period_label", ""),
            "funding_note": plan.get("funding_note", ""),
            "introduction": "\n\n".join(intro) if isinstance(intro, list) else intro,
            "status": plan.get("status", "draft"),
            "language": plan.get("language", "de"),
            "project_lead": person(plan.get("project_lead")),
            "author_organisation": org(plan.get("author_organisation")),
            "fields": fields,
        },
    }


def test_export_of_leipzig_equals_the_fixture_as_the_importer_reads_it():
    plan = plan_import_document(data=leipzig_document())
    exported = plan_export_document(plan)
    assert normalise(exported) == normalise(leipzig_document())
    # and the importer accepts the export as it is
    assert json.loads(json.dumps(exported)) == exported


def export_text(slug: str) -> str:
    out = io.StringIO()
    call_command("export_plan", slug, stdout=out)
    return out.getvalue()


def clear_database():
    Plan.objects.all().delete()
    Person.objects.all().delete()
    # children before parents (PROTECT)
    while Organisation.objects.exists():
        Organisation.objects.filter(children__isnull=True).delete()


def test_export_import_export_gives_an_identical_file_for_leipzig():
    plan_import_document(data=leipzig_document())
    first = export_text("leipzig-2011")
    clear_database()
    plan_import_document(data=json.loads(first))
    assert export_text("leipzig-2011") == first


def rich_plan():
    """A plan with everything the format can hold, in awkward shapes."""
    plan = build_plan(fields=2, measures_per_field=3, steps_per_measure=2)
    plan.introduction = "Erster Absatz.\n\nZweiter Absatz\nmit Zeilenumbruch.\n\n\nDritter."
    plan.save()
    measures = list(
        Measure.objects.filter(field__plan=plan).order_by("field__position", "position")
    )
    first, second, third = measures[:3]
    city = OrganisationFactory(name="Stadt", kind="city")
    office = OrganisationFactory(name="Amt", parent=city, short_name="A")
    other_office = OrganisationFactory(name="Amt", parent=None)  # same name, other parent
    person = PersonFactory(last_name="Müller", first_name="Eva", organisation=office)
    namesake = PersonFactory(last_name="Müller", first_name="Eva", organisation=other_office)
    plan.project_lead = person
    plan.author_organisation = city
    plan.save()
    ResponsibilityFactory(measure=first, organisation=office, person=None, position=5)
    ResponsibilityFactory(measure=first, person=namesake, organisation=None, position=9)
    top = StepFactory(measure=second, text="Oberschritt", position=10)
    StepFactory(measure=second, parent=top, text='=HYPERLINK("x")', position=1)
    StepFactory(measure=second, parent=top, text="Unterschritt 2", position=2)
    BudgetLineFactory(
        measure=third,
        category=BudgetCategoryFactory(name="Sachkosten"),
        funding_source=FundingSourceFactory(name="EFRE"),
        planned_amount=Decimal("1234.50"),
        actual_amount=None,
        note="ca.",
        position=7,
    )
    third.target_groups.add(TargetGroupFactory(name="Zeta", position=1))
    third.target_groups.add(TargetGroupFactory(name="Alpha", position=2))
    ScheduleEntry.objects.create(measure=third, position=3, label="II. Quartal 2011")
    first.related_measures.add(third, second)
    third.state = Measure.State.DRAFT
    third.save()
    return plan


def test_export_import_export_round_trip_keeps_every_value_the_format_holds():
    plan = rich_plan()
    first = plan_export_document(plan)
    counts = {
        model: model.objects.count()
        for model in (Measure, Step, Responsibility, BudgetLine, ScheduleEntry)
    }
    clear_database()
    imported = plan_import_document(data=json.loads(json.dumps(first)))
    assert plan_export_document(imported) == first
    for model, count in counts.items():
        assert model.objects.count() == count, model
    assert Organisation.objects.filter(name="Amt").count() == 2
    assert Person.objects.filter(last_name="Müller").count() == 2
    line = BudgetLine.objects.get(note="ca.")
    assert line.planned_amount == Decimal("1234.50") and line.actual_amount is None
    assert Plan.objects.get().introduction == plan.introduction


def test_export_orders_lists_and_keys_deterministically():
    plan = rich_plan()
    document = plan_export_document(plan)
    assert list(document["organisations"]) == sorted(document["organisations"])
    assert list(document["persons"]) == sorted(document["persons"])
    fields = document["plan"]["fields"]
    assert [f["position"] for f in fields] == sorted(f["position"] for f in fields)
    measure = next(
        m for f in fields for m in f["measures"] if any(b["note"] == "ca." for b in m["budget"])
    )
    assert measure["target_groups"] == ["Alpha", "Zeta", "Zielgruppe 2"]
    assert measure["budget"][-1]["planned_amount"] == "1234.50"
    assert measure["state"] == "draft"  # the admin tool exports everything
    nested = next(
        m for f in fields for m in f["measures"] if any(isinstance(s, dict) for s in m["steps"])
    )
    assert {"text": "Oberschritt", "substeps": ['=HYPERLINK("x")', "Unterschritt 2"]} in nested[
        "steps"
    ]
    assert plan_export_document(plan) == document


def test_public_only_export_leaves_out_drafts_and_relations_to_them():
    plan = rich_plan()
    document = plan_export_document(plan, public_only=True)
    measures = [m for f in document["plan"]["fields"] for m in f["measures"]]
    assert measures and all(m["state"] == "published" for m in measures)
    keys = {m["key"] for m in measures}
    assert all(ref in keys for m in measures for ref in m["related_measures"])
    assert Measure.objects.filter(field__plan=plan, state="draft").exists()


def test_export_plan_command_writes_utf8_file(tmp_path):
    plan_import_document(data=leipzig_document())
    target = tmp_path / "plan.json"
    call_command("export_plan", "leipzig-2011", "-o", str(target))
    text = target.read_text(encoding="utf-8")
    assert "Maßnahmenplan" in text
    assert text == export_text("leipzig-2011")
    assert text.startswith('{\n  "format": "planwerk.plan/1"')


def test_export_plan_command_unknown_slug():
    with pytest.raises(CommandError, match="No plan with the slug 'nope'"):
        call_command("export_plan", "nope")
