"""What a reminder holds: an editor's milestones due soon and overdue; who gets one."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from access import rules
from access.models import Membership
from actionplan.models import Measure, ScheduleEntry

from .models import ReminderPreference


@dataclass(frozen=True)
class Milestone:
    entry: ScheduleEntry
    due: datetime.date  # the end, or the start of an entry with an open end

    @property
    def measure(self) -> Measure:
        return self.entry.measure


@dataclass
class Digest:
    """One editor's reminder: due within the horizon, and overdue, each by date."""

    today: datetime.date
    horizon: datetime.date
    due: list[Milestone] = field(default_factory=list)
    overdue: list[Milestone] = field(default_factory=list)
    # indicator values due (indicators.selectors.values_due) of the editor's measures
    values_due: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.due and not self.overdue and not self.values_due


def audience() -> QuerySet:
    """Active users with an e-mail address who edit a plan for an organisation: those the
    weekly reminder is for."""
    editors = Membership.objects.filter(
        role=Membership.Role.EDITOR, plan__isnull=False, organisation__isnull=False
    ).values("user_id")
    return (
        get_user_model()
        .objects.filter(pk__in=editors, is_active=True)
        .exclude(email="")
        .order_by("pk")
    )


def recipients() -> QuerySet:
    """The audience without those who unsubscribed."""
    return audience().exclude(reminder_preference__opted_out_at__isnull=False)


def subscribed(user) -> bool:
    """Whether the user gets the weekly reminder if due (not unsubscribed)."""
    return not ReminderPreference.objects.filter(user=user, opted_out_at__isnull=False).exists()


def language_for(user) -> str:
    """The language the user reads Planwerk's e-mails in: their stored choice, else German."""
    stored = ReminderPreference.objects.filter(user=user).values_list("language", flat=True)
    return stored.first() or settings.LANGUAGE_CODE


def digest_for(user, *, today: datetime.date, days_ahead: int) -> Digest:
    """The user's milestones as an editor (``access.rules.editor_measures``: only measures the
    user may see and edits): dated entries due from today to ``days_ahead`` days on, and those
    whose end has passed while the measure is not completed."""
    horizon = today + datetime.timedelta(days=days_ahead)
    measures = rules.editor_measures(user, Measure.objects.all()).exclude(
        status=Measure.Status.COMPLETED
    )
    due_soon = Q(end_date__range=(today, horizon)) | Q(
        end_date__isnull=True, start_date__range=(today, horizon)
    )
    overdue = Q(end_date__lt=today)
    entries = (
        ScheduleEntry.objects.filter(measure__in=measures)
        .filter(due_soon | overdue)
        .select_related("measure__field__plan")
        .order_by("measure__field__plan__title", "measure__field__position", "measure__position")
    )
    digest = Digest(today=today, horizon=horizon)
    for entry in entries:
        milestone = Milestone(entry=entry, due=entry.end_date or entry.start_date)
        (digest.overdue if milestone.due < today else digest.due).append(milestone)
    digest.due.sort(key=lambda m: (m.due, m.entry.pk))
    digest.overdue.sort(key=lambda m: (m.due, m.entry.pk))
    digest.values_due = indicator_values_due(user, today=today)
    return digest


def indicator_values_due(user, *, today: datetime.date) -> list:
    """Values due of the indicators linked to the measures the user edits as an editor
    (``access.rules.editor_measures``) — those whose values the user may enter."""
    from indicators.models import Indicator
    from indicators.selectors import values_due

    measures = rules.editor_measures(user, Measure.objects.all())
    indicators = (
        Indicator.objects.filter(links__measure__in=measures)
        .exclude(update_interval="")
        .select_related("plan")
        .prefetch_related("values")
        .distinct()
    )
    return values_due(indicators, today=today)
