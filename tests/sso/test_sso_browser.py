"""The sign-in with the city's account in Chromium: the button on the admin's sign-in page, the
provider stub answering the browser's visit (Playwright routes its host, no network), back on
the start page; no CSP violation and no axe finding on the sign-in page."""

import pytest

from tests.browser.support import describe, run_axe, screenshot
from tests.sso.conftest import BUTTON
from tests.sso.stub_provider import ISSUER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sso_sign_in_in_the_browser(browser_page, live_url, sso, provider, member):
    page = browser_page
    violations = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    provider.sign_in_as(email=member.email)
    page.route(
        ISSUER.split("/realms")[0] + "/**",
        lambda route: route.fulfill(
            status=302, headers={"Location": provider.authorize(route.request.url)}
        ),
    )

    page.goto(live_url("/admin/"))
    findings = run_axe(page)
    screenshot(page, "sso-sign-in")
    page.get_by_role("link", name=BUTTON).click()
    page.wait_for_url(live_url("/admin/"))

    assert "erika" in page.locator("#user-tools").text_content()
    assert not findings, describe(findings)
    assert not violations
