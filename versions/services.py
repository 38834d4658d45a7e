"""Publishing dated versions of a plan."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from access import rules
from actionplan.export import plan_export_document
from actionplan.models import Plan, german_slugify
from actionplan.signals import plan_touch

from .models import PlanVersion


def public_document(plan: Plan) -> dict:
    """What anonymous visitors see of the plan, as a plan document: the exporter's public
    view (published measures only), with the phone and e-mail of people who did not consent
    to their publication left out (the pages would show the organisation's instead)."""
    document = plan_export_document(plan, public_only=True)
    for person in document["persons"].values():
        if not person["public_contact"]:
            person["phone"] = person["email"] = ""
    return document


@transaction.atomic
def plan_version_publish(
    *, plan: Plan, label: str, date: datetime.date, acting_user, request=None
) -> PlanVersion:
    """Store the plan as the public sees it now as a dated version (“Stand Mai 2011”).

    Coordinators only; the plan must be published (a version is a public record, and drafts
    never enter one). Audited; the plan's pages list the new version at once.
    """
    from access.models import AuditEvent
    from access.services import audit

    if not rules.can_publish_version(acting_user, plan):
        raise PermissionDenied(_("Only the plan's coordinators may publish a version."))
    label = " ".join((label or "").split())
    errors = {}
    if not label:
        errors["label"] = _("Please give the version a label.")
    elif not german_slugify(label):
        errors["label"] = _("The label needs at least one letter or digit.")
    if not isinstance(date, datetime.date):
        errors["date"] = _("Please give the date of the version.")
    if not rules.can_view(None, plan):
        errors["__all__"] = _("Only a published plan can be published as a version.")
    if errors:
        raise ValidationError(errors)
    version = PlanVersion(
        plan=plan,
        label=label,
        slug=german_slugify(label),
        date=date,
        snapshot=public_document(plan),
        created_by=acting_user if acting_user and acting_user.is_authenticated else None,
    )
    version.full_clean()
    version.save()
    plan_touch(plan)
    audit(
        AuditEvent.Action.PUBLISHED,
        actor=acting_user,
        request=request,
        obj=plan,
        detail=_("Version “%(label)s” (%(date)s)") % {"label": label, "date": date.isoformat()},
    )
    return version


@transaction.atomic
def plan_version_delete(*, version: PlanVersion, acting_user, request=None) -> None:
    """Withdraw a published version (coordinators); audited."""
    from access.models import AuditEvent
    from access.services import audit

    plan = version.plan
    if not rules.can_publish_version(acting_user, plan):
        raise PermissionDenied(_("Only the plan's coordinators may delete a version."))
    label = version.label
    version.delete()
    plan_touch(plan)
    audit(
        AuditEvent.Action.UNPUBLISHED,
        actor=acting_user,
        request=request,
        obj=plan,
        detail=_("Version “%(label)s”") % {"label": label},
    )
