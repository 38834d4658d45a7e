"""Bring existing channels in line with the rules ``Channel.clean`` now enforces.

- A channel still “planned” on a campaign that has ended becomes “outcome not reported”: the
  source announced it and never said whether it happened, so neither “done” nor “not carried
  out” would be honest.
- A “reach” in a unit of time (“4 Wochen”) is a duration: it moves to the channel's period
  label (when that is empty) and the reach is cleared.

Each changed channel gets a history entry with the reason, so the old value stays on record.
"""

import datetime

from django.db import migrations
from django.utils import timezone

DURATION_UNITS = frozenset(
    "tag tage tagen woche wochen monat monate monaten jahr jahre jahren stunde stunden "
    "day days week weeks month months year years hour hours".split()
)
REASON_STATUS = "Kampagne abgeschlossen: „geplant“ → „Umsetzung nicht berichtet“"
REASON_DURATION = "Dauer statt Reichweite: in den Zeitraum verschoben"


def lifecycle(campaign, today: datetime.date) -> str:
    """As ``Campaign.lifecycle``: the override, else derived from the period and today."""
    if campaign.lifecycle_override:
        return campaign.lifecycle_override
    start, end = campaign.start_date, campaign.end_date
    if start is None and end is None:
        return ""
    if start is not None and today < start:
        return "planned"
    if end is not None and today > end:
        return "completed"
    return "running" if start is not None else ""


def record(Historical, channel, reason: str, now) -> None:
    values = {
        f.attname: getattr(channel, f.attname)
        for f in channel._meta.concrete_fields
        if f.attname != "id"
    }
    Historical.objects.create(
        id=channel.pk,
        **values,
        history_date=now,
        history_type="~",
        history_change_reason=reason,
        history_user=None,
    )


def forwards(apps, schema_editor):
    Campaign = apps.get_model("campaigns", "Campaign")
    Channel = apps.get_model("campaigns", "Channel")
    Historical = apps.get_model("campaigns", "HistoricalChannel")
    now = timezone.now()
    today = timezone.localdate()
    touched = set()
    for channel in Channel.objects.select_related("campaign").order_by("pk"):
        reasons = []
        if channel.status == "planned" and lifecycle(channel.campaign, today) == "completed":
            channel.status = "unreported"
            reasons.append(REASON_STATUS)
        unit = " ".join((channel.reach_unit or "").split()).casefold()
        if unit in DURATION_UNITS:
            if not channel.period_label and channel.reach is not None:
                channel.period_label = f"{channel.reach} {channel.reach_unit}"
            channel.reach = None
            channel.reach_unit = ""
            if channel.reach_label and channel.reach_label not in channel.description:
                channel.description = " ".join(
                    part for part in (channel.description, channel.reach_label) if part
                )
            channel.reach_label = ""
            reasons.append(REASON_DURATION)
        if reasons:
            channel.save()
            record(Historical, channel, "; ".join(reasons), now)
            touched.add(channel.campaign_id)
    # the public pages and briefs are cached by this stamp
    Campaign.objects.filter(pk__in=touched).update(content_changed_at=now)


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0004_channel_status_values")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
