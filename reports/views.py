"""Downloads of a status report: the PDF (through the documents app) and the Word document.

Who may open a report: ``access.rules.visible_status_reports`` (drafts for the plan's
members, final reports of a published plan for everybody); what it holds:
``access.rules.sees_unpublished`` (members get every measure, everybody else the public
document the report stored)."""

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from access import rules
from actionplan.views import plan_or_404
from documents import services as documents
from documents.views import pdf_response

from . import word
from .document import ReportDocumentRequest, report_filename
from .models import StatusReport


def _report_or_404(request, plan_slug, pk) -> tuple[StatusReport, bool]:
    plan = plan_or_404(request, plan_slug)
    report = get_object_or_404(
        rules.visible_status_reports(request.user, StatusReport.objects.filter(plan=plan)),
        pk=pk,
    )
    report.plan = plan
    return report, rules.sees_unpublished(request.user, plan)


@transaction.non_atomic_requests
@require_GET
def report_pdf(request, plan_slug, pk):
    report, internal = _report_or_404(request, plan_slug, pk)
    pdf_request = ReportDocumentRequest.build(
        report, internal=internal, language=translation.get_language()
    )
    response = pdf_response(documents.get_or_render(pdf_request), pdf_request)
    if internal:
        response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def report_docx(request, plan_slug, pk):
    report, internal = _report_or_404(request, plan_slug, pk)
    pdf_request = ReportDocumentRequest.build(report, internal=internal)
    data = word.report_docx(report, internal=internal, language=pdf_request.language)
    response = HttpResponse(data, content_type=word.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, report_filename(report, "docx", draft=pdf_request.draft)
    )
    response["Content-Length"] = str(len(data))
    if internal or pdf_request.draft:
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response
