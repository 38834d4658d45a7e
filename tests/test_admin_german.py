"""The German admin speaks German: a coordinator's pages, crawled, hold no English of Django's.

The English phrases looked for are the messages of the admin's catalogues (Django's admin,
django-simple-history, django-import-export) that have a German translation different from the
English text, plus the strings of the filter widget's JavaScript. Codes (``in_progress``) are
checked on the import preview and the history comparison, which show choice labels.
"""

import gettext as gnu_gettext
import json
import re
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import django
import import_export
import pytest
import simple_history
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from access.models import Membership
from actionplan import models as ap
from campaigns.models import Campaign
from contacts.models import Organisation, Person
from imports.plan_workbook import plan_workbook_xlsx
from tests.factories import UserFactory
from tests.imports.plan_support import column, open_xlsx, save_xlsx
from tests.shared_data import module_data

pytestmark = pytest.mark.django_db

CATALOGUES = [
    Path(django.__file__).parent / "contrib/admin/locale/de/LC_MESSAGES/django.mo",
    Path(simple_history.__file__).parent / "locale/de/LC_MESSAGES/django.mo",
    Path(import_export.__file__).parent / "locale/de/LC_MESSAGES/django.mo",
]
# Seen in the German admin before (issue 17); kept in the list whatever the catalogues say.
KNOWN = [
    "View history",
    "Choose all",
    "Remove all",
    "by selecting them",
    "Tasks Database Backend",
    "Change history",
    "Add another",
    "Save and continue editing",
]
# Phrases that read the same in German or that appear in our own German content.
SAME_IN_GERMAN = {"Filter", "Name", "Status", "Start", "Ende", "PDF", "Position", "Version"}
_FRAGMENT = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|\n")


def english_phrases() -> set[str]:
    phrases = set(KNOWN)
    for path in CATALOGUES:
        with path.open("rb") as handle:
            catalogue = gnu_gettext.GNUTranslations(handle)._catalog
        for msgid, msgstr in catalogue.items():
            if isinstance(msgid, tuple):
                msgid = msgid[0]
            if not msgid or "\x04" in msgid or msgstr == msgid:
                continue
            for fragment in _FRAGMENT.split(msgid):
                fragment = fragment.strip(" .:…?")
                # two words or more: single words ("Delete") collide with code and names
                if len(fragment.split()) >= 2 and fragment not in SAME_IN_GERMAN:
                    phrases.add(fragment)
    return phrases


class _Text(HTMLParser):
    """The text a person sees or hears: text nodes, titles, labels, placeholders, values of
    buttons; not scripts, styles or hidden inputs."""

    SPOKEN = ("title", "aria-label", "placeholder", "alt")

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "template"):
            self._skip += 1
        for name in self.SPOKEN:
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_in(html: str, phrases: set[str]) -> list[str]:
    text = visible_text(html)
    return sorted(p for p in phrases if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text))


@pytest.fixture(scope="module")
def demo_plan_pk(django_db_setup, django_db_blocker):
    """The demo plan and campaigns, loaded once for the module; each test runs in a savepoint."""
    with module_data(django_db_blocker):
        call_command("load_demo_data", stdout=StringIO())
        call_command("load_campaign_demo_data", stdout=StringIO())
        yield ap.Plan.objects.get(slug="leipzig-2011").pk


@pytest.fixture
def coordinator(client, demo_plan_pk):
    plan = ap.Plan.objects.get(pk=demo_plan_pk)
    user = UserFactory(username="koordination", is_staff=True)
    Membership.objects.create(user=user, plan=plan, role=Membership.Role.COORDINATOR)
    for campaign in Campaign.objects.all():
        Membership.objects.create(user=user, campaign=campaign, role=Membership.Role.COORDINATOR)
    client.force_login(user)
    return plan


