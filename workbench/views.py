"""The start page (“Meine Arbeit”, the admin index) and the admin's own 403 and 404 pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import defaults

from access import reasons, rules
from actionplan import selectors as actionplan_selectors
from actionplan.models import Plan
from translations import selectors as translation_selectors

from . import selectors


@dataclass
class PlanLinks:
    plan: object
    admin_url: str
    public_url: str
    pdf_url: str
    export_url: str | None
    import_url: str | None


def _plan_links(user, plans) -> list[PlanLinks]:
    links = []
    for plan in plans:
        slug = {"plan_slug": plan.slug}
        links.append(
            PlanLinks(
                plan=plan,
                admin_url=reverse("admin:actionplan_plan_change", args=[plan.pk]),
                public_url=plan.get_absolute_url(),
                pdf_url=reverse("actionplan:plan_pdf", kwargs=slug),
                export_url=reverse(
                    "imports:plan_workbook_export", kwargs={**slug, "file_format": "xlsx"}
                )
                if rules.can_export_plan(user, plan)
                else None,
                import_url=reverse("imports:plan_workbook_import", kwargs=slug)
                if rules.can_import(user, plan)
                else None,
            )
        )
    return links


def start_page_context(request, *, site) -> dict:
    """What the start page shows this user: the editor's lists for editors, the review queue,
    recent changes and the quality check for coordinators, the plan links for everybody."""
    user = request.user
    today = timezone.localdate()
    is_editor = bool(rules.roles(user).editor_orgs)
    coordinated = rules.coordinated_plan_ids(user)  # None: every plan (superuser)
    is_coordinator = coordinated is None or bool(coordinated)
    plans = selectors.my_plans(user)
    context = {
        "title": _("My work"),
        "today": today,
        "is_editor": is_editor,
        "is_coordinator": is_coordinator,
        "plans": _plan_links(user, plans),
        "due_days": selectors.DUE_DAYS,
    }
    if is_editor or is_coordinator:
        context["milestones"] = selectors.milestones(user, today=today)
    if is_editor:
        context.update(
            my_measures=selectors.my_measures(user, today=today),
            sent_back=selectors.sent_back(user),
            **selectors.pending_of(user),
        )
    if is_coordinator:
        own = [plan for plan in plans if rules.coordinates(user, plan)]
        context.update(
            review_queue=selectors.review_queue(user),
            pending_for_review=selectors.pending_for_review(user),
            recent_changes=selectors.recent_changes(user),
            quality_reports=actionplan_selectors.quality_reports(own, today=today),
            translation_counts=translation_selectors.plans_translation_counts(own),
        )
    return context


def quality_check(request, plan_slug):
    """The quality check before publishing: the plan's measures that lack a lead, a dated
    schedule entry or a budget line, or whose schedule date is past while they are still
    planned or in progress. For the plan's coordinators (404 for everybody else); it never
    blocks publishing."""
    plan = get_object_or_404(Plan, slug=plan_slug)
    if not rules.coordinates(request.user, plan):
        raise Http404
    context = {
        **admin.site.each_context(request),
        "title": _("Check before publishing: %(plan)s") % {"plan": plan.title},
        "plan": plan,
        "report": actionplan_selectors.quality_findings(plan),
    }
    return TemplateResponse(request, "workbench/quality_check.html", context)


# --- 403 and 404 in the admin's own look ----------------------------------------------------

ADMIN_PREFIXES = ("admin/", "importe/")


def _in_admin(request) -> bool:
    """The admin and the staff pages beside it (imports), in any language prefix."""
    path = request.path_info.lstrip("/")
    first, _sep, rest = path.partition("/")
    if len(first) == 2 and rest:  # /en/admin/…
        path = rest
    user = getattr(request, "user", None)
    return path.startswith(ADMIN_PREFIXES) and user is not None and user.is_authenticated


def _admin_error(request, *, status: int, template: str, reason: str):
    site = admin.site
    context = {
        **site.each_context(request),
        "title": _("Access denied") if status == 403 else _("Page not found"),
        "reason": reason,
        "your_roles": reasons.roles_summary(request.user),
        "whom_to_ask": reasons.whom_to_ask(request.user, request.resolver_match),
    }
    if not site.has_permission(request):
        context.update(available_apps=[], is_nav_sidebar_enabled=False)
    response = TemplateResponse(request, template, context, status=status)
    return response.render()


def permission_denied(request, exception=None, template_name="403.html"):
    """``handler403``: inside the admin a page in its look that says why and whom to ask."""
    if not _in_admin(request):
        return defaults.permission_denied(request, exception, template_name)
    message = str(exception or "").strip() if exception is not None else ""
    if not message:
        obj = reasons.object_of_request(request.user, request.resolver_match)
        if obj is not None:
            message = reasons.read_only_reason(request.user, obj)
    return _admin_error(
        request,
        status=403,
        template="workbench/403.html",
        reason=message or _("Your role does not allow this."),
    )


def page_not_found(request, exception=None, template_name="404.html"):
    """``handler404``: inside the admin a page in its look (it never says whether an object
    the user may not see exists)."""
    if not _in_admin(request):
        return defaults.page_not_found(request, exception, template_name)
    return _admin_error(
        request,
        status=404,
        template="workbench/404.html",
        reason=_(
            "This page does not exist, or it belongs to a plan or campaign you have no role in."
        ),
    )
