import pytest

from tests.factories import StaffUserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.single_pass("the browser fixture"),
]


def test_browser_page_logs_into_admin_in_german(browser_page, live_url):
    StaffUserFactory(username="redaktion")

    browser_page.goto(live_url("/admin/login/"))
    assert browser_page.locator("html").get_attribute("lang") == "de"
    browser_page.fill("#id_username", "redaktion")
    browser_page.fill("#id_password", "test-password-123")
    browser_page.click("input[type=submit]")

    browser_page.wait_for_url(live_url("/admin/"))
    assert "Abmelden" in browser_page.content()


def test_browser_page_rejects_wrong_password(browser_page, live_url):
    StaffUserFactory(username="redaktion")

    browser_page.goto(live_url("/admin/login/"))
    browser_page.fill("#id_username", "redaktion")
    browser_page.fill("#id_password", "falsch")
    browser_page.click("input[type=submit]")

    assert browser_page.locator(".errornote").is_visible()
    assert browser_page.url.startswith(live_url("/admin/login/"))
