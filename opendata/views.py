"""A published plan as open data: CSV files (zipped), JSON and DCAT-AP.de metadata.

Both languages (issue 21): the JSON document holds each text as ``title`` and ``title_en``
(actionplan.export), each CSV file a column „… (englisch)“ right after each German text
column (imports.plan_workbook); the metadata names English as a language of the dataset
when any of its published texts has an English version, and gives the English title and
keywords beside the German ones.

Published content only, for everyone — members too get no drafts here (that is the
coordinators' workbook export): a plan that is not published answers 404. Anonymous requests
are answered from the public-page cache with ``ETag``/304 (``actionplan.public_cache``).
"""

import json

from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from access import rules
from actionplan import selectors
from actionplan.export import plan_export_document
from actionplan.models import FieldOfAction, Measure, Plan
from actionplan.public_cache import public_page
from imports.plan_workbook import ZIP_CONTENT_TYPE, plan_workbook_csv_zip
from translations import registry

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


def _english(model, prefix: str = "") -> Q:
    """A row of ``model`` with any English text (``translations.registry``)."""
    condition = Q()
    for field in registry.fields_of(model):
        condition |= ~Q(**{f"{prefix}{registry.english(field)}": ""})
    return condition


def field_keywords(plan: Plan) -> tuple[list[str], list[str], bool]:
    """The titles of the plan's fields of action in German and (where written) English, and
    whether any published text of the plan's fields and measures has an English version: one
    query."""
    english_measures = rules.public_measures_q() & _english(Measure)
    rows = (
        FieldOfAction.objects.filter(plan=plan)
        .annotate(
            any_english=Exists(Measure.objects.filter(english_measures, field=OuterRef("pk")))
        )
        .order_by("position")
        .values_list("title", "title_en", "any_english", *_english_columns(FieldOfAction))
    )
    german, english, any_english = [], [], False
    for title, title_en, measures_in_english, *field_english in rows:
        german.append(title)
        if title_en.strip():
            english.append(title_en)
        any_english = any_english or measures_in_english or any(v.strip() for v in field_english)
    return german, english, any_english


def _english_columns(model) -> list[str]:
    return [registry.english(field) for field in registry.fields_of(model)]


@require_safe
@public_page
def plan_metadata(request, plan_slug):
    plan = published_plan(request, plan_slug)
    fields, fields_en, english = field_keywords(plan)
    english = english or any(getattr(plan, column).strip() for column in _english_columns(Plan))
    dataset = plan_dataset(
        plan,
        absolute_uri=request.build_absolute_uri,
        fields=fields,
        fields_en=fields_en,
        english=english,
    )
    response = HttpResponse(_json(dataset), content_type=JSONLD_CONTENT_TYPE)
    response["Link"] = f'<{plan.licence.url}>; rel="license"'
    patch_cache_control(response, public=True, no_cache=True)
    return response
