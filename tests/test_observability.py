"""Request ids, JSON logs and Sentry (issue 19, item 10)."""

import io
import json
import logging
from unittest import mock

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import path

from config.observability import JsonFormatter, RequestIdFilter, RequestIdMiddleware

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("kaputt")


def _fine(request):
    logging.getLogger("planwerk.test").warning("inside the view")
    return HttpResponse("ok")


urlpatterns = [path("boom/", _boom), path("fine/", _fine)]


def test_every_answer_carries_a_request_id(client):
    first = client.get("/robots.txt")["X-Request-ID"]
    second = client.get("/robots.txt")["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_a_sane_id_from_the_proxy_is_kept_and_a_hostile_one_replaced(client):
    assert client.get("/robots.txt", HTTP_X_REQUEST_ID="lb-1234abcd")["X-Request-ID"] == (
        "lb-1234abcd"
    )
    for hostile in ("<script>alert(1)</script>", "x" * 65, "a\r\nSet-Cookie: x=1", "short"):
        answered = client.get("/robots.txt", HTTP_X_REQUEST_ID=hostile)["X-Request-ID"]
        assert answered != hostile and len(answered) == 32


def _capture_logs(formatter):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(formatter)
    logger = logging.getLogger("planwerk.test")
    logger.addHandler(handler)
    return stream, lambda: logger.removeHandler(handler)


def test_log_lines_written_during_a_request_name_it():
    stream, done = _capture_logs(logging.Formatter("[%(request_id)s] %(message)s"))
    try:
        request = RequestFactory().get("/fine/", HTTP_X_REQUEST_ID="proxy-req-0001")
        RequestIdMiddleware(_fine)(request)
        logging.getLogger("planwerk.test").warning("after the request")
    finally:
        done()
    assert stream.getvalue().splitlines() == [
        "[proxy-req-0001] inside the view",
        "[-] after the request",
    ]


def test_json_lines():
    stream, done = _capture_logs(JsonFormatter())
    try:
        request = RequestFactory().get("/fine/", HTTP_X_REQUEST_ID="proxy-req-0002")
        RequestIdMiddleware(_fine)(request)
    finally:
        done()
    entry = json.loads(stream.getvalue())
    assert entry["request_id"] == "proxy-req-0002"
    assert entry["message"] == "inside the view"
    assert entry["level"] == "WARNING" and entry["logger"] == "planwerk.test"


def test_settings_turn_sentry_on_only_with_a_dsn(monkeypatch, tmp_path):
    import runpy

    from tests.test_settings import SETTINGS_FILE

    monkeypatch.setenv("PLANWERK_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("PLANWERK_ENV", "development")
    monkeypatch.delenv("SENTRY_DSN", raising=False)
    with mock.patch("config.observability.init_sentry") as init:
        runpy.run_path(str(SETTINGS_FILE))
        assert not init.called
        monkeypatch.setenv("SENTRY_DSN", "https://key@sentry.stadt.example/7")
        runpy.run_path(str(SETTINGS_FILE))
    init.assert_called_once()
    assert init.call_args.args == ("https://key@sentry.stadt.example/7",)
    assert init.call_args.kwargs["environment"] == "development"


@pytest.mark.urls("tests.test_observability")
def test_an_unhandled_error_reaches_sentry_with_the_request_id_and_no_personal_data(
    admin_user,
):
    import sentry_sdk

    from config.observability import init_sentry

    events = []

    class Transport(sentry_sdk.transport.Transport):
        def capture_envelope(self, envelope):
            events.extend(item.payload.json for item in envelope.items if item.payload.json)

    init_sentry("https://key@sentry.invalid/1", environment="test", transport=Transport)
    try:
        client = Client(raise_request_exception=False)
        client.force_login(admin_user)
        response = client.get("/boom/", HTTP_X_REQUEST_ID="proxy-req-0003")
        sentry_sdk.flush()
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init()  # no DSN: reporting off again
    assert response.status_code == 500
    errors = [e for e in events if e.get("exception")]
    assert len(errors) == 1
    event = errors[0]
    assert event["exception"]["values"][-1]["value"] == "kaputt"
    assert event["tags"]["request_id"] == "proxy-req-0003"
    assert "admin" not in json.dumps(event.get("user", {}))
    assert "sessionid" not in json.dumps(event.get("request", {}))
