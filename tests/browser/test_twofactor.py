"""The second factor in Chromium under the real Content-Security-Policy: a coordinator whose
role requires it sets it up after the password (QR code and key, a code, the recovery codes),
signs out, signs in with a code from the app, signs out and signs in with a recovery code."""

import base64

import pytest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.models import Membership
from tests.browser.support import describe, run_axe, screenshot
from tests.browser.test_admin_csp import csp_page  # noqa: F401  (the fixture)
from tests.factories import PlanFactory, UserFactory
from tests.twofactor.support import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "test-password-123"  # tests.factories.UserFactory


def _sign_in(page, live_url):
    page.goto(live_url("/admin/login/?next=/admin/"))
    page.fill("#id_username", "koordination")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def _check(page, name, violations, accessibility):
    """Policy and axe findings of the page, and screenshots at desktop and phone width."""
    violations[name] = page.check_csp()
    accessibility[name] = run_axe(page)
    screenshot(page, f"twofactor-{name}")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, f"twofactor-{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})


def _sign_out(page, live_url):
    page.click("#logout-form button")
    page.wait_for_url("**/admin/logout/")


def test_set_up_then_sign_in_with_the_app_and_with_a_recovery_code(
    csp_page,  # noqa: F811
    live_url,
    settings,
):
    settings.PLANWERK_2FA_REQUIRED = True
    page = csp_page
    plan = PlanFactory(title="Kulturplan")
    coordinator = UserFactory(username="koordination")
    Membership.objects.create(user=coordinator, plan=plan, role=Membership.Role.COORDINATOR)
    violations, accessibility = {}, {}

    # the password, then the setup page before anything else
    _sign_in(page, live_url)
    page.wait_for_url("**/admin/zwei-faktor/einrichten/?next=%2Fadmin%2F")
    assert page.locator("h1").inner_text() == "Zwei-Faktor-Anmeldung einrichten"
    assert page.locator(".twofactor-qr svg").is_visible()
    _check(page, "setup", violations, accessibility)
    # the key as shown, as somebody without a camera types it into the app
    secret = page.locator("#twofactor-secret").inner_text().replace(" ", "")
    device = TOTPDevice.objects.get(user=coordinator)
    assert base64.b32decode(secret) == device.bin_key

    page.fill("#id_code", totp_code(device))
    page.get_by_role("button", name="Bestätigen").click()
    page.wait_for_url("**/admin/zwei-faktor/wiederherstellungscodes/?next=%2Fadmin%2F")
    codes = page.locator("#twofactor-codes li").all_inner_texts()
    assert len(codes) == 10
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=coordinator).values_list("token", flat=True)
    )
    _check(page, "codes", violations, accessibility)
    with page.expect_download() as download:
        page.get_by_role("link", name="Als Textdatei herunterladen").click()
    assert codes[0] in download.value.path().read_text()
    page.get_by_role("link", name="Codes aufbewahrt – weiter").click()
    page.wait_for_url(live_url("/admin/"))
    _sign_out(page, live_url)

    # with a code from the app (the next period's: this period's code was used up above)
    _sign_in(page, live_url)
    page.wait_for_url("**/admin/zwei-faktor/anmelden/?next=%2Fadmin%2F")
    _check(page, "verify", violations, accessibility)
    page.fill("#id_code", "000000")
    page.get_by_role("button", name="Anmelden").click()
    assert "nicht richtig" in page.locator(".errorlist").inner_text()
    # the throttle's wait after a wrong code (1 s) passes
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=coordinator).update(throttling_failure_timestamp=None)
    page.fill("#id_code", totp_code(device, steps_ahead=1))
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(live_url("/admin/"))
    page.goto(live_url("/admin/zwei-faktor/"))
    assert "10 Wiederherstellungscodes übrig" in page.content()
    violations["manage"] = page.check_csp()
    screenshot(page, "twofactor-manage")
    _sign_out(page, live_url)

    # with a recovery code, which is used up
    _sign_in(page, live_url)
    page.wait_for_url("**/admin/zwei-faktor/anmelden/?next=%2Fadmin%2F")
    page.fill("#id_code", codes[3])
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(live_url("/admin/"))
    assert not StaticToken.objects.filter(token=codes[3]).exists()
    assert StaticToken.objects.filter(device__user=coordinator).count() == 9

    assert violations == dict.fromkeys(violations, [])
    assert accessibility == dict.fromkeys(accessibility, []), describe(
        [v for found in accessibility.values() for v in found]
    )
