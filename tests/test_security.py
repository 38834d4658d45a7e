"""Security headers, cookie-free public pages and login throttling (django-axes)."""

import re
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.http import HttpRequest
from django.urls import reverse

from actionplan import models as ap
from tests.factories import StaffUserFactory
from tests.shared_data import module_data

pytestmark = pytest.mark.django_db

LOGIN_URL = "/admin/login/?next=/admin/"
PASSWORD = "test-password-123"  # tests.factories.UserFactory


@pytest.fixture(scope="module")
def leipzig_pk(django_db_setup, django_db_blocker):
    """The demo plan, loaded once for the module; each test runs in a savepoint of its own
    (the sign-in tests below do not ask for it and do not look at plans)."""
    with module_data(django_db_blocker):
        call_command("load_demo_data", stdout=StringIO())
        yield ap.Plan.objects.get().pk


@pytest.fixture
def leipzig(leipzig_pk):
    return ap.Plan.objects.get(pk=leipzig_pk)


def _public_urls(plan) -> list[str]:
    field = plan.fields.order_by("position", "pk").first()
    measure = ap.Measure.objects.filter(field__plan=plan).order_by("pk").first()
    german = [
        reverse("actionplan:plan_list"),
        plan.get_absolute_url(),
        field.get_absolute_url(),
        measure.get_absolute_url(),
        reverse("actionplan:plan_timeline", args=[plan.slug]),
        reverse("actionplan:measure_list", args=[plan.slug]),
    ]
    return [*german, *(f"/en{url}" for url in german), "/sitemap.xml"]


# --- headers on public pages --------------------------------------------------------------------


def test_public_pages_send_security_headers_and_no_cookie(client, leipzig):
    for url in _public_urls(leipzig):
        response = client.get(url)
        assert response.status_code == 200, url

        csp = response.headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
        assert directives["script-src"] == "'self'", url
        assert directives["style-src"] == "'self'", url
        # one hashed attribute value for the admin history page, nothing else (settings.py)
        assert re.fullmatch(r"'unsafe-hashes' 'sha256-[^']+'", directives["style-src-attr"])
        assert directives["default-src"] == "'self'", url
        assert directives["frame-ancestors"] == "'none'", url
        assert "camera=()" in response.headers["Permissions-Policy"], url
        assert "geolocation=()" in response.headers["Permissions-Policy"], url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["Referrer-Policy"] == "same-origin", url
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin", url

        assert "Set-Cookie" not in response.headers, url
        assert not response.cookies, url
        vary = [v.strip().lower() for v in response.headers.get("Vary", "").split(",")]
        assert "cookie" not in vary, url


def test_public_html_has_no_inline_style_or_script(client, leipzig):
    for url in _public_urls(leipzig)[:-1]:
        html = client.get(url).content.decode()
        assert " style=" not in html, url
        assert "<style" not in html, url
        # scripts only from files; the one inline element is JSON-LD, data the browser never
        # runs (actionplan/page_meta.py escapes it so that nothing can close the element)
        assert not re.search(r'<script(?![^>]*\b(src=|type="application/ld\+json"))', html), url
        assert len(re.findall(r'<script type="application/ld\+json">', html)) <= 1, url


def test_timeline_positions_are_classes_from_the_static_stylesheet(client, leipzig):
    html = client.get(reverse("actionplan:plan_timeline", args=[leipzig.slug])).content.decode()
    assert re.search(r'class="tl-bar tl-l-\d+ tl-w-\d+', html)
    assert re.search(r'class="tl tl--plan tl-q-\d+ tl-j-[0-3]"', html)
    assert "css/timeline-positions.css" in html


