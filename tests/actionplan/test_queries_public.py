"""Query counts of the public pages do not grow with the size of the plan."""

from io import StringIO
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from actionplan import models as ap
from tests.actionplan.public_data import build_rich_plan
from tests.factories import build_plan

pytestmark = pytest.mark.django_db


# One budget per page, the same for the Leipzig-sized and the generated large plan. Each
# request page counts two statements for the savepoint of ATOMIC_REQUESTS.
MAX_QUERIES = {
    "index": 7,  # the cache's two stamps, plans, their status counts, campaigns
    # plan, field, measure: + its documents (attachments), plan and measure: + its council
    # papers (council; their consultations only when there are papers)
    "plan": 10,  # one for the list of earlier versions (versions app)
    "field": 10,  # + the indicators linked to the field (indicators)
    # + the campaigns that serve the measure, the previous and next measure, its indicators
    "measure": 18,
    "timeline": 6,
    "list": 10,
    "list_filtered": 13,
    "list_page_2": 10,
    # + the directory's organisations and persons (contacts), the campaigns, the public
    # indicators and the plans of their index pages (indicators)
    "sitemap": 11,
}
# A logged-in staff member costs the session and the user on top.
STAFF_EXTRA = 2


def _urls(plan) -> dict[str, str]:
    fields = list(plan.fields.order_by("position"))
    field = fields[len(fields) // 2]
    measures = list(field.measures.order_by("position"))
    measure = measures[len(measures) // 2]
    others = list(ap.Measure.objects.filter(field__plan=plan).exclude(pk=measure.pk)[:6])
    measure.related_measures.add(*others[:3])
    for other in others[3:]:
        other.related_measures.add(measure)
    # Every filter of the list at once, each matching the chosen measure so the list is not empty.
    group = measure.target_groups.order_by("pk").first()
    resp = measure.responsibilities.filter(organisation__isnull=False).order_by("position").first()
    word = measure.steps.order_by("position").first().text.split()[0]
    dated = measure.schedule.exclude(start_date=None).order_by("position").first()
    measure_list = reverse("actionplan:measure_list", args=[plan.slug])
    return {
        "index": "/",
        "plan": plan.get_absolute_url(),
        "field": field.get_absolute_url(),
        "measure": measure.get_absolute_url(),
        "timeline": reverse("actionplan:plan_timeline", args=[plan.slug]),
        "list": measure_list,
        "list_filtered": (
            f"{measure_list}?q={quote(word)}&field={field.slug}&target_group={group.pk}"
            f"&organisation={resp.organisation_id}&role={resp.role}&status={measure.status}"
            f"&year={dated.start_date.year}"
        ),
        "list_page_2": f"{measure_list}?page=2",
        "sitemap": "/sitemap.xml",
    }


def _big_plan():
    plan = build_plan(fields=20, measures_per_field=10, steps_per_measure=10, slug="gross")
    # build_plan's labels ("II. Quartal 2011") are dated by the schedule parser.
    assert not ap.ScheduleEntry.objects.filter(
        measure__field__plan=plan, start_date__isnull=True
    ).exists()
    return plan


def _check_all(client, plan, django_assert_max_num_queries, extra=0):
    for page, url in _urls(plan).items():
        with django_assert_max_num_queries(MAX_QUERIES[page] + extra, info=page):
            response = client.get(url)
        assert response.status_code == 200, (page, url)
        if page == "list_filtered":
            flt = response.context["filter"]
            assert None not in (flt.field, flt.target_group, flt.organisation, flt.year), flt
            assert flt.role and flt.status and flt.query
            assert response.context["page"].paginator.count >= 1


def test_public_pages_query_budget_on_leipzig_sized_plan(django_assert_max_num_queries):
    plan = build_rich_plan(slug="leipzig")
    _check_all(Client(), plan, django_assert_max_num_queries)


def test_public_pages_query_budget_on_leipzig_demo_data(django_assert_max_num_queries):
    call_command("load_demo_data", stdout=StringIO())
    _check_all(Client(), ap.Plan.objects.get(), django_assert_max_num_queries)


def test_public_pages_query_budget_on_large_generated_plan(django_assert_max_num_queries):
    plan = _big_plan()
    assert ap.Measure.objects.filter(field__plan=plan).count() == 200
    assert ap.Step.objects.filter(measure__field__plan=plan).count() == 2000
    _check_all(Client(), plan, django_assert_max_num_queries)


def test_public_pages_query_budget_for_staff_on_large_plan(
    staff_client, django_assert_max_num_queries
):
    plan = _big_plan()
    build_plan(fields=2, measures_per_field=2, status=ap.Plan.Status.DRAFT, slug="entwurf")
    _check_all(staff_client, plan, django_assert_max_num_queries, extra=STAFF_EXTRA)
