"""The measure admin on a large plan (issue 22): the list filtered to the plan and a measure's
change form ask the database a pinned number of times – the same for a plan of 10 measures and
one of 200, for a superuser, the plan's coordinator and an editor whose organisation leads the
measure. The large plan's measure also has more rows of every kind (steps and sub-steps,
schedule entries, responsibilities, budget lines, council papers with consultations, related
measures; one of each in the small plan): the count grows with neither.

Timings: ``scripts/bench_public.py --pages admin-list,admin-form``, docs/benchmarks.md."""

import re
from dataclasses import dataclass

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access import rules
from access.models import Membership
from actionplan import models as ap
from council.models import Consultation, CouncilPaper
from tests.factories import (
    BudgetLineFactory,
    PersonFactory,
    ResponsibilityFactory,
    ScheduleEntryFactory,
    StepFactory,
    UserFactory,
    build_plan,
)
from tests.shared_data import module_data

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SIZES = {"10 measures": (2, 5), "200 measures": (20, 10)}  # fields × measures per field
ROLES = ("superuser", "coordinator", "editor")

# Measured on SQLite and PostgreSQL: session, user, memberships, savepoints and the content
# types (their cache is cleared before each request) included.
PINNED = {
    # session, user, savepoint; the filters' choices (plans, fields, lead organisations, target
    # groups), the plan for the link to its workbook import, COUNT of the filtered rows and of
    # all (the "x of y" line), the rows and their leads (one prefetch)
    ("superuser", "list"): 13,
    # + memberships, the user's and the groups' model permissions (Django's has_perm); the
    # second COUNT within the user's rows
    ("coordinator", "list"): 16,
    ("editor", "list"): 16,
    # the measure with its leads, its rows inline by inline (one query each; the labels of
    # the chosen organisations and persons once per field), the content type of the council
    # papers (their change links), target groups to choose from, related measures chosen,
    # pending change, documents, council papers with their consultations counted
    ("superuser", "form"): 25,
    ("coordinator", "form"): 28,  # + memberships, the user's and the groups' permissions
    # + the organisation tree (the editor's units), the review's look at the measure before the
    # form (the measure, its leads, its pending change) and one question whether the editor's
    # organisation is responsible (remembered for the ~70 checks); - the field select
    ("editor", "form"): 32,
}


@dataclass
class Case:
    plan_pk: int
    measure_pk: int
    measures: int


@pytest.fixture(scope="module")
def cases(django_db_setup, django_db_blocker):
    """Both plans and the three users, built once for the module and rolled back at its end
    (tests/shared_data.py)."""
    with module_data(django_db_blocker):
        superuser = UserFactory(username="chef", is_staff=True, is_superuser=True)
        coordinator = UserFactory(username="koordination", is_staff=True)
        editor = UserFactory(username="redaktion", is_staff=True)
        built = {}
        for name, (fields, per_field) in SIZES.items():
            plan = build_plan(fields=fields, measures_per_field=per_field, steps_per_measure=3)
            measures = list(ap.Measure.objects.filter(field__plan=plan).order_by("pk"))
            measure = measures[len(measures) // 2]
            related = [m for m in measures if m.pk != measure.pk]
            # one row of every kind in the small plan, six in the large one
            large = name == "200 measures"
            thicken(measure, rows=6 if large else 1)
            measure.related_measures.set(related[: 60 if large else 3])
            lead = measure.responsibilities.get(role=ap.Responsibility.Role.LEAD).organisation
            Membership.objects.create(user=coordinator, plan=plan, role=Membership.Role.COORDINATOR)
            Membership.objects.create(
                user=editor, plan=plan, role=Membership.Role.EDITOR, organisation=lead
            )
            built[name] = Case(plan.pk, measure.pk, len(measures))
        yield {"users": (superuser.pk, coordinator.pk, editor.pk), **built}


def thicken(measure, rows: int) -> None:
    """More inline rows of every kind than a generated measure has."""
    tops = list(measure.steps.filter(parent=None))
    for i, top in enumerate(tops):
        StepFactory(measure=measure, parent=top, position=1, text=f"Teilschritt {i}")
    for i in range(rows):
        StepFactory(measure=measure, position=10 + i)
        ScheduleEntryFactory(measure=measure, position=10 + i, label=f"{2012 + i}")
        ResponsibilityFactory(measure=measure, position=10 + i, person=PersonFactory())
        BudgetLineFactory(measure=measure, position=10 + i)
        paper = CouncilPaper.objects.create(measure=measure, reference=f"DS-V/{i}")
        for j in range(2):
            Consultation.objects.create(paper=paper, committee=f"Ausschuss {j}")


def user_for(cases, role):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=cases["users"][ROLES.index(role)])


