"""Reads of documents for pages and exports."""

from access import rules
from translations.documents import translated_entries

from .models import Attachment

#: an owner's model -> the attachment's foreign key to it
OWNER_KEYS = {
    "measure": "measure",
    "fieldofaction": "field",
    "campaign": "campaign",
    "plan": "plan",
}


def attachments_of(owner, user) -> list[Attachment]:
    """The documents of ``owner`` (plan, field, measure or campaign) this user may see."""
    key = OWNER_KEYS[owner._meta.model_name]
    return list(rules.visible_attachments(user, Attachment.objects.filter(**{key: owner})))


def attachment_entries(owner) -> list[dict]:
    """The documents of ``owner`` as the plan's JSON document lists them (read only, never
    imported): title, file name, type, size, checksum."""
    return [
        {
            "title": a.title,
            **translated_entries(a),
            "file_name": a.file_name,
            "content_type": a.content_type,
            "size": a.size,
            "sha256": a.sha256,
        }
        for a in owner.attachments.all()
    ]
