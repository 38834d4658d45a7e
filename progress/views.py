"""The progress dashboard of a plan: public for published content, members see their drafts."""

from django.shortcuts import render

from actionplan.public_cache import public_page
from actionplan.views import plan_or_404

from .dashboard import budget_matrix, dashboard_charts
from .selectors import MILESTONE_ROWS, plan_progress


@public_page(daily=True)
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
            "budget_matrix": budget_matrix(progress),
            "milestone_rows": MILESTONE_ROWS,
        },
    )
