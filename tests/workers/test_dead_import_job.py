"""Jobs always end (issue 19, item 4), with real worker processes on PostgreSQL: ``kill -9`` of
the worker in the middle of a large workbook import → its transaction is rolled back (nothing of
it written), the reaper hands the task back, the retry claims its own job (it used to skip it,
"expected queued", and the job said "66 % … aktualisiert sich selbst" forever), and another
worker applies the whole import."""

import signal
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actionplan import models as ap
from imports import plan_workbook as wb
from imports.models import ImportJob
from imports.tasks import preview_import_job
from tests.factories import build_plan
from tests.imports.plan_support import column, open_xlsx, save_xlsx, snapshot
from tests.imports.support import coordinator_of
from tests.workers.support import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# Long enough that the kill lands inside the import's transaction (checked below, not assumed).
RUNNING_BEFORE_KILL_SECONDS = 1.5


def _retitle_every_measure(plan) -> bytes:
    book = open_xlsx(wb.plan_workbook_xlsx(plan))
    sheet = book["Maßnahmen"]
    title = column(sheet, "Titel")
    for row in range(2, sheet.max_row + 1):
        cell = sheet.cell(row=row, column=title)
        cell.value = f"Neu: {cell.value}"
    return save_xlsx(book)


def _status(job) -> str:
    return ImportJob.objects.values_list("status", flat=True).get(pk=job.pk)


def test_import_of_a_killed_worker_is_rolled_back_and_finished_by_another(
    client, start_worker, tmp_path, settings
):
    plan = build_plan(fields=4, measures_per_field=40, steps_per_measure=2)
    measures = ap.Measure.objects.filter(field__plan=plan).count()
    client.force_login(coordinator_of(plan))
    settings.PLANWERK_IMPORT_INLINE_MAX_ROWS = 10  # to the worker, as a large file goes
    upload = SimpleUploadedFile("plan.xlsx", _retitle_every_measure(plan))
    url = reverse("imports:plan_workbook_import", kwargs={"plan_slug": plan.slug})
    assert client.post(url, {"import_file": upload}).status_code == 200
    job = ImportJob.objects.get()
    preview_import_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY, job.messages
    assert job.totals["changed"] == measures
    before = snapshot(plan)
    confirm = reverse("imports:job_confirm", kwargs={"job_id": job.pk})
    assert client.post(confirm).status_code == 302
    assert _status(job) == ImportJob.Status.QUEUED

    env = {"PLANWERK_VAR_DIR": str(tmp_path)}  # the same media folder (the stored upload)
    first = start_worker("worker-a", **env)
    wait_for(lambda: _status(job) == ImportJob.Status.IMPORTING, "the import started")
    time.sleep(RUNNING_BEFORE_KILL_SECONDS)
    first.send_signal(signal.SIGKILL)
    first.wait()

    # killed in the middle: claimed, nothing of it committed
    assert _status(job) == ImportJob.Status.IMPORTING, (
        "the import ended before the kill; make the plan larger"
    )
    assert snapshot(plan) == before

    start_worker("worker-b", **env)
    wait_for(
        lambda: _status(job) in {ImportJob.Status.DONE, ImportJob.Status.FAILED},
        lambda: (
            f"the import ended (job {_status(job)}; worker logs: "
            + " | ".join(p.read_text()[-1500:] for p in sorted(tmp_path.glob("*.log")))
            + ")"
        ),
    )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.messages
    titles = ap.Measure.objects.filter(field__plan=plan).values_list("title", flat=True)
    assert all(title.startswith("Neu: ") for title in titles)
    assert len(titles) == measures

    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.get(pk=job.task_result_id).worker_ids == ["worker-a", "worker-b"]
