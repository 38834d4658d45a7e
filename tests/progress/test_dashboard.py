"""The dashboard page: visibility of drafts, caching, query counts, accessible markup."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from access.models import Membership
from actionplan import models as ap
from progress import charts
from progress.selectors import MILESTONE_ROWS, plan_progress
from tests.factories import (
    BudgetCategoryFactory,
    ResponsibilityFactory,
    UserFactory,
    build_plan,
)

pytestmark = pytest.mark.django_db

DRAFT_CATEGORY = "GEHEIM-KATEGORIE"


def _url(plan, language="de"):
    from django.utils import translation

    with translation.override(language):
        return reverse("progress:plan_dashboard", args=[plan.slug])


@pytest.fixture
def with_draft(leipzig):
    """A draft measure in the Leipzig plan, in progress, with a budget line of its own category
    and amount, and an editor for the organisation responsible for it."""
    field = leipzig.fields.get(slug="marketing")
    draft = ap.Measure.objects.create(
        field=field,
        position=99,
        code="Z",
        title="Entwurfsmaßnahme",
        status=ap.Measure.Status.IN_PROGRESS,
        state=ap.Measure.State.DRAFT,
    )
    ap.ScheduleEntry.objects.create(measure=draft, position=1, label="Dezember 2099")
    ap.BudgetLine.objects.create(
        measure=draft,
        position=1,
        category=BudgetCategoryFactory(name=DRAFT_CATEGORY),
        planned_amount=Decimal("4711.00"),
    )
    resp = ResponsibilityFactory(measure=draft, position=1)
    editor = UserFactory(username="editor", is_staff=True)
    Membership.objects.create(
        user=editor, plan=leipzig, role=Membership.Role.EDITOR, organisation=resp.organisation
    )
    return {"plan": leipzig, "measure": draft, "editor": editor}


def _figures_seen_by(client, plan):
    response = client.get(_url(plan))
    assert response.status_code == 200
    return response, response.context["progress"].figures


def test_draft_measure_absent_for_anonymous_visitors(client, with_draft):
    response, figs = _figures_seen_by(client, with_draft["plan"])
    assert figs.measure_count == 10
    assert figs.count(ap.Measure.Status.IN_PROGRESS) == 0
    assert figs.budget_total.lines == 15
    html = response.content.decode()
    for secret in (DRAFT_CATEGORY, "4.711", "Entwurfsmaßnahme", "Dezember 2099"):
        assert secret not in html


def test_draft_measure_absent_for_staff_without_a_role(client, with_draft):
    client.force_login(UserFactory(username="ohne-rolle", is_staff=True))
    response, figs = _figures_seen_by(client, with_draft["plan"])
    assert figs.measure_count == 10
    assert DRAFT_CATEGORY not in response.content.decode()
    assert "ETag" not in response  # a signed-in request neither fills nor reads the cache


def test_draft_measure_present_for_its_editor(client, with_draft):
    client.force_login(with_draft["editor"])
    response, figs = _figures_seen_by(client, with_draft["plan"])
    assert figs.measure_count == 11
    assert figs.count(ap.Measure.Status.IN_PROGRESS) == 1
    assert figs.budget_total.planned == Decimal("4711.00")
    html = response.content.decode()
    assert DRAFT_CATEGORY in html
    assert "4.711,00" in html


def test_anonymous_page_after_the_editor_holds_no_draft(client, with_draft):
    """The editor's page must never be what the public cache hands out next."""
    editor = Client()
    editor.force_login(with_draft["editor"])
    assert DRAFT_CATEGORY in editor.get(_url(with_draft["plan"])).content.decode()
    assert DRAFT_CATEGORY not in client.get(_url(with_draft["plan"])).content.decode()


def test_draft_plan_dashboard_answers_404_to_the_public(client):
    plan = build_plan(fields=1, measures_per_field=1, status=ap.Plan.Status.DRAFT, slug="geheim")
    assert client.get(_url(plan)).status_code == 404
    client.force_login(UserFactory(username="ohne-rolle", is_staff=True))
    assert client.get(_url(plan)).status_code == 404
    reader = UserFactory(username="leser", is_staff=True)
    Membership.objects.create(user=reader, plan=plan, role=Membership.Role.READER)
    client.force_login(reader)
    assert client.get(_url(plan)).status_code == 200


def test_unknown_plan_answers_404(client):
    assert client.get("/plaene/gibt-es-nicht/stand/").status_code == 404


