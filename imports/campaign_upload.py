"""A campaign document uploaded in the admin: who may import it, its preview, the check that
nothing changed since, and the import itself — all through ``campaign_document_import``."""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext

from access import rules
from actionplan.management.commands.export_plan import dumps
from campaigns.models import Campaign

from . import json_input, services
from .campaign_document import (
    CampaignImportError,
    CampaignImportResult,
    campaign_document_import,
    campaign_export_document,
)
from .changes import Problem
from .services import stale_message
from .storage import ImportUploadStorage

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


class Refused(Exception):
    """The document cannot be imported by this user now; ``messages`` say why."""

    def __init__(self, messages: list[str]):
        super().__init__(*messages)
        self.messages = messages


# --- export ------------------------------------------------------------------------------------


def exportable_campaigns(user, queryset):
    """The campaigns of ``queryset`` this user may export: the document holds drafts and
    private contact details, so, as with a plan's workbook, only their coordinators'."""
    if not rules.can_export(user):
        return []
    return [c for c in queryset.visible_to(user) if rules.coordinates_campaign(user, c)]


def document_response(campaigns) -> HttpResponse:
    """The campaigns as a downloadable document, written as ``manage.py export_campaigns`` does."""
    response = HttpResponse(
        dumps(campaign_export_document(campaigns)), content_type=JSON_CONTENT_TYPE
    )
    name = f"kampagnen-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- import ------------------------------------------------------------------------------------


def read_document(content: bytes):
    """The uploaded bytes as JSON; ``CampaignImportError`` when they are no JSON document
    within the import's bounds (``imports.json_input``)."""
    try:
        return json_input.loads(content)
    except json_input.DocumentRefused as refused:
        raise CampaignImportError([Problem(refused.message)]) from None


def named_slugs(data) -> list[str]:
    """The slugs of the campaigns the document names (the import checks everything else)."""
    items = data.get("campaigns") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return []
    return [
        item["slug"]
        for item in items
        if isinstance(item, dict) and isinstance(item.get("slug"), str) and item["slug"]
    ]


def refusals(user, slugs: list[str]) -> list[str]:
    """One message per named campaign the user may not import into (or, if new, create)."""
    stored = {c.slug: c for c in Campaign.objects.filter(slug__in=slugs)}
    messages = []
    for slug in dict.fromkeys(slugs):
        campaign = stored.get(slug)
        if campaign is None:
            if not rules.can_import_campaigns(user, Campaign(slug=slug)):
                messages.append(
                    gettext("You may not create the campaign “%(slug)s”.") % {"slug": slug}
                )
        elif not rules.can_import_campaigns(user, campaign):
            messages.append(
                gettext("You may not import into the campaign “%(campaign)s”.")
                % {"campaign": campaign.title}
            )
    return messages


def fingerprint(slugs: list[str]) -> str:
    """A digest of the named campaigns as stored (all they hold, as the export writes it)."""
    document = campaign_export_document(Campaign.objects.filter(slug__in=slugs))
    return hashlib.sha256(dumps(document).encode()).hexdigest()


def changes_digest(result: CampaignImportResult) -> str:
    """A digest of the list of changes, to apply exactly what the preview showed."""
    listed = [(c.action, c.kind, c.label, [list(d) for d in c.diffs]) for c in result.changes]
    return hashlib.sha256(json.dumps(listed, default=str).encode()).hexdigest()


def preview(user, stored: ImportUploadStorage, file_name: str) -> dict:
    """A dry run of the stored upload: its problems, a refusal, or its changes for the page.

    The file is kept for the confirmation only when there is something to import.
    """
    keep = False
    try:
        try:
            data = read_document(stored.read())
            slugs = named_slugs(data)
            refused = refusals(user, slugs)
            if refused:
                return {"refusals": refused, "file_name": file_name}
            state = fingerprint(slugs)
            result = campaign_document_import(
                data=data, acting_user=user, dry_run=True, file_name=file_name
            )
        except CampaignImportError as error:
            return {
                "problems": error.problems[: services.MAX_MESSAGES],
                "more_problems": max(0, len(error.problems) - services.MAX_MESSAGES),
                "file_name": file_name,
            }
        keep = bool(result.changes)
        return {
            "result": result,
            "file_name": file_name,
            "stored_name": stored.name if keep else "",
            "fingerprint": state,
            "changes_digest": changes_digest(result),
        }
    finally:
        if not keep:
            stored.remove()


def problem_text(problem: Problem) -> str:
    """A problem with its place in the document, e.g. ``campaigns[0].channels[1].reach: …``."""
    return f"{problem.column}: {problem.message}" if problem.column else problem.message


class _Stale(Exception):
    pass


def confirm(
    user,
    stored: ImportUploadStorage,
    file_name: str,
    *,
    expected_fingerprint: str,
    expected_changes: str,
) -> CampaignImportResult:
    """Import the previewed file: all of it in one transaction, exactly as previewed, or
    nothing (``Refused``) when the user may not or the campaigns changed since the preview."""
    content = stored.read()  # FileNotFoundError: cancelled or purged
    try:
        data = read_document(content)
        slugs = named_slugs(data)
        refused = refusals(user, slugs)
        if refused:
            raise Refused(refused)
        with transaction.atomic():
            if fingerprint(slugs) != expected_fingerprint:
                raise _Stale
            result = campaign_document_import(
                data=data, acting_user=user, dry_run=False, file_name=file_name
            )
            if changes_digest(result) != expected_changes:
                raise _Stale  # rolls the import back
    except _Stale:
        raise Refused([stale_message()]) from None
    except CampaignImportError as error:
        raise Refused([problem_text(p) for p in error.problems]) from None
    _audit(user, slugs, result, file_name)
    return result


def _audit(user, slugs, result, file_name: str) -> None:
    """One audit event per campaign of a document that changed something."""
    from access.models import AuditEvent
    from access.services import audit

    if not result.changes:
        return
    detail = gettext("Campaign document “%(file)s”: %(summary)s") % {
        "file": file_name,
        "summary": result.summary(),
    }
    for campaign in Campaign.objects.filter(slug__in=slugs):
        audit(AuditEvent.Action.IMPORTED, actor=user, campaign=campaign, detail=detail)
