"""Public pages of published plans; staff may also preview drafts."""

import functools
import hashlib
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from access import rules
from indicators.selectors import field_indicator_cards, measure_indicator_cards

from . import selectors
from .models import BaselineFinding, Measure, Responsibility, ScheduleEntry
from .public_cache import public_home_page, public_page
from .schedule import describe_schedule, parse_schedule
from .timeline import measure_timeline, plan_timeline

MEASURES_PER_PAGE = 50


@public_home_page
def plan_list(request):
    """The home page: the plans with their period and progress, the campaigns, the search."""
    return render(
        request,
        "actionplan/plan_list.html",
        {
            "plans": selectors.plans_for_home(request.user),
            "campaigns": selectors.campaigns_for_home(request.user),
        },
    )


def plan_or_404(request, plan_slug):
    """The plan if this user may see it; drafts answer 404 so their existence does not leak."""
    plan = getattr(request, "public_plan", None)  # loaded by public_cache.public_page
    if plan is not None and plan.slug == plan_slug:
        return plan
    return get_object_or_404(selectors.plans_for_detail(request.user), slug=plan_slug)


@public_page
def plan_detail(request, plan_slug):
    plan = plan_or_404(request, plan_slug)
    fields = list(selectors.fields_for_plan_page(plan))
    measures = None  # by field, when the overview table had to be rendered

    def overview_context():
        nonlocal measures
        measures = selectors.overview_measures(plan, request.user)
        return {"plan": plan, "fields": fields, "overview": measures}

    overview = plan_fragment(
        request, plan, "actionplan/includes/_plan_overview.html", overview_context
    )
    if measures is not None:
        measure_count = sum(len(rows) for rows in measures.values())
    else:
        measure_count = selectors.visible_measure_count(plan, request.user)
    return render(
        request,
        "actionplan/plan_detail.html",
        {"plan": plan, "fields": fields, "measure_count": measure_count, "overview": overview},
    )


@public_page
def field_detail(request, plan_slug, field_slug):
    plan = plan_or_404(request, plan_slug)
    field = get_object_or_404(selectors.field_for_page(plan, field_slug, request.user))
    return render(
        request,
        "actionplan/field_detail.html",
        {
            "plan": plan,
            "field": field,
            "baseline_groups": baseline_groups(field.baseline_findings.all()),
            "indicator_cards": field_indicator_cards(field, request.user, timezone.localdate()),
        },
    )


@public_page
def measure_detail(request, plan_slug, field_slug, measure_slug):
    plan = plan_or_404(request, plan_slug)
    measure = get_object_or_404(
        selectors.measure_for_page(plan, field_slug, measure_slug, request.user)
    )
    schedule = list(measure.schedule.all())
    axis, bars = measure_timeline(schedule)
    budget_lines = list(measure.budget_lines.all())
    planned_total = _total(line.planned_amount for line in budget_lines)
    actual_total = _total(line.actual_amount for line in budget_lines)
    previous, following = selectors.measure_neighbours(measure, request.user)
    return render(
        request,
        "actionplan/measure_detail.html",
        {
            "plan": plan,
            "field": measure.field,
            "measure": measure,
            "schedule": schedule,
            "axis": axis,
            "bars": bars,
            "responsibility_groups": responsibility_groups(measure.responsibilities.all()),
            "budget_lines": budget_lines,
            "budget_planned_total": planned_total,
            "budget_actual_total": actual_total,
            "budget_has_amounts": planned_total is not None or actual_total is not None,
            "indicator_cards": measure_indicator_cards(measure, request.user, timezone.localdate()),
            "related_measures": related_measures(measure),
            "previous_measure": previous,
            "next_measure": following,
        },
    )


