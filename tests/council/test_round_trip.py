"""Council papers through the plan's JSON document: export, import, re-import (0 changes), an
old document without the key, and the selector the status report reads."""

import copy
import datetime

import pytest

from actionplan.export import plan_export_document
from actionplan.models import Plan
from attachments.models import Attachment
from council.models import Consultation, CouncilPaper
from council.selectors import council_papers
from imports.plan_document import PlanDocumentError, plan_document_import
from tests.factories import build_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    plan = build_plan(fields=1, measures_per_field=2, steps_per_measure=1, slug="rund")
    first, second = plan.fields.get().measures.order_by("position")
    paper = CouncilPaper.objects.create(
        measure=first,
        reference="DS-V/1234",
        title="Aktionsplan",
        date=datetime.date(2011, 4, 20),
        body="Stadtrat Leipzig",
        url="https://example.org/vo/1234",
    )
    Consultation.objects.create(
        paper=paper,
        date=datetime.date(2011, 5, 18),
        committee="Ratsversammlung",
        result="beschlossen",
    )
    CouncilPaper.objects.create(plan=plan, reference="DS-V/1000", title="Grundsatzbeschluss")
    return plan


def test_the_document_carries_the_papers_and_lists_attachments(plan):
    measure = plan.fields.get().measures.order_by("position").first()
    Attachment.objects.create(
        measure=measure,
        title="Konzept",
        file="attachments/measure/1/x/konzept.pdf",
        file_name="konzept.pdf",
        content_type="application/pdf",
        size=9,
        sha256="a" * 64,
    )
    document = plan_export_document(plan)

    entry = document["plan"]["fields"][0]["measures"][0]
    assert entry["council_papers"] == [
        {
            "reference": "DS-V/1234",
            "title": "Aktionsplan",
            "date": "2011-04-20",
            "body": "Stadtrat Leipzig",
            "url": "https://example.org/vo/1234",
            "consultations": [
                {"date": "2011-05-18", "committee": "Ratsversammlung", "result": "beschlossen"}
            ],
        }
    ]
    assert entry["attachments"] == [
        {
            "title": "Konzept",
            "file_name": "konzept.pdf",
            "content_type": "application/pdf",
            "size": 9,
            "sha256": "a" * 64,
        }
    ]
    assert [p["reference"] for p in document["plan"]["council_papers"]] == ["DS-V/1000"]
    assert [(key, p["reference"]) for key, p in council_papers(document)] == [
        (None, "DS-V/1000"),
        (entry["key"], "DS-V/1234"),
    ]


def test_round_trip_writes_nothing_and_a_new_database_gets_the_same_papers(plan):
    document = plan_export_document(plan)

    assert plan_document_import(data=copy.deepcopy(document)).changes == []

    Plan.objects.filter(pk=plan.pk).delete()
    assert not CouncilPaper.objects.exists()
    imported = plan_document_import(data=copy.deepcopy(document)).plan
    assert (
        plan_export_document(imported)["plan"]["council_papers"]
        == document["plan"]["council_papers"]
    )
    assert council_papers(plan_export_document(imported)) == council_papers(document)


def test_changes_to_papers_are_reported_and_applied(plan):
    document = plan_export_document(plan)
    measure = document["plan"]["fields"][0]["measures"][0]
    measure["council_papers"][0]["consultations"].append(
        {"date": "2011-06-01", "committee": "Stadtbezirksbeirat", "result": "vertagt"}
    )
    document["plan"]["council_papers"] = [
        {"reference": "DS-V/2000", "title": "Neu", "date": None, "body": "", "url": ""}
    ]

    preview = plan_document_import(data=copy.deepcopy(document), dry_run=True)
    assert sorted((c.action, c.label) for c in preview.changes if c.kind == "councilpaper") == [
        ("changed", f"{measure['key']}: DS-V/1234"),
        ("deleted", "DS-V/1000"),
        ("new", "DS-V/2000"),
    ]
    assert CouncilPaper.objects.filter(reference="DS-V/2000").count() == 0  # dry run

    plan_document_import(data=copy.deepcopy(document))
    assert set(CouncilPaper.objects.values_list("reference", flat=True)) == {
        "DS-V/1234",
        "DS-V/2000",
    }
    assert Consultation.objects.count() == 2


def test_an_old_document_without_the_key_leaves_the_papers_alone(plan):
    document = plan_export_document(plan)
    del document["plan"]["council_papers"]
    for measure in document["plan"]["fields"][0]["measures"]:
        del measure["council_papers"]

    assert plan_document_import(data=document).changes == []
    assert CouncilPaper.objects.count() == 2


def test_a_bad_entry_is_refused_with_its_path(plan):
    document = plan_export_document(plan)
    document["plan"]["council_papers"] = [{"reference": "", "date": "18.5.2011"}]
    with pytest.raises(PlanDocumentError) as refused:
        plan_document_import(data=document)
    paths = {path for path, _ in refused.value.errors}
    assert {"plan.council_papers[0].reference", "plan.council_papers[0].date"} <= paths
