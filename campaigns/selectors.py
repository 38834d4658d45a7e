"""Read-side queries for the public campaign pages.

Each function returns a queryset with its joins and prefetches built in, so the number of
queries a page makes does not grow with the number of campaigns, channels or events.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Max, Min, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from access import rules
from actionplan.models import Measure, TargetGroup
from contacts.models import Organisation

from .models import (
    Campaign,
    CampaignContact,
    CampaignEvent,
    CampaignPartner,
    EventParticipant,
    Market,
)

# Year filter choices are bounded: a typo such as 1017 must not produce a thousand options.
MAX_YEAR_CHOICES = 40


@dataclass(frozen=True)
class CampaignFilter:
    region: str | None = None
    organiser: Organisation | None = None
    lifecycle: str | None = None
    target_group: TargetGroup | None = None
    market: Market | None = None
    year: int | None = None

    @property
    def active(self) -> bool:
        return any(value is not None for value in vars(self).values())


def lifecycle_q(value: str, today: datetime.date) -> Q:
    """Campaigns in this lifecycle state: the override, else what the period says today
    (the same rule as ``campaigns.models.derive_lifecycle``)."""
    derived = {
        Campaign.Lifecycle.PLANNED: Q(start_date__gt=today),
        Campaign.Lifecycle.COMPLETED: Q(end_date__lt=today) & ~Q(start_date__gt=today),
        Campaign.Lifecycle.RUNNING: Q(start_date__lte=today)
        & (Q(end_date__isnull=True) | Q(end_date__gte=today)),
    }[value]
    return Q(lifecycle_override=value) | (Q(lifecycle_override="") & derived)


def _visible_measures(user) -> QuerySet[Measure]:
    return (
        Measure.objects.visible_to(user)
        .select_related("field__plan")
        .order_by("field__plan__title", "field__position", "position")
    )


def campaigns_for_list(user, flt: CampaignFilter) -> QuerySet[Campaign]:
    """Campaigns the user may see, filtered, with what a list card shows."""
    qs = rules.visible_campaigns(user, Campaign.objects.all())
    if flt.region:
        qs = qs.filter(region=flt.region)
    if flt.organiser:
        qs = qs.filter(organiser=flt.organiser)
    if flt.lifecycle:
        qs = qs.filter(lifecycle_q(flt.lifecycle, timezone.localdate()))
    if flt.target_group:
        qs = qs.filter(target_groups=flt.target_group)
    if flt.market:
        qs = qs.filter(markets=flt.market)
    if flt.year:
        first, last = datetime.date(flt.year, 1, 1), datetime.date(flt.year, 12, 31)
        qs = qs.filter(
            Q(start_date__isnull=False) | Q(end_date__isnull=False),
            Q(start_date__isnull=True) | Q(start_date__lte=last),
            Q(end_date__isnull=True) | Q(end_date__gte=first),
        )
    return (
        qs.select_related("organiser")
        .prefetch_related(
            Prefetch("markets", queryset=Market.objects.order_by("position", "name")),
            Prefetch("target_groups", queryset=TargetGroup.objects.order_by("position", "name")),
        )
        .order_by("title", "pk")
    )


def filter_choices(user) -> dict:
    """What the filters offer: only values that occur in campaigns the user may see."""
    visible = rules.visible_campaigns(user, Campaign.objects.all())
    bounds = visible.aggregate(
        first=Min(Coalesce("start_date", "end_date")),
        last=Max(Coalesce("end_date", "start_date")),
    )
    years = []
    if bounds["first"] is not None:
        last = min(bounds["last"].year, bounds["first"].year + MAX_YEAR_CHOICES - 1)
        years = list(range(bounds["first"].year, last + 1))
    return {
        "regions": visible.order_by("region").values_list("region", flat=True).distinct(),
        "organisers": Organisation.objects.filter(organised_campaigns__in=visible)
        .distinct()
        .order_by("name"),
        "target_groups": TargetGroup.objects.filter(campaigns__in=visible)
        .distinct()
        .order_by("position", "name"),
        "markets": Market.objects.filter(campaigns__in=visible)
        .distinct()
        .order_by("position", "name"),
        "years": years,
    }


def campaign_for_page(user, slug: str) -> QuerySet[Campaign]:
    """One campaign the user may see, with everything its page shows."""
    participants = EventParticipant.objects.select_related(
        "person", "organisation__parent"
    ).order_by("position", "pk")
    return (
        rules.visible_campaigns(user, Campaign.objects.filter(slug=slug))
        .select_related("organiser__parent")
        .prefetch_related(
            Prefetch(
                "partner_links",
                queryset=CampaignPartner.objects.select_related("organisation__parent").order_by(
                    "position", "pk"
                ),
            ),
            Prefetch(
                "contact_links",
                queryset=CampaignContact.objects.select_related(
                    "person__organisation__parent"
                ).order_by("position", "pk"),
            ),
            "links",
            "channels",
            Prefetch(
                "events",
                queryset=CampaignEvent.objects.order_by("position", "pk").prefetch_related(
                    Prefetch("participant_links", queryset=participants)
                ),
            ),
            "key_figures",
            Prefetch("markets", queryset=Market.objects.order_by("position", "name")),
            Prefetch("target_groups", queryset=TargetGroup.objects.order_by("position", "name")),
            Prefetch(
                "related_measures", queryset=_visible_measures(user), to_attr="visible_measures"
            ),
        )
    )


def campaigns_for_measure(user) -> Prefetch:
    """Prefetch of the campaigns a measure page lists: only those the user may see."""
    return Prefetch(
        "campaigns",
        queryset=rules.visible_campaigns(user, Campaign.objects.order_by("title", "pk")),
        to_attr="visible_campaigns",
    )
