"""Reads: indicators for the pages, their state against targets, and the report's rows.

One computation (``summarise``) says where an indicator stands on a day: its latest value, the
next target, the distance to it and whether it is on track. The pages feed it model rows; the
report (``indicator_rows``) feeds it a plan document (actionplan/export.py), so that a dated
version's snapshot and "now" read the same way.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import Prefetch, QuerySet

from access import rules
from translations.documents import translated_entries

from .models import Indicator, IndicatorLink, IndicatorTarget, IndicatorValue


@dataclass(frozen=True)
class Point:
    date: datetime.date
    value: Decimal


@dataclass(frozen=True)
class Standing:
    """Where an indicator stands on a day."""

    latest: Point | None
    next_target: Point | None
    distance: Decimal | None  # next target minus latest value (negative: above it)
    on_track: bool | None  # None when there is nothing to compare


def summarise(
    *,
    direction: str,
    baseline: Point | None,
    values: list[Point],
    targets: list[Point],
    on: datetime.date,
) -> Standing:
    """The standing on ``on``: the latest value up to that day, the first target on or after
    it (else the last one), the distance between them, and whether the latest value is on the
    straight line from the baseline (or the first value) to that target or better."""
    values = sorted((p for p in values if p.date <= on), key=lambda p: p.date)
    targets = sorted(targets, key=lambda p: p.date)
    latest = values[-1] if values else None
    upcoming = [t for t in targets if t.date >= on]
    next_target = upcoming[0] if upcoming else (targets[-1] if targets else None)
    if latest is None or next_target is None:
        return Standing(latest, next_target, None, None)
    distance = next_target.value - latest.value
    increase = direction != Indicator.Direction.DECREASE
    start = baseline if baseline is not None and baseline.date < latest.date else None
    if start is None and values and values[0].date < latest.date:
        start = values[0]
    if next_target.date <= latest.date:
        expected = next_target.value  # the target's day has come: it counts as it is
    elif start is None or start.date >= next_target.date:
        return Standing(latest, next_target, distance, None)
    else:
        share = Decimal((latest.date - start.date).days) / Decimal(
            (next_target.date - start.date).days
        )
        expected = start.value + (next_target.value - start.value) * share
    on_track = latest.value >= expected if increase else latest.value <= expected
    return Standing(latest, next_target, distance, on_track)


def standing_of(indicator: Indicator, on: datetime.date) -> Standing:
    """``summarise`` for a model row whose targets and values are prefetched."""
    baseline = (
        Point(indicator.baseline_date, indicator.baseline_value)
        if indicator.baseline_value is not None and indicator.baseline_date is not None
        else None
    )
    return summarise(
        direction=indicator.direction,
        baseline=baseline,
        values=[Point(v.date, v.value) for v in indicator.values.all()],
        targets=[Point(t.date, t.value) for t in indicator.targets.all()],
        on=on,
    )


# --- the pages ---------------------------------------------------------------------------------


def with_rows(qs: QuerySet, user, *, every_link: bool = False) -> QuerySet:
    links = IndicatorLink.objects.select_related("field", "measure", "measure__field")
    if not every_link:
        links = rules.visible_indicator_links(user, links)
    links = links.order_by("field__position", "field__pk", "measure__position", "measure__pk")
    return qs.prefetch_related(
        Prefetch("values", queryset=IndicatorValue.objects.order_by("date")),
        Prefetch("targets", queryset=IndicatorTarget.objects.order_by("date")),
        Prefetch("links", queryset=links),
    )


def plan_indicators(plan, user) -> QuerySet:
    """The plan's indicators this user may see, with values, targets and visible links."""
    qs = rules.visible_indicators(user, Indicator.objects.filter(plan=plan))
    qs = qs.select_related("plan").order_by("name")
    return with_rows(qs, user)


def indicator_for_page(plan, slug: str, user) -> QuerySet:
    return plan_indicators(plan, user).filter(slug=slug)


@dataclass
class IndicatorCard:
    """An indicator as a field, measure or progress page lists it."""

    indicator: Indicator
    standing: Standing
    kinds: list[str] = field(default_factory=list)


def _cards(qs: QuerySet, on: datetime.date, kinds_for) -> list[IndicatorCard]:
    return [IndicatorCard(ind, standing_of(ind, on), kinds_for(ind)) for ind in qs]


def _kinds(indicator, **match) -> list[str]:
    (name, pk), *_rest = match.items()
    return sorted(
        {str(lk.get_kind_display()) for lk in indicator.links.all() if getattr(lk, name) == pk}
    )


