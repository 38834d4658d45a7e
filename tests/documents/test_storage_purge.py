"""Storage hygiene (issue 19, item 8): superseded, failed and orphaned generated documents are
deleted after the retention period, by ``purge_generated`` and ``manage.py purge_documents``;
the document each object would get today is never deleted; a deleted plan takes its files."""

import datetime
import os
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone, translation

from actionplan.models import Plan
from documents import services
from documents.models import PdfExport, documents_storage
from tests.factories import FieldOfActionFactory, MeasureFactory, PlanFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
BODY = b"%PDF-1.7 " + b"x" * 991  # 1,000 bytes


@pytest.fixture(autouse=True)
def retention(settings):
    settings.PLANWERK_DOCUMENT_RETENTION = 7 * DAY
    return settings.PLANWERK_DOCUMENT_RETENTION


def _age(name: str, days: float) -> None:
    """Date a stored file back (the purge reads the storage's modification time)."""
    stamp = (timezone.now() - days * DAY).timestamp()
    os.utime(documents_storage().path(name), (stamp, stamp))


def _export(obj, *, days_ago: float, status=PdfExport.Status.DONE, file=True, **fields):
    """An export job for ``obj``'s document as it is now, made ``days_ago``, in ``status``."""
    obj = type(obj).objects.get(pk=obj.pk)  # the stamp as stored (a child's save moved it)
    request = services.DocumentRequest.for_object(obj)
    export = services.export_request(request)
    export.status = status
    export.created_at = timezone.now() - days_ago * DAY
    for name, value in fields.items():
        setattr(export, name, value)
    if file:
        export.file.save(request.filename, ContentFile(BODY), save=False)
        export.size = len(BODY)
        _age(export.file.name, days_ago)
    export.save()
    return export


def _change(plan) -> Plan:
    """A new state of the plan's data (its change stamp moves): new documents, new keys."""
    Plan.objects.filter(pk=plan.pk).update(content_changed_at=timezone.now())
    return Plan.objects.get(pk=plan.pk)


def _exists(export) -> bool:
    return documents_storage().exists(export.file.name)


def _orphan(name: str, *, days_ago: float) -> str:
    stored = documents_storage().save(f"pdf_exports/2026/01/{name}", ContentFile(BODY))
    _age(stored, days_ago)
    return stored


def test_purge_deletes_a_superseded_old_export_and_keeps_the_newest(
    django_capture_on_commit_callbacks,
):
    plan = PlanFactory()
    old = _export(plan, days_ago=20)
    plan = _change(plan)
    newest = _export(plan, days_ago=10)  # older than the retention too, but today's document
    assert _exists(old) and _exists(newest)

    with django_capture_on_commit_callbacks(execute=True):
        result = services.purge_generated()

    assert (result.exports, result.files, result.bytes, result.orphans) == (1, 1, 1000, 0)
    assert list(PdfExport.objects.all()) == [newest]
    assert not _exists(old) and _exists(newest)


def test_purge_keeps_superseded_exports_within_the_retention():
    plan = PlanFactory()
    recent = _export(plan, days_ago=3)
    _change(plan)
    assert services.purge_generated().exports == 0
    assert PdfExport.objects.filter(pk=recent.pk).exists() and _exists(recent)
    # a week later it is past the retention
    later = services.purge_generated(now=timezone.now() + 5 * DAY)
    assert later.exports == 1 and not PdfExport.objects.exists()


def test_purge_deletes_an_export_of_a_field_whose_data_moved_even_without_a_newer_one():
    """The data stamp moved and nobody asked again: the old file is never handed out again."""
    field = FieldOfActionFactory()
    MeasureFactory(field=field)
    stale = _export(field, days_ago=9)
    fresh_field = _export(FieldOfActionFactory(plan=field.plan), days_ago=9)
    _change(field.plan)
    # the second field's export belongs to the same plan, so the plan's change moved it too
    assert services.purge_generated().exports == 2
    assert not PdfExport.objects.filter(pk__in=[stale.pk, fresh_field.pk]).exists()


def test_purge_never_deletes_todays_document_however_old():
    plan = PlanFactory()
    measure = MeasureFactory(field=FieldOfActionFactory(plan=plan))
    exports = [_export(plan, days_ago=400), _export(measure, days_ago=400)]
    assert services.purge_generated().exports == 0
    assert PdfExport.objects.count() == 2 and all(_exists(export) for export in exports)


