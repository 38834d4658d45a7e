"""The clerk's week, end to end in Chromium (issue 17): an editor and a coordinator do their
weekly tasks on a published plan whose changes are reviewed.

The editor starts on „Meine Arbeit“, opens their measure, changes the description, adds two
steps and a sub-step of a new step in one save, moves the third step to the top, adds a
schedule entry and sees its dates before saving, enters „5.000,00“ and submits. The coordinator
finds the change in the queue, compares it and sends it back with a comment; the editor reads
the comment on the start page, fixes the text and resubmits; the coordinator approves. The
public page shows the change only after the approval. Then the same edit once more at 390 px.
Throughout: no CSP violation, no response ≥ 500. The clicks and page loads of each task are
printed (docs/benchmarks.md, „Redaktion: Aufgaben der Woche“).
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.urls import reverse

from access.models import Membership
from actionplan import models as ap
from tests.browser.support import docs_screenshot, screenshot
from tests.browser.test_admin_csp import COLLECT_VIOLATIONS
from tests.factories import (
    BudgetCategoryFactory,
    FieldOfActionFactory,
    MeasureFactory,
    OrganisationFactory,
    PlanFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Wochenplan-2027!"


@dataclass
class Tally:
    """Clicks and page loads of one task, and what went wrong on the way."""

    clicks: int = 0
    loads: int = 0
    server_errors: list = field(default_factory=list)


class Person:
    """One signed-in person in their own browser context, counting what they do."""

    def __init__(self, browser, live_url, username, *, width=1366, height=900):
        self.live_url = live_url
        self.context = browser.new_context(
            viewport={"width": width, "height": height}, locale="de-DE"
        )
        self.page = self.context.new_page()
        self.page.add_init_script(COLLECT_VIOLATIONS)
        self.csp_console = []
        self.tally = Tally()
        self.tasks = {}
        self.page.on("console", self._console)
        self.page.on("response", self._response)
        self.page.goto(live_url("/admin/login/"))
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.click("input[type=submit]")

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.csp_console.append(message.text)

    def _response(self, response):
        if response.status >= 500:
            self.tally.server_errors.append(f"{response.status} {response.url}")
        if (
            response.request.is_navigation_request()
            and response.request.frame == self.page.main_frame
        ):
            self.tally.loads += 1

    def click(self, selector, *, navigates=True, **kwargs):
        """A click that loads a page waits for it (and fails if none comes); a click that
        only changes the page in place (a tab, „hinzufügen“) returns at once: what follows
        waits for the element it needs. (No networkidle: it adds half a second to every click,
        and the only request a page makes by itself, the schedule preview, is waited for.)"""
        self.tally.clicks += 1
        target = self.page.locator(selector, **kwargs).first
        if navigates:
            with self.page.expect_navigation(wait_until="load"):
                target.click()
        else:
            target.click()

    def task(self, name):
        """Close the running task under ``name`` and start counting the next one."""
        self.tasks[name] = {"clicks": self.tally.clicks, "loads": self.tally.loads}
        errors = self.tally.server_errors
        self.tally = Tally(server_errors=errors)

    def csp_violations(self):
        return self.page.evaluate("() => window.__cspViolations") + self.csp_console


@pytest.fixture
def week(db):
    plan = PlanFactory(title="Maßnahmenplan Kreativwirtschaft", slug="kreativ")
    assert plan.review_changes  # the default: editors' changes are reviewed
    area = FieldOfActionFactory(plan=plan, position=1, title="Netzwerke")
    unit = OrganisationFactory(name="Kontaktstelle Kreativwirtschaft")
    measure = MeasureFactory(
        field=area,
        code="A",
        title="Angebotskatalog Weiterbildung",
        description="Recherche bestehender Angebote.",
    )
    ap.Responsibility.objects.create(
        measure=measure, organisation=unit, position=1, role=ap.Responsibility.Role.LEAD
    )
    for position, text in enumerate(("Recherche", "Katalog"), start=1):
        ap.Step.objects.create(measure=measure, position=position, text=text)
    BudgetCategoryFactory(name="Sachkosten")
    people = {}
    for username, role, organisation in (
        ("redaktion", Membership.Role.EDITOR, unit),
        ("koordination", Membership.Role.COORDINATOR, None),
    ):
        user = UserFactory(username=username, first_name=username.capitalize())
        user.set_password(PASSWORD)
        user.save()
        Membership.objects.create(user=user, plan=plan, role=role, organisation=organisation)
        people[username] = user
    return measure


def public_text(person, measure) -> str:
    person.page.goto(person.live_url(measure.get_absolute_url()))
    return person.page.locator("main").inner_text()


def steps_in_form(page) -> list[str]:
    return page.locator("#steps-group tbody tr.form-row:not(.empty-form)").evaluate_all(
        """rows => rows.map(row => (row.classList.contains("ordering-child") ? "  " : "")
            + row.querySelector('[name$="-text"]').value)"""
    )


def edit_and_submit(editor, measure, *, description, new_steps, amount, schedule_label):
    """The editor's edit from the start page up to „zur Prüfung einreichen“."""
    page = editor.page
    editor.click(f"#content-main a[href$='/actionplan/measure/{measure.pk}/change/']")
    editor.click("#section-tab-basics", navigates=False)
    page.fill("#id_description", description)

    editor.click("#section-tab-steps", navigates=False)
    add_step = "#steps-group .add-row a"
    first_new = len(steps_in_form(page))
    for offset, text in enumerate(new_steps):
        editor.click(add_step, navigates=False)
        rows = page.locator("#steps-group tbody tr.form-row:not(.empty-form)")
        rows.nth(first_new + offset).locator('[name$="-text"]').fill(text)
    # the last new step becomes a sub-step of the first new one („5. Abstimmung …“)
    rows = page.locator("#steps-group tbody tr.form-row:not(.empty-form)")
    parent_select = rows.nth(first_new + len(new_steps) - 1).locator("select.ordering-parent")
    labels = parent_select.locator("option").all_inner_texts()
    parent_select.select_option(label=next(x for x in labels if x.endswith(f". {new_steps[0]}")))
    # the third step goes to the top: two presses of „nach oben“ by keyboard
    third = rows.nth(2)
    moved = third.locator('[name$="-text"]').input_value()
    for index in (2, 1):
        editor.tally.clicks += 1
        rows.nth(index).get_by_role("button", name="Nach oben").focus()
        page.keyboard.press("Enter")
    assert steps_in_form(page)[0].strip() == moved

    editor.click("#section-tab-schedule", navigates=False)
    editor.click("#schedule-group .add-row a", navigates=False)
    row = page.locator("#schedule-group tr.dynamic-schedule").last
    row.locator("input[name$='-label']").press_sequentially(schedule_label)
    row.locator(".schedule-preview").filter(has_text="1. April 2027 – 30. Juni 2027").wait_for()

    editor.click("#section-tab-budget", navigates=False)
    editor.click("#budget_lines-group .add-row a", navigates=False)
    row = page.locator("#budget_lines-group tbody tr.form-row:not(.empty-form)").last
    row.locator("select[name$='-category']").select_option(label="Sachkosten")
    row.locator("input[name$='-planned_amount']").fill(amount)

    editor.click("input[name=_submit_pending]")
    assert page.locator(".errornote").count() == 0, page.locator(".errorlist").all_inner_texts()
    return moved


