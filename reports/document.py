"""The status report as a document kind of the one renderer (``documents``): rendered,
cached and served like the plan documents, always inline (a report prints no more than the
plan's overview and one block per measure)."""

import functools
import hashlib
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation

from documents import kinds, plans, rendering

from .models import StatusReport
from .selectors import report_content


@dataclass(frozen=True)
class ReportDocumentRequest:
    """One status report, for a reader who sees the plan's drafts (``internal``) or not."""

    report: StatusReport
    internal: bool = False
    language: str = "de"
    variant: str = rendering.DEFAULT_VARIANT

    @classmethod
    def build(cls, report, *, internal, language=None, variant=rendering.DEFAULT_VARIANT):
        rendering.check_variant(variant)
        return cls(report, internal, plans.reader_language(language), variant)

    kind = "report"
    field = None
    measure = None
    progress = False

    @property
    def plan(self):
        return self.report.plan

    @property
    def target(self):
        return self.report

    @property
    def draft(self) -> bool:
        """Marked as a draft: a report not yet final, or one holding unpublished measures."""
        return self.report.state == StatusReport.State.DRAFT or (
            self.internal and self.report.document != self.report.public_document
        )

    @functools.cached_property
    def erasure_stamp(self) -> str:
        from documents.services import erasure_stamp

        return erasure_stamp()

    @functools.cached_property
    def content_stamp(self) -> str:
        """The report's own state: its fields, its texts and the report it is compared with."""
        from .selectors import previous_report

        report = self.report
        texts = list(report.field_texts.order_by("pk").values_list("field_slug", "text"))
        previous = previous_report(report)
        raw = repr((report.updated_at, texts, previous.pk if previous else None))
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def cache_key(self) -> str:
        from documents.services import layout_fingerprint

        raw = ":".join(
            [
                self.erasure_stamp,
                "report",
                str(self.report.pk),
                self.content_stamp,
                "internal" if self.internal else "public",
                self.language,
                self.variant or "plain",
                layout_fingerprint(),
            ]
        )
        return "planwerk:pdf:" + hashlib.sha256(raw.encode()).hexdigest()

    @property
    def filename(self) -> str:
        return report_filename(self.report, "pdf", draft=self.draft)

    def measure_count(self) -> int:
        return 0

    def html(self) -> str:
        kind = kinds.get(self.kind)
        with translation.override(self.language):
            return render_to_string(kind.template, kind.context(self))

    def render(self, *, url_fetcher=None) -> bytes:
        return rendering.write_pdf(self.html(), variant=self.variant, url_fetcher=url_fetcher)


def report_filename(report: StatusReport, extension: str, *, draft: bool) -> str:
    return (
        f"{report.plan.slug}-sachstandsbericht-{report.pk}{'-entwurf' if draft else ''}.{extension}"
    )


def report_context(request: ReportDocumentRequest) -> dict:
    report = request.report
    content = report_content(report, internal=request.internal)
    return {
        **plans.language_context(report.document["plan"].get("language"), request.language),
        "content": content,
        "report": report,
        "doc_title": f"{report.title} – {content.plan_title}",
        "author": plans.document_author(report.plan),
        "draft": request.draft,
        "lang": request.language,
        "data_date": report.source_date,
        "data_state": plans.data_state_text(report.source_date),
        "created": report.created_at,
        "modified": report.updated_at,
        "plan": {"title": content.plan_title, "region": report.document["plan"].get("region")},
    }


REPORT = kinds.register(
    kinds.DocumentKind("report", "documents/report.html", report_context, lambda request: 0)
)
