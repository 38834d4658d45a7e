"""Helpers for driving the admin import: upload, confirm, cancel, and the upload folder."""

from django.conf import settings
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from access.models import Membership
from tests.factories import UserFactory


def admin_url(model, view: str) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}")


def csv_index(model) -> str:
    formats = admin.site._registry[model].get_import_formats()
    return str(next(i for i, f in enumerate(formats) if f().get_title() == "csv"))


def upload(client, model, content: bytes | str, name: str = "datei.csv"):
    if isinstance(content, str):
        content = content.encode()
    return client.post(
        admin_url(model, "import"),
        {
            "import_file": SimpleUploadedFile(name, content, content_type="text/csv"),
            "format": csv_index(model),
            "resource": "0",
        },
    )


def confirm_data(response) -> dict:
    form = response.context["confirm_form"]
    return {name: form[name].value() for name in form.fields}


def confirm(client, model, preview, **extra):
    return client.post(admin_url(model, "process_import"), {**confirm_data(preview), **extra})


def cancel(client, model, preview):
    return client.post(admin_url(model, "cancel_import"), confirm_data(preview))


def stored_uploads() -> list[str]:
    folder = settings.PLANWERK_IMPORT_UPLOAD_DIR
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def coordinator_of(plan, username: str = "koordination"):
    user = UserFactory(username=username, is_staff=True)
    Membership.objects.create(user=user, plan=plan, role="coordinator")
    return user


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]
