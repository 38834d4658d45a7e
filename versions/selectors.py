"""Reads of plan versions for the public pages."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse

from actionplan.models import Plan

from .models import PlanVersion
from .snapshot import SnapshotPlan


def versions_for_plan(plan: Plan) -> QuerySet[PlanVersion]:
    """The plan's versions, newest first, without their snapshots."""
    return PlanVersion.objects.filter(plan=plan).listed()


def version_or_404(plan: Plan, version_slug: str) -> PlanVersion:
    version = get_object_or_404(PlanVersion.objects.filter(plan=plan), slug=version_slug)
    version.plan = plan
    return version


def snapshot_of(version: PlanVersion) -> SnapshotPlan:
    """The version's plan as objects (built once per version object), whose
    ``get_absolute_url`` leads to the version's pages, not to today's."""
    cached = getattr(version, "_snapshot_plan", None)
    if cached is None:
        cached = version._snapshot_plan = SnapshotPlan(version.snapshot)
        _link(cached, plan_slug=version.plan.slug, version_slug=version.slug)
    return cached


def _link(snap: SnapshotPlan, **kwargs) -> None:
    base = reverse("versions:version_detail", kwargs=kwargs)
    snap.plan.get_absolute_url = lambda: base
    for fld in snap.plan.fields.all():
        field_url = reverse("versions:version_field", kwargs={**kwargs, "field_slug": fld.slug})
        fld.get_absolute_url = lambda url=field_url: url
        for measure in fld.measures.all():
            measure_url = reverse(
                "versions:version_measure",
                kwargs={**kwargs, "field_slug": fld.slug, "measure_slug": measure.slug},
            )
            measure.get_absolute_url = lambda url=measure_url: url
