"""The plan's period and the measure's status report date in the API (issue 18, item 1)."""

import datetime

import pytest
from django.urls import reverse

from actionplan.models import Measure
from tests.factories import MeasureFactory, PlanFactory, ScheduleEntryFactory

pytestmark = pytest.mark.django_db


def test_plan_period_from_its_label(client):
    plan = PlanFactory(period_label="Anfang 2020 bis Ende 2024")

    data = client.get(reverse("api:plan-detail", args=[plan.pk])).json()

    assert data["period"]["label"] == "Anfang 2020 bis Ende 2024"
    assert data["period"]["start"].startswith("2020-")
    assert data["period"]["end"].startswith("2024-")


def test_plan_period_without_label_spans_its_schedule(client):
    plan = PlanFactory(period_label="")
    first = MeasureFactory(field__plan=plan)
    second = MeasureFactory(field=first.field)
    ScheduleEntryFactory(measure=first, label="März 2011 – Dezember 2011: Umsetzung")
    ScheduleEntryFactory(measure=second, label="Juni 2012: Abschluss")
    empty = PlanFactory(period_label="")

    listed = {p["id"]: p for p in client.get(reverse("api:plan-list")).json()["results"]}
    detail = client.get(reverse("api:plan-detail", args=[plan.pk])).json()

    expected = {"label": "", "start": "2011-03-01", "end": "2012-06-30"}
    assert listed[plan.pk]["period"] == detail["period"] == expected
    assert listed[empty.pk]["period"] == {"label": "", "start": None, "end": None}


def test_measure_carries_its_status_report_date(client):
    measure = MeasureFactory()
    Measure.objects.filter(pk=measure.pk).update(status_reported_at=datetime.date(2012, 3, 14))
    silent = MeasureFactory(field=measure.field)

    listed = {m["id"]: m for m in client.get(reverse("api:measure-list")).json()["results"]}
    detail = client.get(reverse("api:measure-detail", args=[measure.pk])).json()

    assert detail["status_reported_at"] == listed[measure.pk]["status_reported_at"] == "2012-03-14"
    assert listed[silent.pk]["status_reported_at"] is None


def test_schema_describes_period_and_report_date(client):
    schemas = client.get(reverse("api:schema") + "?format=json").json()["components"]["schemas"]

    assert schemas["Measure"]["properties"]["status_reported_at"]["format"] == "date"
    period = schemas["Period"]["properties"]
    assert period["start"]["format"] == period["end"]["format"] == "date"
    assert period["start"]["nullable"] and period["end"]["nullable"]
    assert "period" in schemas["Plan"]["properties"]
