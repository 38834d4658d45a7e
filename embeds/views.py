"""Embeds for a city's own website: a plan's progress at a glance and a measure's status, in
an ``<iframe>``, without the site's header and footer.

Published content only, the same for everyone (members see no drafts here either): a draft
answers 404. Only the sites named in ``PLANWERK_EMBED_FRAME_ANCESTORS`` may frame them (CSP
``frame-ancestors``); without any, nobody may, as on every other page.
"""

import functools

from csp.constants import NONE
from csp.utils import build_policy
from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from actionplan.page_meta import absolute
from actionplan.public_cache import public_page
from opendata.views import published_plan
from progress.views import daily

from . import selectors


def frame_ancestors() -> list[str]:
    return list(getattr(settings, "PLANWERK_EMBED_FRAME_ANCESTORS", []))


def embeddable(view):
    """Let the configured sites frame the response: its own ``Content-Security-Policy`` with
    ``frame-ancestors`` from the setting (the middleware leaves a set header alone), and no
    ``X-Frame-Options: DENY`` once any site is allowed.

    The header is set on every answer, also those ``public_page`` serves from its cache; the
    answer is kept out of ``PublicPageMiddleware``, which would replay stored headers after a
    change of the setting.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        request.public_page_stamp = None
        ancestors = frame_ancestors()
        response["Content-Security-Policy"] = build_policy(
            replace={"frame-ancestors": ancestors or [NONE]}
        )
        if ancestors:
            response.xframe_options_exempt = True
        return response

    return wrapper


@require_safe
@embeddable
@daily
@public_page
def plan_embed(request, plan_slug):
    plan = published_plan(request, plan_slug)
    summary = selectors.plan_summary(plan, today=timezone.localdate())
    return render(
        request,
        "embeds/plan_embed.html",
        {"plan": plan, "summary": summary, "canonical_url": absolute(plan.get_absolute_url())},
    )


@require_safe
@embeddable
@daily
@public_page
def measure_embed(request, plan_slug, field_slug, measure_slug):
    plan = published_plan(request, plan_slug)
    measure = get_object_or_404(selectors.public_measure(plan, field_slug, measure_slug))
    measure.field.plan = plan  # for its URL, without a query
    return render(
        request,
        "embeds/measure_embed.html",
        {
            "plan": plan,
            "measure": measure,
            "milestone": selectors.next_milestone(measure, today=timezone.localdate()),
            "canonical_url": absolute(measure.get_absolute_url()),
        },
    )
