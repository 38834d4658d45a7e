"""What the measure admin's row import used to guarantee, on the one import path that is left:
the plan workbook (issue 10). Per-plan permission, a measure row of another plan refused, who
may import may publish, a row failing at confirmation leaves everything as it was, stale
previews (inline and in the background) refused with the file deleted, cancel deletes it, and
the job page is its uploader's."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from access import rules
from access.models import Membership
from actionplan import models as ap
from contacts.models import Organisation
from imports import plan_workbook as wb
from imports.models import ImportJob
from imports.tasks import preview_import_job, run_import_job
from tests.factories import StaffUserFactory, TargetGroupFactory, UserFactory, build_plan
from tests.imports.plan_support import (
    column,
    load_leipzig,
    open_xlsx,
    save_xlsx,
    snapshot,
)
from tests.imports.support import coordinator_of, messages_of, stored_uploads
from tests.shared_data import module_data

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def plan_pk(django_db_setup, django_db_blocker):
    """The Leipzig plan, imported once for the module; each test runs in a savepoint of its own."""
    with module_data(django_db_blocker):
        yield load_leipzig().pk


@pytest.fixture
def plan(plan_pk):
    return ap.Plan.objects.get(pk=plan_pk)


@pytest.fixture
def other_plan(db):
    return build_plan(fields=1, measures_per_field=1, steps_per_measure=0, slug="andere")


@pytest.fixture
def coordinator(plan):
    return coordinator_of(plan)


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def import_url(plan) -> str:
    return reverse("imports:plan_workbook_import", kwargs={"plan_slug": plan.slug})


def upload(client, plan, content: bytes, name="plan.xlsx"):
    return client.post(import_url(plan), {"import_file": SimpleUploadedFile(name, content)})


def confirm(client, plan, preview, **extra):
    data = {n: preview.context[n] for n in ("stored_name", "file_name", "fingerprint")}
    return client.post(import_url(plan), {**data, "confirm": "1", **extra})


def workbook(plan, edit) -> bytes:
    book = open_xlsx(wb.plan_workbook_xlsx(plan))
    edit(book["Maßnahmen"])
    return save_xlsx(book)


def set_cells(row: int = 2, **cells):
    """Set cells of one row of „Maßnahmen“, by column header."""

    def edit(sheet):
        for label, value in cells.items():
            sheet.cell(row=row, column=column(sheet, label)).value = value

    return edit


def add_measure(code: str, title: str, **cells):
    """Append a new measure (no ID) to „Maßnahmen“ in the field „marketing“."""

    def edit(sheet):
        values = {"Handlungsfeld": "marketing", "Position": 90, "Code": code, "Titel": title}
        row = [None] * sheet.max_column
        for label, value in {**values, **cells}.items():
            row[column(sheet, label) - 1] = value
        sheet.append(row)

    return edit


def other_measures(other_plan):
    return sorted(ap.Measure.objects.filter(field__plan=other_plan).values_list("pk", "title"))


def test_a_measure_row_naming_another_plan_is_a_row_error(coordinator_client, plan, other_plan):
    before, theirs = snapshot(plan), other_measures(other_plan)
    content = workbook(plan, set_cells(Plan=other_plan.slug, Titel="Fremd"))

    preview = upload(coordinator_client, plan, content)

    html = preview.content.decode()
    problem = f"Diese Zeile gehört zum Plan „{other_plan.slug}“, nicht zu „{plan.slug}“."
    assert f"<tr><td>Maßnahmen</td><td>2</td><td>Plan</td><td>{problem}</td></tr>" in html
    assert "fingerprint" not in preview.context
    assert snapshot(plan) == before and other_measures(other_plan) == theirs
    assert stored_uploads() == []


def test_a_measure_of_another_plan_cannot_be_pulled_in_by_its_id(
    coordinator_client, plan, other_plan
):
    foreign = ap.Measure.objects.get(field__plan=other_plan)
    before, theirs = snapshot(plan), other_measures(other_plan)
    content = workbook(plan, set_cells(ID=foreign.pk, Titel="Geholt"))

    html = upload(coordinator_client, plan, content).content.decode()

    assert f"In diesem Plan gibt es kein(e) Maßnahme mit der ID {foreign.pk}." in html
    assert snapshot(plan) == before and other_measures(other_plan) == theirs
    foreign.refresh_from_db()
    assert foreign.field.plan == other_plan and foreign.title != "Geholt"


def test_an_editor_cannot_confirm_a_preview_made_by_the_coordinator(client, coordinator, plan):
    """The import is checked against ``access.rules`` again at confirmation, not only at upload."""
    client.force_login(coordinator)
    preview = upload(client, plan, workbook(plan, set_cells(Titel="Von der Koordination")))
    assert preview.context["stored_name"]
    editor = UserFactory(username="redaktion", is_staff=True)
    Membership.objects.create(
        user=editor,
        plan=plan,
        role=Membership.Role.EDITOR,
        organisation=Organisation.objects.get(name="Kulturamt"),
    )
    client.force_login(editor)
    before = snapshot(plan)

    assert confirm(client, plan, preview).status_code == 403

    assert snapshot(plan) == before
    assert not ap.Measure.objects.filter(title="Von der Koordination").exists()


def test_whoever_may_import_into_a_plan_may_publish_its_measures(plan, other_plan):
    """The workbook carries the publication state („Veröffentlichung“) so that a round trip is
    lossless; that is safe only while the import is reserved to those who may publish. If
    ``access.rules`` ever lets someone import who may not publish, the workbook must check the
    state per measure (``rules.allowed_measure_states``) — this test is the tripwire."""
    measure = ap.Measure.objects.filter(field__plan=plan).first()
    kulturamt = Organisation.objects.get(name="Kulturamt")
    users = [StaffUserFactory(username="admin"), coordinator_of(plan)]
    users.append(coordinator_of(other_plan, "andere-koordination"))
    for role in (Membership.Role.EDITOR, Membership.Role.READER):
        user = UserFactory(username=f"mitglied-{role}", is_staff=True)
        organisation = kulturamt if role == Membership.Role.EDITOR else None
        Membership.objects.create(user=user, plan=plan, role=role, organisation=organisation)
        users.append(user)
    importers = [u for u in users if rules.can_import(u, plan)]

    assert {u.username for u in importers} == {"admin", "koordination"}
    for user in importers:
        assert rules.can_publish(user, measure)
        assert ap.Measure.State.PUBLISHED in rules.allowed_measure_states(user, measure)


def test_new_measures_start_as_drafts_unless_the_coordinators_file_says_otherwise(
    coordinator_client, plan
):
    content = workbook(
        plan,
        lambda sheet: (
            add_measure("X", "Ohne Angabe")(sheet),
            add_measure("Y", "Gleich veröffentlicht", Position=91, Veröffentlichung="published")(
                sheet
            ),
        ),
    )
    preview = upload(coordinator_client, plan, content)
    assert confirm(coordinator_client, plan, preview).status_code == 302

    states = dict(
        ap.Measure.objects.filter(field__plan=plan, code__in=("X", "Y")).values_list(
            "code", "state"
        )
    )
    assert states == {"X": ap.Measure.State.DRAFT, "Y": ap.Measure.State.PUBLISHED}


def test_a_row_that_fails_at_confirmation_leaves_everything_as_it_was(coordinator_client, plan):
    group = TargetGroupFactory(name="Vereine")
    content = workbook(
        plan,
        lambda sheet: (
            set_cells(Titel="Erste Änderung")(sheet),
            add_measure("V", "Mit Vereinen", Zielgruppen="Vereine")(sheet),
        ),
    )
    preview = upload(coordinator_client, plan, content)
    assert preview.context["stored_name"]
    group.delete()  # the new row now fails; the retitled one alone would still work
    before = snapshot(plan)

    response = confirm(coordinator_client, plan, preview)

    assert response.status_code == 302
    shown = messages_of(response)
    assert any("Unbekannte Zielgruppen: „Vereine“." in m for m in shown)
    assert "Es wurde nichts importiert." in shown
    assert snapshot(plan) == before
    assert not ap.Measure.objects.filter(title__in=("Erste Änderung", "Mit Vereinen")).exists()
    assert stored_uploads() == []


def test_stale_preview_is_refused_and_its_file_deleted(coordinator_client, plan):
    preview = upload(coordinator_client, plan, workbook(plan, set_cells(Titel="Aus Datei")))
    measure = ap.Measure.objects.filter(field__plan=plan).last()
    ap.Measure.objects.filter(pk=measure.pk).update(title="Von Kollegin geändert")
    before = snapshot(plan)

    response = confirm(coordinator_client, plan, preview)

    assert any("jemand anderes diesen Plan geändert" in m for m in messages_of(response))
    assert snapshot(plan) == before and stored_uploads() == []
    measure.refresh_from_db()
    assert measure.title == "Von Kollegin geändert"


@pytest.fixture
def background(settings, coordinator_client, plan):
    """A workbook import gone to the worker and previewed there: the job, ready to confirm."""
    settings.PLANWERK_IMPORT_INLINE_MAX_ROWS = 10
    upload(coordinator_client, plan, workbook(plan, set_cells(Titel="Im Hintergrund")))
    job = ImportJob.objects.get()
    preview_import_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY and len(stored_uploads()) == 1
    return job


def test_background_import_is_refused_when_the_plan_changed_since_its_preview(
    coordinator_client, plan, background
):
    coordinator_client.post(reverse("imports:job_confirm", kwargs={"job_id": background.pk}))
    measure = ap.Measure.objects.filter(field__plan=plan).last()
    ap.Measure.objects.filter(pk=measure.pk).update(title="Dazwischen geändert")
    before = snapshot(plan)

    run_import_job.call(str(background.pk))

    background.refresh_from_db()
    assert background.status == ImportJob.Status.FAILED
    assert "jemand anderes diesen Plan geändert" in background.errors[0]["text"]
    assert snapshot(plan) == before and stored_uploads() == []
    assert not ap.Measure.objects.filter(title="Im Hintergrund").exists()


def test_cancelling_a_background_import_deletes_its_file(coordinator_client, plan, background):
    before = snapshot(plan)

    coordinator_client.post(reverse("imports:job_cancel", kwargs={"job_id": background.pk}))

    background.refresh_from_db()
    assert background.status == ImportJob.Status.CANCELLED and stored_uploads() == []
    assert snapshot(plan) == before


def test_the_job_page_is_for_its_uploader_and_the_plans_coordinators(
    client, plan, other_plan, background
):
    """An outsider (a coordinator of another plan) finds nothing; another coordinator of the
    plan sees the job and may cancel it (issue 19, item 4) but not confirm another's import."""
    client.force_login(coordinator_of(other_plan, "fremde-koordination"))
    for name in ("job_status", "job_confirm", "job_cancel"):
        url = reverse(f"imports:{name}", kwargs={"job_id": background.pk})
        response = client.get(url) if name == "job_status" else client.post(url)
        assert response.status_code == 404, name
    background.refresh_from_db()
    assert background.status == ImportJob.Status.READY and len(stored_uploads()) == 1

    client.force_login(coordinator_of(plan, "andere-koordination"))
    url = reverse("imports:job_status", kwargs={"job_id": background.pk})
    assert client.get(url).status_code == 200
    url = reverse("imports:job_confirm", kwargs={"job_id": background.pk})
    assert client.post(url).status_code == 404
    background.refresh_from_db()
    assert background.status == ImportJob.Status.READY
    url = reverse("imports:job_cancel", kwargs={"job_id": background.pk})
    assert client.post(url).status_code == 302
    background.refresh_from_db()
    assert background.status == ImportJob.Status.CANCELLED and stored_uploads() == []
