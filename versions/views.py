"""Public pages of a plan's dated versions, rendered from the stored snapshot."""

from django.db import transaction
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from actionplan.public_cache import public_page
from actionplan.timeline import measure_timeline
from actionplan.views import baseline_groups, plan_or_404, responsibility_groups
from documents.views import pdf_response

from . import selectors
from .changes import compare
from .services import public_document

#: Query parameter of the changes report (and of the PDF appendix): compare up to this version.
UNTIL_PARAM = "bis"
#: Query parameter of the version PDF that appends the changes up to today.
APPENDIX_PARAM = "anhang"
APPENDIX_CHANGES = "aenderungen"


def _version_context(plan, version) -> dict:
    snap = selectors.snapshot_of(version)
    return {
        "current_plan": plan,
        "version": version,
        "plan": snap.plan,
        "snapshot": snap,
        "versions": list(selectors.versions_for_plan(plan)),
    }


@public_page
@require_GET
def version_detail(request, plan_slug, version_slug):
    plan = plan_or_404(request, plan_slug)
    version = selectors.version_or_404(plan, version_slug)
    context = _version_context(plan, version)
    context["fields"] = list(context["plan"].fields.all())
    context["measure_count"] = context["snapshot"].measure_count()
    return render(request, "versions/version_detail.html", context)


@public_page
@require_GET
def version_field(request, plan_slug, version_slug, field_slug):
    plan = plan_or_404(request, plan_slug)
    version = selectors.version_or_404(plan, version_slug)
    context = _version_context(plan, version)
    field = context["snapshot"].field(field_slug)
    if field is None:
        raise Http404
    context["field"] = field
    context["baseline_groups"] = baseline_groups(field.baseline_findings.all())
    return render(request, "versions/version_field.html", context)


@public_page
@require_GET
def version_measure(request, plan_slug, version_slug, field_slug, measure_slug):
    plan = plan_or_404(request, plan_slug)
    version = selectors.version_or_404(plan, version_slug)
    context = _version_context(plan, version)
    measure = context["snapshot"].measure(field_slug, measure_slug)
    if measure is None:
        raise Http404
    schedule = list(measure.schedule.all())
    axis, bars = measure_timeline(schedule)
    budget_lines = list(measure.budget_lines.all())
    planned = [line.planned_amount for line in budget_lines if line.planned_amount is not None]
    actual = [line.actual_amount for line in budget_lines if line.actual_amount is not None]
    context.update(
        {
            "field": measure.field,
            "measure": measure,
            "schedule": schedule,
            "axis": axis,
            "bars": bars,
            "responsibility_groups": responsibility_groups(measure.responsibilities.all()),
            "budget_lines": budget_lines,
            "budget_planned_total": sum(planned) if planned else None,
            "budget_actual_total": sum(actual) if actual else None,
            "budget_has_amounts": bool(planned or actual),
            "related_measures": list(measure.related_measures.all()),
        }
    )
    return render(request, "versions/version_measure.html", context)


def changes_between(plan, version, until_slug: str | None):
    """(report, the later version or None for today) — ``until_slug`` names a version. Each
    change of a field, measure or step links to where it can be read: today's page, or the
    page of the version that holds it (a removed one: the older version)."""
    if until_slug:
        until = selectors.version_or_404(plan, until_slug)
        report = compare(version.snapshot, until.snapshot)
    else:
        until = None
        report = compare(version.snapshot, public_document(plan))
    for change in report.changes:
        change.url = _change_url(plan, version if change.in_old else until, change)
    return report, until


def _change_url(plan, version, change) -> str:
    """The page of the change's measure (else field) in ``version``, or today's (None)."""
    if not change.field_slug:
        return ""
    kwargs = {"plan_slug": plan.slug, "field_slug": change.field_slug}
    if change.measure_slug:
        kwargs["measure_slug"] = change.measure_slug
    kind = "measure" if change.measure_slug else "field"
    if version is None:
        return reverse(f"actionplan:{kind}_detail", kwargs=kwargs)
    return reverse(f"versions:version_{kind}", kwargs={**kwargs, "version_slug": version.slug})


@public_page(params=(UNTIL_PARAM,))
@require_GET
def version_changes(request, plan_slug, version_slug):
    plan = plan_or_404(request, plan_slug)
    version = selectors.version_or_404(plan, version_slug)
    report, until = changes_between(plan, version, request.GET.get(UNTIL_PARAM) or None)
    context = {
        "plan": plan,
        "version": version,
        "versions": list(selectors.versions_for_plan(plan)),
        "report": report,
        "until": until,
    }
    return render(request, "versions/version_changes.html", context)


@transaction.non_atomic_requests
@require_GET
def version_pdf(request, plan_slug, version_slug):
    """The version as a PDF; ``?anhang=aenderungen`` appends the changes up to today."""
    from documents.services import VersionDocumentRequest, get_or_render

    plan = plan_or_404(request, plan_slug)
    version = selectors.version_or_404(plan, version_slug)
    appendix = request.GET.get(APPENDIX_PARAM, "")
    if appendix not in ("", APPENDIX_CHANGES):
        raise Http404(_("Unknown appendix."))
    pdf_request = VersionDocumentRequest.build(
        plan,
        version=version,
        changes=appendix == APPENDIX_CHANGES,
        language=translation.get_language(),
    )
    return pdf_response(get_or_render(pdf_request), pdf_request)
