"""Sending the weekly reminders and the one-click opt-out."""

import datetime
import enum
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext

from . import selectors
from .models import ReminderDelivery, ReminderPreference, new_token_nonce
from .tokens import make_token, read_token

logger = logging.getLogger(__name__)


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of the week ``day`` lies in: a reminder goes out once per such week."""
    return day - datetime.timedelta(days=day.weekday())


def absolute_url(path: str) -> str:
    return f"{settings.PLANWERK_BASE_URL}{path}"


def preference_for(user) -> ReminderPreference:
    """The user's stored preference; German and subscribed until the user says otherwise."""
    preference, _ = ReminderPreference.objects.get_or_create(user=user)
    return preference


def reminder_preference_set(
    *, user, language: str, subscribed: bool | None = None
) -> ReminderPreference:
    """The user's own choice (settings page): the language of Planwerk's e-mails, and whether
    to get the weekly reminder (None: as before) — subscribing again after an opt-out too."""
    preference = preference_for(user)
    preference.language = language
    if subscribed is None:
        pass
    elif subscribed:
        preference.opted_out_at = None
    elif preference.opted_out_at is None:
        preference.opted_out_at = timezone.now()
    preference.full_clean()
    preference.save(update_fields=["language", "opted_out_at"])
    return preference


def unsubscribe_url(preference) -> str:
    """The opt-out link in the preference's language."""
    with translation.override(preference.language):
        path = reverse("reminders:unsubscribe", kwargs={"token": make_token(preference)})
    return absolute_url(path)


def build_message(*, user, preference, digest) -> EmailMultiAlternatives:
    """The reminder e-mail in the recipient's language: plain text with an HTML alternative,
    and RFC 2369/8058 headers for a one-click opt-out in the mail program."""
    unsubscribe = unsubscribe_url(preference)
    with translation.override(preference.language):
        items = [
            {
                "milestone": milestone,
                "overdue": overdue,
                "edit_url": absolute_url(
                    reverse("admin:actionplan_measure_change", args=[milestone.measure.pk])
                ),
            }
            for overdue, group in ((False, digest.due), (True, digest.overdue))
            for milestone in group
        ]
        context = {
            "user": user,
            "digest": digest,
            "due": [i for i in items if not i["overdue"]],
            "overdue": [i for i in items if i["overdue"]],
            "values_due": [
                {
                    "due": item,
                    "add_url": absolute_url(reverse("admin:indicators_indicatorvalue_add"))
                    + f"?indicator={item.indicator.pk}",
                }
                for item in digest.values_due
            ],
            "unsubscribe_url": unsubscribe,
            "site_url": settings.PLANWERK_BASE_URL,
            # "Meine Arbeit", the start page that replaces the admin index
            "start_url": absolute_url(reverse("admin:index")),
        }
        subject = gettext("Planwerk: your milestones in the week of %(date)s") % {
            "date": digest.today.strftime("%d.%m.%Y")
            if preference.language == "de"
            else digest.today.isoformat()
        }
        text = render_to_string("reminders/reminder_email.txt", context)
        html = render_to_string("reminders/reminder_email.html", context)
    return automatic_message(
        to=user.email,
        subject=subject,
        text=text,
        html=html,
        unsubscribe_url=unsubscribe,
        language=preference.language,
    )


def automatic_message(
    *, to: str, subject: str, text: str, html: str, unsubscribe_url: str, language: str
) -> EmailMultiAlternatives:
    """An e-mail Planwerk sends on its own (reminders, notifications): plain text with an HTML
    alternative, marked auto-generated, with RFC 2369/8058 headers for a one-click opt-out in
    the mail program."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "Content-Language": language,
        },
    )
    message.attach_alternative(html, "text/html")
    return message


@transaction.atomic
def reminder_send(*, user, today: datetime.date) -> ReminderDelivery | None:
    """Send the user this week's reminder, unless it was sent already, the user unsubscribed,
    or nothing is due. The delivery row is written before the mail goes out and rolled back if
    sending fails, so a retried task neither sends twice nor skips anyone."""
    preference = preference_for(user)
    if preference.opted_out or not user.email or not user.is_active:
        return None
    week = week_of(today)
    if ReminderDelivery.objects.filter(user=user, week=week).exists():
        return None
    digest = selectors.digest_for(
        user, today=today, days_ahead=settings.PLANWERK_REMINDER_DAYS_AHEAD
    )
    if digest.is_empty:
        return None
    try:
        with transaction.atomic():
            delivery = ReminderDelivery.objects.create(
                user=user, week=week, due_count=len(digest.due), overdue_count=len(digest.overdue)
            )
    except IntegrityError:  # another worker sent it a moment ago
        return None
    build_message(user=user, preference=preference, digest=digest).send()
    return delivery


@dataclass
class WeekResult:
    sent: list[int] = field(default_factory=list)  # user ids
    failed: list[int] = field(default_factory=list)


def reminders_send_week(*, today: datetime.date) -> WeekResult:
    """Send this week's reminders to every editor; one failing address does not stop the rest."""
    result = WeekResult()
    for user in selectors.recipients():
        try:
            delivery = reminder_send(user=user, today=today)
        except Exception:
            logger.exception("Reminder to user %s failed", user.pk)
            result.failed.append(user.pk)
            continue
        if delivery is not None:
            result.sent.append(user.pk)
    return result


class OptOut(enum.Enum):
    DONE = "done"
    USED = "used"  # a valid link that was used already (or replaced by a newer one)
    INVALID = "invalid"


@transaction.atomic
def reminder_opt_out(*, token: str) -> OptOut:
    """Unsubscribe the user a signed link names; the link then stops working."""
    data = read_token(token)
    if data is None:
        return OptOut.INVALID
    user_id, nonce = data
    preference = ReminderPreference.objects.select_for_update().filter(user_id=user_id).first()
    if preference is None:
        return OptOut.INVALID
    if not constant_time_compare(preference.token_nonce, nonce):
        return OptOut.USED
    preference.opted_out_at = timezone.now()
    preference.token_nonce = new_token_nonce()
    preference.full_clean()
    preference.save(update_fields=["opted_out_at", "token_nonce"])
    return OptOut.DONE


def token_status(token: str) -> OptOut | None:
    """What using the link would do, without using it: None if it would unsubscribe."""
    data = read_token(token)
    if data is None:
        return OptOut.INVALID
    preference = ReminderPreference.objects.filter(user_id=data[0]).first()
    if preference is None:
        return OptOut.INVALID
    if not constant_time_compare(preference.token_nonce, data[1]):
        return OptOut.USED
    return None