def _admin(model, view="changelist", *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def crawl_urls(plan) -> list[str]:
    measure = ap.Measure.objects.filter(field__plan=plan).order_by("pk").first()
    field = measure.field
    campaign = Campaign.objects.order_by("pk").first()
    person = Person.objects.order_by("pk").first()
    organisation = Organisation.objects.order_by("pk").first()
    return [
        reverse("admin:index"),
        _admin(ap.Measure),
        _admin(ap.Measure, "change", measure.pk),
        _admin(ap.Measure, "history", measure.pk),
        _admin(ap.Measure, "simple_history", measure.pk, measure.history.first().history_id),
        _admin(ap.Measure, "add"),
        _admin(ap.Plan),
        _admin(ap.Plan, "change", plan.pk),
        _admin(ap.Plan, "history", plan.pk),
        _admin(ap.FieldOfAction, "change", field.pk),
        _admin(ap.ScheduleEntry),
        _admin(ap.BudgetLine),
        _admin(Campaign),
        _admin(Campaign, "change", campaign.pk),
        _admin(Person),
        _admin(Person, "change", person.pk),
        _admin(Organisation),
        _admin(Organisation, "change", organisation.pk),
        reverse("imports:plan_workbook_import", args=[plan.slug]),
    ]


def test_english_phrase_list_finds_english():
    phrases = english_phrases()
    assert len(phrases) > 100
    assert english_in("<p>View history: Maßnahme 1</p>", phrases) == ["View history"]
    assert english_in('<a title="Save and add another">x</a>', phrases)
    assert english_in("<script>'Save and add another'</script>", phrases) == []


def _english_on(client, urls) -> dict:
    phrases = english_phrases()
    found = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        english = english_in(response.content.decode(), phrases)
        if english:
            found[url] = english
    return found


def test_coordinator_admin_pages_have_no_english(client, coordinator):
    assert _english_on(client, crawl_urls(coordinator)) == {}


def test_reader_admin_pages_have_no_english(client, coordinator):
    """A reader sees forms read-only and history without "revert"."""
    reader = UserFactory(username="lesend", is_staff=True)
    Membership.objects.create(user=reader, plan=coordinator, role=Membership.Role.READER)
    client.force_login(reader)
    measure = ap.Measure.objects.filter(field__plan=coordinator).order_by("pk").first()
    record = measure.history.order_by("history_date").first()
    urls = [
        reverse("admin:index"),
        _admin(ap.Measure),
        _admin(ap.Measure, "change", measure.pk),
        _admin(ap.Measure, "history", measure.pk),
        _admin(ap.Measure, "simple_history", measure.pk, record.history_id),
        _admin(ap.Plan, "change", coordinator.pk),
    ]
    assert _english_on(client, urls) == {}


def test_history_compare_page_has_no_english(client, coordinator):
    measure = ap.Measure.objects.filter(field__plan=coordinator).order_by("pk").first()
    measure.status = ap.Measure.Status.IN_PROGRESS
    measure.save()
    history = list(measure.history.order_by("history_date").values_list("pk", flat=True))
    url = _admin(ap.Measure, "history_compare", measure.pk)
    response = client.get(url, {"version_id1": history[0], "version_id2": history[-1]})
    assert response.status_code == 200
    assert english_in(response.content.decode(), english_phrases()) == []
    assert "in_progress" not in visible_text(response.content.decode())


def test_filter_widget_speaks_german(client, coordinator):
    """Django 5.2's German djangojs catalogue lacks the filter widget's reworded strings;
    locale/de/LC_MESSAGES/djangojs.po fills them in the admin's JavaScript catalogue."""
    catalogue = client.get(reverse("admin:jsi18n")).content.decode()
    for english, german in (
        ("Choose all %s", "Alle %s auswählen"),
        ("Remove all %s", "Alle %s entfernen"),
        ("Choose selected %s", "Markierte %s auswählen"),
        (
            'Choose %s by selecting them and then select the "Choose" arrow button.',
            "%s markieren und dann auf den Pfeil „Auswählen“ klicken.",
        ),
    ):
        assert f"{json.dumps(english)}: {json.dumps(german)}" in catalogue, english


def test_filter_widget_stays_english_in_english(client, coordinator):
    with translation.override("en"):
        url = reverse("admin:jsi18n")
    catalogue = client.get(url).content.decode()
    assert json.dumps("Alle %s auswählen") not in catalogue


def test_import_preview_shows_choice_labels_not_codes(client, coordinator):
    plan = coordinator
    book = open_xlsx(plan_workbook_xlsx(plan))
    measures = book["Maßnahmen"]
    status = column(measures, "Umsetzungsstand")
    title = measures.cell(row=2, column=column(measures, "Titel")).value
    measure = ap.Measure.objects.get(field__plan=plan, title=title)
    new_status = next(value for value in ap.Measure.Status if value != measure.status)
    measures.cell(row=2, column=status).value = str(new_status.label)
    schedule = book["Zeitplan"]
    label = column(schedule, "Angabe")
    schedule.cell(row=2, column=label).value = "II. Quartal 2027"
    for name in ("Beginn", "Ende"):
        schedule.cell(row=2, column=column(schedule, name)).value = None
    upload = SimpleUploadedFile("plan.xlsx", save_xlsx(book))

    response = client.post(
        reverse("imports:plan_workbook_import", args=[plan.slug]), {"import_file": upload}
    )

    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert str(new_status.label) in text
    assert str(ap.Measure.Status(measure.status).label) in text
    for code in (measure.status, new_status.value, "quarter", "parsed", "undated", "manual"):
        assert not re.search(rf"(?<![\w-]){code}(?![\w-])", text), code
    assert "Quartal" in text
    assert english_in(response.content.decode(), english_phrases()) == []
    assert LogEntry.objects.count() == 0  # a preview writes nothing


def test_third_party_apps_have_readable_german_names(client):
    superuser = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    text = visible_text(client.get(reverse("admin:index")).content.decode())
    assert "Anmeldeschutz" in text
    assert "Hintergrundaufgaben" in text
    assert "Tasks Database Backend" not in text
    assert not re.search(r"(?<!\w)Axes(?!\w)", text)
