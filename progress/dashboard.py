"""What the dashboard page and the PDF chapter show: the figures and their charts."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from translations.plain import plain

from . import charts
from .selectors import MILESTONE_ROWS, Figures, PlanProgress, plan_progress


def money(value) -> str:
    """“1.234,50 €” in German, “1,234.50 €” in English."""
    return f"{number_format(value, 2, use_l10n=True, force_grouping=True)} €"


def _budget_rows(rows, *, with_amounts: bool):
    for row in rows:
        if with_amounts:
            yield row.name, row.planned or 0, money(row.planned or 0), "chart-bar--budget"
        else:
            display = ngettext("%(n)d budget line", "%(n)d budget lines", row.lines) % {
                "n": row.lines
            }
            yield row.name, row.lines, display, "chart-bar--budget"


def budget_chart(rows, figures: Figures, *, title: str, plan_title: str) -> charts.Chart:
    return _amounts_chart(
        rows, figures.budget_total, figures.has_amounts, title=title, plan_title=plan_title
    )


def _amounts_chart(rows, total, with_amounts: bool, *, title: str, plan_title: str):
    """Planned amounts per row where the plan gives amounts, else the number of lines."""
    if with_amounts:
        desc = _(
            "Planned amounts of the budget lines of “%(plan)s”, in euros; plan total %(total)s."
        ) % {"plan": plan_title, "total": money(total.planned or 0)}
    else:
        desc = _(
            "Number of budget lines of “%(plan)s”; the plan gives no amounts (%(n)d lines)."
        ) % {"plan": plan_title, "n": total.lines}
    return charts.bar_chart(
        list(_budget_rows(rows, with_amounts=with_amounts)), title=title, desc=desc
    )


@dataclass(frozen=True)
class FundingPart:
    """One view of the funding totals: a heading, a chart (None: the table only) and the
    table's rows, caption and first column."""

    key: str
    heading: str
    title: str  # the chart's and the PDF's heading
    caption: str
    first_column: str
    rows: list
    chart: charts.Chart | None
    content_rows: bool = False  # the rows are the plan's own text (field titles)


def funding_charts(progress: PlanProgress) -> list[FundingPart]:
    """Budget by funding programme, year, kind of cost and field (``funding.selectors``):
    planned amounts, or the number of lines where the plan gives no amounts. Each chart has
    its data table beside it; the fields get the table only (the page charts them above)."""
    totals = progress.funding
    plan_title = plain(progress.plan, "title")
    with_amounts = totals.total.planned is not None
    parts = [
        ("programme", _("By funding programme"), _("Budget by funding programme"),
         _("Budget by funding programme"), _("Funding programme"), totals.by_programme),
        ("year", _("By year"), _("Budget by year"),
         _("Budget by year (a period counts in its first year)"), _("Year"), totals.by_year),
        ("kind", _("By kind of cost"), _("Budget by kind of cost"), _("Budget by kind of cost"),
         _("Kind of cost"), totals.by_kind),
    ]  # fmt: skip
    result = [
        FundingPart(
            key,
            heading,
            title,
            caption,
            first,
            rows,
            _amounts_chart(rows, totals.total, with_amounts, title=title, plan_title=plan_title),
        )
        for key, heading, title, caption, first, rows in parts
    ]
    result.append(
        FundingPart(
            "field",
            _("By field of action"),
            _("Budget by field of action"),
            _("Budget and own share by field of action"),
            _("Field of action"),
            totals.by_field,
            None,
            content_rows=True,
        )
    )
    return result


def dashboard_charts(progress: PlanProgress) -> dict[str, charts.Chart]:
    """The four charts of a plan's dashboard (each has a data table beside it)."""
    plan_title = plain(progress.plan, "title")
    figs = progress.figures
    status_desc = "; ".join(f"{capfirst(s.label)}: {s.count}" for s in figs.statuses)
    status = charts.bar_chart(
        [
            (capfirst(s.label), s.count, str(s.count), f"chart-bar--{s.status}")
            for s in figs.statuses
        ],
        title=_("Measures by status"),
        desc=_("%(n)d measures of “%(plan)s”: %(counts)s.")
        % {"n": figs.measure_count, "plan": plan_title, "counts": status_desc},
    )
    by_field = charts.stacked_chart(
        [
            (
                plain(fp.field, "title"),
                [
                    (capfirst(s.label), s.count, str(s.count), f"chart-bar--{s.status}")
                    for s in fp.figures.statuses
                ],
            )
            for fp in progress.fields
        ],
        title=_("Status of the measures by field of action"),
        desc="; ".join(
            _("%(field)s: %(completed)d of %(n)d measures completed")
            % {
                "field": plain(fp.field, "title"),
                "completed": fp.figures.completed,
                "n": fp.figures.measure_count,
            }
            for fp in progress.fields
        ),
    )
    return {
        "status": status,
        "fields": by_field,
        "category": budget_chart(
            figs.budget_by_category,
            figs,
            title=_("Budget by category"),
            plan_title=plan_title,
        ),
        "source": budget_chart(
            figs.budget_by_source,
            figs,
            title=_("Budget by funding source"),
            plan_title=plan_title,
        ),
    }


def document_context(plan, *, internal: bool) -> dict:
    """The chapter „Stand der Umsetzung“ of the plan document (``documents.plans``): the
    figures of what the document holds — every measure in an internal document, the published
    ones in a public one — on today's date."""
    progress = plan_progress(plan, None, internal=internal)
    return {
        "progress": progress,
        "progress_charts": dashboard_charts(progress),
        "funding_charts": funding_charts(progress),
        "milestone_rows": MILESTONE_ROWS,
    }


def budget_matrix(progress: PlanProgress) -> dict:
    """Budget lines by field of action (rows) and category (columns) for the page's table: each
    cell the field's ``BudgetRow`` of that category, or None."""
    categories = [row.name for row in progress.figures.budget_by_category]
    rows = []
    for fp in progress.fields:
        by_name = {row.name: row for row in fp.figures.budget_by_category}
        rows.append(
            {
                "field": fp.field,
                "cells": [by_name.get(name) for name in categories],
                "total": fp.figures.budget_total,
            }
        )
    return {"categories": categories, "rows": rows}