@public_page
def plan_timeline_view(request, plan_slug):
    plan = plan_or_404(request, plan_slug)
    timeline_html = plan_fragment(
        request,
        plan,
        "actionplan/includes/_plan_timeline_body.html",
        lambda: {
            "plan": plan,
            "timeline": plan_timeline(selectors.fields_for_timeline(plan, request.user)),
        },
    )
    return render(
        request, "actionplan/plan_timeline.html", {"plan": plan, "timeline_html": timeline_html}
    )


# --- plan-wide fragments, cached while the plan's content stays the same ------------------------

FRAGMENT_TIMEOUT = 60 * 60 * 24 * 7
# What the cached HTML is made of besides the data: a deploy that changes any of it misses.
FRAGMENT_SOURCES = [
    ("templates/actionplan", "*.html"),
    ("actionplan/templatetags", "*.py"),
    ("actionplan", "timeline.py"),
    ("locale", "*.mo"),
]


@functools.cache
def fragment_fingerprint() -> str:
    """Hash of the templates, template tags and translations the fragments are rendered with."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for folder, pattern in FRAGMENT_SOURCES:
        for path in sorted((base / folder).rglob(pattern)):
            digest.update(path.relative_to(base).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def fragment_key(plan, template_name: str, audience: str) -> str | None:
    """Cache key of a plan-wide fragment; None when the plan has no change stamp to key on."""
    if plan.content_changed_at is None:
        return None
    stamp = plan.content_changed_at.isoformat()
    parts = ["planwerk-public", template_name, str(plan.pk), stamp, get_language() or ""]
    parts.append(audience)
    return ":".join([*parts, fragment_fingerprint()])


def plan_fragment(request, plan, template_name: str, build_context) -> str:
    """HTML of a fragment that shows the whole plan (the overview table, the timeline).

    It changes only when the plan's content does: ``Plan.content_changed_at`` moves on every
    save or delete of the plan and what it shows (actionplan/signals.py), so the stamp keys the
    cache and nothing has to be invalidated. ``build_context`` runs, and queries, only on a
    miss. The fragment depends on the user only through the audience (public or all).
    """
    key = fragment_key(plan, template_name, selectors.audience(request.user, plan))
    html = cache.get(key) if key else None
    if html is None:
        html = render_to_string(template_name, build_context(), request=request)
        if key:
            cache.set(key, html, FRAGMENT_TIMEOUT)
    return mark_safe(html)  # noqa: S308 - rendered by our own template with autoescape


def _capitalised(choices):
    return [(value, capfirst(label)) for value, label in choices]


class MeasureFilterForm(forms.Form):
    """Validates the GET parameters of the measure list; bad values are reported, not fatal."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200, widget=forms.SearchInput)
    field = forms.ModelChoiceField(
        label=_("Field of action"),
        queryset=None,
        to_field_name="slug",
        required=False,
        empty_label=_("All fields of action"),
    )
    target_group = forms.ModelChoiceField(
        label=_("Target group"), queryset=None, required=False, empty_label=_("All target groups")
    )
    organisation = forms.ModelChoiceField(
        label=_("Responsible organisation"),
        queryset=None,
        required=False,
        empty_label=_("All organisations"),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[("", _("All roles")), *_capitalised(Responsibility.Role.choices)],
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *_capitalised(Measure.Status.choices)],
        required=False,
    )
    year = forms.TypedChoiceField(
        label=_("Year"), coerce=int, required=False, empty_value=None, choices=[]
    )

    def __init__(self, *args, plan, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = selectors.filter_choices(plan, user)
        self.fields["field"].queryset = choices["fields"]
        self.fields["target_group"].queryset = choices["target_groups"]
        self.fields["organisation"].queryset = choices["organisations"]
        self.fields["year"].choices = [("", _("All years"))] + [
            (year, str(year)) for year in selectors.schedule_years(plan, user)
        ]

    def to_filter(self) -> selectors.MeasureFilter:
        """The valid part of the input; invalid fields count as not given."""
        self.is_valid()
        data = self.cleaned_data
        return selectors.MeasureFilter(
            field=data.get("field"),
            target_group=data.get("target_group"),
            organisation=data.get("organisation"),
            role=data.get("role") or None,
            status=data.get("status") or None,
            year=data.get("year"),
            query=(data.get("q") or "").strip(),
        )


@public_page(params=(*MeasureFilterForm.base_fields, "page"))
def measure_list(request, plan_slug):
    plan = plan_or_404(request, plan_slug)
    form = MeasureFilterForm(request.GET or None, plan=plan, user=request.user)
    flt = form.to_filter() if form.is_bound else selectors.MeasureFilter()
    measures = selectors.measures_for_list(plan, flt, request.user)
    page = Paginator(measures, MEASURES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "actionplan/measure_list.html",
        {"plan": plan, "form": form, "filter": flt, "page": page},
    )


# Group headings of the baseline: a SWOT analysis speaks of strengths, weaknesses, … (plural).
SWOT_HEADINGS = {
    BaselineFinding.Swot.STRENGTH: _("strengths"),
    BaselineFinding.Swot.WEAKNESS: _("weaknesses"),
    BaselineFinding.Swot.OPPORTUNITY: _("opportunities"),
    BaselineFinding.Swot.THREAT: _("threats"),
    BaselineFinding.Swot.UNCLASSIFIED: _("other findings"),
}


def baseline_groups(findings) -> list[tuple[str, list[BaselineFinding]]]:
    """Findings by SWOT class in SWOT order; one untitled group when nothing is classified."""
    findings = list(findings)
    unclassified = BaselineFinding.Swot.UNCLASSIFIED
    if all(f.swot == unclassified for f in findings):
        return [("", findings)] if findings else []
    groups = []
    for value in BaselineFinding.Swot.values:
        members = [f for f in findings if f.swot == value]
        if members:
            groups.append((SWOT_HEADINGS[value], members))
    return groups


def responsibility_groups(responsibilities) -> list[tuple[str, list[Responsibility]]]:
    """Responsibilities by role, in the order the roles are declared."""
    responsibilities = list(responsibilities)
    return [
        (label, members)
        for value, label in Responsibility.Role.choices
        if (members := [r for r in responsibilities if r.role == value])
    ]


def related_measures(measure) -> list[Measure]:
    """Visible measures related in either direction, each once."""
    seen, result = set(), []
    for other in [*measure.visible_related_to, *measure.visible_related_from]:
        if other.pk not in seen and other.pk != measure.pk:
            seen.add(other.pk)
            result.append(other)
    return result


def _total(amounts):
    given = [a for a in amounts if a is not None]
    return sum(given) if given else None


# The admin's schedule preview ------------------------------------------------------------------

# A person types a few phrases a minute; this bounds a script, not a clerk.
SCHEDULE_PREVIEWS_PER_MINUTE = 120


def _preview_allowed(user) -> bool:
    minute = int(time.time() // 60)
    key = f"schedule-preview:{user.pk}:{minute}"
    cache.add(key, 0, timeout=120)
    try:
        return cache.incr(key) <= SCHEDULE_PREVIEWS_PER_MINUTE
    except ValueError:  # the key expired in between
        return True


@require_GET
def schedule_preview(request):
    """What a schedule label means, as one line of JSON, for the admin's preview while typing.

    Wrapped in ``admin_site.admin_view`` (MeasureAdmin.get_urls): staff sign-in required.
    """
    if not rules.may_change_some(request.user, ScheduleEntry):
        raise PermissionDenied
    label = request.GET.get("label", "")
    max_length = ScheduleEntry._meta.get_field("label").max_length
    if len(label) > max_length:
        return JsonResponse(
            {"error": gettext("At most %(count)d characters.") % {"count": max_length}},
            status=400,
        )
    if not _preview_allowed(request.user):
        return JsonResponse({"error": gettext("Too many requests, please wait.")}, status=429)
    return JsonResponse({"text": describe_schedule(parse_schedule(label))})
