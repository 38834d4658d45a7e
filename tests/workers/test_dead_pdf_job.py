"""Jobs always end (issue 19, item 4), with real worker processes on PostgreSQL: ``kill -9`` of
the worker in the middle of a large PDF → the reaper hands the task back, the retry claims its
own export (it used to refuse, "not rendered", and leave the export "being created" forever),
another worker finishes the PDF, and no render child outlives the killed worker."""

import os
import signal
import time
import uuid
from pathlib import Path

import pytest

from documents.models import PdfExport
from documents.services import DocumentRequest, export_request
from tests.factories import build_plan
from tests.requirements import require_weasyprint
from tests.workers.support import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _marked(mark: str) -> set[int]:
    """Processes whose environment carries ``mark``: a worker and everything it started."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if mark.encode() in (entry / "environ").read_bytes():
                    found.add(int(entry.name))
            except OSError:
                continue
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (ProcessLookupError, OSError):
        return False


def _status(export) -> str:
    return PdfExport.objects.values_list("status", flat=True).get(pk=export.pk)


def test_pdf_job_of_a_killed_worker_is_finished_by_another(start_worker, tmp_path, settings):
    require_weasyprint()
    plan = build_plan(fields=3, measures_per_field=20, steps_per_measure=2)
    export = export_request(DocumentRequest.build(plan))
    env = {
        "PLANWERK_VAR_DIR": str(tmp_path),  # the same media folder as this test's
        "PLANWERK_PDF_CHAPTER_PROCESSES": "2",
        "PLANWERK_PDF_CHAPTER_MIN_MEASURES": "10",  # by chapter, in child processes
        "PLANWERK_PDF_CHAPTER_JOBS": "0",  # (chapters as jobs: test_chapter_workers.py)
        "PLANWERK_TASK_TIMEOUT_SECONDS": "900",
    }
    mark = f"PLANWERK_TEST_WORKER_MARK={uuid.uuid4().hex}"
    first = start_worker("worker-a", PLANWERK_TEST_WORKER_MARK=mark.split("=")[1], **env)
    wait_for(lambda: _status(export) == PdfExport.Status.RUNNING, "the render started")
    deadline = time.monotonic() + 60
    children = set()
    while time.monotonic() < deadline and len(children) < 3:  # two render children and the
        children = _marked(mark) - {first.pid}  # multiprocessing resource tracker
        time.sleep(0.2)

    first.send_signal(signal.SIGKILL)
    first.wait()
    start_worker("worker-b", **env)
    from django_tasks_db.models import DBTaskResult

    task = DBTaskResult.objects.filter(pk=export.task_result_id)
    wait_for(
        lambda: _status(export) in {PdfExport.Status.DONE, PdfExport.Status.FAILED},
        lambda: (
            f"the export ended (export {_status(export)}, task "
            f"{list(task.values_list('status', 'worker_ids'))}; worker logs: "
            + " | ".join(p.read_text()[-1500:] for p in sorted(tmp_path.glob("*.log")))
            + ")"
        ),
    )

    export.refresh_from_db()
    assert export.status == PdfExport.Status.DONE, export.error
    with export.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert task.get().worker_ids == ["worker-a", "worker-b"]
    assert children, "the killed worker had render children"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(pid) for pid in _marked(mark)):
        time.sleep(0.2)
    survivors = {
        pid: Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:200]
        for pid in _marked(mark)
        if _alive(pid)
    }
    assert not survivors, f"render children outlived their worker: {survivors}"