def field_indicator_cards(field_of_action, user, on: datetime.date) -> list[IndicatorCard]:
    """The visible indicators linked to this field (directly or through one of its measures)."""
    qs = plan_indicators(field_of_action.plan, user).filter(
        pk__in=rules.visible_indicator_links(
            user, IndicatorLink.objects.filter(field=field_of_action)
        ).values("indicator_id")
    )
    return _cards(
        qs,
        on,
        lambda ind: sorted(
            {
                link.get_kind_display()
                for link in ind.links.all()
                if link.field_id == field_of_action.pk
            }
        ),
    )


def measure_indicator_cards(measure, user, on: datetime.date) -> list[IndicatorCard]:
    """The visible indicators linked to this measure."""
    qs = plan_indicators(measure.field.plan, user).filter(
        pk__in=IndicatorLink.objects.filter(measure=measure).values("indicator_id")
    )
    return _cards(
        qs,
        on,
        lambda ind: _kinds(ind, measure_id=measure.pk),
    )


def plan_indicator_cards(plan, user, on: datetime.date) -> list[IndicatorCard]:
    return _cards(plan_indicators(plan, user), on, lambda ind: [])


# --- the report: rows from a plan document -------------------------------------------------------


@dataclass(frozen=True)
class IndicatorRow:
    key: str
    name: str
    description: str
    unit: str
    direction: str
    source: str
    is_example: bool
    baseline: Point | None
    latest: Point | None
    next_target: Point | None
    distance: Decimal | None
    on_track: bool | None
    field_keys: list[str]
    measure_keys: list[str]


def _point(date_text, value_text) -> Point | None:
    if not date_text or value_text in (None, ""):
        return None
    try:
        return Point(datetime.date.fromisoformat(str(date_text)), Decimal(str(value_text)))
    except (ValueError, InvalidOperation):
        return None


def _points(rows) -> list[Point]:
    points = (_point(row.get("date"), row.get("value")) for row in rows or [])
    return [p for p in points if p is not None]


def indicator_rows(document: dict, *, on: datetime.date) -> list[IndicatorRow]:
    """Per indicator of a plan document (``actionplan.export.plan_export_document``, a
    version's snapshot included): baseline, latest value up to ``on``, next target, distance
    to it, on track, and the linked field and measure keys; in the document's order."""
    result = []
    for entry in (document.get("plan") or {}).get("indicators") or []:
        baseline = entry.get("baseline") or {}
        baseline_point = _point(baseline.get("date"), baseline.get("value"))
        direction = entry.get("direction") or Indicator.Direction.INCREASE
        standing = summarise(
            direction=direction,
            baseline=baseline_point,
            values=_points(entry.get("values")),
            targets=_points(entry.get("targets")),
            on=on,
        )
        links = entry.get("links") or []
        result.append(
            IndicatorRow(
                key=entry.get("key", ""),
                name=entry.get("name", ""),
                description=entry.get("description", ""),
                unit=entry.get("unit", ""),
                direction=direction,
                source=entry.get("source", ""),
                is_example=bool(entry.get("is_example")),
                baseline=baseline_point,
                latest=standing.latest,
                next_target=standing.next_target,
                distance=standing.distance,
                on_track=standing.on_track,
                field_keys=list(
                    dict.fromkeys(link["field"] for link in links if link.get("field"))
                ),
                measure_keys=[link["measure"] for link in links if link.get("measure")],
            )
        )
    return result


@dataclass(frozen=True)
class TableRow:
    date: datetime.date
    kind: str  # "baseline", "value", "target"
    label: str
    value: Decimal
    source: str
    note: str


def indicator_table(indicator: Indicator) -> list[TableRow]:
    """Every figure of the chart, by date: the baseline, the values and the targets."""
    from django.utils.translation import gettext

    rows = []
    if indicator.baseline_value is not None and indicator.baseline_date is not None:
        rows.append(
            TableRow(
                indicator.baseline_date,
                "baseline",
                gettext("Baseline"),
                indicator.baseline_value,
                indicator.source,
                "",
            )
        )
    for value in indicator.values.all():
        rows.append(
            TableRow(value.date, "value", gettext("Value"), value.value, value.source, value.note)
        )
    for target in indicator.targets.all():
        rows.append(
            TableRow(target.date, "target", gettext("Target"), target.value, "", target.note)
        )
    order = {"baseline": 0, "value": 1, "target": 2}
    return sorted(rows, key=lambda row: (row.date, order[row.kind]))


# --- the plan document (actionplan/export.py) ----------------------------------------------------


