"""Upload size limit (before parsing) and the life of previewed files in the upload folder."""

import os
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from import_export.formats import base_formats

from contacts.models import Person
from imports.models import ImportJob
from tests.factories import OrganisationFactory, PersonFactory
from tests.imports.support import (
    cancel,
    confirm,
    messages_of,
    stored_uploads,
    upload,
)

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def person_csv(rows: int = 1, organisation=None, *, padding: int = 0) -> str:
    org = organisation.pk if organisation else ""
    lines = ["ID,Nachname,Vorname,Organisation (ID),Funktion"]
    lines += [f",Rabenberg{i},Ines,{org},{'x' * padding}" for i in range(rows)]
    return "\n".join(lines) + "\n"


@pytest.fixture
def no_parsing():
    """Fails the test if anything hands the upload to tablib."""
    with mock.patch.object(
        base_formats.TablibFormat, "create_dataset", side_effect=AssertionError("parsed")
    ) as parse:
        yield parse


@pytest.mark.parametrize("size_mb", [1.5, 20.3], ids=["just-over", "far-over"])
def test_upload_over_the_limit_is_refused_before_parsing(
    settings, staff_client, no_parsing, size_mb
):
    settings.PLANWERK_UPLOAD_MAX_BYTES = 1 * MB
    content = b"ID,Nachname\n" + b",x\n" * int(size_mb * MB / 3)
    people = Person.objects.count()

    response = upload(staff_client, Person, content)

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Die Datei ist zu groß ({str(size_mb).replace('.', ',')} MB)." in html
    assert "Erlaubt sind höchstens 1 MB." in html
    assert no_parsing.call_count == 0
    assert "confirm_form" not in response.context
    assert Person.objects.count() == people
    assert stored_uploads() == []


def test_upload_limit_message_in_english(settings, staff_client, no_parsing):
    settings.PLANWERK_UPLOAD_MAX_BYTES = 1 * MB
    with translation.override("en"):
        response = upload(staff_client, Person, b"ID,Nachname\n" + b",x\n" * MB)
    assert "The file is too large (3 MB). At most 1 MB are allowed." in response.content.decode()


def test_upload_form_checks_the_size_itself(settings, staff_client, no_parsing):
    """Without the streaming handler (another handler list), the form still refuses the file."""
    settings.FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
    settings.PLANWERK_UPLOAD_MAX_BYTES = 100
    response = upload(staff_client, Person, person_csv(10))
    assert "Die Datei ist zu groß" in response.content.decode()
    assert no_parsing.call_count == 0 and stored_uploads() == []


def test_upload_within_the_limit_is_previewed_and_kept_until_confirmed(staff_client):
    preview = upload(staff_client, Person, person_csv(2))
    assert preview.status_code == 200
    assert "confirm_form" in preview.context
    assert len(stored_uploads()) == 1


def test_confirmed_preview_leaves_no_file_behind(staff_client, staff_user):
    office = OrganisationFactory()
    preview = upload(staff_client, Person, person_csv(2, office))
    assert len(stored_uploads()) == 1

    response = confirm(staff_client, Person, preview)

    assert response.status_code == 302
    assert stored_uploads() == []
    assert Person.objects.filter(last_name__startswith="Rabenberg").count() == 2


def test_cancelled_preview_leaves_no_file_behind_and_imports_nothing(staff_client):
    preview = upload(staff_client, Person, person_csv(2))
    assert len(stored_uploads()) == 1

    response = cancel(staff_client, Person, preview)

    assert response.status_code == 302
    assert stored_uploads() == []
    assert not Person.objects.filter(last_name__startswith="Rabenberg").exists()
    assert "Import abgebrochen. Die hochgeladene Datei wurde gelöscht." in messages_of(response)
    # confirming the cancelled preview afterwards imports nothing either
    late = confirm(staff_client, Person, preview)
    assert late.status_code == 302
    assert any("nicht mehr vorhanden" in m for m in messages_of(late))
    assert not Person.objects.filter(last_name__startswith="Rabenberg").exists()


def test_preview_with_errors_leaves_no_file_behind(staff_client):
    response = upload(staff_client, Person, person_csv(1).replace(",Ines,", ",Ines,99999"))
    assert "confirm_form" not in response.context
    assert "Organisation nicht gefunden: „99999“." in response.content.decode()
    assert stored_uploads() == []


def test_unreadable_file_is_a_clear_message_and_leaves_no_file(staff_client):
    response = upload(staff_client, Person, b"\xff\xfe\x00garbage\x00\x00")
    html = response.content.decode()
    assert "Die Datei konnte nicht gelesen werden." in html
    assert "Traceback" not in html and "Error" not in html
    assert stored_uploads() == []


def _age(path, seconds):
    old = time.time() - seconds
    os.utime(path, (old, old))


@pytest.fixture
def old_and_new_upload(import_upload_dir):
    import_upload_dir.mkdir(parents=True, exist_ok=True)
    old = import_upload_dir / "upload-old"
    new = import_upload_dir / "upload-new"
    old.write_text("ID\n1\n")
    new.write_text("ID\n2\n")
    _age(old, 61 * 60)
    _age(new, 59 * 60)
    return old, new


def test_purge_command_removes_unconfirmed_uploads_older_than_an_hour(old_and_new_upload):
    old, new = old_and_new_upload
    call_command("purge_import_uploads", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert not old.exists() and new.exists()


def test_each_new_import_purges_old_uploads(staff_client, old_and_new_upload):
    old, new = old_and_new_upload
    upload(staff_client, Person, person_csv(1))
    assert not old.exists() and new.exists()
    assert len(stored_uploads()) == 2  # the fresh one and this preview


def test_purged_preview_cannot_be_confirmed(settings, staff_client):
    PersonFactory()
    preview = upload(staff_client, Person, person_csv(1))
    for path in settings.PLANWERK_IMPORT_UPLOAD_DIR.iterdir():
        _age(path, 2 * 60 * 60)
    call_command("purge_import_uploads", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert stored_uploads() == []
    response = confirm(staff_client, Person, preview)
    assert any("älter als eine Stunde" in m for m in messages_of(response))
    assert not Person.objects.filter(last_name__startswith="Rabenberg").exists()


def test_purge_command_deletes_finished_jobs_after_the_keep_period_but_never_running_ones(
    settings, staff_user
):
    settings.PLANWERK_IMPORT_JOB_KEEP_DAYS = 30
    old = timezone.now() - timedelta(days=31)
    recent = timezone.now() - timedelta(days=29)
    S = ImportJob.Status

    def job(status, created_at):
        return ImportJob.objects.create(
            app_label="contacts",
            model_name="person",
            requested_by=staff_user,
            status=status,
            created_at=created_at,
        )

    kept = [job(S.DONE, recent), job(S.IMPORTING, old), job(S.QUEUED, old), job(S.PREVIEWING, old)]
    purged = [job(S.DONE, old), job(S.FAILED, old), job(S.CANCELLED, old), job(S.READY, old)]
    purged.append(job(S.INVALID, old))

    call_command("purge_import_uploads", stdout=open(os.devnull, "w"))  # noqa: SIM115

    remaining = set(ImportJob.objects.values_list("pk", flat=True))
    assert remaining == {j.pk for j in kept}
    assert not remaining & {j.pk for j in purged}