def test_purge_deletes_old_failed_jobs_and_dead_queued_ones_but_keeps_live_work():
    plan = PlanFactory()
    failed = _export(plan, days_ago=8, status=PdfExport.Status.FAILED, file=False)
    _change(plan)
    dead = _export(
        plan, days_ago=8, status=PdfExport.Status.PENDING, file=False,
        task_result_id=str(uuid.uuid4()),  # a task that no longer exists
    )  # fmt: skip
    plan = _change(plan)
    young_failed = _export(plan, days_ago=1, status=PdfExport.Status.FAILED, file=False)
    queued = _export(plan, days_ago=1, status=PdfExport.Status.PENDING, file=False)
    assert queued.pk != young_failed.pk

    result = services.purge_generated()

    assert result.exports == 2 and result.files == 0
    assert set(PdfExport.objects.values_list("pk", flat=True)) == {queued.pk, young_failed.pk}
    assert not PdfExport.objects.filter(pk__in=[failed.pk, dead.pk]).exists()


def test_purge_deletes_old_orphan_files_but_not_a_render_in_progress():
    """A file no export names: a row deleted without its file, or a render whose row was never
    committed. A young one may be a render that is about to commit its row."""
    plan = PlanFactory()
    kept = _export(plan, days_ago=30)
    orphan = _orphan("left-behind.pdf", days_ago=8)
    rendering = _orphan("being-written.pdf", days_ago=0)

    result = services.purge_generated()

    assert (result.exports, result.files, result.orphans, result.bytes) == (0, 1, 1, 1000)
    storage = documents_storage()
    assert not storage.exists(orphan)
    assert storage.exists(rendering) and _exists(kept)


def test_purge_dry_run_deletes_nothing(django_capture_on_commit_callbacks):
    plan = PlanFactory()
    old = _export(plan, days_ago=20)
    _change(plan)
    orphan = _orphan("left-behind.pdf", days_ago=8)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = services.purge_generated(dry_run=True)

    assert (result.exports, result.files, result.orphans) == (1, 2, 1)
    assert callbacks == []
    assert PdfExport.objects.filter(pk=old.pk).exists() and _exists(old)
    assert documents_storage().exists(orphan)


def test_deleting_a_plan_deletes_its_files_once_committed(django_capture_on_commit_callbacks):
    plan = PlanFactory()
    measure = MeasureFactory(field=FieldOfActionFactory(plan=plan))
    other = _export(PlanFactory(), days_ago=0)
    exports = [_export(plan, days_ago=0), _export(measure, days_ago=0)]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        plan.delete()
    assert all(_exists(export) for export in exports)  # not yet: the deletion may roll back
    for callback in callbacks:
        callback()

    assert not any(_exists(export) for export in exports)
    assert _exists(other) and PdfExport.objects.get() == other


def test_deleting_a_plan_that_rolls_back_keeps_its_files(django_capture_on_commit_callbacks):
    plan = PlanFactory()
    export = _export(plan, days_ago=0)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                plan.delete()
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass

    assert callbacks == []
    assert PdfExport.objects.filter(pk=export.pk).exists() and _exists(export)


def test_purge_documents_command_reports_and_deletes(django_capture_on_commit_callbacks, capsys):
    plan = PlanFactory()
    old = _export(plan, days_ago=20)
    _change(plan)
    _orphan("left-behind.pdf", days_ago=8)

    with translation.override("en"):
        call_command("purge_documents", "--dry-run")
        assert capsys.readouterr().out.strip() == (
            "Dry run, nothing deleted: 1 export(s), 2 file(s) (1 without an export), "
            "0.0 MB would be deleted."
        )
        assert _exists(old)
        with django_capture_on_commit_callbacks(execute=True):
            call_command("purge_documents")
        assert capsys.readouterr().out.strip() == (
            "1 export(s), 2 file(s) (1 without an export), 0.0 MB deleted; "
            "0 import upload(s) deleted."
        )
    assert not PdfExport.objects.exists() and not _exists(old)
    with translation.override("de"), django_capture_on_commit_callbacks(execute=True):
        call_command("purge_documents")
    assert capsys.readouterr().out.startswith("0 Export(e), 0 Datei(en)")
