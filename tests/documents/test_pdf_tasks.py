"""Large PDF exports run on the django-tasks database worker; status page; the real admin
(``actionplan/admin.py`` with the PDF mixins, served by ``config.urls``)."""

from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from actionplan.models import Measure, Plan
from documents import rendering, services
from documents.models import PdfExport
from documents.services import export_request
from documents.tasks import build_pdf_export
from tests.documents.pdf_factories import pdf_cache, pdf_pages, requires_poppler  # noqa: F401
from tests.factories import build_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pdf_cache"), requires_poppler]


@pytest.fixture(autouse=True)
def small_threshold(settings, tmp_path):
    settings.PLANWERK_PDF_INLINE_MAX_MEASURES = 3
    settings.MEDIA_ROOT = tmp_path / "media"


def _plan_url(plan):
    return reverse("actionplan:plan_pdf", kwargs={"plan_slug": plan.slug})


def test_large_plan_is_enqueued_not_rendered_in_the_request(client):
    plan = build_plan(fields=2, measures_per_field=2)  # 4 measures > threshold 3
    with mock.patch.object(rendering, "write_pdf") as write:
        response = client.get(_plan_url(plan))
        again = client.get(_plan_url(plan))
    assert write.call_count == 0
    export = PdfExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == export.get_absolute_url() == again["Location"]
    assert export.status == PdfExport.Status.PENDING and export.requested_by is None
    task = DBTaskResult.objects.get(pk=export.task_result_id)
    assert task.task_path == "documents.tasks.build_pdf_export"
    assert task.status == TaskResultStatus.READY

    page = client.get(export.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Das PDF wird erstellt" in html
    assert '<meta http-equiv="refresh"' in html
    assert "Position 1" in html


def test_small_field_of_a_large_plan_is_rendered_inline(client):
    plan = build_plan(fields=2, measures_per_field=2)
    field = plan.fields.first()
    url = reverse("actionplan:field_pdf", kwargs={"plan_slug": plan.slug, "field_slug": field.slug})
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert not PdfExport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_worker_builds_the_export_then_downloads_come_from_file_and_cache(client):
    plan = build_plan(fields=2, measures_per_field=2)
    status_url = client.get(_plan_url(plan))["Location"]
    export = PdfExport.objects.get()

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    export.refresh_from_db()
    assert export.status == PdfExport.Status.DONE
    assert export.size > 1000 and export.file.name.endswith(".pdf")
    assert DBTaskResult.objects.get(pk=export.task_result_id).status == "SUCCESSFUL"
    page = client.get(status_url).content.decode()
    assert "Das PDF ist fertig" in page and "refresh" not in page
    download = client.get(reverse("actionplan:pdf_export_download", args=[export.pk]))
    body = b"".join(download.streaming_content)
    assert body.startswith(b"%PDF-")
    assert "Maßnahme 2.2" in "\n".join(pdf_pages(body))
    # The worker filled the cache: the next request is served directly, without a new job.
    with mock.patch.object(rendering, "write_pdf") as write:
        direct = client.get(_plan_url(plan))
    assert direct.status_code == 200 and direct.content == body
    assert write.call_count == 0 and PdfExport.objects.count() == 1


def test_failed_export_shows_its_state_and_the_error_to_staff_only(client, staff_user):
    plan = build_plan(fields=2, measures_per_field=2)
    export = export_request(services.DocumentRequest.build(plan))
    with mock.patch.object(rendering, "write_pdf", side_effect=RuntimeError("Schrift fehlt")):
        with pytest.raises(RuntimeError):
            build_pdf_export.call(str(export.pk))
    export.refresh_from_db()
    assert export.status == PdfExport.Status.FAILED
    assert "Schrift fehlt" in export.error
    public = client.get(export.get_absolute_url()).content.decode()
    assert "konnte nicht erstellt werden" in public and "Schrift fehlt" not in public
    staff = Client()
    staff.force_login(staff_user)
    assert "Schrift fehlt" in staff.get(export.get_absolute_url()).content.decode()
    # A failed job is not reused: asking again starts a new one.
    assert export_request(services.DocumentRequest.build(plan)).pk != export.pk


def test_draft_export_is_404_for_anonymous(client, staff_client):
    plan = build_plan(fields=2, measures_per_field=2, status=Plan.Status.DRAFT)
    status_url = staff_client.get(_plan_url(plan))["Location"]
    export = PdfExport.objects.get()
    assert export.draft and export.requested_by is not None
    anonymous = Client()
    assert anonymous.get(status_url).status_code == 404
    download = reverse("actionplan:pdf_export_download", args=[export.pk])
    assert anonymous.get(download).status_code == 404
    assert staff_client.get(status_url).status_code == 200


# --- admin ----------------------------------------------------------------------------------


def test_admin_pdf_button_serves_draft_marked_pdf(staff_client):
    plan = build_plan(fields=1, measures_per_field=2, status=Plan.Status.DRAFT)
    change = staff_client.get(reverse("admin:actionplan_plan_change", args=[plan.pk]))
    pdf_url = reverse("admin:actionplan_plan_pdf", args=[plan.pk])
    assert pdf_url in change.content.decode()
    response = staff_client.get(pdf_url)
    assert response.status_code == 200
    assert all("ENTWURF" in page for page in pdf_pages(response.content))
    measure = Measure.objects.filter(field__plan=plan).first()
    for name, obj in (("measure", measure), ("fieldofaction", measure.field)):
        change = staff_client.get(reverse(f"admin:actionplan_{name}_change", args=[obj.pk]))
        obj_pdf_url = reverse(f"admin:actionplan_{name}_pdf", args=[obj.pk])
        assert obj_pdf_url in change.content.decode()
        obj_pdf = staff_client.get(obj_pdf_url)
        assert obj_pdf.status_code == 200 and obj_pdf["Content-Type"] == "application/pdf"
        assert all("ENTWURF" in page for page in pdf_pages(obj_pdf.content))


def test_admin_pdf_views_need_staff(client, user):
    plan = build_plan(fields=1, measures_per_field=1)
    client.force_login(user)
    response = client.get(reverse("admin:actionplan_plan_pdf", args=[plan.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_admin_action_downloads_one_and_enqueues_several(staff_client):
    first = build_plan(fields=1, measures_per_field=1)
    second = build_plan(fields=1, measures_per_field=1, status=Plan.Status.DRAFT)
    changelist = reverse("admin:actionplan_plan_changelist")
    one = staff_client.post(changelist, {"action": "export_pdf", "_selected_action": [first.pk]})
    assert one.status_code == 200 and one["Content-Type"] == "application/pdf"
    assert not PdfExport.objects.exists()

    several = staff_client.post(
        changelist,
        {"action": "export_pdf", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )
    assert PdfExport.objects.count() == 2
    assert {e.draft for e in PdfExport.objects.all()} == {True, False}
    assert "2 PDF-Exporte gestartet" in several.content.decode()
    exports = staff_client.get(reverse("admin:documents_pdfexport_changelist"))
    assert exports.status_code == 200
