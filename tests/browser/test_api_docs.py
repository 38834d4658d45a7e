"""The API's browsable documentation in Chromium under the real Content-Security-Policy: every
script and stylesheet from Planwerk's own static files, nothing from a CDN, nothing blocked."""

from io import StringIO

import pytest
from django.core.management import call_command

from actionplan import models as ap
from tests.browser.support import screenshot
from tests.browser.test_admin_csp import COLLECT_VIOLATIONS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.single_pass("the API documentation in Chromium"),
]


@pytest.fixture
def leipzig():
    call_command("load_demo_data", stdout=StringIO())
    return ap.Plan.objects.get()


def test_api_docs_render_under_the_policy_from_own_files(browser_page, live_url, leipzig):
    page = browser_page
    requested, violations = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.add_init_script(COLLECT_VIOLATIONS)

    for path in ("/api/v1/", f"/api/v1/measures/?plan={leipzig.pk}&page_size=2"):
        response = page.goto(live_url(path))
        assert response.status == 200, path
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        violations += page.evaluate("() => window.__cspViolations")

    assert page.locator("h1").first.inner_text()
    assert "Kontaktstelle Kreativwirtschaft" in page.content()
    assert violations == []
    origin = live_url("/")
    assert all(url.startswith(origin) for url in requested), requested
    screenshot(page, "api-docs", full_page=False)