def test_the_clerks_week(chromium_browser, live_url, week):
    measure = week
    old_description = measure.description
    editor = Person(chromium_browser, live_url, "redaktion")
    assert editor.page.locator("h1").first.inner_text() == "Meine Arbeit"
    assert "Angebotskatalog Weiterbildung" in editor.page.locator("#content-main").inner_text()
    editor.task("sign in, start page")

    moved = edit_and_submit(
        editor,
        measure,
        description="Recherche bestehender Angebote und Fördermöglichkeiten.",
        new_steps=("Abstimmung mit dem Referat", "Download bereitstellen", "Feedback einholen"),
        amount="5.000,00",
        schedule_label="Umsetzung II. Quartal 2027",
    )
    editor.task("edit, add steps and a sub-step, reorder, date, amount, submit")
    # nothing of it is public yet
    assert "Fördermöglichkeiten" not in public_text(editor, measure)
    assert ap.Measure.objects.get(pk=measure.pk).description == old_description

    coordinator = Person(chromium_browser, live_url, "koordination")
    queue = coordinator.page.locator("#content-main")
    assert "Angebotskatalog Weiterbildung" in queue.inner_text()
    coordinator.click("#content-main a.button[href*='/admin/aenderungen/']")
    docs_screenshot(screenshot(coordinator.page, "review-compare"), "review-compare")
    comparison = coordinator.page.locator("#content-main").inner_text()
    assert "Fördermöglichkeiten" in comparison and "Abstimmung mit dem Referat" in comparison
    coordinator.page.fill("#id_comment", "Bitte auch die Förderprogramme nennen.")
    coordinator.click("form[action*='zurueckschicken'] input[type=submit]")
    coordinator.task("sign in, find the change, compare, send back with a comment")

    editor.page.goto(live_url(reverse("admin:index")))
    editor.tally.loads -= 1  # the person would be on the start page already
    assert "Bitte auch die Förderprogramme nennen." in editor.page.inner_text("#content-main")
    editor.click(f"#content-main a[href$='/actionplan/measure/{measure.pk}/change/']")
    editor.click("#section-tab-basics", navigates=False)  # the form reopens on the tab used last
    editor.page.fill(
        "#id_description",
        "Recherche bestehender Angebote und Förderprogramme (SAB, EFRE).",
    )
    editor.click("input[name=_submit_pending]")
    assert editor.page.locator(".errornote").count() == 0, editor.page.locator(
        ".errorlist"
    ).all_inner_texts()
    editor.task("read the comment, fix, resubmit")

    coordinator.page.goto(live_url(reverse("admin:index")))
    coordinator.tally.loads -= 1
    coordinator.click("#content-main a.button[href*='/admin/aenderungen/']")
    coordinator.click("form[action*='freigeben'] input[type=submit]")
    assert coordinator.page.locator(".messagelist .success").count() == 1, (
        coordinator.page.inner_text("#content")
    )
    coordinator.task("find the change, compare, approve")

    published = ap.Measure.objects.get(pk=measure.pk)
    assert (
        published.description == "Recherche bestehender Angebote und Förderprogramme (SAB, EFRE)."
    )
    texts = list(published.steps.values_list("text", "parent__text"))
    top_level = published.steps.filter(parent=None).order_by("position")
    assert top_level.values_list("text", flat=True)[0] == moved
    assert ("Feedback einholen", "Abstimmung mit dem Referat") in texts
    assert published.budget_lines.get().planned_amount == Decimal("5000.00")
    entry = published.schedule.get(label="Umsetzung II. Quartal 2027")
    assert (str(entry.start_date), str(entry.end_date)) == ("2027-04-01", "2027-06-30")
    assert "Förderprogramme (SAB, EFRE)" in public_text(editor, measure)

    # The same edit once more on a phone.
    phone = Person(chromium_browser, live_url, "redaktion", width=390, height=844)
    edit_and_submit(
        phone,
        measure,
        description="Angebote, Förderprogramme und Ansprechpartner.",
        new_steps=("Telefonliste", "Aushang", "Rundmail"),
        amount="1.250",
        schedule_label="II. Quartal 2027",
    )
    assert phone.page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    phone_coordinator = Person(chromium_browser, live_url, "koordination", width=390, height=844)
    phone_coordinator.click("#content-main a.button[href*='/admin/aenderungen/']")
    phone_coordinator.click("form[action*='freigeben'] input[type=submit]")
    assert ap.Measure.objects.get(pk=measure.pk).description.startswith("Angebote, Förder")
    assert "Ansprechpartner" in public_text(phone, measure)

    for person in (editor, coordinator, phone, phone_coordinator):
        assert person.tally.server_errors == []
        assert person.csp_violations() == []
        person.context.close()
    print(
        json.dumps({"editor": editor.tasks, "coordinator": coordinator.tasks}, ensure_ascii=False)
    )
