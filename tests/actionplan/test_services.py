import copy
import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from simple_history.models import HistoricalRecords

from actionplan import models as ap
from contacts.models import Organisation, Person
from imports.plan_document import PlanDocumentError, plan_import_document

pytestmark = pytest.mark.django_db

DOCUMENT = json.loads((settings.BASE_DIR / "fixtures" / "leipzig.json").read_text("utf-8"))

COUNTED = [
    ap.Plan,
    ap.FieldOfAction,
    ap.FieldContact,
    ap.BaselineFinding,
    ap.Measure,
    ap.Step,
    ap.ScheduleEntry,
    ap.Responsibility,
    ap.BudgetLine,
    ap.TargetGroup,
    ap.BudgetCategory,
    ap.FundingSource,
    Organisation,
    Person,
]


def document() -> dict:
    return copy.deepcopy(DOCUMENT)


def counts() -> dict[str, int]:
    result = {model.__name__: model.objects.count() for model in COUNTED}
    result["target links"] = ap.Measure.target_groups.through.objects.count()
    result["related links"] = ap.Measure.related_measures.through.objects.count()
    return result


def history_counts() -> dict[str, int]:
    return {model.__name__: model.history.count() for model in COUNTED}


def test_plan_import_document_creates_the_whole_plan():
    plan = plan_import_document(data=document())

    assert plan.slug == "leipzig-2011"
    assert plan.status == ap.Plan.Status.PUBLISHED
    assert str(plan.issued_on) == "2011-05-01"
    assert plan.project_lead.last_name == "Kucharski-Huniat"
    assert counts() == {
        "Plan": 1,
        "FieldOfAction": 5,
        "FieldContact": 6,
        "BaselineFinding": 15,
        "Measure": 10,
        "Step": 46,
        "ScheduleEntry": 25,
        "Responsibility": 19,
        "BudgetLine": 15,
        "TargetGroup": 13,
        "BudgetCategory": 3,
        "FundingSource": 1,
        "Organisation": 8,
        "Person": 8,
        "target links": 14,
        "related links": 1,
    }


def test_plan_import_document_builds_the_organisation_tree():
    plan_import_document(data=document())

    city = Organisation.objects.get(name="Stadt Leipzig", parent=None)
    assert sorted(city.children.values_list("short_name", "name")) == [
        ("", "Dezernat Kultur"),
        ("", "Stadtplanungsamt"),
        ("ASW", "Amt für Stadterneuerung und Wohnungsbauförderung"),
        ("AfWiFö", "Amt für Wirtschaftsförderung"),
        ("KA", "Kulturamt"),
    ]
    contact_point = Organisation.objects.get(name="Kontaktstelle Kreativwirtschaft")
    assert contact_point.parent.short_name == "Aufbauwerk"
    stadtentwicklung = ap.FieldOfAction.objects.get(title="Stadtentwicklung")
    assert stadtentwicklung.lead_organisation.short_name == "ASW"
    assert stadtentwicklung.lead_note == "in enger Abstimmung mit dem Stadtplanungsamt"
    assert [c.person.last_name for c in stadtentwicklung.field_contacts.all()] == [
        "Geiss",
        "Raschke",
    ]


def test_plan_import_document_twice_creates_no_duplicates():
    first = plan_import_document(data=document())
    before, history_before = counts(), history_counts()

    second = plan_import_document(data=document())

    assert second.pk == first.pk
    assert counts() == before
    assert history_counts() == history_before


def test_plan_import_document_reuses_contacts_and_vocabulary_of_another_plan():
    plan_import_document(data=document())
    other = document()
    other["plan"]["slug"] = "leipzig-kopie"

    plan_import_document(data=other)

    assert ap.Plan.objects.count() == 2
    assert Organisation.objects.count() == 8
    assert Person.objects.count() == 8
    assert ap.TargetGroup.objects.count() == 13
    assert ap.BudgetCategory.objects.count() == 3


def test_plan_import_document_replace_imports_again():
    first = plan_import_document(data=document())
    ap.Step.objects.filter(measure__field__plan=first).first().delete()
    before = counts()
    changed = document()
    changed["plan"]["subtitle"] = "Neuer Untertitel"

    second = plan_import_document(data=changed, replace=True)

    assert not ap.Plan.objects.filter(pk=first.pk).exists()
    assert second.subtitle == "Neuer Untertitel"
    after = counts()
    assert after["Step"] == before["Step"] + 1
    assert after["Organisation"] == before["Organisation"]
    assert after["Person"] == before["Person"]
    assert after["Plan"] == 1


def _missing_title(doc):
    del doc["plan"]["title"]
    return "plan.title"


def _blank_title(doc):
    doc["plan"]["fields"][2]["measures"][1]["title"] = "  "
    return "plan.fields[2].measures[1].title"


def _unknown_contact(doc):
    doc["plan"]["fields"][3]["contacts"].append("nobody")
    return "plan.fields[3].contacts[2]"


def _unknown_responsible_person(doc):
    doc["plan"]["fields"][0]["measures"][0]["responsibilities"][1]["person"] = "nobody"
    return "plan.fields[0].measures[0].responsibilities[1].person"


def _duplicate_field_position(doc):
    doc["plan"]["fields"][4]["position"] = 1
    return "plan.fields[4].position"


def _duplicate_measure_position(doc):
    doc["plan"]["fields"][0]["measures"][2]["position"] = 2
    return "plan.fields[0].measures[2].position"


def _duplicate_measure_code(doc):
    doc["plan"]["fields"][2]["measures"][1]["code"] = "A"
    return "plan.fields[2].measures[1].code"


