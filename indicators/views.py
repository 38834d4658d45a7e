"""Public pages of a plan's indicators: the index and one page per indicator with its chart.

Both show where an indicator stands today, so they are ``daily`` pages (the date joins the
cache key, progress/views.py). Drafts answer 404 (``plan_or_404``); which indicators and links
a visitor sees is decided by ``access.rules.visible_indicators``.
"""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from actionplan.public_cache import public_page
from actionplan.views import plan_or_404
from progress.views import daily

from . import selectors
from .charts import indicator_chart


@daily
@public_page
def indicator_list(request, plan_slug):
    plan = plan_or_404(request, plan_slug)
    cards = selectors.plan_indicator_cards(plan, request.user, timezone.localdate())
    return render(request, "indicators/indicator_list.html", {"plan": plan, "cards": cards})


@daily
@public_page
def indicator_detail(request, plan_slug, indicator_slug):
    plan = plan_or_404(request, plan_slug)
    indicator = get_object_or_404(selectors.indicator_for_page(plan, indicator_slug, request.user))
    today = timezone.localdate()
    standing = selectors.standing_of(indicator, today)
    return render(
        request,
        "indicators/indicator_detail.html",
        {
            "plan": plan,
            "indicator": indicator,
            "standing": standing,
            "chart": indicator_chart(indicator),
            "table": selectors.indicator_table(indicator),
        },
    )
