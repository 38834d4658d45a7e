"""Council papers and documents in the API and the open-data JSON: those of public measures
and plans, with a download address; nothing of a draft."""

import datetime

import pytest
from django.urls import reverse

from attachments.models import Attachment
from council.models import Consultation, CouncilPaper
from tests.factories import MeasureFactory, PlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    plan = PlanFactory(status="published", slug="offen", region="Leipzig")
    public = MeasureFactory(field__plan=plan, state="published", slug="offen")
    draft = MeasureFactory(field=public.field, state="draft", slug="entwurf")
    paper = CouncilPaper.objects.create(
        measure=public, reference="DS-V/1", date=datetime.date(2011, 5, 18)
    )
    Consultation.objects.create(paper=paper, committee="Ratsversammlung", result="beschlossen")
    CouncilPaper.objects.create(measure=draft, reference="GEHEIM-1")
    CouncilPaper.objects.create(plan=plan, reference="DS-V/0")
    for measure, name in ((public, "konzept.pdf"), (draft, "geheim.pdf")):
        Attachment.objects.create(
            measure=measure,
            title=name,
            file=f"attachments/measure/{measure.pk}/x/{name}",
            file_name=name,
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
        )
    return plan


def test_the_api_carries_papers_and_documents_of_public_measures_only(client, plan):
    measures = client.get(reverse("api:measure-list")).json()["results"]
    plans = client.get(reverse("api:plan-list")).json()["results"]

    assert [m["slug"] for m in measures] == ["offen"]
    measure = measures[0]
    assert measure["council_papers"][0]["reference"] == "DS-V/1"
    assert measure["council_papers"][0]["consultations"] == [
        {"date": None, "committee": "Ratsversammlung", "result": "beschlossen"}
    ]
    document = measure["attachments"][0]
    assert document["file_name"] == "konzept.pdf"
    assert document["download_url"].endswith(
        f"/dokumente/{Attachment.objects.get(file_name='konzept.pdf').pk}/konzept.pdf"
    )
    assert [p["reference"] for p in plans[0]["council_papers"]] == ["DS-V/0"]
    assert "GEHEIM" not in str(plans) + str(measures)


def test_the_schema_describes_the_new_fields(client):
    schemas = client.get(reverse("api:schema") + "?format=json").json()["components"]["schemas"]
    assert {"council_papers", "attachments"} <= set(schemas["Measure"]["properties"])
    assert set(schemas["CouncilPaper"]["properties"]) >= {"reference", "consultations"}
    assert schemas["Attachment"]["properties"]["download_url"]["type"] == "string"


def test_the_open_data_json_lists_public_papers_and_documents(client, plan):
    data = client.get(reverse("opendata:plan_json", kwargs={"plan_slug": plan.slug})).json()
    text = str(data)
    assert "DS-V/1" in text and "DS-V/0" in text and "konzept.pdf" in text
    assert "GEHEIM" not in text and "geheim.pdf" not in text
