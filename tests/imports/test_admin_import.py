"""The admin's row-by-row import (persons, organisations, campaigns): stale previews, the user
in the history, background jobs with progress, the job page for its uploader only; and the
measure admin, which exports but no longer imports (measures come in through the plan
workbook: tests/imports/test_plan_workbook_guarantees.py)."""

import csv
import io

import pytest
from django.contrib import admin
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from access.models import AuditEvent
from actionplan import models as ap
from actionplan.resources import MeasureResource
from contacts.models import Person
from imports.models import ImportJob
from imports.tasks import preview_import_job, run_import_job
from tests.campaigns.factories import CampaignFactory
from tests.factories import PersonFactory, PlanFactory, build_plan
from tests.imports.support import (
    admin_url,
    confirm,
    coordinator_of,
    messages_of,
    stored_uploads,
    upload,
)

pytestmark = pytest.mark.django_db

HEADER = "ID,Nachname,Vorname"


@pytest.fixture
def plan(db):
    return build_plan(fields=1, measures_per_field=2, steps_per_measure=1, status="published")


@pytest.fixture
def other_plan(db):
    return build_plan(fields=1, measures_per_field=1, steps_per_measure=1, status="draft")


@pytest.fixture
def coordinator(plan):
    return coordinator_of(plan)


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def people(db):
    return [PersonFactory(last_name=f"Rabenberg{i}", first_name="Ines") for i in range(2)]


def row(person=None, *, last_name, first_name="Ines"):
    return f"{person.pk if person else ''},{last_name},{first_name}"


def csv_of(*rows) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def snapshot():
    return (
        sorted(Person.objects.values_list("pk", "last_name", "first_name")),
        Person.history.count(),
    )


def preview_rename(client, person, last_name):
    return upload(client, Person, csv_of(row(person, last_name=last_name)))


def test_preview_made_before_someone_elses_edit_is_refused_at_confirmation(
    coordinator_client, people
):
    person = people[0]
    preview = preview_rename(coordinator_client, person, "Aus Datei")
    assert "confirm_form" in preview.context
    Person.objects.filter(pk=person.pk).update(last_name="Von Kollegin geändert")
    before = snapshot()

    response = confirm(coordinator_client, Person, preview)

    assert response.status_code == 302
    assert any(
        "Seit der Vorschau hat jemand anderes Datensätze geändert" in m
        for m in messages_of(response)
    )
    assert snapshot() == before
    person.refresh_from_db()
    assert person.last_name == "Von Kollegin geändert"
    assert stored_uploads() == []


def test_unchanged_preview_is_imported_with_the_user_in_the_history(
    coordinator_client, coordinator, people
):
    person = people[0]
    preview = preview_rename(coordinator_client, person, "Aus Datei")
    response = confirm(coordinator_client, Person, preview)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.last_name == "Aus Datei"
    assert person.history.latest().history_user == coordinator
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORTED)
    assert event.actor == coordinator
    assert "1 changed" in event.detail or "1 geändert" in event.detail


def test_large_import_goes_to_the_background_queue_with_progress(
    settings, coordinator_client, coordinator
):
    settings.PLANWERK_IMPORT_INLINE_MAX_ROWS = 2
    content = csv_of(*(row(last_name=f"Hintergrund {i}") for i in range(3)))
    before = snapshot()

    response = upload(coordinator_client, Person, content)

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.status == ImportJob.Status.PREVIEWING and job.rows_total == 3
    task = DBTaskResult.objects.get(pk=job.task_result_id)
    assert task.task_path == "imports.tasks.preview_import_job"
    assert snapshot() == before
    page = coordinator_client.get(job.get_absolute_url()).content.decode()
    assert '<meta http-equiv="refresh"' in page and "0 von 3 Zeilen" in page
    assert "<script>" not in page and 'style="' not in page
    job.report_progress(2)
    assert "2 von 3 Zeilen" in coordinator_client.get(job.get_absolute_url()).content.decode()

    preview_import_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY and job.totals["new"] == 3
    assert snapshot() == before and len(stored_uploads()) == 1
    page = coordinator_client.get(job.get_absolute_url()).content.decode()
    assert "3 neue Zeilen" in page and "Import bestätigen" in page and "refresh" not in page

    coordinator_client.post(f"{job.get_absolute_url()}bestaetigen/")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED
    assert DBTaskResult.objects.get(pk=job.task_result_id).task_path.endswith("run_import_job")
    run_import_job.call(str(job.pk))

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.rows_done == 3
    created = Person.objects.filter(last_name__startswith="Hintergrund")
    assert created.count() == 3
    assert {p.history.latest().history_user for p in created} == {coordinator}
    assert stored_uploads() == []
    assert (
        "Die Datei wurde importiert."
        in coordinator_client.get(job.get_absolute_url()).content.decode()
    )


