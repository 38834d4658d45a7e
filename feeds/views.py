"""Public feeds: iCalendar files of milestones and events, the Atom feed of a plan's changes."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.views.decorators.http import conditional_page, require_safe

from campaigns.models import Campaign

from . import ical
from .atom import PlanChangesFeed
from .caching import plan_feed

ICAL_CONTENT_TYPE = "text/calendar; charset=utf-8"


def _ical_response(data: bytes, slug: str) -> HttpResponse:
    response = HttpResponse(data, content_type=ICAL_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{slug}.ics"'
    return response


@require_safe
@plan_feed
def plan_ical(request, plan_slug):
    """The dated milestones of a published plan's published measures."""
    plan = request.feed_plan  # published, loaded by plan_feed
    return _ical_response(
        ical.plan_calendar(plan, absolute_uri=request.build_absolute_uri), plan.slug
    )


plan_atom = require_safe(plan_feed(PlanChangesFeed()))


@require_safe
@conditional_page
def campaign_ical(request, campaign_slug):
    """The dated events of a published campaign; ETag from the content (cheap to build)."""
    campaign = get_object_or_404(Campaign.objects.published(), slug=campaign_slug)
    response = _ical_response(
        ical.campaign_calendar(campaign, absolute_uri=request.build_absolute_uri), campaign.slug
    )
    patch_cache_control(response, public=True, no_cache=True)
    return response
