"""The contacts directory in headless Chromium: axe-core, keyboard, both languages."""

import pytest

from tests.browser.support import describe, run_axe, screenshot
from tests.contacts.support import SHY, build_directory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.single_pass("the contacts directory in Chromium"),
]


@pytest.fixture
def world(live_url):
    return build_directory(extra=2)


def _pages(world) -> dict[str, str]:
    return {
        "directory": "/kontakte/",
        "person": world.named.get_absolute_url(),
        "organisation": world.office.get_absolute_url(),
    }


@pytest.mark.parametrize("language", ["de", "en"])
def test_axe_finds_no_violations_on_the_directory(browser_page, world, live_url, language):
    page = browser_page
    failures = {}
    for name, path in _pages(world).items():
        page.goto(live_url(path if language == "de" else f"/en{path}"))
        violations = run_axe(page)
        screenshot(page, f"contacts-{name}-{language}")
        if violations:
            failures[name] = describe(violations)
    assert not failures, failures


def test_keyboard_from_the_footer_to_a_person_and_the_vcard(browser_page, world, live_url):
    page = browser_page
    page.goto(live_url("/"))
    footer = page.get_by_role("contentinfo")  # the header's main menu has the same link
    footer.get_by_role("link", name="Ansprechpartner", exact=True).focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/kontakte/")
    assert page.locator("h1").inner_text() == "Ansprechpartner"
    assert SHY["last_name"] not in page.content()
    page.get_by_role("link", name="Herr Amtsleiter Dr. Jürgen Müller").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(live_url(world.named.get_absolute_url()))
    assert page.locator("h1").inner_text() == "Herr Amtsleiter Dr. Jürgen Müller"
    with page.expect_download() as download:
        page.get_by_role("link", name="Visitenkarte herunterladen (vCard)").click()
    assert download.value.suggested_filename == "dr-jurgen-muller.vcf"
