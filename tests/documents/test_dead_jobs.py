"""A PDF job whose worker is gone ends (issue 19, item 4): the retry of its own task claims it
again; a job whose task ended without a file is shown as failed, with a way to start again,
and is not handed to the next visitor."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from documents import tasks
from documents.models import PdfExport
from documents.services import DocumentRequest, export_request
from tests.factories import build_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def export(settings):
    settings.PLANWERK_PDF_INLINE_MAX_MEASURES = 0
    plan = build_plan(fields=1, measures_per_field=2, steps_per_measure=1, slug="klein")
    return export_request(DocumentRequest.build(plan))


def _running(export, *, claimed_ago: datetime.timedelta):
    PdfExport.objects.filter(pk=export.pk).update(
        status=PdfExport.Status.RUNNING, started_at=timezone.now() - claimed_ago
    )


def test_the_retry_of_its_own_task_claims_a_running_export(export):
    _running(export, claimed_ago=datetime.timedelta(minutes=2))
    task = DBTaskResult.objects.get(pk=export.task_result_id)
    task.claim("worker-a")  # the task started before the export was claimed: the first run
    DBTaskResult.objects.filter(pk=task.pk).update(
        started_at=timezone.now() - datetime.timedelta(minutes=3)
    )
    assert tasks.claim(str(export.pk)) is False, "a live first run keeps its export"
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=timezone.now())  # the retry
    assert tasks.claim(str(export.pk)) is True
    assert tasks.claim(str(export.pk)) is False, "only once"


def test_a_dead_job_is_shown_as_failed_and_a_new_request_starts_another(client, export):
    _running(export, claimed_ago=datetime.timedelta(minutes=2))
    DBTaskResult.objects.filter(pk=export.task_result_id).update(status="FAILED")

    page = client.get(export.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert 'http-equiv="refresh"' not in html, "no longer refreshing"
    assert "konnte nicht erstellt werden" in html
    start_again = reverse("actionplan:plan_pdf", kwargs={"plan_slug": "klein"})
    assert f'href="{start_again}"' in html
    export.refresh_from_db()
    assert export.status == PdfExport.Status.FAILED

    again = export_request(DocumentRequest.build(export.plan))
    assert again.pk != export.pk and again.status == PdfExport.Status.PENDING


def test_a_waiting_job_is_reused(export):
    assert export_request(DocumentRequest.build(export.plan)).pk == export.pk
