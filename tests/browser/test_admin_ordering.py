"""Ordering steps in the measure form in Chromium: drag and drop, "nach oben / nach unten" by
keyboard, a sub-step of a new step, one save; under the real Content-Security-Policy."""

import pytest
from django.urls import reverse

from actionplan import models as ap
from tests.browser.test_admin_csp import COLLECT_VIOLATIONS
from tests.browser.test_admin_locking import staff_page
from tests.factories import MeasureFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = "/tmp/planwerk-admin-ordering.png"


def watched_staff_page(browser, base_url):
    """A signed-in page at 1366 px whose CSP reports are collected (as in test_admin_csp)."""
    page = staff_page(browser, base_url, "redaktion")
    page.set_viewport_size({"width": 1366, "height": 900})
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(COLLECT_VIOLATIONS)
    page.csp_console = console
    return page


def shown_steps(page) -> list[str]:
    return page.locator("#steps-group tbody tr.form-row:not(.empty-form)").evaluate_all(
        """rows => rows.map(row => {
            const text = row.querySelector('[name$="-text"]');
            return (row.classList.contains("ordering-child") ? "  " : "") + text.value;
        })"""
    )


def test_admin_ordering_drag_keyboard_and_sub_step_of_a_new_step(chromium_browser, live_url):
    measure = MeasureFactory(title="Regionalmarke")
    for position, text in enumerate(("Alpha", "Beta", "Gamma", "Delta"), start=1):
        ap.Step.objects.create(measure=measure, position=position, text=text)
    url = live_url(reverse("admin:actionplan_measure_change", args=[measure.pk]))
    page = watched_staff_page(chromium_browser, live_url("/"))
    try:
        response = page.goto(url)
        assert response.status == 200
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        page.click("#section-tab-steps")  # the form's sections are tabs with JavaScript
        assert shown_steps(page) == ["Alpha", "Beta", "Gamma", "Delta"]
        rows = page.locator("#steps-group tbody tr.form-row:not(.empty-form)")

        # Drag "Gamma" by its handle to the top (django-admin-sortable2).
        rows.nth(2).locator("td.original p").drag_to(
            rows.nth(0).locator("td.original p"), target_position={"x": 5, "y": 2}
        )
        assert shown_steps(page) == ["Gamma", "Alpha", "Beta", "Delta"]

        # Keyboard: focus "Nach unten" of Alpha and press Enter, then Space on "Nach oben" of
        # Delta; the focus stays on the button that was pressed.
        down = rows.filter(has=page.locator('[name$="-text"]', has_text="Alpha")).get_by_role(
            "button", name="Nach unten"
        )
        down.focus()
        page.keyboard.press("Enter")
        assert shown_steps(page) == ["Gamma", "Beta", "Alpha", "Delta"]
        assert page.evaluate("document.activeElement.classList.contains('ordering-down')")
        up = rows.nth(3).get_by_role("button", name="Nach oben")
        up.focus()
        page.keyboard.press("Space")
        assert shown_steps(page) == ["Gamma", "Beta", "Delta", "Alpha"]

        # A new step and a sub-step of it, in the same save.
        add = page.locator("#steps-group .add-row a")
        add.click()
        new_rows = page.locator("#steps-group tbody tr.form-row:not(.empty-form)")
        new_rows.nth(4).locator('[name$="-text"]').fill("Neuer Schritt")
        add.click()
        new_rows.nth(5).locator('[name$="-text"]').fill("Unterschritt des neuen")
        new_rows.nth(5).locator("select.ordering-parent").select_option(label="5. Neuer Schritt")
        assert shown_steps(page)[-1] == "  Unterschritt des neuen"
        assert page.locator("#steps-group .related-widget-wrapper-link").count() == 0
        page.screenshot(path=SCREENSHOT, full_page=False)

        page.locator("input[name=_continue]").click()
        page.wait_for_load_state("networkidle")
        assert page.locator(".errornote").count() == 0
        assert shown_steps(page) == [
            "Gamma",
            "Beta",
            "Delta",
            "Alpha",
            "Neuer Schritt",
            "  Unterschritt des neuen",
        ]
        top = list(
            measure.steps.filter(parent=None).order_by("position").values_list("text", flat=True)
        )
        assert top == ["Gamma", "Beta", "Delta", "Alpha", "Neuer Schritt"]
        sub = measure.steps.get(text="Unterschritt des neuen")
        assert (sub.parent.text, sub.position) == ("Neuer Schritt", 1)
        page.locator("#steps-group").screenshot(path=SCREENSHOT.replace(".png", "-saved.png"))
        assert page.evaluate("() => window.__cspViolations") + page.csp_console == []
    finally:
        page.context.close()
