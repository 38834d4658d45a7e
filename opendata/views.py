"""A published plan as open data: CSV files (zipped), JSON and DCAT-AP.de metadata.

Published content only, for everyone — members too get no drafts here (that is the
coordinators' workbook export): a plan that is not published answers 404. Anonymous requests
are answered from the public-page cache with ``ETag``/304 (``actionplan.public_cache``).
"""

import json

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from actionplan import selectors
from actionplan.export import plan_export_document
from actionplan.models import FieldOfAction, Plan
from actionplan.public_cache import public_page
from imports.plan_workbook import ZIP_CONTENT_TYPE, plan_workbook_csv_zip

from .dcat import plan_dataset

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
JSONLD_CONTENT_TYPE = "application/ld+json; charset=utf-8"


def published_plan(request, plan_slug: str) -> Plan:
    """The published plan (``public_page`` may have loaded it already), else 404."""
    plan = getattr(request, "public_plan", None)
    if plan is not None and plan.slug == plan_slug and plan.is_public:
        return plan
    return get_object_or_404(
        selectors.plans_for_detail(None).select_related("author_organisation__parent"),
        slug=plan_slug,
    )


def _download(request, content: bytes, content_type: str, plan: Plan, name: str):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{plan.slug}-{name}"'
    # RFC 8288: the licence the data is published under
    response["Link"] = f'<{plan.licence.url}>; rel="license"'
    patch_cache_control(response, public=True, no_cache=True)
    return response


@require_safe
@public_page
def plan_csv(request, plan_slug):
    plan = published_plan(request, plan_slug)
    content = plan_workbook_csv_zip(plan, public_only=True)
    return _download(request, content, ZIP_CONTENT_TYPE, plan, "csv.zip")


def _json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


@require_safe
@public_page
def plan_json(request, plan_slug):
    plan = published_plan(request, plan_slug)
    content = _json(plan_export_document(plan, public_only=True, consented_names_only=True))
    return _download(request, content, JSON_CONTENT_TYPE, plan, "daten.json")


@require_safe
@public_page
def plan_metadata(request, plan_slug):
    plan = published_plan(request, plan_slug)
    fields = list(
        FieldOfAction.objects.filter(plan=plan).order_by("position").values_list("title", flat=True)
    )
    dataset = plan_dataset(plan, absolute_uri=request.build_absolute_uri, fields=fields)
    response = HttpResponse(_json(dataset), content_type=JSONLD_CONTENT_TYPE)
    response["Link"] = f'<{plan.licence.url}>; rel="license"'
    patch_cache_control(response, public=True, no_cache=True)
    return response
