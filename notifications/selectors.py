"""Who hears of a step in the review workflow, and what each person chose to hear of."""

from django.db.models import Exists, OuterRef, QuerySet

from access import rules

from .models import Kind, NotificationPreference


def recipients(kind: str, measure, *, actor) -> QuerySet:
    """The plan's coordinators when a measure (or a change to it) is submitted; the measure's
    editors when it is sent back or published. Never the person who acted, nobody without an
    e-mail address, nobody who switched this kind off."""
    if kind == Kind.SUBMITTED:
        users = rules.plan_coordinators(measure.field.plan_id)
    else:
        users = rules.measure_editors(measure)
    switched_off = NotificationPreference.objects.filter(
        user=OuterRef("pk"), kind=kind, enabled=False
    )
    users = users.exclude(email="").exclude(Exists(switched_off))
    if actor is not None:
        users = users.exclude(pk=actor.pk)
    return users


def preferences_for(user) -> dict[str, bool]:
    """Each kind with whether the user gets its e-mails (yes, unless switched off)."""
    stored = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "enabled"))
    return {kind: stored.get(kind, True) for kind in Kind.values}
