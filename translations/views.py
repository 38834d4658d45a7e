"""The round trip with a translation office, for the coordinators of a plan (or a campaign):
export the texts to translate (XLIFF 2.0 or a workbook), upload the file that comes back, see
a preview text by text, confirm. Reading the file uses the imports app's limits
(``translations.exchange``); the upload step (form, storage) is the imports app's."""

import os

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from access import rules
from campaigns.models import Campaign
from imports.changes import ImportRefused
from imports.storage import ImportUploadStorage
from imports.views import PlanWorkbookForm, allowed_plan, upload_step

from . import exchange


def _plan(request, plan_slug):
    """As for the workbook: its other members get 403 (they know the plan), everybody else
    404, hidden or forbidden alike."""
    return allowed_plan(request, plan_slug, rules.can_translate_plan)


def _campaign(request, slug) -> Campaign:
    """The same for a campaign and its members."""
    campaign = get_object_or_404(
        rules.visible_campaigns(request.user, Campaign.objects.all()), slug=slug
    )
    if not rules.can_translate_campaign(request.user, campaign):
        if rules.campaign_roles(request.user, campaign.pk):
            raise PermissionDenied
        raise Http404
    return campaign


def _export(scope, file_format) -> HttpResponse:
    """The texts to translate as XLIFF 2.0 (``xlf``) or as a workbook (``xlsx``)."""
    if file_format == "xlf":
        content, content_type = exchange.xliff_export(scope), exchange.XLIFF_CONTENT_TYPE
    else:
        content, content_type = exchange.xlsx_export(scope), exchange.XLSX_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    name = exchange.export_file_name(scope, file_format)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def plan_translation_export(request, plan_slug, file_format):
    if file_format not in ("xlf", "xlsx"):
        raise Http404
    return _export(_plan(request, plan_slug), file_format)


@login_required
@require_GET
def campaign_translation_export(request, slug, file_format):
    if file_format not in ("xlf", "xlsx"):
        raise Http404
    return _export(_campaign(request, slug), file_format)


class TranslationFileForm(PlanWorkbookForm):
    """The imports app's upload form (size limit while the request streams in)."""

    import_file = forms.FileField(
        label=_("Translated file (XLIFF 2.0 or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlf,.xliff,.xlsx"}),
    )


def _stored_upload(name: str) -> ImportUploadStorage:
    return ImportUploadStorage(name=os.path.basename(name or ""), read_mode="rb")


@login_required
def plan_translation(request, plan_slug):
    """Export → (translation office) → upload → preview → confirm."""
    plan = _plan(request, plan_slug)
    return _translation_page(
        request,
        plan,
        page=reverse("translations:plan_translation", kwargs={"plan_slug": plan.slug}),
        export="translations:plan_translation_export",
        export_kwargs={"plan_slug": plan.slug},
        change=reverse("admin:actionplan_plan_change", args=[plan.pk]),
    )


@login_required
def campaign_translation(request, slug):
    campaign = _campaign(request, slug)
    return _translation_page(
        request,
        campaign,
        page=reverse("translations:campaign_translation", kwargs={"slug": campaign.slug}),
        export="translations:campaign_translation_export",
        export_kwargs={"slug": campaign.slug},
        change=reverse("admin:campaigns_campaign_change", args=[campaign.pk]),
    )


def _translation_page(request, scope, *, page, export, export_kwargs, change):
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, scope, page)
    if request.method == "POST" and "cancel" in request.POST:
        _stored_upload(request.POST.get("stored_name")).remove()
        messages.info(request, gettext("Cancelled. The uploaded file was deleted."))
        return redirect(page)
    context = {
        **admin.site.each_context(request),
        "scope": scope,
        "change_url": change,
        "export_urls": {
            file_format: reverse(export, kwargs={**export_kwargs, "file_format": file_format})
            for file_format in ("xlf", "xlsx")
        },
        "title": gettext("Translation: %(plan)s") % {"plan": scope.title},
        "counts": exchange.status_counts(scope),
    }
    form, preview = upload_step(
        request,
        TranslationFileForm,
        lambda stored, file_name: _preview(request, scope, stored, file_name),
    )
    context.update(preview, form=form)
    return render(request, "translations/translation.html", context)


def _preview(request, scope, stored: ImportUploadStorage, file_name: str) -> dict:
    keep = False
    try:
        try:
            returned = exchange.read_upload(stored.read(), file_name)
        except ImportRefused as refused:
            return {"refused": refused.problems, "file_name": file_name}
        preview = exchange.translation_preview(scope=scope, user=request.user, returned=returned)
        keep = bool(preview.changes)
        return {
            "preview": preview,
            "file_name": file_name,
            "stored_name": stored.name if keep else "",
            "fingerprint": preview.fingerprint(),
        }
    finally:
        if not keep:
            stored.remove()


def _confirm(request, scope, page):
    stored = _stored_upload(request.POST.get("stored_name"))
    file_name = request.POST.get("file_name", "")[:255]
    try:
        returned = exchange.read_upload(stored.read(), file_name)
        preview = exchange.translation_apply(
            scope=scope,
            acting_user=request.user,
            returned=returned,
            expected_fingerprint=request.POST.get("fingerprint", ""),
            reason=gettext("Translation from “%(name)s”") % {"name": file_name[:80]},
        )
    except FileNotFoundError:
        messages.error(
            request,
            gettext(
                "The uploaded file is no longer available (cancelled, or older than an hour). "
                "Please upload it again."
            ),
        )
        return redirect(page)
    except ImportRefused as refused:
        for problem in refused.problems[:20]:
            messages.error(request, str(problem))
        return redirect(page)
    finally:
        stored.remove()
    messages.success(
        request,
        gettext("%(count)s English texts from “%(name)s” have been saved.")
        % {"count": len(preview.changes), "name": file_name},
    )
    return redirect(page)
