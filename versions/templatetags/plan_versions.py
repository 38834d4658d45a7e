from django import template

from versions.selectors import versions_for_plan

register = template.Library()


@register.simple_tag
def plan_versions(plan) -> list:
    """The plan's published versions, newest first (one query, snapshots not loaded)."""
    return list(versions_for_plan(plan))
