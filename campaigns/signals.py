"""Keep ``Campaign.content_changed_at`` current: it keys the public campaign pages' cache
(campaigns/public_cache.py).

The campaign pages are keyed on the newest stamp of all campaigns (the list shows them all), so
every change of campaign data touches every campaign with one ``UPDATE``: a deleted campaign can
never bring back an older, stale key. Campaign changes also touch the plans whose measures the
campaign serves, because measure pages list their campaigns; the other way round, the campaign
pages' key includes the newest plan stamp, since they list measures.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from actionplan.models import Plan, TargetGroup
from actionplan.signals import plan_touch
from contacts.models import Organisation, Person

from .models import (
    Campaign,
    CampaignContact,
    CampaignEvent,
    CampaignLink,
    CampaignPartner,
    Channel,
    EventParticipant,
    KeyFigure,
    Market,
)

CAMPAIGN_MODELS = [
    Campaign,
    CampaignPartner,
    CampaignContact,
    CampaignLink,
    Channel,
    CampaignEvent,
    EventParticipant,
    KeyFigure,
    Market,
    TargetGroup,
    Organisation,
    Person,
]


def campaigns_touch() -> int:
    """Mark all campaign pages as changed now; returns the number of campaigns touched."""
    return Campaign.objects.update(content_changed_at=timezone.now())


def _touch_plans_of_measures(measure_ids) -> None:
    # through actionplan's one stamp writer: it also forgets the public pages' remembered stamps
    ids = Plan.objects.filter(fields__measures__pk__in=measure_ids).values("pk")
    plan_touch(Plan.objects.filter(pk__in=ids))


def changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    campaigns_touch()
    if isinstance(instance, Campaign) and instance.pk:
        # Title and publication state show on the measure pages of the measures it serves.
        _touch_plans_of_measures(instance.related_measures.values("pk"))


def campaign_deleted(sender, instance, **kwargs):
    campaigns_touch()


def related_measures_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    campaigns_touch()
    if reverse:  # instance is a measure
        _touch_plans_of_measures([instance.pk])
    elif action == "pre_clear":
        _touch_plans_of_measures(instance.related_measures.values("pk"))
    elif pk_set:
        _touch_plans_of_measures(pk_set)


def m2m_touched(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        campaigns_touch()


def connect() -> None:
    """Called from ``CampaignsConfig.ready()``."""
    for model in CAMPAIGN_MODELS:
        uid = f"planwerk_campaign_touch_{model._meta.label_lower}"
        post_save.connect(changed, sender=model, dispatch_uid=uid + "_save")
        post_delete.connect(campaign_deleted, sender=model, dispatch_uid=uid + "_delete")
    m2m_changed.connect(
        related_measures_changed,
        sender=Campaign.related_measures.through,
        dispatch_uid="planwerk_campaign_touch_related_measures",
    )
    for through in (Campaign.target_groups.through, Campaign.markets.through):
        m2m_changed.connect(
            m2m_touched,
            sender=through,
            dispatch_uid=f"planwerk_campaign_touch_{through._meta.label_lower}",
        )
