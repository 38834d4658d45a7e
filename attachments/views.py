"""Serving a document: only to whom may see its owner (access.rules), with the type its
content showed on upload. PDF and raster images open in the browser; everything else is a
download. Nothing is ever sniffed or run: ``nosniff`` and a policy that allows no content."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from .models import Attachment
from .validation import PDF

#: The response may load, run and frame nothing. A PDF keeps the browser's own viewer (which
#: a sandbox would block); everything else is sandboxed as well.
FILE_POLICY = "default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'"
SANDBOXED_POLICY = FILE_POLICY + "; sandbox"


@require_safe
def download(request, pk, name):
    attachment = get_object_or_404(
        Attachment.objects.visible_to(request.user).select_related(
            "plan", "field__plan", "measure__field__plan", "campaign"
        ),
        pk=pk,
    )
    if name != attachment.file_name:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=not attachment.inline,
        filename=attachment.file_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        FILE_POLICY if attachment.content_type == PDF else SANDBOXED_POLICY
    )
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, max-age=0"
    return response