def _unknown_related_measure(doc):
    doc["plan"]["fields"][2]["measures"][2]["related_measures"] = ["marketing-z"]
    return "plan.fields[2].measures[2].related_measures[0]"


def _unknown_key(doc):
    doc["plan"]["fields"][1]["measures"][0]["zeitplan"] = []
    return "plan.fields[1].measures[0].zeitplan"


def _bad_role(doc):
    doc["plan"]["fields"][0]["measures"][0]["responsibilities"][0]["role"] = "boss"
    return "plan.fields[0].measures[0].responsibilities[0].role"


def _organisation_cycle(doc):
    doc["organisations"]["stadt-leipzig"]["parent"] = "kulturamt"
    return "organisations.stadt-leipzig.parent"


def _bad_date(doc):
    doc["plan"]["issued_on"] = "Mai 2011"
    return "plan.issued_on"


# Errors the model finds only while saving, after earlier objects have been written.
def _invalid_email(doc):
    doc["persons"]["raschke"]["email"] = "norbert.raschke at leipzig.de"
    return "persons.raschke.email"


def _overlong_schedule_label_in_last_measure(doc):
    doc["plan"]["fields"][4]["measures"][1]["schedule"][1] = "x" * 501
    return "plan.fields[4].measures[1].schedule[1].label"


@pytest.mark.parametrize(
    "break_document",
    [
        _missing_title,
        _blank_title,
        _unknown_contact,
        _unknown_responsible_person,
        _duplicate_field_position,
        _duplicate_measure_position,
        _duplicate_measure_code,
        _unknown_related_measure,
        _unknown_key,
        _bad_role,
        _organisation_cycle,
        _bad_date,
        _invalid_email,
        _overlong_schedule_label_in_last_measure,
    ],
)
def test_plan_import_document_bad_document_names_the_path_and_writes_nothing(break_document):
    doc = document()
    path = break_document(doc)
    before, history_before = counts(), history_counts()

    with pytest.raises(PlanDocumentError) as excinfo:
        plan_import_document(data=doc)

    assert path in [p for p, _ in excinfo.value.errors], excinfo.value.errors
    assert path in str(excinfo.value)
    assert counts() == before
    assert history_counts() == history_before


def test_plan_import_document_bad_replacement_keeps_the_old_plan():
    plan = plan_import_document(data=document())
    before = counts()
    doc = document()
    _overlong_schedule_label_in_last_measure(doc)

    with pytest.raises(PlanDocumentError):
        plan_import_document(data=doc, replace=True)

    assert ap.Plan.objects.get().pk == plan.pk
    assert counts() == before


def test_plan_import_document_rejects_a_document_that_is_not_an_object():
    with pytest.raises(PlanDocumentError, match="must be an object"):
        plan_import_document(data=[])


def test_plan_import_document_records_the_acting_user(staff_user):
    plan = plan_import_document(data=document(), acting_user=staff_user)

    assert plan.history.get().history_user == staff_user
    for model in (ap.FieldOfAction, ap.Measure, ap.Step, ap.ScheduleEntry, Person, Organisation):
        users = set(model.history.values_list("history_user", flat=True))
        assert users == {staff_user.pk}, model
    # target groups are added after the measure is saved: an extra "~" record per measure,
    # and one more for the measure whose link to another measure is added after all rows
    assert ap.Measure.history.filter(history_type="~").count() == 11
    assert not hasattr(HistoricalRecords.context, "request")


def test_plan_import_document_replace_records_the_deletion_by_the_acting_user(staff_user, user):
    plan_import_document(data=document(), acting_user=user)

    plan_import_document(data=document(), acting_user=staff_user, replace=True)

    deleted = ap.Step.history.filter(history_type="-")
    assert deleted.count() == 46
    assert set(deleted.values_list("history_user", flat=True)) == {staff_user.pk}
    assert ap.Plan.history.filter(history_type="-").get().history_user == staff_user


def test_plan_import_document_restores_the_request_history_context(staff_user, user):
    request = object()
    HistoricalRecords.context.request = request
    try:
        plan_import_document(data=document(), acting_user=staff_user)
        assert HistoricalRecords.context.request is request
    finally:
        del HistoricalRecords.context.request


def test_plan_import_document_without_user_leaves_history_anonymous():
    plan_import_document(data=document())

    assert set(ap.Step.history.values_list("history_user", flat=True)) == {None}


def test_load_demo_data_is_idempotent():
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    first = out.getvalue().strip()
    before, history_before = counts(), history_counts()

    out = io.StringIO()
    call_command("load_demo_data", stdout=out)

    assert first == (
        "Imported plan “leipzig-2011”: 5 fields, 10 measures, 38 steps, 8 sub-steps, "
        "25 schedule entries, 19 responsibilities, 15 budget lines, 14 target-group links, "
        "6 field contacts."
    )
    assert "already exists – nothing changed" in out.getvalue()
    assert len(out.getvalue().strip().splitlines()) == 1
    assert counts() == before
    assert history_counts() == history_before


def test_load_demo_data_replace_imports_again_as_the_given_user(staff_user):
    call_command("load_demo_data", stdout=io.StringIO())
    old = ap.Plan.objects.get()
    out = io.StringIO()

    call_command("load_demo_data", "--replace", "--user", staff_user.username, stdout=out)

    assert out.getvalue().startswith("Re-imported plan “leipzig-2011”: 5 fields, 10 measures")
    new = ap.Plan.objects.get()
    assert new.pk != old.pk
    assert new.history.get().history_user == staff_user


def test_load_demo_data_unknown_user_fails():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No user named"):
        call_command("load_demo_data", "--user", "ghost", stdout=io.StringIO())
    assert not ap.Plan.objects.exists()
