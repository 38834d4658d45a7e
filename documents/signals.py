"""A deleted export or chapter part takes its file along (a plan, field or measure deletion
cascades to exports)."""

from django.db import transaction
from django.db.models.signals import post_delete


def export_deleted(sender, instance, **kwargs):
    """Delete the file once the deletion is committed: a rollback keeps row and file."""
    if instance.file:
        name, storage = instance.file.name, instance.file.storage
        transaction.on_commit(lambda: storage.delete(name))


def connect():
    from .models import PdfExport, PdfPart

    post_delete.connect(export_deleted, sender=PdfExport, dispatch_uid="documents_export_deleted")
    post_delete.connect(export_deleted, sender=PdfPart, dispatch_uid="documents_part_deleted")
