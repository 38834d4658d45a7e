"""Measure imports: stale previews, per-plan permission, drafts only, clear row errors,
all-or-nothing, background jobs with progress, and exports limited to what the user sees."""

import csv
import io

import pytest
from django.contrib import admin
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from access.models import AuditEvent
from actionplan import models as ap
from actionplan.resources import MeasureResource
from imports.models import ImportJob
from imports.tasks import preview_import_job, run_import_job
from tests.campaigns.factories import CampaignFactory
from tests.factories import PlanFactory, TargetGroupFactory, build_plan
from tests.imports.support import (
    admin_url,
    confirm,
    coordinator_of,
    messages_of,
    stored_uploads,
    upload,
)

pytestmark = pytest.mark.django_db

HEADER = "ID,Handlungsfeld (ID),Titel,Position,Zielgruppen"


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


def row(measure=None, *, field, title, position=90, groups=""):
    return f"{measure.pk if measure else ''},{field.pk},{title},{position},{groups}"


def csv_of(*rows) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def snapshot():
    return (
        sorted(ap.Measure.objects.values_list("pk", "title", "state", "field_id")),
        ap.Measure.history.count(),
        sorted(ap.Plan.objects.values_list("pk", "status")),
    )


def preview_retitle(client, measure, title):
    line = row(measure, field=measure.field, title=title, position=measure.position)
    return upload(client, ap.Measure, csv_of(line))


def test_preview_made_before_someone_elses_edit_is_refused_at_confirmation(
    coordinator_client, plan
):
    measure = ap.Measure.objects.filter(field__plan=plan).first()
    preview = preview_retitle(coordinator_client, measure, "Aus Datei")
    assert "confirm_form" in preview.context
    ap.Measure.objects.filter(pk=measure.pk).update(title="Von Kollegin geändert")
    before = snapshot()

    response = confirm(coordinator_client, ap.Measure, preview)

    assert response.status_code == 302
    assert any(
        "Seit der Vorschau hat jemand anderes Datensätze geändert" in m
        for m in messages_of(response)
    )
    assert snapshot() == before
    measure.refresh_from_db()
    assert measure.title == "Von Kollegin geändert"
    assert stored_uploads() == []


def test_unchanged_preview_is_imported_with_the_user_in_the_history(
    coordinator_client, coordinator, plan
):
    measure = ap.Measure.objects.filter(field__plan=plan).first()
    preview = preview_retitle(coordinator_client, measure, "Aus Datei")
    response = confirm(coordinator_client, ap.Measure, preview)
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.title == "Aus Datei"
    assert measure.history.latest().history_user == coordinator
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORTED)
    assert (event.actor, event.plan) == (coordinator, plan)
    assert "1 changed" in event.detail or "1 geändert" in event.detail


def test_row_for_a_plan_the_user_does_not_coordinate_is_a_row_error(
    coordinator_client, plan, other_plan
):
    field = other_plan.fields.get()
    before = snapshot()
    response = upload(coordinator_client, ap.Measure, csv_of(row(field=field, title="Fremd")))
    html = response.content.decode()
    assert f"Sie dürfen nicht in den Plan „{other_plan.title}“ importieren." in html
    assert "confirm_form" not in response.context
    assert snapshot() == before


def test_moving_a_measure_out_of_a_foreign_plan_is_refused(coordinator_client, plan, other_plan):
    foreign = ap.Measure.objects.get(field__plan=other_plan)
    own_field = plan.fields.get()
    response = upload(
        coordinator_client, ap.Measure, csv_of(row(foreign, field=own_field, title="Geholt"))
    )
    assert (
        f"Sie dürfen nicht in den Plan „{other_plan.title}“ importieren."
        in response.content.decode()
    )


def test_new_measures_are_drafts_and_the_file_cannot_publish(coordinator_client, plan):
    field = plan.fields.get()
    published = ap.Measure.objects.filter(field=field).first()
    assert published.state == ap.Measure.State.PUBLISHED
    content = (
        "ID,Handlungsfeld (ID),Titel,Position,Veröffentlichungsstatus\n"
        f",{field.pk},Neu,91,published\n"
        f"{published.pk},{field.pk},{published.title} (neu),{published.position},draft\n"
    )
    preview = upload(coordinator_client, ap.Measure, content)
    assert confirm(coordinator_client, ap.Measure, preview).status_code == 302
    new = ap.Measure.objects.get(title="Neu")
    assert new.state == ap.Measure.State.DRAFT
    published.refresh_from_db()
    assert published.title.endswith("(neu)")
    assert published.state == ap.Measure.State.PUBLISHED
    plan.refresh_from_db()
    assert plan.status == ap.Plan.Status.PUBLISHED
    names = {f.attribute for f in MeasureResource().get_import_fields() if not f.readonly}
    assert "state" not in names and "field__plan__status" not in names


