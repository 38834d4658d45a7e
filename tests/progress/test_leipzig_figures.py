"""The dashboard's figures on the Leipzig plan equal those worked out by hand from the seed.

The expected numbers below are read off the printed plan (/work/shared/seeds/004_*.txt,
``fixtures/leipzig-2011.seed.txt``): its „Zeitplan“ and „Budget Creative Cities“ sections,
with each schedule phrase's end date written out by hand. They are not computed by the code
under test. The Leipzig demo loads every measure as “planned”.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse

from actionplan.models import Measure
from progress.selectors import plan_progress

pytestmark = pytest.mark.django_db

D = datetime.date
BERLIN = datetime.timezone(datetime.timedelta(hours=2))

# Per field (in plan order): measures, and the schedule entries that have an end, with the end
# a reader takes from the printed phrase. Entries without an end („ab März 2011, permanente
# Aktualisierung“, „Start der Maßnahmen ab Q3 2011“, „im Anschluss an Mapping“) are no milestones.
SEED_MILESTONES = {
    "Netzwerke": [
        ("A", "Januar 2011: Arbeitsaufnahme", D(2011, 1, 31)),
        ("A", "21. Februar 2011: öffentliche Vorstellung", D(2011, 2, 21)),
        ("A", "März 2011 – Dezember 2012: Umsetzung", D(2012, 12, 31)),
        ("B", "März 2011 – Dezember 2012", D(2012, 12, 31)),
        ("C", "… Studie zur Medien- und Kreativwirtschaft im Juni 2011", D(2011, 6, 30)),
    ],
    "Bildung & Beschäftigung": [],
    "Marketing": [
        ("A", "Ausschreibung Kommunikationskonzepterarbeitung ca. Juli 2011", D(2011, 7, 31)),
        ("A", "Umsetzung bis 2012", D(2012, 12, 31)),
        ("B", "Einspeisen von weiteren Datenquellen Mai 2011", D(2011, 5, 31)),
        ("B", "Klärung Betreibermodell Juli 2011 geplant", D(2011, 7, 31)),
        ("B", "Ausbau von Info- zu Kommunikationsplattform 2012", D(2012, 12, 31)),
        ("C", "Erstellung Businessplan … II. Quartal 2011", D(2011, 6, 30)),
    ],
    "Stadtentwicklung": [("A", "2011 - 2012", D(2012, 12, 31))],
    "Finanzierung": [("", "ab Herbst 2011 bis Ende 2012", D(2012, 12, 31))],
}
MEASURES_PER_FIELD = {
    "Netzwerke": 3,
    "Bildung & Beschäftigung": 1,
    "Marketing": 3,
    "Stadtentwicklung": 1,
    "Finanzierung": 2,
}
# „Budget Creative Cities“: the categories each measure names; every line's source is
# Creative Cities; the plan gives no amounts.
SEED_BUDGET = {
    "Personalkosten": {"lines": 9, "measures": 9},
    "Auftragsvergabe": {"lines": 5, "measures": 5},
    "Mittel für Öffentlichkeitsarbeit": {"lines": 1, "measures": 1},
}
BUDGET_BY_FIELD_AND_CATEGORY = {
    "Netzwerke": {"Personalkosten": 3, "Auftragsvergabe": 1},
    "Bildung & Beschäftigung": {"Personalkosten": 1},
    "Marketing": {"Personalkosten": 3, "Auftragsvergabe": 2, "Mittel für Öffentlichkeitsarbeit": 1},
    "Stadtentwicklung": {"Personalkosten": 1, "Auftragsvergabe": 1},
    "Finanzierung": {"Personalkosten": 1, "Auftragsvergabe": 1},
}
BUDGET_LINES_PER_FIELD = {
    "Netzwerke": 4,
    "Bildung & Beschäftigung": 1,
    "Marketing": 6,
    "Stadtentwicklung": 2,
    "Finanzierung": 2,
}


def _by_title(progress):
    return {fp.field.title: fp.figures for fp in progress.fields}


def _still_running(plan):
    """The plan as if its period had not ended (it ran 2011–2012): overdue counts apply."""
    plan.period_label = "2011–2099"
    plan.save(update_fields=["period_label"])
    return plan


def test_leipzig_figures_on_a_day_in_2026_equal_the_seed(leipzig):
    # The plan ran 2011–2012: in 2026 it has ended, and nothing is overdue any more.
    assert plan_progress(leipzig, None, today=D(2026, 12, 2)).figures.overdue == []
    progress = plan_progress(_still_running(leipzig), None, today=D(2026, 12, 2))
    figs = progress.figures
    assert figs.measure_count == 10
    assert [(s.status, s.count) for s in figs.statuses] == [
        ("planned", 10),
        ("in_progress", 0),
        ("completed", 0),
        ("postponed", 0),
        ("cancelled", 0),
    ]
    assert figs.completed_share == 0.0
    # By 2026 every milestone of the 2011 plan has passed, and nothing is completed.
    assert len(figs.overdue) == 13 == sum(len(v) for v in SEED_MILESTONES.values())
    assert figs.due == []
    per_field = _by_title(progress)
    assert list(per_field) == list(MEASURES_PER_FIELD)
    for title, figures in per_field.items():
        assert figures.measure_count == MEASURES_PER_FIELD[title], title
        assert [(m.measure.code, m.end) for m in figures.overdue] == sorted(
            [(code, end) for code, _label, end in SEED_MILESTONES[title]],
            key=lambda item: item[1],
        ), title
    assert {
        r.name: {"lines": r.lines, "measures": r.measures} for r in figs.budget_by_category
    } == SEED_BUDGET
    assert [(r.name, r.lines, r.measures) for r in figs.budget_by_source] == [
        ("Creative Cities", 15, 10)
    ]
    assert (figs.budget_total.lines, figs.budget_total.planned, figs.has_amounts) == (
        15,
        None,
        False,
    )
    assert {t: f.budget_total.lines for t, f in per_field.items()} == BUDGET_LINES_PER_FIELD
    assert {
        t: {r.name: r.lines for r in f.budget_by_category} for t, f in per_field.items()
    } == BUDGET_BY_FIELD_AND_CATEGORY


def test_leipzig_budget_table_by_field_and_category(client, leipzig):
    response = client.get(reverse("progress:plan_dashboard", args=[leipzig.slug]))
    matrix = response.context["budget_matrix"]
    cells = {
        row["field"].title: {
            name: cell.lines
            for name, cell in zip(matrix["categories"], row["cells"], strict=True)
            if cell
        }
        for row in matrix["rows"]
    }
    assert cells == BUDGET_BY_FIELD_AND_CATEGORY
    assert 'id="table-budget-field"' in response.content.decode()


def test_leipzig_figures_in_may_2011_split_due_and_overdue(leipzig):
    progress = plan_progress(leipzig, None, today=D(2011, 5, 15))
    figs = progress.figures
    assert progress.horizon == D(2011, 8, 13)
    # Overdue: the ends before 15 May 2011. Due: the ends from 15 May to 13 August 2011.
    assert [m.end for m in figs.overdue] == [D(2011, 1, 31), D(2011, 2, 21)]
    assert [m.end for m in figs.due] == [
        D(2011, 5, 31),  # Marketing B, Mai 2011
        D(2011, 6, 30),  # Netzwerke C, Juni 2011
        D(2011, 6, 30),  # Marketing C, II. Quartal 2011
        D(2011, 7, 31),  # Marketing A, ca. Juli 2011
        D(2011, 7, 31),  # Marketing B, Juli 2011
    ]
    assert figs.overdue[0].days_overdue == 104
    assert figs.due[0].days == 16
    per_field = _by_title(progress)
    assert (len(per_field["Netzwerke"].due), len(per_field["Netzwerke"].overdue)) == (1, 2)
    assert (len(per_field["Marketing"].due), len(per_field["Marketing"].overdue)) == (4, 0)


def test_leipzig_completed_and_cancelled_measures_are_never_overdue(leipzig):
    network_a = Measure.objects.get(field__plan=leipzig, field__position=1, code="A")
    marketing_b = Measure.objects.get(field__plan=leipzig, field__slug="marketing", code="B")
    network_a.status = Measure.Status.COMPLETED
    network_a.save()
    marketing_b.status = Measure.Status.CANCELLED
    marketing_b.save()
    figs = plan_progress(_still_running(leipzig), None, today=D(2026, 12, 2)).figures
    assert figs.completed == 1
    assert figs.completed_share == 10.0
    assert figs.count(Measure.Status.CANCELLED) == 1
    # 13 milestones less Netzwerke A's three and Marketing B's three.
    assert len(figs.overdue) == 7
    assert {m.measure.pk for m in figs.overdue}.isdisjoint({network_a.pk, marketing_b.pk})


def _dashboard(client):
    return client.get(reverse("progress:plan_dashboard", args=["leipzig-2011"]))


def test_overdue_milestone_appears_when_the_clock_passes_its_end(client, leipzig):
    label = "Einspeisen von weiteren Datenquellen Mai 2011"
    with time_machine.travel(datetime.datetime(2011, 5, 31, 12, tzinfo=BERLIN), tick=False):
        before = _dashboard(client)
        etag = before["ETag"]
        assert before.status_code == 200
        assert [m.entry.label for m in before.context["progress"].figures.overdue] == [
            "Januar 2011: Arbeitsaufnahme",
            "21. Februar 2011: öffentliche Vorstellung bei der Veranstaltung im Werk II",
        ]
        assert label in [m.entry.label for m in before.context["progress"].figures.due]
        # the same day: the cached page, or 304
        assert _dashboard(client).content == before.content
        assert client.get(before.request["PATH_INFO"], HTTP_IF_NONE_MATCH=etag).status_code == 304
    with time_machine.travel(datetime.datetime(2011, 6, 1, 8, tzinfo=BERLIN), tick=False):
        after = _dashboard(client)
        assert after.status_code == 200
        assert after["ETag"] != etag
        overdue = after.context["progress"].figures.overdue
        assert label in [m.entry.label for m in overdue]
        assert len(overdue) == 3
        html = after.content.decode()
        overdue_table = html[html.index('id="table-overdue"') : html.index('id="table-due"')]
        assert label in overdue_table
        assert "31.05.2011" in overdue_table
