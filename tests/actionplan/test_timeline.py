import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from actionplan.timeline import (
    Axis,
    build_axis,
    layout_bar,
    measure_timeline,
    plan_timeline,
    position_classes,
    positions_stylesheet,
)

D = datetime.date


def entry(start=None, end=None, label="x"):
    return SimpleNamespace(start_date=start, end_date=end, label=label, approximate=False)


def test_axis_covers_whole_quarters_of_the_dated_entries():
    axis = build_axis(
        [entry(D(2011, 2, 21), D(2011, 2, 21)), entry(D(2011, 3, 1), D(2012, 12, 31))]
    )
    assert (axis.start, axis.end) == (D(2011, 1, 1), D(2012, 12, 31))
    assert axis.months == 24


def test_axis_is_none_without_dated_entries():
    assert build_axis([entry(), entry()]) is None
    assert build_axis([]) is None


def test_axis_gets_a_spare_quarter_for_open_ends():
    axis = build_axis([entry(D(2011, 7, 1)), entry(D(2011, 4, 1), D(2011, 6, 30))])
    assert (axis.start, axis.end) == (D(2011, 4, 1), D(2011, 12, 31))
    axis = build_axis([entry(None, D(2012, 12, 31))])
    assert (axis.start, axis.end) == (D(2012, 7, 1), D(2012, 12, 31))


def test_position_is_linear_in_months_and_days():
    axis = Axis(2011 * 12, 2011 * 12 + 11)  # the year 2011
    assert axis.position(D(2011, 1, 1)) == 0
    assert axis.position(D(2011, 7, 1)) == pytest.approx(50)
    assert axis.position(D(2011, 4, 16)) == pytest.approx((3 + 15 / 30) / 12 * 100)
    assert axis.end_position(D(2011, 12, 31)) == 100
    assert axis.position(D(2010, 5, 1)) == 0  # clamped
    assert axis.position(D(2013, 5, 1)) == 100


def test_bar_spans_from_start_to_end_inclusive():
    axis = Axis(2011 * 12, 2012 * 12 + 11)
    bar = layout_bar(axis, entry(D(2011, 4, 1), D(2011, 6, 30)))
    assert (bar.left, bar.width) == (pytest.approx(12.5), pytest.approx(12.5))
    assert not (bar.open_start or bar.open_end or bar.is_point)


def test_open_end_runs_to_the_axis_end_and_open_start_from_its_beginning():
    axis = Axis(2011 * 12, 2012 * 12 + 11)
    later = layout_bar(axis, entry(D(2011, 7, 1)))
    assert later.open_end and not later.open_start
    assert later.left + later.width == pytest.approx(100)
    until = layout_bar(axis, entry(None, D(2011, 12, 31)))
    assert until.open_start and until.left == 0 and until.width == pytest.approx(50)


def test_single_day_is_a_point():
    axis = Axis(2011 * 12, 2012 * 12 + 11)
    bar = layout_bar(axis, entry(D(2011, 2, 21), D(2011, 2, 21)))
    assert bar.is_point
    assert bar.left == pytest.approx((1 + 20 / 28) / 24 * 100, abs=0.001)
    assert not layout_bar(axis, entry(D(2011, 2, 1), D(2011, 3, 31))).is_point


def test_ticks_label_years_and_quarters():
    axis = Axis(2011 * 12 + 3, 2012 * 12 + 5)  # Q2 2011 .. Q2 2012
    assert [t.label for t in axis.years] == ["2011", "2012"]
    assert [t.width for t in axis.years] == [pytest.approx(9 / 15 * 100), pytest.approx(40)]
    assert [t.label for t in axis.quarters] == ["Q2", "Q3", "Q4", "Q1", "Q2"]
    assert sum(t.width for t in axis.quarters) == pytest.approx(100)


def test_grid_classes_put_year_lines_on_january():
    axis = Axis(2011 * 12 + 6, 2012 * 12 + 5)  # 07/2011 .. 06/2012
    assert axis.grid_classes == "tl-q-4 tl-j-2"
    css = positions_stylesheet()
    assert ".tl-q-4{--q:25.0000%}" in css
    assert ".tl-j-2{--y0:calc(var(--q) * 2)}" in css


def test_position_classes_round_to_a_tenth_of_a_percent_within_the_axis():
    assert position_classes(SimpleNamespace(left=12.345, width=30.0)) == "tl-l-123 tl-w-300"
    assert position_classes(SimpleNamespace(left=99.96, width=100.4)) == "tl-l-1000 tl-w-1000"
    css = positions_stylesheet()
    assert ".tl-l-123{left:12.3%}" in css and ".tl-w-300{width:30%}" in css
    assert ".tl-l-1000{left:100%}" in css and ".tl-l-1001" not in css


def test_positions_stylesheet_in_static_is_up_to_date():
    """The stylesheet is generated; scripts/make_timeline_css.py writes it anew."""
    path = Path(__file__).resolve().parents[2] / "static" / "css" / "timeline-positions.css"
    assert path.read_text() == positions_stylesheet()


def test_measure_timeline_skips_undated_entries():
    axis, bars = measure_timeline([entry(D(2011, 1, 1), D(2011, 1, 31)), entry(label="später")])
    assert axis is not None and len(bars) == 1
    assert measure_timeline([entry()]) == (None, [])


def _field(title, *measures):
    return SimpleNamespace(title=title, measures=SimpleNamespace(all=lambda: list(measures)))


def _measure(title, *entries):
    return SimpleNamespace(title=title, schedule=SimpleNamespace(all=lambda: list(entries)))


def test_plan_timeline_shares_one_axis_and_separates_undated_entries():
    undated = entry(label="im Anschluss an Mapping")
    fields = [
        _field("Netzwerke", _measure("A", entry(D(2011, 1, 1), D(2011, 1, 31)), undated)),
        _field("Marketing", _measure("B", entry(D(2012, 10, 1))), _measure("C")),
    ]
    timeline = plan_timeline(fields)
    assert (timeline.axis.start, timeline.axis.end) == (D(2011, 1, 1), D(2013, 3, 31))
    assert [len(row.bars) for g in timeline.groups for row in g.rows] == [1, 1, 0]
    assert timeline.undated == [(fields[0], fields[0].measures.all()[0], undated)]
    assert [m.title for _, m in timeline.measures_without_schedule] == ["C"]
    assert [row.measure.title for row in timeline.groups[1].dated_rows] == ["B"]


def test_plan_timeline_without_any_date_has_no_axis():
    timeline = plan_timeline([_field("F", _measure("A", entry(label="bald")))])
    assert not timeline.has_dated
    assert len(timeline.undated) == 1
