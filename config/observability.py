"""Request ids in every log line, JSON logs on request, and error reports to Sentry.

- ``RequestIdMiddleware`` (first in MIDDLEWARE) gives each request an id: the proxy's
  ``X-Request-ID`` if it sent a sane one, else a new one. The id is answered in
  ``X-Request-ID`` and added to every log record written while the request runs
  (``RequestIdFilter``), so one request's lines can be found across web and proxy logs.
- ``JsonFormatter`` writes one JSON object per line (``PLANWERK_LOG_JSON=1``) for log shippers.
- ``init_sentry`` turns on error reporting through sentry-sdk when ``SENTRY_DSN`` is set; without
  it nothing is sent anywhere. Personal data (user names, addresses, cookies) stays out (the
  SDK's default).
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import re
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    header = "X-Request-ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get(self.header, "")
        request_id = offered if _SANE_ID.fullmatch(offered) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[self.header] = request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def init_sentry(dsn: str, *, environment: str, traces_sample_rate: float = 0.0, **options):
    """Error reports to Sentry (or a compatible service such as GlitchTip)."""
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    def tag_request(event, hint):
        event.setdefault("tags", {})["request_id"] = _request_id.get()
        return event

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration()],
        traces_sample_rate=traces_sample_rate,
        before_send=tag_request,
        **options,
    )
