from urllib.parse import urlencode

from django import template
from django.urls import reverse

from access import rules
from versions.selectors import versions_for_plan

register = template.Library()


@register.simple_tag
def plan_versions(plan) -> list:
    """The plan's published versions, newest first (one query, snapshots not loaded)."""
    return list(versions_for_plan(plan))


@register.simple_tag
def publish_version_url(plan, user) -> str:
    """The admin form that publishes a version of ``plan``, for its coordinators; else ""."""
    if plan is None or plan.pk is None:
        return ""
    if not rules.can_publish_version(user, plan) or not rules.can_view(None, plan):
        return ""
    return f"{reverse('admin:versions_planversion_add')}?{urlencode({'plan': plan.pk})}"
