"""Refusals in words: why ``access.rules`` said no, and whom to ask.

Nothing here decides anything; every function reads the decision from ``rules`` and names the
people who hold the role that may do it (the plan's coordinators, the measure's organisations).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import rules


@dataclass
class Contact:
    name: str
    email: str


@dataclass
class Contacts:
    """The coordinators of one plan or campaign."""

    target: object
    people: list[Contact] = field(default_factory=list)


def _person(user) -> Contact:
    return Contact(name=user.get_full_name() or user.username, email=user.email)


def _names(people: list[Contact]) -> str:
    return ", ".join(p.name for p in people) or _("nobody yet")


def plan_coordinators(plan_ids) -> dict[int, list[Contact]]:
    from .models import Membership

    result: dict[int, list[Contact]] = {}
    rows = (
        Membership.objects.filter(plan_id__in=plan_ids, role=rules.COORDINATOR)
        .select_related("user")
        .order_by("user__last_name", "user__username")
    )
    for membership in rows:
        if membership.user.is_active:
            result.setdefault(membership.plan_id, []).append(_person(membership.user))
    return result


def campaign_coordinators(campaign_ids) -> dict[int, list[Contact]]:
    from .models import Membership

    result: dict[int, list[Contact]] = {}
    rows = (
        Membership.objects.filter(campaign_id__in=campaign_ids, role=rules.COORDINATOR)
        .select_related("user")
        .order_by("user__last_name", "user__username")
    )
    for membership in rows:
        if membership.user.is_active:
            result.setdefault(membership.campaign_id, []).append(_person(membership.user))
    return result


def roles_summary(user) -> list[str]:
    """“Redaktion für Kulturamt in: Maßnahmenplan Leipzig”, one line per membership."""
    from .models import Membership

    if rules.is_superuser(user):
        return [_("Superuser: you may do everything.")]
    if not rules.is_active_user(user):
        return []
    lines = []
    rows = Membership.objects.filter(user=user).select_related("plan", "campaign", "organisation")
    for membership in rows:
        target = membership.plan or membership.campaign
        role = membership.get_role_display()
        if membership.organisation_id:
            role = _("%(role)s for %(organisation)s") % {
                "role": role,
                "organisation": membership.organisation,
            }
        lines.append(_("%(role)s in “%(target)s”") % {"role": role, "target": target})
    return lines


def object_of_request(user, resolver_match):
    """The object of a refused admin page (change, delete, history …), if the user may know
    of it; else None."""
    if resolver_match is None:
        return None
    object_id = resolver_match.kwargs.get("object_id")
    model = getattr(getattr(resolver_match.func, "model_admin", None), "model", None)
    if object_id is None or model is None:
        return None
    try:
        obj = model._default_manager.filter(pk=object_id).first()
    except (ValueError, TypeError, ValidationError):
        return None
    if obj is None or not rules.in_admin_scope(user, obj):
        return None
    return obj


def _target_of_request(user, resolver_match):
    """The plan (or campaign) the refused page belongs to, if the user may know of it."""
    from actionplan.models import Plan

    if resolver_match is None:
        return None
    slug = resolver_match.kwargs.get("plan_slug")
    if slug:
        plan = Plan.objects.filter(slug=slug).first()
        return plan if plan is not None and rules.can_view(user, plan) else None
    return _plan_or_campaign(object_of_request(user, resolver_match))


def _plan_or_campaign(obj):
    from actionplan.models import Plan
    from campaigns.models import Campaign

    while obj is not None and not isinstance(obj, Plan | Campaign):
        obj = rules.owner(obj)
    return obj


def whom_to_ask(user, resolver_match=None) -> list[Contacts]:
    """The coordinators of the plan the refused page belongs to; else of every plan and
    campaign the user holds a role in."""
    from actionplan.models import Plan
    from campaigns.models import Campaign

    target = _target_of_request(user, resolver_match)
    if isinstance(target, Plan):
        plans, campaigns = {target.pk: target}, {}
    elif isinstance(target, Campaign):
        plans, campaigns = {}, {target.pk: target}
    else:
        held = rules.roles(user)
        plans = Plan.objects.in_bulk(held.plan_ids()) if held.plans else {}
        campaigns = Campaign.objects.in_bulk(held.campaign_ids()) if held.campaigns else {}
    result = []
    if plans:
        people = plan_coordinators(plans.keys())
        result += [Contacts(plans[pk], people.get(pk, [])) for pk in sorted(plans)]
    if campaigns:
        people = campaign_coordinators(campaigns.keys())
        result += [Contacts(campaigns[pk], people.get(pk, [])) for pk in sorted(campaigns)]
    return result


def _measure_organisations(measure) -> str:
    from actionplan.models import Responsibility

    names = []
    for responsibility in Responsibility.objects.filter(measure=measure).select_related(
        "organisation", "person__organisation"
    ):
        org = responsibility.organisation or getattr(responsibility.person, "organisation", None)
        if org is not None and str(org) not in names:
            names.append(str(org))
    return ", ".join(names)


def read_only_reason(user, obj) -> str:
    """Why ``obj`` opens read-only for this user, and who may change it."""
    from actionplan.models import FieldOfAction, Measure, Plan
    from campaigns.models import Campaign
    from contacts.models import Organisation, Person

    if isinstance(obj, Measure):
        plan_id = obj.field.plan_id
        coordinators = _names(plan_coordinators([plan_id]).get(plan_id, []))
        organisations = _measure_organisations(obj)
        if organisations:
            return _(
                "This measure belongs to %(organisations)s; it may be changed by the editors of "
                "that organisation and by the plan's coordinators (%(coordinators)s)."
            ) % {"organisations": organisations, "coordinators": coordinators}
        return _(
            "This measure has no responsible organisation yet; only the plan's coordinators "
            "(%(coordinators)s) may change it."
        ) % {"coordinators": coordinators}
    if isinstance(obj, Plan | FieldOfAction):
        plan_id = obj.pk if isinstance(obj, Plan) else obj.plan_id
        return _("Only the plan's coordinators (%(coordinators)s) may change this.") % {
            "coordinators": _names(plan_coordinators([plan_id]).get(plan_id, []))
        }
    if isinstance(obj, Campaign):
        return _("Only the campaign's coordinators and editors may change it (%(names)s).") % {
            "names": _names(campaign_coordinators([obj.pk]).get(obj.pk, []))
        }
    if isinstance(obj, Organisation | Person) or obj._meta.model_name in rules.SHARED_LISTS:
        return _(
            "Organisations, persons and the shared lists are kept by the coordinators of the "
            "plans and campaigns."
        )
    parent = rules.owner(obj)
    if isinstance(parent, Measure) and obj._meta.model_name not in rules.EDITOR_MEASURE_ROWS:
        plan_id = parent.field.plan_id
        return _("Only the plan's coordinators (%(coordinators)s) may change this.") % {
            "coordinators": _names(plan_coordinators([plan_id]).get(plan_id, []))
        }
    if parent is not None:
        return read_only_reason(user, parent)
    return _("Your role does not allow changes here.")


def state_refusal(user, measure, state: str) -> str:
    """Why the user may not give ``measure`` the publication state ``state``."""
    from actionplan.models import Measure

    if not rules.can_change(user, measure):
        return _("“%(measure)s”: %(reason)s") % {
            "measure": measure,
            "reason": read_only_reason(user, measure),
        }
    plan_id = measure.field.plan_id
    coordinators = _names(plan_coordinators([plan_id]).get(plan_id, []))
    if measure.state in (Measure.State.PUBLISHED, Measure.State.ARCHIVED):
        return _(
            "“%(measure)s” is %(state)s; only the plan's coordinators (%(coordinators)s) change "
            "its publication state."
        ) % {
            "measure": measure,
            "state": measure.get_state_display(),
            "coordinators": coordinators,
        }
    return _(
        "“%(measure)s”: publishing is the plan's coordinators' decision (%(coordinators)s); "
        "submit it for review instead."
    ) % {"measure": measure, "coordinators": coordinators}