def document_entries(plan, *, public_only: bool = False) -> list[dict]:
    """The plan's indicators as the plan document holds them (key ``plan.indicators``).
    ``public_only``: only links an anonymous visitor sees; an indicator left without one is
    left out (``access.rules.public_indicator_links_q``)."""
    from .models import plain_number

    links = IndicatorLink.objects.select_related("field", "measure").order_by(
        "field__position", "field__pk", "measure__position", "measure__pk", "kind"
    )
    if public_only:
        links = links.filter(rules.public_indicator_links_q())
    indicators = (
        Indicator.objects.filter(plan=plan)
        .order_by("slug")
        .prefetch_related(
            Prefetch("values", queryset=IndicatorValue.objects.order_by("date")),
            Prefetch("targets", queryset=IndicatorTarget.objects.order_by("date")),
            Prefetch("links", queryset=links),
        )
    )
    if public_only and plan.status != plan.Status.PUBLISHED:
        return []
    result = []
    for ind in indicators:
        ind_links = list(ind.links.all())
        if public_only and not ind_links:
            continue
        result.append(
            {
                "key": ind.slug,
                "name": ind.name,
                "description": ind.description,
                "unit": ind.unit,
                "direction": ind.direction,
                "source": ind.source,
                "update_interval": ind.update_interval,
                **translated_entries(ind),
                "baseline": (
                    {
                        "value": plain_number(ind.baseline_value),
                        "date": ind.baseline_date.isoformat(),
                    }
                    if ind.baseline_value is not None and ind.baseline_date is not None
                    else None
                ),
                "targets": [
                    {"date": t.date.isoformat(), "value": plain_number(t.value), "note": t.note}
                    for t in ind.targets.all()
                ],
                "values": [
                    {
                        "date": v.date.isoformat(),
                        "value": plain_number(v.value),
                        "source": v.source,
                        "note": v.note,
                    }
                    for v in ind.values.all()
                ],
                "links": [
                    {
                        "field": link.field.slug,
                        "measure": (
                            f"{link.field.slug}/{link.measure.slug}" if link.measure_id else None
                        ),
                        "kind": link.kind,
                    }
                    for link in ind_links
                ],
                "is_example": ind.is_example,
            }
        )
    return result


# --- documents (documents/plans.py, documents/campaigns.py) ---------------------------------


@dataclass
class DocumentIndicator:
    indicator: Indicator
    standing: Standing
    chart: object  # indicators.charts.LineChart
    table: list


def document_indicators(plan, *, internal: bool, on: datetime.date) -> list[DocumentIndicator]:
    """The chapter „Indikatoren“ of the plan PDF: every indicator of the plan for the internal
    document (drafts marked), the public ones with their public links for everyone else."""
    from .charts import indicator_chart

    if internal:
        qs = with_rows(Indicator.objects.filter(plan=plan).order_by("name"), None, every_link=True)
    else:
        qs = plan_indicators(plan, None)
    return [
        DocumentIndicator(ind, standing_of(ind, on), indicator_chart(ind), indicator_table(ind))
        for ind in qs
    ]


def measures_indicator_cards(measures, on: datetime.date) -> list[IndicatorCard]:
    """The public indicators linked to any of ``measures`` (the campaign brief: the measures a
    campaign serves), with their standing."""
    ids = [m.pk for m in measures]
    if not ids:
        return []
    qs = (
        rules.visible_indicators(None, Indicator.objects.all())
        .filter(pk__in=IndicatorLink.objects.filter(measure__in=ids).values("indicator_id"))
        .select_related("plan")
        .order_by("plan__title", "name")
    )
    return _cards(with_rows(qs, None), on, lambda ind: [])


# --- reminders (reminders/selectors.py) ---------------------------------------------------------

INTERVAL_MONTHS = {"yearly": 12, "half_yearly": 6, "quarterly": 3, "monthly": 1}


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` months (the 31st becomes the month's last day)."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ValueDue:
    indicator: Indicator
    since: datetime.date | None  # the latest value (else the baseline); None: no value yet
    due: datetime.date | None  # when the next value was due; None: no value yet


def values_due(indicators, *, today: datetime.date) -> list[ValueDue]:
    """Indicators with an update interval whose next value is due: the interval has passed
    since the latest value (or the baseline), or there is no value at all."""
    result = []
    for indicator in indicators:
        months = INTERVAL_MONTHS.get(indicator.update_interval)
        if not months:
            continue
        dates = [v.date for v in indicator.values.all()]
        since = max(dates) if dates else indicator.baseline_date
        due = add_months(since, months) if since else None
        if due is None or due <= today:
            result.append(ValueDue(indicator, since, due))
    return sorted(result, key=lambda d: (d.due or datetime.date.min, d.indicator.name))
