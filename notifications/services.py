"""Notification e-mails about the review workflow, and each person's choice to get them."""

import logging
import uuid
from dataclasses import dataclass, field

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext

from access import rules
from reminders.selectors import language_for
from reminders.services import absolute_url, automatic_message, reminder_preference_set

from . import selectors
from .models import Kind, NotificationDelivery, NotificationPreference
from .tokens import make_token, read_token

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """One step of the review workflow, as ``measure_workflow_event`` announced it."""

    id: uuid.UUID
    kind: str
    measure: object  # actionplan.Measure
    actor: object | None = None
    comment: str = ""
    pending: object | None = None  # a pending change to a published measure (reviews)


def unsubscribe_url(user, kind: str) -> str:
    return absolute_url(reverse("notifications:unsubscribe", args=[make_token(user, kind)]))


def review_path(event: Event) -> str:
    """Where the recipient acts: the comparison of a pending change (its ``get_review_url``,
    else its admin page), otherwise the measure's admin page."""
    pending = event.pending
    if pending is not None:
        if callable(getattr(pending, "get_review_url", None)):
            return pending.get_review_url()
        opts = pending._meta
        try:
            return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pending.pk])
        except NoReverseMatch:
            pass
    return reverse("admin:actionplan_measure_change", args=[event.measure.pk])


def _texts(event: Event) -> tuple[str, str]:
    """Subject and first sentence, in the active language."""
    measure = event.measure
    actor = event.actor
    names = {
        "measure": str(measure),
        "plan": measure.field.plan.title,
        "actor": (actor.get_full_name() or actor.get_username()) if actor else "Planwerk",
    }
    change = event.pending is not None
    if event.kind == Kind.SUBMITTED:
        if change:
            subject = gettext("Planwerk: a change to “%(measure)s” awaits your review")
            lead = gettext(
                "%(actor)s submitted a change to the published measure “%(measure)s” of the "
                "plan “%(plan)s” for review."
            )
        else:
            subject = gettext("Planwerk: “%(measure)s” awaits your review")
            lead = gettext(
                "%(actor)s submitted the measure “%(measure)s” of the plan “%(plan)s” for review."
            )
    elif event.kind == Kind.SENT_BACK:
        if change:
            subject = gettext("Planwerk: your change to “%(measure)s” was sent back")
            lead = gettext(
                "%(actor)s sent the change to the measure “%(measure)s” of the plan “%(plan)s” "
                "back to you."
            )
        else:
            subject = gettext("Planwerk: “%(measure)s” was sent back to you")
            lead = gettext(
                "%(actor)s sent the measure “%(measure)s” of the plan “%(plan)s” back to you."
            )
    elif change:
        subject = gettext("Planwerk: the change to “%(measure)s” is published")
        lead = gettext(
            "%(actor)s approved the change to the measure “%(measure)s” of the plan "
            "“%(plan)s”: it is published now."
        )
    else:
        subject = gettext("Planwerk: “%(measure)s” is published")
        lead = gettext("%(actor)s published the measure “%(measure)s” of the plan “%(plan)s”.")
    return subject % names, lead % names


def build_message(*, user, event: Event) -> EmailMultiAlternatives:
    """The notification in the recipient's language: plain text with an HTML alternative, a
    link to where the recipient acts and a one-click unsubscribe link for this kind."""
    from actionplan.models import Measure

    language = language_for(user)
    with translation.override(language):
        unsubscribe = unsubscribe_url(user, event.kind)
        subject, lead = _texts(event)
        public = rules.public_measures(Measure.objects.filter(pk=event.measure.pk)).exists()
        context = {
            "user": user,
            "kind": event.kind,
            "kind_label": Kind(event.kind).label,
            "lead": lead,
            "comment": event.comment if event.kind == Kind.SENT_BACK else "",
            "measure": event.measure,
            "plan": event.measure.field.plan,
            "action_url": absolute_url(review_path(event)),
            "public_url": absolute_url(event.measure.get_absolute_url()) if public else "",
            "unsubscribe_url": unsubscribe,
            "preferences_url": absolute_url(reverse("notifications:preferences")),
        }
        text = render_to_string("notifications/workflow_email.txt", context)
        html = render_to_string("notifications/workflow_email.html", context)
    return automatic_message(
        to=user.email,
        subject=subject,
        text=text,
        html=html,
        unsubscribe_url=unsubscribe,
        language=language,
    )


@transaction.atomic
def notification_send(*, user, event: Event) -> NotificationDelivery | None:
    """Mail one recipient about the event, once: the delivery row is written before the mail
    goes out and rolled back if sending fails, so a retried task neither repeats nor skips."""
    try:
        with transaction.atomic():
            delivery = NotificationDelivery.objects.create(
                event=event.id, user=user, kind=event.kind, measure=event.measure
            )
    except IntegrityError:  # sent already
        return None
    build_message(user=user, event=event).send()
    return delivery


@dataclass
class SendResult:
    sent: list[int] = field(default_factory=list)  # user ids
    failed: list[int] = field(default_factory=list)


def notifications_send(event: Event) -> SendResult:
    """Mail everybody who should hear of the event; one failing address stops nobody else."""
    result = SendResult()
    for user in selectors.recipients(event.kind, event.measure, actor=event.actor):
        try:
            delivery = notification_send(user=user, event=event)
        except Exception:
            logger.exception("Notification %s to user %s failed", event.id, user.pk)
            result.failed.append(user.pk)
            continue
        if delivery is not None:
            result.sent.append(user.pk)
    return result


def preference_set(*, user, kind: str, enabled: bool) -> NotificationPreference:
    """Switch one kind of notification on or off for the user."""
    preference, _ = NotificationPreference.objects.get_or_create(user=user, kind=kind)
    if preference.enabled != enabled:
        preference.enabled = enabled
        preference.full_clean()
        preference.save(update_fields=["enabled", "changed_at"])
    return preference


@transaction.atomic
def preferences_save(
    *, user, kinds: dict[str, bool], language: str, weekly_reminder: bool | None = None
) -> None:
    """The user's choices on the settings page: each kind on or off, the language of
    Planwerk's e-mails and the weekly reminder (None: as before)."""
    for kind, enabled in kinds.items():
        preference_set(user=user, kind=kind, enabled=enabled)
    reminder_preference_set(user=user, language=language, subscribed=weekly_reminder)


def notification_opt_out(*, token: str) -> str | None:
    """Switch off the kind a signed unsubscribe link names; returns the kind, or None for a
    link this site did not sign (or whose user is gone)."""
    from django.contrib.auth import get_user_model

    data = read_token(token)
    if data is None:
        return None
    user = get_user_model().objects.filter(pk=data[0]).first()
    if user is None:
        return None
    preference_set(user=user, kind=data[1], enabled=False)
    return data[1]
