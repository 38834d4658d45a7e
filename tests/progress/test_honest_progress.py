"""Honest progress: a plan's period, each measure's report date, and a page that tells an ended
plan from a neglected one (issue 18, item 1)."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from access.models import Membership
from actionplan.models import Measure, ScheduleEntry, Step
from actionplan.services import measures_set_status
from actionplan.signals import plan_touch
from progress.selectors import plan_period, plan_progress
from tests.factories import (
    FieldOfActionFactory,
    MeasureFactory,
    PlanFactory,
    ScheduleEntryFactory,
    StepFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
BERLIN = datetime.timezone(datetime.timedelta(hours=2))


def _dashboard(client, plan):
    return client.get(reverse("progress:plan_dashboard", args=[plan.slug]))


# --- the period ---------------------------------------------------------------------------------


def test_period_is_read_from_its_label():
    plan = PlanFactory(period_label="Anfang 2020 bis Ende 2024")
    assert plan_period(plan) == (D(2020, 1, 1), D(2024, 12, 31))


def test_period_without_a_label_spans_the_dated_schedule_entries():
    plan = PlanFactory(period_label="")
    field = FieldOfActionFactory(plan=plan)
    first, last = MeasureFactory(field=field), MeasureFactory(field=field)
    ScheduleEntryFactory(measure=first, label="Juni 2018")
    ScheduleEntryFactory(measure=last, label="ab Herbst 2019 bis Ende 2021")
    ScheduleEntryFactory(measure=last, label="im Anschluss an das Mapping")  # no date
    assert plan_period(plan) == (D(2018, 6, 1), D(2021, 12, 31))


def test_a_label_that_gives_no_date_falls_back_to_the_entries():
    plan = PlanFactory(period_label="solange Mittel da sind")
    ScheduleEntryFactory(measure=MeasureFactory(field=FieldOfActionFactory(plan=plan)))
    # the factory's entry: „März 2011 – Dezember 2012: Umsetzung“
    assert plan_period(plan) == (D(2011, 3, 1), D(2012, 12, 31))


def test_leipzig_period_from_the_demo_data_and_from_its_entries(leipzig):
    assert leipzig.period_label == "2011–2012"
    assert plan_period(leipzig) == (D(2011, 1, 1), D(2012, 12, 31))
    leipzig.period_label = ""
    # Januar 2011 (Arbeitsaufnahme) … Dezember 2012 (Umsetzung)
    assert plan_period(leipzig) == (D(2011, 1, 1), D(2012, 12, 31))


# --- the report date ----------------------------------------------------------------------------


def test_status_report_date_follows_status_step_and_schedule_changes():
    plan = PlanFactory()
    measure = MeasureFactory(field=FieldOfActionFactory(plan=plan))
    step = StepFactory(measure=measure)
    entry = ScheduleEntryFactory(measure=measure)
    measure.refresh_from_db()
    assert measure.status_reported_at is None  # creating is not reporting
    with time_machine.travel(datetime.datetime(2030, 3, 4, 12, tzinfo=BERLIN), tick=False):
        measure.status = Measure.Status.IN_PROGRESS
        measure.save()
    measure.refresh_from_db()
    assert measure.status_reported_at == D(2030, 3, 4)
    assert measure.history.first().status_reported_at == D(2030, 3, 4)
    with time_machine.travel(datetime.datetime(2030, 5, 6, 12, tzinfo=BERLIN), tick=False):
        step.text = "Geändert"
        step.save()
    assert Measure.objects.get(pk=measure.pk).status_reported_at == D(2030, 5, 6)
    with time_machine.travel(datetime.datetime(2030, 7, 8, 12, tzinfo=BERLIN), tick=False):
        ScheduleEntry.objects.get(pk=entry.pk).delete()
    assert Measure.objects.get(pk=measure.pk).status_reported_at == D(2030, 7, 8)
    with time_machine.travel(datetime.datetime(2030, 9, 1, 12, tzinfo=BERLIN), tick=False):
        measure.refresh_from_db()
        measure.title = "Nur der Titel"
        measure.save()
    assert Measure.objects.get(pk=measure.pk).status_reported_at == D(2030, 7, 8)
    assert Step.objects.filter(measure=measure).count() == 1


def test_bulk_status_service_records_the_report_date():
    plan = PlanFactory()
    measure = MeasureFactory(field=FieldOfActionFactory(plan=plan))
    coordinator = UserFactory(username="koordination", is_staff=True)
    Membership.objects.create(user=coordinator, plan=plan, role=Membership.Role.COORDINATOR)
    with time_machine.travel(datetime.datetime(2031, 1, 15, 12, tzinfo=BERLIN), tick=False):
        result = measures_set_status(
            measures=[measure],
            status=Measure.Status.COMPLETED,
            reason="Abschlussbericht",
            acting_user=coordinator,
        )
    assert result.changed == [measure]
    assert Measure.objects.get(pk=measure.pk).status_reported_at == D(2031, 1, 15)


def test_measure_page_says_as_of_when(client, leipzig):
    measure = Measure.objects.get(field__plan=leipzig, field__slug="marketing", code="B")
    page = client.get(measure.get_absolute_url()).content.decode()
    assert 'id="status-reported"' not in page  # never reported: no invented date
    Measure.objects.filter(pk=measure.pk).update(status_reported_at=D(2012, 11, 30))
    plan_touch(leipzig)  # a QuerySet.update() sends no signal (actionplan.signals)
    page = client.get(measure.get_absolute_url()).content.decode()
    assert "Stand vom 30. November 2012" in page


# --- the ended demo plan ------------------------------------------------------------------------


def test_ended_demo_plan_states_its_period_and_final_state(client, leipzig):
    reported = Measure.objects.get(field__plan=leipzig, field__slug="marketing", code="B")
    Measure.objects.filter(pk=reported.pk).update(
        status=Measure.Status.COMPLETED, status_reported_at=D(2012, 12, 14)
    )
    plan_touch(leipzig)
    response = _dashboard(client, leipzig)
    progress = response.context["progress"]
    assert progress.ended
    assert progress.figures.overdue == [] and progress.figures.due == []
    assert progress.as_of == D(2012, 12, 14)
    html = response.content.decode()
    assert "Der Plan lief vom 1. Januar 2011 bis zum 31. Dezember 2012; abgeschlossen." in html
    assert "Stand: 14. Dezember 2012" in html
    today = timezone.localdate()
    assert f"Stand: {today.day}." not in html or today == D(2012, 12, 14)
    assert 'id="table-overdue"' not in html and "Tagen)" not in html
    assert "Überfällig" not in html  # no overdue figure, column or list for an ended plan
    # the nine measures still „geplant“ since the plan was issued are named as unreported
    assert len(progress.stale) == 9
    assert reported.pk not in {item.measure.pk for item in progress.stale}
    assert html.count("ohne Meldung seit 1. Mai 2011") == 9


def test_ended_demo_plan_without_reports_is_dated_by_its_issue(client, leipzig):
    progress = _dashboard(client, leipzig).context["progress"]
    assert progress.as_of == D(2011, 5, 1) == leipzig.issued_on


# --- a running plan -----------------------------------------------------------------------------


def test_running_plan_counts_overdue_and_names_stale_measures(client):
    plan = PlanFactory(slug="laufend", period_label="2029 bis 2032")
    field = FieldOfActionFactory(plan=plan)
    late = MeasureFactory(field=field, code="A", title="Verspätete Maßnahme")
    fresh = MeasureFactory(field=field, code="B", title="Frisch gemeldete Maßnahme")
    quiet = MeasureFactory(field=field, code="C", title="Stille Maßnahme")
    ScheduleEntryFactory(measure=late, label="Juni 2030")
    ScheduleEntryFactory(measure=fresh, label="Dezember 2031")
    with time_machine.travel(datetime.datetime(2029, 2, 1, 12, tzinfo=BERLIN), tick=False):
        quiet.status = Measure.Status.IN_PROGRESS
        quiet.save()
    with time_machine.travel(datetime.datetime(2031, 3, 1, 12, tzinfo=BERLIN), tick=False):
        fresh.status = Measure.Status.IN_PROGRESS
        fresh.save()
    with time_machine.travel(datetime.datetime(2031, 4, 10, 12, tzinfo=BERLIN), tick=False):
        response = _dashboard(client, plan)
        progress = response.context["progress"]
        assert not progress.ended
        assert [m.measure for m in progress.figures.overdue] == [late]
        assert progress.as_of == D(2031, 3, 1)
        stale = {item.measure.code: item.since for item in progress.stale}
        # A (never reported, the plan has no issue date) and C (2029) are stale, B is not
        assert stale == {"A": None, "C": D(2029, 2, 1)}
        html = response.content.decode()
        assert "Der Plan läuft vom 1. Januar 2029 bis zum 31. Dezember 2032." in html
        assert "Stand: 1. März 2031" in html
        assert 'id="table-overdue"' in html
        assert '<a href="#overdue">1</a>' in html
        assert "ohne Meldung seit 1. Februar 2029" in html
        assert "Stille Maßnahme" in html[html.index('id="stale"') :]


def test_stale_threshold_is_a_setting(settings):
    settings.PLANWERK_STALE_STATUS_DAYS = 10
    plan = PlanFactory(period_label="2030")
    measure = MeasureFactory(field=FieldOfActionFactory(plan=plan))
    Measure.objects.filter(pk=measure.pk).update(status_reported_at=D(2030, 6, 1))
    assert plan_progress(plan, None, today=D(2030, 6, 5)).stale == []
    stale = plan_progress(plan, None, today=D(2030, 6, 20)).stale
    assert [(s.measure.pk, s.since) for s in stale] == [(measure.pk, D(2030, 6, 1))]


def test_period_label_round_trips_through_the_plan_document(leipzig):
    from actionplan.export import plan_export_document
    from imports.plan_document import plan_import_document

    document = plan_export_document(leipzig)
    assert document["plan"]["period_label"] == "2011–2012"
    document["plan"]["period_label"] = "2011 bis 2013"
    plan = plan_import_document(data=document, replace=True)
    assert plan.slug == leipzig.slug
    assert plan.period_label == "2011 bis 2013"
    assert plan_period(plan) == (D(2011, 1, 1), D(2013, 12, 31))


def test_data_migration_dates_reports_by_the_last_status_change():
    """actionplan/migrations/0010: the day of the last history row that changed the status."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("actionplan.migrations.0010_plan_period_status_reported")
    plan = PlanFactory()
    with time_machine.travel(datetime.datetime(2011, 5, 1, 12, tzinfo=BERLIN), tick=False):
        changed = MeasureFactory(field=FieldOfActionFactory(plan=plan))
        untouched = MeasureFactory(field=changed.field)
    with time_machine.travel(datetime.datetime(2012, 4, 2, 12, tzinfo=BERLIN), tick=False):
        changed.status = Measure.Status.IN_PROGRESS
        changed.save()
    with time_machine.travel(datetime.datetime(2013, 1, 9, 12, tzinfo=BERLIN), tick=False):
        changed.title = "Nur umbenannt"
        changed.save()
    Measure.objects.update(status_reported_at=None)
    migration.status_reported_from_history(apps, None)
    assert Measure.objects.get(pk=changed.pk).status_reported_at == D(2012, 4, 2)
    assert Measure.objects.get(pk=untouched.pk).status_reported_at is None
