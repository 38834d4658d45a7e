"""Cancelling a queued or running PDF export: whoever asked for it and the coordinators of its
plan may; a queued export is never rendered, a running one's PDF is discarded."""

import pytest
from django.urls import reverse

from access.models import Membership
from documents import services
from documents.models import PdfExport
from documents.tasks import build_pdf_export
from tests.factories import UserFactory, build_plan
from tests.imports.support import coordinator_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def plan(db):
    return build_plan(fields=1, measures_per_field=1, steps_per_measure=1, status="published")


@pytest.fixture
def starter(plan):
    return coordinator_of(plan, "starterin")


def _export(plan, user, status=PdfExport.Status.PENDING) -> PdfExport:
    return PdfExport.objects.create(
        plan=plan, cache_key=f"test:{plan.pk}", requested_by=user, status=status
    )


def _cancel_url(export):
    return reverse("actionplan:pdf_export_cancel", args=[export.pk])


def test_queued_export_cancelled_is_never_rendered(client, monkeypatch, plan, starter):
    export = _export(plan, starter)
    client.force_login(starter)
    page = client.get(export.get_absolute_url()).content.decode()
    assert f'action="{_cancel_url(export)}"' in page and "csrfmiddlewaretoken" in page

    assert client.post(_cancel_url(export)).status_code == 302
    export.refresh_from_db()
    assert export.status == PdfExport.Status.CANCELLED and export.cancelled_by == starter

    rendered = []
    monkeypatch.setattr(services, "get_or_render", lambda request: rendered.append(1))
    result = build_pdf_export.call(str(export.pk))
    assert rendered == [] and result["rendered"] is False
    export.refresh_from_db()
    assert export.status == PdfExport.Status.CANCELLED and not export.file
    page = client.get(export.get_absolute_url()).content.decode()
    assert "Der PDF-Export wurde abgebrochen." in page and "refresh" not in page
    assert _cancel_url(export) not in page


def test_running_export_cancelled_discards_its_pdf(monkeypatch, plan, starter):
    export = _export(plan, starter)
    colleague = coordinator_of(plan, "kollegin")

    def render_while_cancelled(request):
        assert PdfExport.objects.get(pk=export.pk).status == PdfExport.Status.RUNNING
        services.export_cancel(export=export, acting_user=colleague)  # arrives mid-render
        return b"%PDF-1.7 rendered"

    monkeypatch.setattr(services, "get_or_render", render_while_cancelled)
    result = build_pdf_export.call(str(export.pk))

    export.refresh_from_db()
    assert result["rendered"] is False and result["cancelled"] is True
    assert export.status == PdfExport.Status.CANCELLED and export.cancelled_by == colleague
    assert not export.file and export.size is None


def test_running_export_not_cancelled_is_stored(monkeypatch, plan, starter):
    export = _export(plan, starter)
    monkeypatch.setattr(services, "get_or_render", lambda request: b"%PDF-1.7 rendered")
    build_pdf_export.call(str(export.pk))
    export.refresh_from_db()
    assert export.status == PdfExport.Status.DONE and export.size == len(b"%PDF-1.7 rendered")


def test_cancel_of_a_finished_export_changes_nothing(client, plan, starter):
    export = _export(plan, starter, status=PdfExport.Status.FAILED)
    client.force_login(starter)
    assert client.post(_cancel_url(export)).status_code == 302
    export.refresh_from_db()
    assert export.status == PdfExport.Status.FAILED and export.cancelled_by is None


def test_cancelled_export_is_not_reused(plan, starter):
    export = _export(plan, starter)
    services.export_cancel(export=export, acting_user=starter)
    assert not PdfExport.objects.reusable().exists()
    # the one-live-job constraint leaves room for a new job of the same document
    again = _export(plan, starter)
    assert again.pk != export.pk


def test_coordinator_of_the_plan_may_cancel(client, plan, starter):
    export = _export(plan, starter, status=PdfExport.Status.RUNNING)
    colleague = coordinator_of(plan, "kollegin")
    client.force_login(colleague)
    assert client.post(_cancel_url(export)).status_code == 302
    export.refresh_from_db()
    assert export.status == PdfExport.Status.CANCELLED


@pytest.mark.parametrize("who", ["anonymous", "reader", "other_coordinator"])
def test_others_see_no_button_and_get_404(client, plan, starter, who):
    export = _export(plan, starter, status=PdfExport.Status.RUNNING)
    if who != "anonymous":
        user = UserFactory(username=who, is_staff=True)
        if who == "reader":
            Membership.objects.create(user=user, plan=plan, role="reader")
        else:
            other = build_plan(fields=1, measures_per_field=1, steps_per_measure=1)
            Membership.objects.create(user=user, plan=other, role="coordinator")
        client.force_login(user)
    page = client.get(export.get_absolute_url())
    assert page.status_code == 200  # a public document's status page
    assert _cancel_url(export) not in page.content.decode()
    assert client.post(_cancel_url(export)).status_code == 404
    export.refresh_from_db()
    assert export.status == PdfExport.Status.RUNNING


def test_anonymous_starter_cannot_cancel_a_shared_export(client, plan):
    export = _export(plan, None)
    assert client.post(_cancel_url(export)).status_code == 404
    assert client.get(_cancel_url(export)).status_code == 405


def test_running_render_by_chapter_stops_at_the_next_chapter(monkeypatch, settings, starter):
    """A cancel that arrives while the first chapter renders: no further chapter is started,
    nothing is cached, the render lock is given back (issue 19, item 4)."""
    from django.core.cache import cache

    from documents import chapters, rendering, tasks
    from tests.requirements import require_weasyprint

    require_weasyprint()
    settings.PLANWERK_PDF_CHAPTER_MIN_MEASURES = 2
    settings.PLANWERK_PDF_CHAPTER_PROCESSES = 1  # in this process, one chapter after another
    settings.PLANWERK_PDF_CHAPTER_JOBS = False  # chapter jobs: test_chapter_jobs.py
    monkeypatch.setattr(tasks, "CANCEL_CHECK_SECONDS", 0)
    plan = build_plan(fields=4, measures_per_field=3, steps_per_measure=1, status="published")
    export = services.export_request(services.DocumentRequest.build(plan), requested_by=starter)
    request = services.DocumentRequest.for_export(export)
    assert chapters.applies(request)
    colleague = coordinator_of(plan, "kollegin")
    write_pdf = rendering.write_pdf
    rendered = []

    def first_chapter_then_cancel(html, **kwargs):
        rendered.append(1)
        if len(rendered) == 1:
            services.export_cancel(export=export, acting_user=colleague)
        return write_pdf(html, **kwargs)

    monkeypatch.setattr(rendering, "write_pdf", first_chapter_then_cancel)
    result = build_pdf_export.call(str(export.pk))

    assert result == {"export": str(export.pk), "size": None, "rendered": False, "cancelled": True}
    assert len(rendered) == 1, "four chapters, the back matter, the front and the footers"
    export.refresh_from_db()
    assert export.status == PdfExport.Status.CANCELLED and not export.file
    assert cache.get(request.cache_key) is None
    assert cache.get(request.cache_key + ":rendering") is None
