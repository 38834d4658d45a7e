"""The quality check before publishing (issue 20, item 5): measures without a lead, without a
dated schedule entry, without a budget line, or with a schedule date past while still planned
or in progress; listed for the plan's coordinators, counted, and never blocking publication."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from actionplan import models as ap
from actionplan.selectors import quality_counts, quality_findings, quality_reports
from tests.factories import (
    BudgetLineFactory,
    FieldOfActionFactory,
    MeasureFactory,
    PlanFactory,
    ResponsibilityFactory,
    ScheduleEntryFactory,
)
from tests.workbench.conftest import complete, login

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 6)
#: the admin frame's reads (session, user, memberships, permissions for the sidebar and
#: the second factor), the plan, and one query for all findings
CHECK_PAGE_QUERIES = 9
KINDS = ("without_lead", "without_dates", "without_budget", "past_due")


def check_url(plan):
    return reverse("workbench:quality_check", kwargs={"plan_slug": plan.slug})


def titles(report):
    return {kind.key: [m.title for m in kind.measures] for kind in report.kinds}


def whole(field, title, *, label="2030", status=ap.Measure.Status.PLANNED, **kwargs):
    """A measure with a lead, a budget line and a schedule entry dated from ``label``."""
    measure = MeasureFactory(field=field, title=title, status=status, **kwargs)
    ResponsibilityFactory(measure=measure, role=ap.Responsibility.Role.LEAD)
    BudgetLineFactory(measure=measure)
    ScheduleEntryFactory(measure=measure, label=label, position=1)
    return measure


@pytest.fixture
def field():
    plan = PlanFactory(title="Prüfplan", slug="pruefplan")
    return FieldOfActionFactory(plan=plan, position=1, title="Prüffeld")


# --- the selector ------------------------------------------------------------------------------


def test_complete_measure_with_a_future_date_is_no_finding(field):
    whole(field, "Vollständig", label="2030")
    report = quality_findings(field.plan, today=TODAY)
    assert report.counts == dict.fromkeys(KINDS, 0)
    assert report.measure_count == 0


def test_measure_without_lead_is_found(field):
    measure = whole(field, "Ohne Federführung")
    ap.Responsibility.objects.filter(measure=measure).update(
        role=ap.Responsibility.Role.RESPONSIBLE
    )
    report = quality_findings(field.plan, today=TODAY)
    assert titles(report)["without_lead"] == ["Ohne Federführung"]
    assert report.counts == {**dict.fromkeys(KINDS, 0), "without_lead": 1}


def test_measure_with_only_undated_entries_is_found(field):
    measure = whole(field, "Undatiert")
    ap.ScheduleEntry.objects.filter(measure=measure).delete()
    ScheduleEntryFactory(measure=measure, label="im Anschluss an das Mapping", position=1)
    ScheduleEntryFactory(measure=measure, label="ab sofort", position=2)
    assert (
        ap.ScheduleEntry.objects.filter(measure=measure, start_date=None, end_date=None).count()
        == 2
    )
    no_entry = whole(field, "Ohne Zeitplan")
    ap.ScheduleEntry.objects.filter(measure=no_entry).delete()
    report = quality_findings(field.plan, today=TODAY)
    assert titles(report)["without_dates"] == ["Undatiert", "Ohne Zeitplan"]
    assert titles(report)["past_due"] == []


def test_measure_without_budget_line_is_found(field):
    measure = whole(field, "Ohne Budget")
    ap.BudgetLine.objects.filter(measure=measure).delete()
    assert titles(quality_findings(field.plan, today=TODAY))["without_budget"] == ["Ohne Budget"]


def test_fuzzy_date_past_while_planned_or_in_progress_is_found(field):
    whole(field, "Ende 2011 geplant", label="Ende 2011")
    whole(field, "ab 2012 laufend", label="ab 2012", status=ap.Measure.Status.IN_PROGRESS)
    whole(field, "2030 geplant", label="2030")
    whole(field, "Ende 2011 erledigt", label="Ende 2011", status=ap.Measure.Status.COMPLETED)
    whole(field, "Ende 2011 verschoben", label="Ende 2011", status=ap.Measure.Status.POSTPONED)
    entry = ap.ScheduleEntry.objects.get(measure__title="Ende 2011 geplant")
    assert (entry.start_date, entry.end_date) == (None, datetime.date(2011, 12, 31))
    report = quality_findings(field.plan, today=TODAY)
    assert titles(report)["past_due"] == ["Ende 2011 geplant", "ab 2012 laufend"]
    assert quality_counts(field.plan, today=TODAY)["past_due"] == 2
    # the day a date passes: the end of 2030 is past on 1 January 2031, not before
    assert quality_findings(field.plan, today=datetime.date(2030, 12, 31)).counts["past_due"] == 2
    assert quality_findings(field.plan, today=datetime.date(2031, 1, 1)).counts["past_due"] == 3


def test_today_defaults_to_the_local_date(field):
    whole(field, "2030 geplant", label="2030")
    with time_machine.travel(datetime.datetime(2030, 6, 1, 12, tzinfo=datetime.UTC), tick=False):
        assert quality_counts(field.plan)["past_due"] == 0
    with time_machine.travel(datetime.datetime(2031, 6, 1, 12, tzinfo=datetime.UTC), tick=False):
        assert quality_counts(field.plan)["past_due"] == 1


def test_archived_measures_and_other_plans_are_left_out(field):
    whole(field, "Archiviert", label="Ende 2011", state=ap.Measure.State.ARCHIVED)
    other = FieldOfActionFactory(plan=PlanFactory(slug="anderer-plan"), position=1)
    MeasureFactory(field=other, title="Anderer Plan")
    assert quality_findings(field.plan, today=TODAY).measure_count == 0
    report = quality_findings(other.plan, today=TODAY)
    assert titles(report)["without_lead"] == ["Anderer Plan"]


def test_one_measure_counts_once_however_many_findings(field):
    MeasureFactory(field=field, title="Leer")
    report = quality_findings(field.plan, today=TODAY)
    assert report.counts == {**dict.fromkeys(KINDS, 1), "past_due": 0}
    assert report.measure_count == 1


def test_findings_take_one_query_whatever_the_number_of_measures(field, django_assert_num_queries):
    other = FieldOfActionFactory(plan=PlanFactory(slug="zweiter-plan"), position=1)
    plans = [field.plan, other.plan]
    MeasureFactory(field=field, title="Leer")
    with django_assert_num_queries(1):
        reports = quality_reports(plans, today=TODAY)
        assert [m.full_label for k in reports[0].kinds for m in k.measures]
    for i in range(8):
        MeasureFactory(field=field if i % 2 else other, title=f"Leer {i}")
        whole(field, f"Alt {i}", label="Ende 2011")
    with django_assert_num_queries(1):
        reports = quality_reports(plans, today=TODAY)
        assert [m.full_label for r in reports for k in r.kinds for m in k.measures]
    assert reports[0].counts["past_due"] == 8
    assert reports[1].counts["without_lead"] == 4


# --- the page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["coordinator", "superuser"])
def test_coordinator_sees_the_findings_grouped_by_kind(client, world, name):
    response = login(client, world, name).get(check_url(world["plan"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vor dem Veröffentlichen prüfen" in html
    assert "blockiert das Veröffentlichen" in html
    report = response.context["report"]
    assert titles(report)["without_lead"] == ["Gründerzentrum"]
    assert titles(report)["without_budget"] == ["Kreativquartier"]
    assert titles(report)["past_due"] == ["Stadtteilfeste"]
    for kind in ("Ohne Federführung", "Ohne Budgetzeile", "Ohne datierten Zeitplan"):
        assert kind in html
    foreign = world["foreign"]
    assert reverse("admin:actionplan_measure_change", args=[foreign.pk]) in html
    assert foreign.full_label in html


@pytest.mark.parametrize(("name", "status"), [("editor", 404), ("reader", 404), ("staff", 302)])
def test_others_find_no_check(client, world, name, status):
    response = login(client, world, name).get(check_url(world["plan"]))
    assert response.status_code == status


def test_anonymous_is_sent_to_the_login(client, world):
    response = client.get(check_url(world["plan"]))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_coordinator_of_another_plan_finds_no_check(client, world):
    other = PlanFactory(slug="fremd")
    response = login(client, world, "coordinator").get(check_url(other))
    assert response.status_code == 404
    assert (
        login(client, world, "coordinator").get("/admin/pruefen/gibt-es-nicht/").status_code == 404
    )


def test_check_page_queries_do_not_grow_with_the_measures(client, world, django_assert_num_queries):
    login(client, world, "coordinator")
    url = check_url(world["plan"])
    client.get(url)  # content types and other per-process caches
    with django_assert_num_queries(CHECK_PAGE_QUERIES):
        assert client.get(url).status_code == 200
    for i in range(6):
        MeasureFactory(field=world["field"], title=f"Leer {i}")
    with django_assert_num_queries(CHECK_PAGE_QUERIES):
        response = client.get(url)
    assert response.context["report"].counts["without_lead"] == 7


# --- the start page and the plan's change form ----------------------------------------------------


def test_start_page_shows_the_counts_and_the_link_for_coordinators(client, world):
    response = login(client, world, "coordinator").get("/admin/")
    html = response.content.decode()
    (report,) = response.context["quality_reports"]
    assert report.plan == world["plan"]
    assert report.counts == {
        "without_lead": 1,
        "without_dates": 0,
        "without_budget": 1,
        "past_due": 1,
    }
    assert "Vor dem Veröffentlichen prüfen" in html
    assert check_url(world["plan"]) in html


def test_start_page_of_an_editor_has_no_check(client, world):
    response = login(client, world, "editor").get("/admin/")
    assert "quality_reports" not in response.context
    assert check_url(world["plan"]) not in response.content.decode()


def test_plan_change_form_shows_the_notice_and_publishing_still_works(client, world):
    plan = world["plan"]
    plan.status = ap.Plan.Status.DRAFT
    plan.save()
    url = reverse("admin:actionplan_plan_change", args=[plan.pk])
    response = login(client, world, "coordinator").get(url)
    html = response.content.decode()
    assert response.context["quality_report"].measure_count == 3
    assert "Vor dem Veröffentlichen prüfen" in html
    assert check_url(plan) in html
    # publishing with findings: the action publishes the plan anyway
    response = client.post(
        reverse("admin:actionplan_plan_changelist"),
        {"action": "publish_with_reviewed", "_selected_action": [plan.pk]},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == ap.Plan.Status.PUBLISHED
    assert quality_findings(plan).measure_count == 3


def test_plan_change_form_of_a_complete_plan_has_no_notice(client, world):
    plan = PlanFactory(slug="vollstaendig")
    field = FieldOfActionFactory(plan=plan, position=1)
    complete(MeasureFactory(field=field), world["kulturamt"], due=TODAY + datetime.timedelta(400))
    response = login(client, world, "superuser").get(
        reverse("admin:actionplan_plan_change", args=[plan.pk])
    )
    assert response.context["quality_report"].measure_count == 0
    assert "Vor dem Veröffentlichen prüfen" not in response.content.decode()