def test_hsts_under_production_settings(client, leipzig, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    plain = client.get("/")
    secure = client.get("/", headers={"x-forwarded-proto": "https"})

    assert plain.status_code == 301
    assert plain.headers["Location"] == "https://testserver/"
    assert secure.status_code == 200
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_signed_in_staff_get_private_responses(staff_client, leipzig):
    response = staff_client.get(leipzig.get_absolute_url())

    assert "private" in response.headers["Cache-Control"]
    assert "cookie" in response.headers["Vary"].lower()


def test_anonymous_responses_are_not_marked_private(client, leipzig):
    response = client.get(leipzig.get_absolute_url())

    assert "private" not in response.headers.get("Cache-Control", "")


def test_stale_session_cookie_is_treated_as_anonymous(client, leipzig):
    client.cookies["sessionid"] = "no-such-session"
    response = client.get(leipzig.get_absolute_url())

    assert response.status_code == 200
    assert "private" not in response.headers.get("Cache-Control", "")
    assert "/admin/" not in response.content.decode()  # no edit links


def test_admin_login_page_has_the_csp_too(client):
    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "csrftoken" in response.cookies  # the login form needs its token
    assert response.cookies["csrftoken"]["httponly"]
    assert response.cookies["csrftoken"]["samesite"] == "Lax"


# --- login throttling ---------------------------------------------------------------------------


def _login(client, username, password, address="10.0.0.1"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_login_succeeds_with_the_right_password(client):
    StaffUserFactory(username="redakteurin")

    response = _login(client, "redakteurin", PASSWORD)

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


def test_sixth_attempt_is_refused_even_with_the_right_password(client):
    StaffUserFactory(username="redakteurin")

    failures = [_login(client, "redakteurin", "falsch") for _ in range(4)]
    fifth = _login(client, "redakteurin", "falsch")
    sixth = _login(client, "redakteurin", PASSWORD)

    assert [r.status_code for r in failures] == [200] * 4  # the form again, with an error
    assert fifth.status_code == 429
    assert sixth.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in sixth.content.decode()
    assert "15 Minuten" in sixth.content.decode()
    assert "_auth_user_id" not in client.session
    # from another address too: the user name itself is locked
    assert _login(client, "redakteurin", PASSWORD, address="10.0.0.2").status_code == 429


def test_lockout_looks_the_same_for_an_unknown_account(client):
    StaffUserFactory(username="redakteurin")

    for _ in range(5):
        _login(client, "redakteurin", "falsch", address="10.0.0.1")
        _login(client, "niemand", "falsch", address="10.0.0.2")
    known = _login(client, "redakteurin", PASSWORD, address="10.0.0.1")
    unknown = _login(client, "niemand", PASSWORD, address="10.0.0.2")

    assert known.status_code == unknown.status_code == 429
    assert known.content == unknown.content
    assert b"redakteurin" not in known.content


def test_one_address_is_locked_after_five_failures_with_different_names(client):
    StaffUserFactory(username="redakteurin")

    for number in range(5):
        _login(client, f"name{number}", "falsch", address="10.0.0.9")

    assert _login(client, "redakteurin", PASSWORD, address="10.0.0.9").status_code == 429
    assert _login(client, "redakteurin", PASSWORD, address="10.0.0.8").status_code == 302


def test_client_address_comes_only_from_the_configured_header(client, settings):
    StaffUserFactory(username="redakteurin")
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR",)

    # the proxy appends the address it saw; whatever the client sent stays on the left
    for _ in range(5):
        client.post(
            LOGIN_URL,
            {"username": f"name{_}", "password": "falsch"},
            REMOTE_ADDR="127.0.0.1",
            headers={"x-forwarded-for": f"1.2.3.{_}, 203.0.113.7"},
        )

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    locked = client.post(
        LOGIN_URL,
        {"username": "redakteurin", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        headers={"x-forwarded-for": "9.9.9.9, 203.0.113.7"},
    )
    other = client.post(
        LOGIN_URL,
        {"username": "redakteurin", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        headers={"x-forwarded-for": "203.0.113.7, 198.51.100.1"},
    )
    assert (locked.status_code, other.status_code) == (429, 302)


def test_lockout_ends_with_axes_reset_username(client):
    StaffUserFactory(username="redakteurin")
    for _ in range(5):
        _login(client, "redakteurin", "falsch")
    assert _login(client, "redakteurin", PASSWORD, address="10.0.0.2").status_code == 429

    call_command("axes_reset_username", "redakteurin", stdout=StringIO())

    assert _login(client, "redakteurin", PASSWORD, address="10.0.0.2").status_code == 302


def test_test_client_login_works_with_a_request(client):
    """axes needs the request: tests that use client.login pass one (force_login needs none)."""
    StaffUserFactory(username="redakteurin")

    assert client.login(request=HttpRequest(), username="redakteurin", password=PASSWORD)
    assert client.get("/admin/").status_code == 200
