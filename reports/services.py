"""Generating status reports (coordinators)."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access import rules
from actionplan.export import measure_key, plan_export_document
from actionplan.models import Measure, Plan
from actionplan.services import _history_user
from campaigns.models import Campaign
from versions.models import PlanVersion
from versions.services import public_document

from .models import FieldReportText, StatusReport


def report_extras(plan: Plan, *, on: datetime.date) -> dict:
    """What the plan document does not hold, read now and kept with the report: per measure
    key the day its status was reported (only where that was by ``on``, else the report says
    the source's date) and the public campaigns serving the measure."""
    reported = {
        measure_key(field_slug, slug): day.isoformat()
        for field_slug, slug, day in Measure.objects.filter(
            field__plan=plan, status_reported_at__lte=on
        ).values_list("field__slug", "slug", "status_reported_at")
    }
    campaigns: dict[str, list[str]] = {}
    served = (
        rules.visible_campaigns(None, Campaign.objects.all())
        .filter(related_measures__field__plan=plan)
        .values_list("related_measures__field__slug", "related_measures__slug", "title")
        .order_by("title")
        .distinct()
    )
    for field_slug, slug, title in served:
        campaigns.setdefault(measure_key(field_slug, slug), []).append(title)
    return {"reported_on": reported, "campaigns": campaigns}


@transaction.atomic
def status_report_create(
    *,
    plan: Plan,
    title: str,
    period_label: str,
    period_start: datetime.date,
    period_end: datetime.date,
    version: PlanVersion | None = None,
    summary: str = "",
    acting_user,
) -> StatusReport:
    """Generate a report from ``version`` (its snapshot) or from the plan now: the documents
    are stored with the report, with an empty text for each field of action to write.
    The plan's coordinators only (``access.rules.can_manage_status_reports``)."""
    if not rules.can_manage_status_reports(acting_user, plan):
        raise PermissionDenied(_("Only the plan's coordinators may generate a status report."))
    return status_report_generate(
        plan=plan,
        title=title,
        period_label=period_label,
        period_start=period_start,
        period_end=period_end,
        version=version,
        summary=summary,
        acting_user=acting_user,
    )


@transaction.atomic
def status_report_generate(
    *,
    plan: Plan,
    title: str,
    period_label: str,
    period_start: datetime.date,
    period_end: datetime.date,
    version: PlanVersion | None = None,
    summary: str = "",
    acting_user=None,
) -> StatusReport:
    """``status_report_create`` without the permission check: for management commands (the
    demo data), which run without a user."""
    if version is not None:
        document = public = version.snapshot
        source_date = version.date
    else:
        document = plan_export_document(plan)
        public = public_document(plan)
        source_date = timezone.localdate()
    report = StatusReport(
        plan=plan,
        title=title,
        period_label=period_label,
        period_start=period_start,
        period_end=period_end,
        version=version,
        summary=summary,
        document=document,
        public_document=public,
        source_date=source_date,
        source_name=version.label if version is not None else "",
        extras=report_extras(plan, on=source_date),
        created_by=acting_user if acting_user and acting_user.is_authenticated else None,
    )
    report.full_clean()
    with _history_user(acting_user if acting_user and acting_user.is_authenticated else None):
        report.save()
        for spec in document["plan"].get("fields", []):
            FieldReportText.objects.create(
                report=report, field_slug=spec["slug"], field_title=spec["title"]
            )
    return report
