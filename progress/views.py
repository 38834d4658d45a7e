"""The progress dashboard of a plan: public for published content, members see their drafts."""

import datetime
import functools

from django.shortcuts import render
from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe

from actionplan.public_cache import public_page
from actionplan.views import plan_or_404
from indicators.selectors import plan_indicator_cards

from .dashboard import budget_matrix, dashboard_charts, funding_charts
from .selectors import MILESTONE_ROWS, plan_progress


def daily(view):
    """A public page that also depends on today's date (due and overdue milestones): the date
    joins its ``ETag`` and cache key (``public_cache.page_version``), ``Last-Modified`` is never
    before today's midnight, and an ``If-Modified-Since`` from before it is not answered with
    304 — the plan may be unchanged while the page is not."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        today = timezone.localdate()
        request.public_page_day = today
        since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
        midnight = int(
            timezone.make_aware(datetime.datetime.combine(today, datetime.time())).timestamp()
        )
        if since is not None and since < midnight:
            del request.META["HTTP_IF_MODIFIED_SINCE"]
        response = view(request, *args, **kwargs)
        modified = parse_http_date_safe(response.get("Last-Modified", ""))
        if modified is not None and modified < midnight:
            response["Last-Modified"] = http_date(midnight)
        return response

    return wrapper


@daily
@public_page
def plan_dashboard(request, plan_slug):
    plan = plan_or_404(request, plan_slug)
    progress = plan_progress(plan, request.user)
    return render(
        request,
        "progress/plan_dashboard.html",
        {
            "plan": plan,
            "progress": progress,
            "charts": dashboard_charts(progress),
            "funding_charts": funding_charts(progress),
            "budget_matrix": budget_matrix(progress),
            "milestone_rows": MILESTONE_ROWS,
            "indicator_cards": plan_indicator_cards(plan, request.user, timezone.localdate()),
        },
    )
