"""The plan's round trip with a translation office, for its coordinators: export the texts to
translate (XLIFF 2.0 or a workbook), upload the file that comes back, see a preview text by
text, confirm. Reading the file uses the imports app's limits (``translations.exchange``); the
upload is kept in the imports app's storage between preview and confirmation."""

import os

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from access import rules
from actionplan.models import Plan
from imports.changes import ImportRefused
from imports.storage import ImportUploadStorage
from imports.views import PlanWorkbookForm, allowed_plan, upload_step

from . import exchange


def _plan(request, plan_slug) -> Plan:
    """As for the workbook: its other members get 403 (they know the plan), everybody else
    404, hidden or forbidden alike."""
    return allowed_plan(request, plan_slug, rules.can_translate_plan)


@login_required
@require_GET
def plan_translation_export(request, plan_slug, file_format):
    """The texts to translate as XLIFF 2.0 (``xlf``) or as a workbook (``xlsx``)."""
    if file_format not in ("xlf", "xlsx"):
        raise Http404
    plan = _plan(request, plan_slug)
    if file_format == "xlf":
        content, content_type = exchange.xliff_export(plan), exchange.XLIFF_CONTENT_TYPE
    else:
        content, content_type = exchange.xlsx_export(plan), exchange.XLSX_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    name = exchange.export_file_name(plan, file_format)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


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
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, plan)
    if request.method == "POST" and "cancel" in request.POST:
        _stored_upload(request.POST.get("stored_name")).remove()
        messages.info(request, gettext("Cancelled. The uploaded file was deleted."))
        return redirect("translations:plan_translation", plan_slug=plan.slug)
    context = {
        **admin.site.each_context(request),
        "plan": plan,
        "title": gettext("Translation: %(plan)s") % {"plan": plan.title},
        "counts": exchange.status_counts(plan),
    }
    form, preview = upload_step(
        request,
        TranslationFileForm,
        lambda stored, file_name: _preview(request, plan, stored, file_name),
    )
    context.update(preview, form=form)
    return render(request, "translations/plan_translation.html", context)


def _preview(request, plan, stored: ImportUploadStorage, file_name: str) -> dict:
    keep = False
    try:
        try:
            returned = exchange.read_upload(stored.read(), file_name)
        except ImportRefused as refused:
            return {"refused": refused.problems, "file_name": file_name}
        preview = exchange.translation_preview(plan=plan, user=request.user, returned=returned)
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


def _confirm(request, plan):
    stored = _stored_upload(request.POST.get("stored_name"))
    file_name = request.POST.get("file_name", "")[:255]
    try:
        returned = exchange.read_upload(stored.read(), file_name)
        preview = exchange.translation_apply(
            plan=plan,
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
        return redirect("translations:plan_translation", plan_slug=plan.slug)
    except ImportRefused as refused:
        for problem in refused.problems[:20]:
            messages.error(request, str(problem))
        return redirect("translations:plan_translation", plan_slug=plan.slug)
    finally:
        stored.remove()
    messages.success(
        request,
        gettext("%(count)s English texts from “%(name)s” have been saved.")
        % {"count": len(preview.changes), "name": file_name},
    )
    return redirect("translations:plan_translation", plan_slug=plan.slug)
