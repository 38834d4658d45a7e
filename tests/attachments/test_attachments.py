import hashlib
import io
import zipfile

import docx
import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from access import rules
from access.models import Membership
from attachments.models import Attachment
from attachments.validation import check_upload
from tests.actionplan.admin_support import change_form_data, inline_prefix
from tests.factories import MeasureFactory, PlanFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"PE\x00\x00"


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("Konzept Kreativwirtschaft")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "Budget"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_with(members: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    return tmp_path / "media"


# --- the content check ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("bericht.pdf", PDF, "application/pdf"),
        ("foto.png", PNG, "image/png"),
        (
            "konzept.docx",
            None,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("budget.xlsx", None, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("ohne-endung", PNG, "image/png"),  # the name does not matter
        (
            "text.odt",
            None,
            "application/vnd.oasis.opendocument.text",
        ),
    ],
)
def test_allowed_files_are_recognised_by_their_content(name, data, expected):
    if data is None:
        data = {
            "konzept.docx": docx_bytes,
            "budget.xlsx": xlsx_bytes,
            "text.odt": lambda: zip_with(
                {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"}
            ),
        }[name]()
    checked = check_upload(upload(name, data))
    assert checked.content_type == expected
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("bericht.pdf", EXE),  # a renamed executable
        ("konzept.docx", EXE),
        ("seite.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        (
            "logo.png",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>',
        ),
        ("konzept.docx", zip_with({"setup.exe": EXE})),  # a ZIP that declares nothing
        (
            "makro.docx",
            zip_with(
                {
                    "[Content_Types].xml": '<Types><Override PartName="/word/document.xml" '
                    'ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>'
                }
            ),
        ),
        ("leer.pdf", b""),
    ],
    ids=["exe-as-pdf", "exe-as-docx", "html", "svg", "zip", "macro-docx", "empty"],
)
def test_other_files_are_refused_whatever_their_name(name, data):
    with pytest.raises(ValidationError):
        check_upload(upload(name, data))


def test_the_size_limit_is_a_setting(settings):
    settings.PLANWERK_ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="zu groß"):
        check_upload(upload("gross.pdf", PDF + b"x" * 200))


# --- the admin --------------------------------------------------------------------------------


@pytest.fixture
def measure():
    plan = PlanFactory(status="published", slug="offen")
    return MeasureFactory(field__plan=plan, state="published")


@pytest.fixture
def coordinator(measure):
    user = UserFactory(is_staff=True)
    Membership.objects.create(user=user, plan=measure.field.plan, role="coordinator")
    return user


def post_attachment(client, measure, file, title="Konzept"):
    url = reverse("admin:actionplan_measure_change", args=[measure.pk])
    page = client.get(url)
    data = change_form_data(page)
    prefix = inline_prefix(page, Attachment)
    assert prefix == "attachments"  # the upload handler's limit for documents keys on it
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    data[f"{prefix}-{index}-title"] = title
    data[f"{prefix}-{index}-file"] = file
    return client.post(url, data)


def test_a_coordinator_attaches_a_document_in_the_measure_form(
    client, measure, coordinator, storage
):
    client.force_login(coordinator)
    data = docx_bytes()

    response = post_attachment(client, measure, upload("Konzept 2011.DOCX", data))

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.measure == measure
    assert attachment.content_type.endswith("wordprocessingml.document")
    assert attachment.file_name == "Konzept 2011.docx"
    assert attachment.size == len(data)
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert attachment.uploaded_by == coordinator
    assert attachment.history.count() == 1
    assert (storage / attachment.file.name).read_bytes() == data


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bericht.pdf", EXE, "Dieser Dateityp ist nicht erlaubt"),
        (
            "bild.svg",
            b"<svg xmlns='http://www.w3.org/2000/svg'/>",
            "Dieser Dateityp ist nicht erlaubt",
        ),
    ],
)
def test_a_bad_upload_is_refused_in_german(
    client, measure, coordinator, storage, name, data, message
):
    client.force_login(coordinator)
    response = post_attachment(client, measure, upload(name, data))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Attachment.objects.exists()
    assert not storage.exists() or not any(storage.rglob("*.*"))


def test_a_file_over_the_limit_is_refused_while_it_streams_in(
    client, measure, coordinator, settings
):
    settings.PLANWERK_ATTACHMENT_MAX_BYTES = 1000
    client.force_login(coordinator)
    response = post_attachment(client, measure, upload("gross.pdf", PDF + b"x" * 5000))
    assert response.status_code == 200
    assert "Die Datei ist zu groß" in response.content.decode()
    assert not Attachment.objects.exists()


