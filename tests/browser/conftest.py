"""Fixtures for browser tests: Playwright driving Debian's Chromium against `live_server`.

Tests here are marked `@pytest.mark.browser`. Without /usr/bin/chromium they skip with the
reason (apt-get install chromium); with PLANWERK_REQUIRE_BROWSER=1 (set by .ci/run) they fail.
Playwright's own browser download is never used: it cannot be fetched on our machines.
The static-files storage and the active language are reset for every test in tests/conftest.py;
axe-core and screenshot helpers are in `tests/browser/support.py`.
"""

import pytest

from tests.requirements import require_chromium

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def live_url(live_server):
    """Absolute URL on the live test server for a path: `live_url("/admin/")`."""
    base = live_server.url.replace("://localhost:", "://127.0.0.1:")

    def build(path: str = "/") -> str:
        return base + (path if path.startswith("/") else "/" + path)

    return build


@pytest.fixture(scope="module")
def chromium_browser():
    """One headless Chromium per test module; each test gets its own context in `browser_page`."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
    # ORM calls made by the tests while the browser is open.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()


@pytest.fixture
def browser_page(chromium_browser):
    """A fresh Playwright page (German locale, own cookies), closed after the test."""
    context = chromium_browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
