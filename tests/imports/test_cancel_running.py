"""Cancelling a running background import: whoever started it and the coordinators of its plan
may; the worker sees the request between row batches and rolls the whole import back."""

import pytest
from django.urls import reverse

from contacts.models import Person
from imports import resources, services
from imports.models import ImportJob
from imports.tasks import preview_import_job, run_import_job
from tests.factories import OrganisationFactory, PersonFactory, UserFactory, build_plan
from tests.imports.support import coordinator_of, stored_uploads, upload

pytestmark = pytest.mark.django_db

HEADER = "ID,Nachname,Vorname"


@pytest.fixture
def plan(db):
    return build_plan(fields=1, measures_per_field=1, steps_per_measure=1, status="published")


@pytest.fixture
def starter(plan):
    return coordinator_of(plan, "starterin")


def _snapshot():
    return (
        sorted(Person.objects.values_list("pk", "last_name", "first_name")),
        Person.history.count(),
    )


def _queued_job(client, settings, rows: int) -> ImportJob:
    """A background person import, previewed and confirmed: waiting for the worker."""
    settings.PLANWERK_IMPORT_INLINE_MAX_ROWS = 1
    content = "\n".join([HEADER, *(f",Abbruch {i},Ines" for i in range(rows))]) + "\n"
    upload(client, Person, content)
    job = ImportJob.objects.get()
    preview_import_job.call(str(job.pk))
    client.post(reverse("imports:job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED
    return job


def _cancel_midway(monkeypatch, job, user, *, at_rows: int):
    """The cancel request arrives while the worker imports: after ``at_rows`` rows."""
    seen = []
    original = ImportJob.report_progress

    def report(self, rows_done):
        seen.append(rows_done)
        if rows_done == at_rows:
            services.import_job_cancel(job=job, acting_user=user)
        original(self, rows_done)

    monkeypatch.setattr(ImportJob, "report_progress", report)
    monkeypatch.setattr(resources, "PROGRESS_EVERY", 2)
    return seen


def test_cancelled_running_import_writes_nothing(client, settings, monkeypatch, starter):
    client.force_login(starter)
    PersonFactory(last_name="Bestand")
    job = _queued_job(client, settings, rows=10)
    before = _snapshot()
    seen = _cancel_midway(monkeypatch, job, starter, at_rows=4)

    run_import_job.call(str(job.pk))

    job.refresh_from_db()
    assert seen[-1] == 4  # stopped at the first batch after the request, not at the end
    assert job.status == ImportJob.Status.CANCELLED
    assert _snapshot() == before
    assert not Person.objects.filter(last_name__startswith="Abbruch").exists()
    assert stored_uploads() == []
    assert "Abgebrochen von starterin" in job.errors[0]["text"]
    assert "Nichts wurde importiert" in job.errors[0]["text"]
    page = client.get(job.get_absolute_url()).content.decode()
    assert "abgebrochen" in page and "Abgebrochen von starterin" in page


def test_cancel_after_the_last_batch_still_rolls_back(client, settings, monkeypatch, starter):
    client.force_login(starter)
    job = _queued_job(client, settings, rows=3)
    before = _snapshot()
    original = services.run_import

    def run_then_cancel(*args, **kwargs):
        result = original(*args, **kwargs)
        services.import_job_cancel(job=job, acting_user=starter)
        return result

    monkeypatch.setattr(services, "run_import", run_then_cancel)
    run_import_job.call(str(job.pk))

    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED
    assert _snapshot() == before


def test_import_without_cancel_is_unchanged(client, settings, starter):
    client.force_login(starter)
    job = _queued_job(client, settings, rows=3)
    run_import_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Person.objects.filter(last_name__startswith="Abbruch").count() == 3


def _importing(plan, starter) -> ImportJob:
    return ImportJob.objects.create(
        app_label="actionplan",
        model_name="plan",
        plan=plan,
        requested_by=starter,
        status=ImportJob.Status.IMPORTING,
        original_file_name="plan.xlsx",
        rows_total=10,
    )


def test_status_page_offers_cancel_while_importing(client, plan, starter):
    job = _importing(plan, starter)
    client.force_login(starter)
    page = client.get(job.get_absolute_url()).content.decode()
    cancel_url = reverse("imports:job_cancel", args=[job.pk])
    assert f'action="{cancel_url}"' in page and "csrfmiddlewaretoken" in page

    response = client.post(cancel_url)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTING  # the worker ends it
    assert job.cancel_requested_at is not None and job.cancelled_by == starter
    page = client.get(job.get_absolute_url()).content.decode()
    assert f'action="{cancel_url}"' not in page and "Abbruch angefordert" in page
    assert client.get(cancel_url).status_code == 405  # POST only


def test_a_coordinator_of_the_plan_may_cancel_anothers_import(client, plan, starter):
    job = _importing(plan, starter)
    colleague = coordinator_of(plan, "kollegin")
    client.force_login(colleague)
    assert client.get(job.get_absolute_url()).status_code == 200
    assert client.post(reverse("imports:job_cancel", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.cancelled_by == colleague


@pytest.mark.parametrize("who", ["editor", "other_coordinator", "stranger"])
def test_others_get_404_and_cannot_cancel(client, plan, starter, who):
    from access.models import Membership

    job = _importing(plan, starter)
    user = UserFactory(username=who, is_staff=True)
    if who == "editor":
        Membership.objects.create(
            user=user, plan=plan, role="editor", organisation=OrganisationFactory()
        )
    elif who == "other_coordinator":
        other = build_plan(fields=1, measures_per_field=1, steps_per_measure=1)
        Membership.objects.create(user=user, plan=other, role="coordinator")
    client.force_login(user)
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.post(reverse("imports:job_cancel", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.cancel_requested_at is None