def test_background_import_refused_when_stale_and_cancel_deletes_the_file(
    settings, coordinator_client, people
):
    settings.PLANWERK_IMPORT_INLINE_MAX_ROWS = 1
    content = csv_of(*(row(p, last_name=f"{p.last_name}!") for p in people))
    upload(coordinator_client, Person, content)
    job = ImportJob.objects.get()
    preview_import_job.call(str(job.pk))
    coordinator_client.post(f"{job.get_absolute_url()}bestaetigen/")
    Person.objects.filter(pk=people[0].pk).update(last_name="Dazwischen geändert")
    before = snapshot()

    run_import_job.call(str(job.pk))

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "Seit der Vorschau" in job.errors[0]["text"]
    assert snapshot() == before and stored_uploads() == []

    upload(coordinator_client, Person, content)
    second = ImportJob.objects.exclude(pk=job.pk).get()
    preview_import_job.call(str(second.pk))
    assert len(stored_uploads()) == 1
    coordinator_client.post(f"{second.get_absolute_url()}abbrechen/")
    second.refresh_from_db()
    assert second.status == ImportJob.Status.CANCELLED and stored_uploads() == []


def test_import_job_page_is_only_for_its_uploader(settings, coordinator_client, client, plan):
    settings.PLANWERK_IMPORT_INLINE_MAX_ROWS = 0
    upload(coordinator_client, Person, csv_of(row(last_name="X")))
    job = ImportJob.objects.get()
    other = coordinator_of(plan, "andere")
    client.force_login(other)
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.post(f"{job.get_absolute_url()}abbrechen/").status_code == 404


def test_measures_are_exported_but_never_imported_row_by_row(client, plan):
    """One import path: the measure admin's import views answer 403 to everyone (the
    superuser too) and the file is not even stored; the export follows ``access.rules``."""
    from access.models import Membership
    from tests.factories import StaffUserFactory, UserFactory

    editor = UserFactory(username="redaktion", is_staff=True)
    Membership.objects.create(
        user=editor, plan=plan, role="editor", organisation=plan.fields.get().lead_organisation
    )
    client.force_login(editor)
    assert client.get(admin_url(ap.Measure, "import")).status_code == 403
    assert client.get(admin_url(ap.Measure, "export")).status_code == 403
    field = plan.fields.get()
    content = f"ID,Handlungsfeld (ID),Titel\n,{field.pk},Neu\n"
    before = sorted(ap.Measure.objects.values_list("pk", "title", "state"))
    for user in (coordinator_of(plan), StaffUserFactory(username="admin")):
        client.force_login(user)
        assert client.get(admin_url(ap.Measure, "import")).status_code == 403
        assert upload(client, ap.Measure, content).status_code == 403
        assert client.post(admin_url(ap.Measure, "process_import"), {}).status_code == 403
        assert client.post(admin_url(ap.Measure, "cancel_import"), {}).status_code == 403
        assert client.get(admin_url(ap.Measure, "export")).status_code == 200
    assert sorted(ap.Measure.objects.values_list("pk", "title", "state")) == before
    assert stored_uploads() == []
    client.force_login(coordinator_of(plan, "koordination-2"))
    assert client.get(admin_url(Person, "import")).status_code == 200
    # no campaign role: no campaign import (tests/imports/test_campaign_admin_import.py)
    assert client.get(reverse("admin:campaigns_campaign_document_import")).status_code == 403


def test_export_contains_only_what_the_user_may_see(coordinator_client, plan, other_plan):
    PlanFactory(status="draft")
    CampaignFactory(status="draft")
    model_admin = admin.site._registry[ap.Measure]
    index = next(
        i for i, f in enumerate(model_admin.get_export_formats()) if f().get_title() == "csv"
    )
    data = {"format": str(index), "resource": "0"}
    data.update({f"measureresource_{n}": "on" for n in MeasureResource().get_export_order()})
    response = coordinator_client.post(admin_url(ap.Measure, "export"), data)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r["Plan"] for r in rows} == {plan.title}
    assert len(rows) == ap.Measure.objects.filter(field__plan=plan).count()
    assert {r["Veröffentlichungsstatus"] for r in rows} == {"published"}
