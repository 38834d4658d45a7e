"""Documents (PDF): one app renders, caches, stores and serves them.

    documents.render("plan", plan, language="de", internal=False) -> bytes
    documents.get_or_enqueue(documents.request_for(user, obj)) -> bytes | PdfExport

A document *kind* (``documents.kinds``) says what to render: a template and a context
builder. This app decides how: WeasyPrint (``documents.rendering``, the only module that
imports it), the cache, background jobs and the storage for generated files.
"""


def render(kind: str, obj, **options) -> bytes:
    from .services import render as _render

    return _render(kind, obj, **options)


def request_for(user, obj, **options):
    from .services import request_for as _request_for

    return _request_for(user, obj, **options)


def get_or_enqueue(request, *, requested_by=None):
    from .services import get_or_enqueue as _get_or_enqueue

    return _get_or_enqueue(request, requested_by=requested_by)