def test_who_may_change_the_owner_may_attach(measure, coordinator):
    editor = UserFactory(is_staff=True)
    Membership.objects.create(user=editor, plan=measure.field.plan, role="reader")
    assert rules.can_change_rows(coordinator, Attachment, measure)
    assert not rules.can_change_rows(editor, Attachment, measure)
    assert not rules.can_change_rows(UserFactory(is_staff=True), Attachment, measure)


# --- serving ----------------------------------------------------------------------------------


def attach(owner_kw, name, data, content_type):
    attachment = Attachment(title="Dokument", **owner_kw)
    attachment.file_name, attachment.content_type = name, content_type
    attachment.size, attachment.sha256 = len(data), hashlib.sha256(data).hexdigest()
    attachment.file.save(name, io.BytesIO(data), save=False)
    attachment.save()
    return attachment


def test_a_pdf_opens_inline_an_office_document_downloads(client, measure):
    pdf = attach({"measure": measure}, "bericht.pdf", PDF, "application/pdf")
    sheet = attach(
        {"plan": measure.field.plan},
        "budget.xlsx",
        xlsx_bytes(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )

    shown = client.get(pdf.get_absolute_url())
    downloaded = client.get(sheet.get_absolute_url())

    assert shown.status_code == 200 and b"".join(shown.streaming_content) == PDF
    assert shown["Content-Type"] == "application/pdf"
    assert shown["Content-Disposition"].startswith("inline")
    assert downloaded["Content-Disposition"].startswith("attachment")
    for response in (shown, downloaded):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "sandbox" in downloaded["Content-Security-Policy"]


def test_documents_of_drafts_are_404_for_anonymous_and_staff_without_role(client, measure):
    draft_measure = MeasureFactory(field=measure.field, state="draft")
    draft_plan = PlanFactory(status="draft")
    hidden = [
        attach({"measure": draft_measure}, "a.pdf", PDF, "application/pdf"),
        attach({"plan": draft_plan}, "b.pdf", PDF, "application/pdf"),
    ]
    member = UserFactory(is_staff=True)
    Membership.objects.create(user=member, plan=measure.field.plan, role="reader")

    for attachment in hidden:
        assert client.get(attachment.get_absolute_url()).status_code == 404
    client.force_login(UserFactory(is_staff=True))
    for attachment in hidden:
        assert client.get(attachment.get_absolute_url()).status_code == 404
    client.force_login(member)
    assert client.get(hidden[0].get_absolute_url()).status_code == 200
    assert client.get(hidden[1].get_absolute_url()).status_code == 404
    client.force_login(StaffUserFactory())
    assert client.get(hidden[1].get_absolute_url()).status_code == 200


def test_a_wrong_file_name_in_the_address_is_404(client, measure):
    pdf = attach({"measure": measure}, "bericht.pdf", PDF, "application/pdf")
    url = reverse("attachments:download", kwargs={"pk": pdf.pk, "name": "anders.pdf"})
    assert client.get(url).status_code == 404


# --- deletion ---------------------------------------------------------------------------------


def test_the_file_leaves_the_storage_with_its_document(
    measure, storage, django_capture_on_commit_callbacks
):
    attachment = attach({"measure": measure}, "bericht.pdf", PDF, "application/pdf")
    path = storage / attachment.file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        attachment.delete()
    assert not path.exists()


def test_files_leave_the_storage_when_their_owner_is_deleted(
    measure, storage, django_capture_on_commit_callbacks
):
    paths = [
        storage / attach({"measure": measure}, "a.pdf", PDF, "application/pdf").file.name,
        storage / attach({"field": measure.field}, "b.png", PNG, "image/png").file.name,
    ]
    with django_capture_on_commit_callbacks(execute=True):
        measure.field.plan.delete()
    assert not any(path.exists() for path in paths)
    assert not Attachment.objects.exists()


# --- public pages -----------------------------------------------------------------------------


def test_public_pages_list_their_documents(client, measure):
    attach({"measure": measure}, "bericht.pdf", PDF, "application/pdf")
    attach({"field": measure.field}, "bild.png", PNG, "image/png")
    plan = measure.field.plan
    attach({"plan": plan}, "plan.pdf", PDF, "application/pdf")
    attach(
        {"measure": MeasureFactory(field=measure.field, state="draft")},
        "geheim.pdf",
        PDF,
        "application/pdf",
    )

    for page in (measure, measure.field, plan):
        html = client.get(page.get_absolute_url()).content.decode()
        assert '<h2 id="documents">Dokumente</h2>' in html
        assert "geheim.pdf" not in html
    html = client.get(measure.get_absolute_url()).content.decode()
    assert "bericht.pdf" in html and "(PDF, " in html
