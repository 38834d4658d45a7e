"""iCalendar feeds (RFC 5545): a plan's dated milestones and a campaign's events.

Only published content: the plan's published measures (``access.rules.public_measures_q``) and
the events of published campaigns. A feed is the same for every reader, so it may be cached and
shared (``feeds.caching``).

Fuzzy dates become all-day events over the range they name; DTEND is exclusive (RFC 5545
3.6.1), so it is the day after the last day:

- a schedule entry with a start and an end spans both: „II. Quartal 2011“ runs from 2011-04-01
  up to (excluding) 2011-07-01;
- an open start („ab Herbst 2011“) spans the period its start names, here autumn 2011: from
  2011-09-01 up to 2011-12-01 — the time in which the work is to begin;
- a deadline (an end only, „bis Ende 2012“) is the one day it falls on;
- a campaign event spans the period its date and date precision name (a day, a month, …).

UIDs are stable: they name the row (``scheduleentry-<pk>@<host>``), so a calendar program
updates an event when its dates change instead of adding a second one.
"""

import calendar
import datetime
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext

from access import rules
from actionplan.models import Plan, ScheduleEntry
from actionplan.schedule import Precision
from campaigns.models import Campaign, CampaignEvent

from . import texts

PRODID = "-//Planwerk//Feeds//DE"
ONE_DAY = datetime.timedelta(days=1)
# (first month of the period containing a month, length in months) per precision
_PERIOD_MONTHS = {
    Precision.MONTH: 1,
    Precision.QUARTER: 3,
    Precision.HALF_YEAR: 6,
    Precision.YEAR: 12,
}


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _months_from(year: int, month: int, length: int) -> tuple[datetime.date, datetime.date]:
    last = month - 1 + length - 1
    return datetime.date(year, month, 1), _month_end(year + last // 12, last % 12 + 1)


def period_around(day: datetime.date, precision: str) -> tuple[datetime.date, datetime.date]:
    """First and last day of the period of the given precision that contains ``day``.

    Seasons as the schedule parser reads them: spring March–May, summer June–August, autumn
    September–November, winter December–February.
    """
    if precision == Precision.SEASON:
        if day.month == 12:
            return _months_from(day.year, 12, 3)
        if day.month <= 2:
            return _months_from(day.year - 1, 12, 3)
        return _months_from(day.year, day.month - (day.month - 3) % 3, 3)
    length = _PERIOD_MONTHS.get(precision)
    if length is None:  # a day, or no precision given
        return day, day
    first_month = (day.month - 1) // length * length + 1
    return _months_from(day.year, first_month, length)


def entry_span(entry) -> tuple[datetime.date, datetime.date] | None:
    """First and last day of a schedule entry's all-day event; None when it is undated."""
    if entry.start_date and entry.end_date:
        return entry.start_date, entry.end_date
    if entry.start_date:
        return period_around(entry.start_date, entry.start_precision)
    if entry.end_date:
        return entry.end_date, entry.end_date
    return None


def event_span(event) -> tuple[datetime.date, datetime.date] | None:
    """First and last day of a campaign event; None when it has no date."""
    if event.date is None:
        return None
    return period_around(event.date, event.date_precision)


def uid_host() -> str:
    """The host part of every UID: the site's own name, stable across requests."""
    return urlsplit(settings.PLANWERK_BASE_URL).hostname or "planwerk"


def _calendar(name: str, description: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", name)  # RFC 7986
    cal.add("x-wr-calname", name)
    if description:
        cal.add("description", description)
        cal.add("x-wr-caldesc", description)
    return cal


def _event(*, uid, summary, span, stamp, url, description="", location="") -> icalendar.Event:
    first, last = span
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(datetime.UTC))
    event.add("dtstart", first)
    event.add("dtend", last + ONE_DAY)
    event.add("summary", summary)
    event.add("transp", "TRANSPARENT")  # a milestone does not make anyone busy
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    if url:
        event.add("url", url)
    return event


def plan_milestones(plan: Plan):
    """The dated schedule entries of the plan's published measures, in plan order."""
    return (
        ScheduleEntry.objects.filter(
            rules.public_measures_q("measure__"), measure__field__plan=plan
        )
        .filter(Q(start_date__isnull=False) | Q(end_date__isnull=False))
        .select_related("measure__field")
        .order_by("measure__field__position", "measure__position", "position", "pk")
    )


def plan_calendar(plan: Plan, *, absolute_uri) -> bytes:
    """The plan's milestones as an iCalendar file; ``absolute_uri`` makes a path absolute."""
    stamp = plan.content_changed_at or plan.updated_at
    cal = _calendar(
        gettext("Milestones: %(plan)s") % {"plan": texts.plain(plan, "title")},
        gettext("Dated milestones of the published measures of %(plan)s (%(region)s).")
        % {"plan": texts.plain(plan, "title"), "region": plan.region},
    )
    host = uid_host()
    for entry in plan_milestones(plan):
        measure = entry.measure
        measure.field.plan = plan  # for get_absolute_url, without a query per entry
        label = texts.plain(entry, "label")
        lines = [label, f"{gettext('Field of action')}: {texts.plain(measure.field, 'title')}"]
        if entry.approximate:
            lines.append(gettext("The dates are approximate."))
        if entry.start_date and not entry.end_date:
            lines.append(gettext("Open end: the work begins in this period."))
        elif entry.end_date and not entry.start_date:
            lines.append(gettext("Deadline."))
        cal.add_component(
            _event(
                uid=f"scheduleentry-{entry.pk}@{host}",
                summary=f"{texts.measure_label(measure)}: {label}",
                span=entry_span(entry),
                stamp=stamp,
                url=absolute_uri(measure.get_absolute_url()),
                description="\n".join(lines),
            )
        )
    return cal.to_ical()


def campaign_events(campaign: Campaign):
    """The dated events of a published campaign, by date."""
    return (
        CampaignEvent.objects.published()
        .filter(campaign=campaign, date__isnull=False)
        .order_by("date", "position", "pk")
    )


def campaign_calendar(campaign: Campaign, *, absolute_uri) -> bytes:
    """The campaign's dated events as an iCalendar file; each event links to its entry on the
    campaign page."""
    cal = _calendar(
        gettext("Events: %(campaign)s") % {"campaign": texts.plain(campaign, "title")},
        texts.plain(campaign, "summary") if campaign.summary else "",
    )
    host = uid_host()
    page = absolute_uri(campaign.get_absolute_url())
    stamp = campaign.content_changed_at or campaign.updated_at
    for event in campaign_events(campaign):
        description = texts.plain(event, "description") if event.description else ""
        lines = [line for line in (event.date_label, description) if line]
        if topics := texts.lines(event, "topics"):
            note = f" ({gettext('in German')})" if texts.fell_back(event, "topics") else ""
            lines.append(f"{gettext('Topics')}: {'; '.join(topics)}{note}")
        if methods := texts.lines(event, "methods"):
            note = f" ({gettext('in German')})" if texts.fell_back(event, "methods") else ""
            lines.append(f"{gettext('Methods')}: {'; '.join(methods)}{note}")
        cal.add_component(
            _event(
                uid=f"campaignevent-{event.pk}@{host}",
                summary=texts.plain(event, "title"),
                span=event_span(event),
                stamp=stamp,
                url=f"{page}#event-{event.pk}",
                description="\n\n".join(lines),
                location=event.place,
            )
        )
    return cal.to_ical()