def test_dashboard_answers_304_to_a_matching_etag(client, leipzig):
    first = client.get(_url(leipzig))
    assert first.status_code == 200 and first["ETag"]
    assert "no-cache" in first["Cache-Control"]
    again = client.get(_url(leipzig), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    # a change to the plan gives a new ETag
    measure = ap.Measure.objects.filter(field__plan=leipzig).first()
    measure.status = ap.Measure.Status.COMPLETED
    measure.save()
    changed = client.get(_url(leipzig), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed.context["progress"].figures.completed == 1


def test_dashboard_in_english(client, leipzig):
    response = client.get(_url(leipzig, "en"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Measures by status" in html
    assert "Planned" in html


def test_dashboard_charts_are_accessible_and_csp_clean(client, leipzig):
    html = client.get(_url(leipzig)).content.decode()
    # On screen a chart is HTML text (labels, values) beside SVG bars, so that its text keeps
    # its size on a phone; the chart as a whole is one image with a title and a description.
    charts = re.findall(r'<div class="hchart[^"]*" role="img".*?\n</div>', html, flags=re.S)
    assert len(charts) == 7  # status, fields, category, source; programme, year, kind
    for chart in charts:
        ids = re.search(r'aria-labelledby="([^"]+)"', chart).group(1).split()
        assert len(ids) == 2
        assert f'id="{ids[0]}">' in chart and f'id="{ids[1]}">' in chart
        bars = re.findall(r"<svg\b.*?</svg>", chart, flags=re.S)
        assert bars and all('aria-hidden="true"' in bar for bar in bars)
        assert "<text" not in chart  # no SVG text that a viewBox could shrink
        # numbers in SVG attributes never take the German decimal comma
        for bar in bars:
            for value in re.findall(r'\b(?:x|y|width|height)="([^"]*)"', bar):
                assert re.fullmatch(r"-?\d+(\.\d+)?", value), value
    labels = re.findall(r'<span class="hchart__label">([^<]*)</span>', charts[0])
    assert labels == ["Geplant", "In Umsetzung", "Abgeschlossen", "Zurückgestellt", "Abgebrochen"]
    # a data table beside each chart
    assert html.count("<table") >= 5  # the ended plan has no milestone tables
    assert "style=" not in html
    assert "<script" not in html.replace('<script type="application/ld+json">', "")  # data
    response = client.get(_url(leipzig))
    assert "progress/dashboard.css" in response.content.decode()


def test_plan_page_links_to_the_dashboard(client, leipzig):
    html = client.get(leipzig.get_absolute_url()).content.decode()
    assert f'href="{_url(leipzig)}"' in html


def test_user_text_is_escaped_in_charts_and_tables(client, leipzig):
    field = leipzig.fields.get(slug="marketing")
    field.title = '<script>alert("x")</script> & Co'
    field.save()
    html = client.get(_url(leipzig)).content.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


# --- query counts -------------------------------------------------------------------------------

# Anonymous, cache miss: the plan (public_cache), fields, measures, milestones, budget lines,
# plus the two statements of the ATOMIC_REQUESTS savepoint.
# One more reads the period from the schedule entries (the plans built here have no label),
# one more the plan's public indicators with their values and targets (indicators).
ANONYMOUS_QUERIES = 9
# A repeated request is answered by actionplan.public_cache.PublicPageMiddleware: no query.
CACHED_QUERIES = 0
# A signed-in reader of the plan: session, user, memberships, then the plan and the same four.
STAFF_QUERIES = 12


@pytest.mark.parametrize("size", [(1, 2), (20, 10)], ids=["small", "large"])
def test_query_count_does_not_grow_with_the_plan(client, size, django_assert_num_queries):
    fields, measures = size
    plan = build_plan(fields=fields, measures_per_field=measures, slug="plan")
    assert plan_progress(plan, None).figures.measure_count == fields * measures
    with django_assert_num_queries(ANONYMOUS_QUERIES):
        assert client.get(_url(plan)).status_code == 200
    with django_assert_num_queries(CACHED_QUERIES):
        assert client.get(_url(plan)).status_code == 200
    reader = UserFactory(username="leser", is_staff=True)
    Membership.objects.create(user=reader, plan=plan, role=Membership.Role.READER)
    member = Client()
    member.force_login(reader)
    with django_assert_num_queries(STAFF_QUERIES):
        assert member.get(_url(plan)).status_code == 200


# --- chart geometry -----------------------------------------------------------------------------


def test_bar_chart_scales_to_the_largest_value():
    chart = charts.bar_chart(
        [("a", 10, "10", "x"), ("b", 5, "5", "x"), ("c", 0, "0", "x")], title="T", desc="D"
    )
    widths = [bar.width for bar in chart.bars]
    assert widths[0] == charts.BAR_AREA
    assert widths[1] == charts.BAR_AREA / 2
    assert 0 < widths[2] < 2  # a hairline, not nothing
    assert chart.height == 3 * charts.ROW_HEIGHT + 2 * charts.PAD
    assert [bar.y for bar in chart.bars] == sorted(bar.y for bar in chart.bars)


def test_stacked_chart_shares_fill_the_bar():
    chart = charts.stacked_chart(
        [("f", [("p", 1, "1", "x"), ("i", 3, "3", "y"), ("c", 0, "0", "z")]), ("leer", [])],
        title="T",
        desc="D",
    )
    first, empty = chart.rows
    assert [s.width for s in first.segments] == [charts.BAR_AREA / 4, charts.BAR_AREA * 3 / 4]
    assert first.segments[1].x == charts.LABEL_WIDTH + charts.BAR_AREA / 4
    assert empty.segments == []


def test_short_label_keeps_short_text_and_cuts_long_text():
    assert charts.short_label("Marketing") == "Marketing"
    cut = charts.short_label("Kommunikationskonzepterarbeitung und noch viel mehr Text")
    assert len(cut) == charts.LABEL_CHARS and cut.endswith("…")


def test_long_milestone_lists_show_the_first_rows_and_the_whole_count(client):
    plan = build_plan(fields=5, measures_per_field=20, steps_per_measure=1, slug="lang")
    plan.period_label = "2011–2099"  # still running: overdue counts apply
    plan.save(update_fields=["period_label"])
    # build_plan cycles the five statuses: 60 of 100 measures are open, each with one
    # „II. Quartal 2011“ entry, long overdue.
    response = client.get(_url(plan))
    figs = response.context["progress"].figures
    assert len(figs.overdue) == 60
    html = response.content.decode()
    table = html[html.index('id="table-overdue"') : html.index('id="table-due"')]
    assert table.count("<tr>") == 1 + MILESTONE_ROWS  # head and the shown rows
    assert f"Die ersten {MILESTONE_ROWS} von 60 Meilensteinen" in html
    assert '<a href="#overdue">60</a>' in html


def test_if_modified_since_counts_from_midnight(client, leipzig):
    """The plan did not change, but the day did: due and overdue may have moved."""
    import datetime

    import time_machine
    from django.utils import timezone
    from django.utils.http import parse_http_date

    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    with time_machine.travel(tomorrow, tick=False):
        first = client.get(_url(leipzig))
        midnight = timezone.make_aware(datetime.datetime.combine(tomorrow.date(), datetime.time()))
        # the plan's stamp is from today: the page is new since tomorrow's midnight
        assert parse_http_date(first["Last-Modified"]) == int(midnight.timestamp())
        same_day = client.get(_url(leipzig), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert same_day.status_code == 304
    with time_machine.travel(tomorrow + datetime.timedelta(days=1), tick=False):
        next_day = client.get(_url(leipzig), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert next_day.status_code == 200
        assert next_day["ETag"] != first["ETag"]


def test_a_stored_dashboard_of_yesterday_is_not_served_today(client, leipzig):
    """The stored answer below WhiteNoise is kept per plan stamp and per day."""
    import datetime

    import time_machine
    from django.utils import timezone

    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    with time_machine.travel(tomorrow, tick=False):
        first = client.get(_url(leipzig))
        assert client.get(_url(leipzig))["ETag"] == first["ETag"]  # stored, same day
    with time_machine.travel(tomorrow + datetime.timedelta(days=1), tick=False):
        assert client.get(_url(leipzig))["ETag"] != first["ETag"]


def test_budget_amounts_are_summed_by_category_and_source(client):
    # build_plan gives measure i of a field one line of 1000 × (i + 1) EUR, categories
    # alternating Personalkosten / Auftragsvergabe, all from one funding source.
    plan = build_plan(fields=1, measures_per_field=3, steps_per_measure=1, slug="betraege")
    response = client.get(_url(plan))
    figs = response.context["progress"].figures
    assert {r.name: r.planned for r in figs.budget_by_category} == {
        "Personalkosten": Decimal("4000.00"),
        "Auftragsvergabe": Decimal("2000.00"),
    }
    assert [(r.lines, r.planned) for r in figs.budget_by_source] == [(3, Decimal("6000.00"))]
    assert figs.budget_total.planned == Decimal("6000.00")
    assert figs.budget_total.actual is None
    html = response.content.decode()
    assert "6.000,00" in html
    assert "4.000,00 €" in html  # the chart's value label
    assert "Summe des Plans 6.000,00 €" in response.context["charts"]["category"].desc


def test_plan_without_measures_shows_zeros(client):
    plan = build_plan(fields=2, measures_per_field=0, slug="leer")
    response = client.get(_url(plan))
    assert response.status_code == 200
    figs = response.context["progress"].figures
    assert (figs.measure_count, figs.completed_share, figs.budget_total.lines) == (0, 0.0, 0)
    assert "Keine Budgetlinien." in response.content.decode()
