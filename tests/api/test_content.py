"""What the endpoints print: a measure with everything the issue names, plans, fields,
organisations with their parents, consenting persons."""

import datetime

import pytest
from django.urls import reverse

from actionplan import models as ap
from tests.factories import (
    BudgetLineFactory,
    OrganisationFactory,
    PersonFactory,
    ScheduleEntryFactory,
    StepFactory,
    build_plan,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(db):
    return build_plan(fields=1, measures_per_field=2, steps_per_measure=2, slug="inhalt")


def test_api_measure_holds_steps_schedule_responsibilities_budget_and_groups(client, plan):
    measure = ap.Measure.objects.filter(field__plan=plan).order_by("position").first()
    top = measure.steps.get(position=1)
    StepFactory(measure=measure, parent=top, position=1, text="Unterschritt")
    ScheduleEntryFactory(measure=measure, position=2, label="ab Herbst 2011")
    ScheduleEntryFactory(measure=measure, position=3, label="im Anschluss an Mapping")
    BudgetLineFactory(measure=measure, position=2, planned_amount="2500.50", actual_amount="10")

    data = client.get(reverse("api:measure-detail", args=[measure.pk])).json()

    assert [s["text"] for s in data["steps"]][0] == top.text
    assert data["steps"][0]["substeps"] == [
        {"position": 1, "text": "Unterschritt", "text_en": "", "in_german": []}
    ]
    assert len(data["steps"]) == 2  # the sub-step is not repeated at the top
    quarter, autumn, undated = data["schedule"]
    assert (quarter["start_date"], quarter["end_date"]) == ("2011-04-01", "2011-06-30")
    assert quarter["start_precision"] == "quarter" and quarter["dating"] == "parsed"
    assert autumn["label"] == "ab Herbst 2011"
    assert autumn["start_date"] == "2011-09-01" and autumn["end_date"] is None
    assert undated["dating"] == "undated" and undated["start_date"] is None
    assert data["responsibilities"][0]["role"] == "lead"
    assert data["responsibilities"][0]["organisation"]["name"]
    lines = {line["position"]: line for line in data["budget_lines"]}
    assert lines[2]["planned_amount"] == "2500.50" and lines[2]["actual_amount"] == "10.00"
    assert lines[1]["category"] and lines[1]["funding_source"] == "Creative Cities"
    assert [g["name"] for g in data["target_groups"]] == ["Zielgruppe 0"]
    assert data["plan"] == plan.pk and data["state"] == "published"
    assert data["url"].endswith(measure.get_absolute_url())
    assert "review_comment" not in data


def test_api_links_point_to_german_pages_whatever_the_client_language(client, plan):
    data = client.get(reverse("api:plan-detail", args=[plan.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert data.json()["url"] == "http://testserver/plaene/inhalt/"


def test_api_plan_lists_fields_and_counts_visible_measures(client, plan):
    ap.Measure.objects.filter(field__plan=plan, position=2).update(state=ap.Measure.State.DRAFT)

    data = client.get(reverse("api:plan-detail", args=[plan.pk])).json()

    assert data["measure_count"] == 1
    assert [f["title"] for f in data["fields_of_action"]] == ["Handlungsfeld 1"]
    assert data["measures_url"].endswith(f"/api/v1/measures/?plan={plan.pk}")


def test_api_field_holds_baseline_and_contacts(client, plan):
    field = plan.fields.get()
    data = client.get(reverse("api:field-detail", args=[field.pk])).json()

    assert [b["swot"] for b in data["baseline"]] == ["strength", "weakness", "opportunity"]
    contact = data["contacts"][0]
    person = field.contacts.get()
    assert contact["name"] == person.full_name
    assert contact["phone"] == person.phone  # consented: their own
    assert contact["api_url"].endswith(f"/api/v1/persons/{person.pk}/")


def test_api_organisation_list_includes_the_parents_of_named_units(client, plan):
    city = OrganisationFactory(name="Stadt Leipzig")
    office = OrganisationFactory(name="Kulturamt", parent=city)
    unused = OrganisationFactory(name="Nirgends genannt")
    ap.Responsibility.objects.create(
        measure=ap.Measure.objects.filter(field__plan=plan).first(), position=5, organisation=office
    )

    names = {
        o["name"]
        for o in client.get(reverse("api:organisation-list") + "?page_size=200").json()["results"]
    }
    children = client.get(reverse("api:organisation-list") + f"?parent={city.pk}").json()

    assert {"Stadt Leipzig", "Kulturamt"} <= names
    assert unused.name not in names
    assert [o["name"] for o in children["results"]] == ["Kulturamt"]


def test_api_persons_list_only_consenting_persons_of_public_content(client, plan):
    named = plan.fields.get().contacts.get()
    PersonFactory(last_name="Ungenannt")  # consented, but no public content names them
    shy = PersonFactory(last_name="Scheu", public_contact=False)
    ap.FieldContact.objects.create(field=plan.fields.get(), person=shy, position=2)

    data = client.get(reverse("api:person-list")).json()

    assert [p["last_name"] for p in data["results"]] == [named.last_name]
    assert data["results"][0]["email"] == named.email
    by_org = client.get(reverse("api:person-list") + f"?organisation={named.organisation_id}")
    assert by_org.json()["count"] == 1


def test_api_campaign_dates_and_lists(client):
    from tests.campaigns.factories import CampaignFactory, MarketFactory

    campaign = CampaignFactory(start_date=datetime.date(2017, 1, 1), date_precision="year")
    campaign.markets.add(MarketFactory(name="China", iso_code="CN"))

    data = client.get(reverse("api:campaign-detail", args=[campaign.pk])).json()

    assert data["start_date"] == "2017-01-01" and data["date_precision"] == "year"
    market = {"id": campaign.markets.get().pk, "name": "China", "name_en": "", "iso_code": "CN"}
    assert data["markets"] == [{**market, "display_name": "China", "in_german": []}]