def test_unknown_target_group_is_a_row_error_not_dropped(coordinator_client, plan):
    TargetGroupFactory(name="Jugendliche")
    field = plan.fields.get()
    before = snapshot()
    response = upload(
        coordinator_client,
        ap.Measure,
        csv_of(row(field=field, title="Mit Gruppen", groups="Jugendliche; Senioren")),
    )
    html = response.content.decode()
    assert "Zielgruppen nicht gefunden: „Senioren“." in html
    assert "confirm_form" not in response.context
    assert snapshot() == before


def test_unknown_field_of_action_and_bad_number_are_clear_messages(coordinator_client, plan):
    field = plan.fields.get()
    content = csv_of(",999999,Titel,1,", f",{field.pk},Titel,zwei,")
    html = upload(coordinator_client, ap.Measure, content).content.decode()
    assert "Handlungsfeld nicht gefunden: „999999“." in html
    assert "„zwei“ ist keine Zahl." in html
    assert "ConversionSyntax" not in html and "Traceback" not in html
    assert "DoesNotExist" not in html and "matching query" not in html


def test_import_is_all_or_nothing_even_when_a_row_fails_at_confirmation(coordinator_client, plan):
    group = TargetGroupFactory(name="Vereine")
    field = plan.fields.get()
    content = csv_of(
        row(field=field, title="Erste", position=91),
        row(field=field, title="Zweite", position=92, groups="Vereine"),
    )
    preview = upload(coordinator_client, ap.Measure, content)
    assert "confirm_form" in preview.context
    group.delete()  # row 2 now fails, row 1 alone would still work
    before = snapshot()

    response = confirm(coordinator_client, ap.Measure, preview)

    assert any("Zielgruppen nicht gefunden: „Vereine“." in m for m in messages_of(response))
    assert snapshot() == before
    assert not ap.Measure.objects.filter(title="Erste").exists()
    assert stored_uploads() == []


def test_large_import_goes_to_the_background_queue_with_progress(
    settings, coordinator_client, coordinator, plan
):
    settings.PLANWERK_IMPORT_INLINE_MAX_ROWS = 2
    field = plan.fields.get()
    content = csv_of(
        *(row(field=field, title=f"Hintergrund {i}", position=100 + i) for i in range(3))
    )
    before = snapshot()

    response = upload(coordinator_client, ap.Measure, content)

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
    created = ap.Measure.objects.filter(title__startswith="Hintergrund")
    assert created.count() == 3
    assert {m.state for m in created} == {ap.Measure.State.DRAFT}
    assert {m.history.latest().history_user for m in created} == {coordinator}
    assert stored_uploads() == []
    assert (
        "Die Datei wurde importiert."
        in coordinator_client.get(job.get_absolute_url()).content.decode()
    )


def test_background_import_refused_when_stale_and_cancel_deletes_the_file(
    settings, coordinator_client, plan
):
    settings.PLANWERK_IMPORT_INLINE_MAX_ROWS = 1
    measures = list(ap.Measure.objects.filter(field__plan=plan))
    content = csv_of(
        *(row(m, field=m.field, title=f"{m.title}!", position=m.position) for m in measures)
    )
    upload(coordinator_client, ap.Measure, content)
    job = ImportJob.objects.get()
    preview_import_job.call(str(job.pk))
    coordinator_client.post(f"{job.get_absolute_url()}bestaetigen/")
    ap.Measure.objects.filter(pk=measures[0].pk).update(title="Dazwischen geändert")
    before = snapshot()

    run_import_job.call(str(job.pk))

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "Seit der Vorschau" in job.errors[0]["text"]
    assert snapshot() == before and stored_uploads() == []

    upload(coordinator_client, ap.Measure, content)
    second = ImportJob.objects.exclude(pk=job.pk).get()
    preview_import_job.call(str(second.pk))
    assert len(stored_uploads()) == 1
    coordinator_client.post(f"{second.get_absolute_url()}abbrechen/")
    second.refresh_from_db()
    assert second.status == ImportJob.Status.CANCELLED and stored_uploads() == []


def test_import_job_page_is_only_for_its_uploader(settings, coordinator_client, client, plan):
    settings.PLANWERK_IMPORT_INLINE_MAX_ROWS = 0
    field = plan.fields.get()
    upload(coordinator_client, ap.Measure, csv_of(row(field=field, title="X")))
    job = ImportJob.objects.get()
    other = coordinator_of(plan, "andere")
    client.force_login(other)
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.post(f"{job.get_absolute_url()}abbrechen/").status_code == 404


def test_import_and_export_follow_access_rules(client, plan):
    from access.models import Membership
    from tests.factories import UserFactory

    editor = UserFactory(username="redaktion", is_staff=True)
    Membership.objects.create(
        user=editor, plan=plan, role="editor", organisation=plan.fields.get().lead_organisation
    )
    client.force_login(editor)
    assert client.get(admin_url(ap.Measure, "import")).status_code == 403
    assert client.get(admin_url(ap.Measure, "export")).status_code == 403
    client.force_login(coordinator_of(plan))
    assert client.get(admin_url(ap.Measure, "import")).status_code == 200
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
