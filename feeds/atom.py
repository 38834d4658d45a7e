"""Atom feed of the published changes to a plan: new and changed published measures, each
change named in words (``feeds.changes``).

Entries come from *entry sources*, functions ``(plan) -> iterable of FeedEntry``. The measures
are one; published plan versions (the ``versions`` app) are to be another, registered with
``register_plan_entry_source`` from that app's ``AppConfig.ready``. Every source must return
published content only — the feed is public and cached for everyone.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.text import Truncator
from django.utils.translation import gettext

from actionplan.models import Measure, Plan
from translations import selectors

from . import texts
from .changes import measure_change
from .ical import uid_host

#: Entries shown, newest first.
MAX_ENTRIES = 50
SUMMARY_WORDS = 80


@dataclass(frozen=True)
class FeedEntry:
    """One Atom entry. ``link`` is a path on this site; ``summary_html`` is escaped HTML."""

    unique_id: str
    title: str
    link: str
    summary_html: str
    published: datetime.datetime
    updated: datetime.datetime


EntrySource = Callable[[Plan], Iterable[FeedEntry]]
_PLAN_ENTRY_SOURCES: list[EntrySource] = []


def register_plan_entry_source(source: EntrySource) -> EntrySource:
    """Hook for more kinds of entries in a plan's change feed, e.g. published plan versions
    (issue 12: the ``versions`` app registers its source here). Usable as a decorator."""
    if source not in _PLAN_ENTRY_SOURCES:
        _PLAN_ENTRY_SOURCES.append(source)
    return source


def measure_entries(plan: Plan) -> list[FeedEntry]:
    """The plan's published measures, each with when it was first published and its latest
    public change in words (``feeds.changes``), newest change first."""
    history = Measure.history.model.objects.filter(id=OuterRef("pk"))
    measures = list(
        Measure.objects.published()
        .filter(field__plan=plan)
        .select_related("field")
        .annotate(changed_at=Subquery(history.order_by("-history_date").values("history_date")[:1]))
        .exclude(changed_at__isnull=True)
        .order_by("-changed_at", "-pk")[:MAX_ENTRIES]
    )
    rows_of = defaultdict(list)
    for row in Measure.history.filter(id__in=[m.pk for m in measures]).order_by(
        "-history_date", "-history_id"
    ):
        rows_of[row.id].append(row)
    host = uid_host()
    entries = []
    for measure in measures:
        measure.field.plan = plan
        change = measure_change(rows_of[measure.pk])
        if change is None:
            continue
        if change.lines:
            title = gettext("Changed: %(measure)s") % {"measure": texts.measure_label(measure)}
            summary = "".join(f"<p>{escape(line)}</p>" for line in change.lines)
        else:
            title = gettext("New: %(measure)s") % {"measure": texts.measure_label(measure)}
            status = gettext("Published; status: %(status)s.") % {
                "status": measure.get_status_display()
            }
            description = selectors.text(measure, "description")
            text = Truncator(description).words(SUMMARY_WORDS)
            summary = f"<p>{escape(status)}</p>" + (linebreaks(escape(text)) if text else "")
            if text and description.fallback:
                summary += f"<p>({escape(gettext('in German'))})</p>"
        entries.append(
            FeedEntry(
                unique_id=f"tag:{host},2011:measure-{measure.pk}",
                title=title,
                link=measure.get_absolute_url(),
                summary_html=summary,
                published=change.published,
                updated=change.updated,
            )
        )
    return entries


def plan_entries(plan: Plan) -> list[FeedEntry]:
    """Every source's entries, newest change first, at most ``MAX_ENTRIES``."""
    entries = list(measure_entries(plan))
    for source in _PLAN_ENTRY_SOURCES:
        entries.extend(source(plan))
    entries.sort(key=lambda e: (e.updated, e.unique_id), reverse=True)
    return entries[:MAX_ENTRIES]


class PlanChangesFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, plan_slug):
        plan = getattr(request, "feed_plan", None)  # loaded by feeds.caching.plan_feed
        if plan is not None and plan.slug == plan_slug:
            return plan
        return get_object_or_404(Plan.objects.published(), slug=plan_slug)

    def title(self, plan):
        return gettext("Changes: %(plan)s") % {"plan": texts.plain(plan, "title")}

    def subtitle(self, plan):
        return gettext("New and changed published measures of %(plan)s (%(region)s).") % {
            "plan": texts.plain(plan, "title"),
            "region": plan.region,
        }

    def link(self, plan):
        return plan.get_absolute_url()

    def feed_url(self, plan):
        return reverse("feeds:plan_atom", kwargs={"plan_slug": plan.slug})

    def feed_guid(self, plan):
        return f"tag:{uid_host()},2011:plan-{plan.pk}-changes"

    def items(self, plan):
        return plan_entries(plan)

    def item_title(self, entry):
        return entry.title

    def item_link(self, entry):
        return entry.link

    def item_description(self, entry):
        return entry.summary_html

    def item_guid(self, entry):
        return entry.unique_id

    item_guid_is_permalink = False

    def item_pubdate(self, entry):
        return entry.published

    def item_updateddate(self, entry):
        return entry.updated
