"""One document over many workers (issue 22), with real worker processes on PostgreSQL: the
chapters of one export run side by side in two workers; ``kill -9`` of one in the middle of
a chapter → the reaper hands the chapter back, the other worker lays it out, and the
document completes with every chapter."""

import signal

import pytest
from django_tasks_db.models import DBTaskResult

from documents.models import PdfExport, PdfPartJob
from documents.services import DocumentRequest, export_request
from tests.documents.pdf_factories import pdf_pages, requires_poppler
from tests.factories import build_plan
from tests.requirements import require_weasyprint
from tests.workers.support import wait_for
from workers.models import WorkerHeartbeat

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, requires_poppler]

PART_TASK = "documents.tasks.render_pdf_part"


def _running_parts():
    return {
        str(r.pk): r.worker_ids[-1]
        for r in DBTaskResult.objects.filter(task_path=PART_TASK, status="RUNNING")
        if r.worker_ids
    }


def test_chapters_spread_over_two_workers_and_a_killed_chapter_is_retried(start_worker, tmp_path):
    require_weasyprint()
    plan = build_plan(fields=5, measures_per_field=8, steps_per_measure=3)
    env = {
        "PLANWERK_VAR_DIR": str(tmp_path),  # the same media folder as this test's
        "PLANWERK_PDF_CHAPTER_MIN_MEASURES": "2",
        "PLANWERK_PDF_CHAPTER_PROCESSES": "1",
        "PLANWERK_PDF_CHAPTER_JOBS": "1",
        "PLANWERK_TASK_TIMEOUT_SECONDS": "900",
    }
    first = start_worker("worker-a", **env)
    start_worker("worker-b", **env)
    wait_for(lambda: WorkerHeartbeat.objects.count() == 2, "both workers beat")

    export = export_request(DocumentRequest.build(plan))
    # Both workers lay out a chapter of the same document at the same time.
    wait_for(
        lambda: set(_running_parts().values()) == {"worker-a", "worker-b"},
        lambda: f"two chapters running side by side (running: {_running_parts()})",
    )
    killed = next(task for task, worker in _running_parts().items() if worker == "worker-a")
    first.send_signal(signal.SIGKILL)
    first.wait()

    def ended():
        status = PdfExport.objects.values_list("status", flat=True).get(pk=export.pk)
        return status in {PdfExport.Status.DONE, PdfExport.Status.FAILED}

    wait_for(
        ended,
        lambda: (
            "the export ended (worker logs: "
            + " | ".join(p.read_text()[-1500:] for p in sorted(tmp_path.glob("*.log")))
            + ")"
        ),
    )
    export.refresh_from_db()
    assert export.status == PdfExport.Status.DONE, export.error
    # The chapter of the killed worker was taken again by the other one.
    assert DBTaskResult.objects.get(pk=killed).worker_ids == ["worker-a", "worker-b"]
    jobs = PdfPartJob.objects.filter(export=export)
    assert jobs.count() == 6 and not jobs.exclude(status=PdfPartJob.Status.DONE).exists()
    workers = {
        r.worker_ids[0] for r in DBTaskResult.objects.filter(task_path=PART_TASK) if r.worker_ids
    }
    assert workers == {"worker-a", "worker-b"}
    with export.file.open("rb") as handle:
        text = "".join(pdf_pages(handle.read()))
    for field in plan.fields.all():
        assert field.title in text
        for measure in field.measures.all():
            assert measure.title in text