def page_url(case: Case, page: str) -> str:
    if page == "list":
        url = reverse("admin:actionplan_measure_changelist")
        return f"{url}?field__plan__id__exact={case.plan_pk}"
    return reverse("admin:actionplan_measure_change", args=[case.measure_pk])


def get_counted(client, url):
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["list", "form"])
@pytest.mark.parametrize("role", ROLES)
def test_measure_admin_query_count_is_pinned_for_10_and_200_measures(
    client, cases, role, page, django_assert_num_queries
):
    client.force_login(user_for(cases, role))
    for name in SIZES:
        case = cases[name]
        url = page_url(case, page)
        ContentType.objects.clear_cache()
        with django_assert_num_queries(PINNED[role, page]):
            response = client.get(url)
        assert response.status_code == 200, (name, url)
        if page == "list":
            changelist = response.context["cl"]
            assert changelist.result_count == case.measures
            assert len(changelist.result_list) == min(case.measures, changelist.list_per_page)
        else:
            # the editable form, not a read-only view of it
            assert response.context["has_change_permission"], (name, role)
            assert response.context["original"].pk == case.measure_pk


def test_related_measures_and_field_are_no_lists_of_the_plan(client, cases):
    """The change form of a measure in a 200-measure plan offers no select of its measures:
    related measures come from the autocomplete (only the chosen ones are in the page), and the
    field select lists the plan's fields."""
    client.force_login(user_for(cases, "coordinator"))
    case = cases["200 measures"]
    response, _ = get_counted(client, page_url(case, "form"))
    form = response.context["adminform"].form
    widget = form.fields["related_measures"].widget
    assert widget.__class__.__name__ == "RelatedFieldWidgetWrapper"
    assert widget.widget.__class__.__name__ == "AutocompleteSelectMultiple"
    select = re.search(
        r'<select name="related_measures".*?</select>', response.content.decode(), re.S
    ).group(0)
    # the 60 chosen related measures are in the page, the other 139 measures of the plan not
    assert select.count("<option") == 60
    assert select.count(" selected") == 60
    assert form.fields["field"].queryset.filter(plan_id=case.plan_pk).count() == 20


def test_editor_checks_are_remembered_only_within_the_block(cases):
    """Within ``remembered_editor_checks()`` the responsibility question is asked once per
    measure; outside, a changed responsibility counts at once."""
    editor = user_for(cases, "editor")
    measure = ap.Measure.objects.select_related("field").get(pk=cases["10 measures"].measure_pk)
    with rules.remembered_editor_checks():
        with CaptureQueriesContext(connection) as ctx:
            answers = [rules.can_change(editor, measure) for _ in range(5)]
    assert answers == [True] * 5
    assert sum("actionplan_responsibility" in q["sql"] for q in ctx.captured_queries) == 1
    measure.responsibilities.all().delete()
    assert not rules.can_change(editor, measure)
    with rules.remembered_editor_checks():
        assert not rules.can_change(editor, measure)


def test_row_links_of_a_filtered_list_keep_the_filters(client, cases):
    """The rows of the filtered list link to the change forms with the list's filters, as
    Django's own links do (``RowLinksChangeList`` adds them without resolving each link)."""
    client.force_login(user_for(cases, "superuser"))
    case = cases["200 measures"]
    response = client.get(page_url(case, "list") + "&status__exact=planned&o=2.-1")
    content = response.content.decode()
    changelist = response.context["cl"]
    measure = changelist.result_list[0]
    change = reverse("admin:actionplan_measure_change", args=[measure.pk])
    filters = f"field__plan__id__exact%3D{case.plan_pk}%26status__exact%3Dplanned%26o%3D2.-1"
    assert f'href="{change}?_changelist_filters={filters}"' in content
    assert content.count("?_changelist_filters=") >= 2 * len(changelist.result_list)
