"""The workbook in the browser: export links, upload → preview → confirm, permissions, jobs."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from access.models import AuditEvent, Membership
from actionplan import models as ap
from contacts.models import Organisation
from imports import plan_workbook as wb
from imports.models import ImportJob
from imports.tasks import preview_import_job, run_import_job
from tests.factories import UserFactory
from tests.imports.plan_support import (
    LEIPZIG,
    column,
    history_count,
    load_leipzig,
    open_xlsx,
    save_xlsx,
    snapshot,
)
from tests.imports.support import coordinator_of, stored_uploads

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return load_leipzig()


@pytest.fixture
def coordinator(plan):
    return coordinator_of(plan)


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def import_url(plan) -> str:
    return reverse("imports:plan_workbook_import", kwargs={"plan_slug": plan.slug})


def export_url(plan, file_format="xlsx") -> str:
    return reverse(
        "imports:plan_workbook_export",
        kwargs={"plan_slug": plan.slug, "file_format": file_format},
    )


def upload(client, plan, content: bytes, name="plan.xlsx"):
    return client.post(import_url(plan), {"import_file": SimpleUploadedFile(name, content)})


def retitled(plan, title="Neuer Titel") -> bytes:
    book = open_xlsx(wb.plan_workbook_xlsx(plan))
    sheet = book["Maßnahmen"]
    sheet.cell(row=2, column=column(sheet, "Titel")).value = title
    return save_xlsx(book)


def test_export_downloads_the_workbook(coordinator_client, plan):
    response = coordinator_client.get(export_url(plan))
    assert response.status_code == 200
    assert response["Content-Type"] == wb.XLSX_CONTENT_TYPE
    assert 'filename="leipzig-2011-' in response["Content-Disposition"]
    assert open_xlsx(response.content).sheetnames[4] == "Maßnahmen"
    zipped = coordinator_client.get(export_url(plan, "zip"))
    assert zipped.status_code == 200 and zipped.content.startswith(b"PK")
    assert coordinator_client.get(export_url(plan, "pdf")).status_code == 404


def test_plan_change_page_links_the_workbook(coordinator_client, plan):
    page = coordinator_client.get(reverse("admin:actionplan_plan_change", args=[plan.pk]))
    html = page.content.decode()
    assert export_url(plan) in html and import_url(plan) in html


def test_upload_preview_confirm_applies_the_change(coordinator_client, coordinator, plan):
    before = snapshot(plan)
    preview = upload(coordinator_client, plan, retitled(plan))

    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Vorschau" in html and "0 neu, 1 geändert, 0 gelöscht" in html
    assert "<del>Einrichtung, Nutzung und Stärkung" in html and "<ins>Neuer Titel</ins>" in html
    assert snapshot(plan) == before and len(stored_uploads()) == 1

    data = {name: preview.context[name] for name in ("stored_name", "file_name", "fingerprint")}
    response = coordinator_client.post(import_url(plan), {**data, "confirm": "1"})

    assert response.status_code == 302
    measure = ap.Measure.objects.get(field__plan=plan, field__position=1, position=1)
    assert measure.title == "Neuer Titel"
    assert measure.history.latest().history_user == coordinator
    assert stored_uploads() == []
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORTED)
    assert event.plan == plan and "1 geändert" in event.detail


def test_preview_of_a_bad_file_lists_sheet_row_column(coordinator_client, plan):
    book = open_xlsx(wb.plan_workbook_xlsx(plan))
    sheet = book["Budget"]
    sheet.cell(row=3, column=column(sheet, "geplant (EUR)")).value = "viel"
    before = snapshot(plan)

    response = upload(coordinator_client, plan, save_xlsx(book))

    html = response.content.decode()
    assert "Die Datei kann nicht importiert werden" in html
    assert "<td>Budget</td><td>3</td><td>geplant (EUR)</td><td>„viel“ ist keine Zahl.</td>" in html
    assert "confirm" not in html
    assert snapshot(plan) == before and stored_uploads() == []


def test_preview_in_english(coordinator_client, plan):
    with translation.override("en"):
        url = import_url(plan)
    response = coordinator_client.post(url, {"import_file": SimpleUploadedFile("leer.xlsx", b"")})
    html = response.content.decode()
    assert "The submitted file is empty." in html or "The file is empty." in html


def test_file_over_the_limit_is_refused_in_the_form(coordinator_client, plan, settings):
    settings.PLANWERK_UPLOAD_MAX_BYTES = 1024
    before = snapshot(plan)
    response = upload(coordinator_client, plan, b"PK\x03\x04" + b"x" * 4096)
    assert "Die Datei ist zu groß" in response.content.decode()
    assert snapshot(plan) == before and stored_uploads() == []


def test_cancel_deletes_the_upload(coordinator_client, plan):
    preview = upload(coordinator_client, plan, retitled(plan))
    assert len(stored_uploads()) == 1
    coordinator_client.post(
        import_url(plan), {"stored_name": preview.context["stored_name"], "cancel": "1"}
    )
    assert stored_uploads() == []


def test_stale_preview_is_refused_on_confirm(coordinator_client, plan):
    preview = upload(coordinator_client, plan, retitled(plan))
    measure = ap.Measure.objects.filter(field__plan=plan).last()
    measure.title = "Zwischendurch geändert"
    measure.save()
    data = {n: preview.context[n] for n in ("stored_name", "file_name", "fingerprint")}
    response = coordinator_client.post(import_url(plan), {**data, "confirm": "1"}, follow=True)
    assert "jemand anderes diesen Plan geändert" in response.content.decode()
    assert not ap.Measure.objects.filter(title="Neuer Titel").exists()


@pytest.mark.parametrize("role", [Membership.Role.EDITOR, Membership.Role.READER])
def test_members_without_import_rights_get_403(client, plan, role):
    user = UserFactory(username=f"mitglied-{role}", is_staff=True)
    organisation = Organisation.objects.get(name="Kulturamt")
    Membership.objects.create(
        user=user,
        plan=plan,
        role=role,
        organisation=organisation if role == Membership.Role.EDITOR else None,
    )
    client.force_login(user)
    before = snapshot(plan)
    assert client.get(import_url(plan)).status_code == 403  # with whom to ask
    assert upload(client, plan, retitled(plan)).status_code == 403
    assert client.get(export_url(plan)).status_code == 403
    assert snapshot(plan) == before and stored_uploads() == []


def test_coordinator_of_another_plan_gets_404_and_anonymous_the_login(client, plan):
    from tests.factories import build_plan

    other = build_plan(fields=1, measures_per_field=1, steps_per_measure=0, slug="andere")
    client.force_login(coordinator_of(other, "andere-koordination"))
    assert client.get(import_url(plan)).status_code == 404
    assert client.get(export_url(plan)).status_code == 404
    client.logout()
    assert client.get(import_url(plan)).status_code == 302
    assert client.get(export_url(plan)).status_code == 302


def test_large_workbook_goes_to_the_worker_with_progress(
    settings, coordinator_client, coordinator, plan
):
    settings.PLANWERK_IMPORT_INLINE_MAX_ROWS = 10
    before = snapshot(plan)

    response = upload(coordinator_client, plan, retitled(plan, "Im Hintergrund"))

    job = ImportJob.objects.get()
    assert job.plan == plan and job.rows_total > 10
    assert DBTaskResult.objects.get(pk=job.task_result_id).task_path.endswith("preview_import_job")
    assert job.get_absolute_url() in response.content.decode()
    page = coordinator_client.get(job.get_absolute_url()).content.decode()
    assert '<meta http-equiv="refresh"' in page and "<progress" in page
    job.report_progress(5)
    page = coordinator_client.get(job.get_absolute_url()).content.decode()
    assert f"5 von {job.rows_total} Zeilen" in page

    preview_import_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY and job.totals["changed"] == 1
    assert job.rows_done == job.rows_total
    assert snapshot(plan) == before
    page = coordinator_client.get(job.get_absolute_url()).content.decode()
    assert "<ins>Im Hintergrund</ins>" in page and "Import bestätigen" in page

    coordinator_client.post(reverse("imports:job_confirm", kwargs={"job_id": job.pk}))
    run_import_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert ap.Measure.objects.filter(title="Im Hintergrund").count() == 1
    assert stored_uploads() == []


def test_import_plan_command_dry_run_then_import(capsys):
    # the German UI is active (conftest); the command reports in English regardless
    call_command("import_plan", str(LEIPZIG), "--dry-run")
    out = capsys.readouterr().out
    assert "Nothing written." in out and "+ measure netzwerke/A" in out
    assert not ap.Plan.objects.exists() and history_count() == 0

    call_command("import_plan", str(LEIPZIG))
    assert ap.Measure.objects.filter(field__plan__slug="leipzig-2011").count() == 10
    capsys.readouterr()
    history = history_count()

    call_command("import_plan", str(LEIPZIG), "--dry-run")
    assert "0 new, 0 changed, 0 deleted. Nothing written." in capsys.readouterr().out
    call_command("import_plan", str(LEIPZIG))
    assert "0 new, 0 changed, 0 deleted." in capsys.readouterr().out
    assert history_count() == history


def test_list_action_exports_one_selected_plan(coordinator_client, plan):
    url = reverse("admin:actionplan_plan_changelist")
    response = coordinator_client.post(
        url, {"action": "export_workbook", "_selected_action": [plan.pk]}
    )
    assert response.status_code == 302 and response["Location"] == export_url(plan)


def test_import_plan_command_refuses_a_bad_document(tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "kaputt.json"
    path.write_text('{"format": "planwerk.plan/1", "plan": {"slug": "x"}}', encoding="utf-8")
    with pytest.raises(CommandError, match=r"plan\.title: required text is missing"):
        call_command("import_plan", str(path))
    path.write_bytes(b"\xff\xfe{")
    with pytest.raises(CommandError, match=r"not UTF-8 text \(line 1, column 3\)"):
        call_command("import_plan", str(path))
    assert not ap.Plan.objects.exists() and history_count() == 0


def _started(job, *, ago_minutes: int):
    import datetime

    from django.utils import timezone

    return timezone.now() - datetime.timedelta(minutes=ago_minutes)


def test_import_whose_worker_died_is_taken_again_by_its_retry(settings, coordinator_client, plan):
    """kill -9 of the worker mid-import: the transaction rolled back, the reaper gave the task
    back; the retry must claim the job (it used to skip it: "expected queued")."""
    settings.PLANWERK_IMPORT_INLINE_MAX_ROWS = 10
    upload(coordinator_client, plan, retitled(plan, "Nach dem Absturz"))
    job = ImportJob.objects.get()
    preview_import_job.call(str(job.pk))
    coordinator_client.post(reverse("imports:job_confirm", kwargs={"job_id": job.pk}))
    job.refresh_from_db()
    # the first attempt claimed it, then its worker died
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.IMPORTING, started_at=_started(job, ago_minutes=3)
    )
    task = DBTaskResult.objects.get(pk=job.task_result_id)
    DBTaskResult.objects.filter(pk=task.pk).update(
        status="RUNNING", started_at=_started(job, ago_minutes=4)
    )
    assert run_import_job.call(str(job.pk)) == {"job": str(job.pk), "skipped": True}, (
        "a live first attempt keeps its job"
    )
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=_started(job, ago_minutes=0))
    run_import_job.call(str(job.pk))  # the retry
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert ap.Measure.objects.filter(title="Nach dem Absturz").count() == 1


def test_import_whose_task_ended_is_shown_as_failed_not_in_progress(
    settings, coordinator_client, plan
):
    settings.PLANWERK_IMPORT_INLINE_MAX_ROWS = 10
    before = snapshot(plan)
    upload(coordinator_client, plan, retitled(plan, "Nie importiert"))
    job = ImportJob.objects.get()
    page = coordinator_client.get(job.get_absolute_url()).content.decode()
    assert '<meta http-equiv="refresh"' in page, "waiting for its worker: still refreshing"
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.IMPORTING)
    DBTaskResult.objects.filter(pk=job.task_result_id).update(status="FAILED")

    page = coordinator_client.get(job.get_absolute_url()).content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert '<meta http-equiv="refresh"' not in page
    assert "Hintergrundprozess wurde beendet" in page
    assert stored_uploads() == [] and snapshot(plan) == before
