"""The machine-translation assist: off by default, pluggable, fills only empty English texts as
drafts marked “maschinell übersetzt” until a person changes or confirms them. A fake
translator stands in for DeepL; no test here may open a network connection."""

import socket

import deepl
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from access.models import Membership
from actionplan import models as ap
from tests.factories import UserFactory, build_plan
from translations import machine, selectors

pytestmark = pytest.mark.django_db

FAKE = "tests.translations.test_machine.FakeTranslator"


class FakeTranslator(machine.Translator):
    """“EN: ” before each German text; remembers what it was asked."""

    name = "fake"
    calls: list = []

    def translate(self, texts):
        FakeTranslator.calls.append(list(texts))
        return [f"EN: {text}" for text in texts]


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to connect anywhere fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    FakeTranslator.calls = []


@pytest.fixture
def measure(db):
    Group.objects.get_or_create(name="Redaktion")
    plan = build_plan(fields=1, measures_per_field=1, steps_per_measure=2)
    measure = ap.Measure.objects.get(field__plan=plan)
    measure.description = "Eine Beschreibung."
    measure.title_en = "Written by a person"
    measure.save()
    return measure


@pytest.fixture
def coordinator(measure):
    user = UserFactory(is_staff=True)
    Membership.objects.create(user=user, plan=measure.field.plan, role=Membership.Role.COORDINATOR)
    return user


def _url(measure, view):
    return reverse(f"admin:actionplan_measure_{view}", args=[measure.pk])


def test_off_by_default_and_deepl_is_never_built_without_a_key(settings, monkeypatch, measure):
    def no_client(*args, **kwargs):
        raise AssertionError("deepl.Translator built")

    monkeypatch.setattr(deepl, "Translator", no_client)
    settings.PLANWERK_MACHINE_TRANSLATOR = ""
    settings.PLANWERK_DEEPL_AUTH_KEY = ""
    assert machine.get_translator() is None
    with pytest.raises(machine.MachineTranslationError):
        machine.DeepLTranslator()


def test_off_by_default_no_button_and_no_action(client, settings, measure, coordinator):
    settings.PLANWERK_MACHINE_TRANSLATOR = ""
    settings.PLANWERK_DEEPL_AUTH_KEY = ""
    client.force_login(coordinator)
    with translation.override("de"):
        page = client.get(_url(measure, "change")).content.decode()
        changelist = client.get(reverse("admin:actionplan_measure_changelist")).content.decode()
    assert "maschinell vorübersetzen" not in page
    assert "machine_translate_selected" not in changelist
    assert client.post(_url(measure, "translation_machine")).status_code == 404
    measure.refresh_from_db()
    assert measure.description_en == ""


def test_deepl_backend_by_key_translates_german_to_english(settings, monkeypatch):
    built = {}

    class Result:
        def __init__(self, text):
            self.text = text

    class Client:
        def __init__(self, auth_key):
            built["key"] = auth_key

        def translate_text(self, texts, **options):
            built["options"] = options
            return [Result(f"[{t}]") for t in texts]

    monkeypatch.setattr(deepl, "Translator", Client)
    settings.PLANWERK_MACHINE_TRANSLATOR = ""
    settings.PLANWERK_DEEPL_AUTH_KEY = "key:fx"
    translator = machine.get_translator()
    assert isinstance(translator, machine.DeepLTranslator) and built["key"] == "key:fx"
    assert translator.translate(["Radweg"]) == ["[Radweg]"]
    assert built["options"]["source_lang"] == "DE"
    assert built["options"]["target_lang"] == "EN-US"

    def failing(self, texts, **options):
        raise deepl.QuotaExceededException("quota")

    monkeypatch.setattr(Client, "translate_text", failing)
    with pytest.raises(machine.MachineTranslationError):
        translator.translate(["Radweg"])


def test_configured_translator_by_dotted_path(settings):
    settings.PLANWERK_MACHINE_TRANSLATOR = FAKE
    assert isinstance(machine.get_translator(), FakeTranslator)


def test_fill_only_empty_fields_marked_until_a_person_edits(measure):
    step, other_step = measure.steps.order_by("position")
    other_step.text_en = "A step by a person"
    other_step.save()
    versions = measure.history.count()

    filled = machine.machine_translate_fill(measure, FakeTranslator())

    assert len(FakeTranslator.calls) == 1  # one call for the measure and its rows
    assert {(type(o).__name__, f) for o, f in filled} >= {
        ("Measure", "description"),
        ("Step", "text"),
        ("ScheduleEntry", "label"),
    }
    measure.refresh_from_db()
    step.refresh_from_db()
    other_step.refresh_from_db()
    assert measure.title_en == "Written by a person"  # not empty: left alone
    assert measure.description_en == "EN: Eine Beschreibung."
    assert step.text_en == f"EN: {step.text}"
    assert other_step.text_en == "A step by a person"
    assert selectors.field_status(measure, "description") == "machine"
    assert selectors.field_status(measure, "title") == "current"
    assert selectors.field_status(step, "text") == "machine"
    assert selectors.field_status(other_step, "text") == "current"
    assert measure.history.count() == versions + 1
    # nothing left to fill: the translator is not asked again
    assert machine.machine_translate_fill(measure, FakeTranslator()) == []
    assert len(FakeTranslator.calls) == 1

    # a person's edit of the English text clears the mark
    measure.description_en = "A description."
    measure.save()
    assert selectors.field_status(measure, "description") == "current"
    # a later plain save of the step keeps its mark (nobody checked it)
    step.save()
    step.refresh_from_db()
    assert selectors.field_status(step, "text") == "machine"


def test_output_too_long_for_the_field_stays_empty(measure):
    class Verbose(machine.Translator):
        def translate(self, texts):
            return ["x" * 600 for _text in texts]

    machine.machine_translate_fill(measure, Verbose(), rows=False)
    measure.refresh_from_db()
    assert measure.title_en == "Written by a person"
    assert measure.description_en == "x" * 600  # a text field has no limit


def test_translator_failure_saves_nothing(measure):
    class Broken(machine.Translator):
        def translate(self, texts):
            raise machine.MachineTranslationError("down")

    versions = measure.history.count()
    with pytest.raises(machine.MachineTranslationError):
        machine.machine_translate_fill(measure, Broken())
    measure.refresh_from_db()
    assert measure.description_en == "" and measure.history.count() == versions


def test_button_and_action_when_configured(client, settings, measure, coordinator):
    settings.PLANWERK_MACHINE_TRANSLATOR = FAKE
    client.force_login(coordinator)
    with translation.override("de"):
        page = client.get(_url(measure, "change")).content.decode()
    assert "Leere englische Texte maschinell vorübersetzen" in page
    assert f'formaction="{_url(measure, "translation_machine")}"' in page
    assert client.get(_url(measure, "translation_machine")).status_code == 405

    response = client.post(_url(measure, "translation_machine"))
    assert response.status_code == 302 and response.url == _url(measure, "change")
    measure.refresh_from_db()
    assert measure.description_en == "EN: Eine Beschreibung."
    assert measure.history.latest().history_user == coordinator
    with translation.override("de"):
        page = client.get(_url(measure, "change")).content.decode()
    assert "maschinell übersetzt, ungeprüft" in page

    # the plan list's action: the plan's own texts and its fields of action
    plan = measure.field.plan
    response = client.post(
        reverse("admin:actionplan_plan_changelist"),
        {"action": "machine_translate_selected", "_selected_action": [plan.pk]},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.title_en == f"EN: {plan.title}"
    assert selectors.field_status(plan, "title") == "machine"


def test_a_reader_may_not_machine_translate(client, settings, measure):
    settings.PLANWERK_MACHINE_TRANSLATOR = FAKE
    reader = UserFactory(is_staff=True)
    Membership.objects.create(user=reader, plan=measure.field.plan, role=Membership.Role.READER)
    client.force_login(reader)
    with translation.override("de"):
        page = client.get(_url(measure, "change")).content.decode()
    assert "maschinell vorübersetzen" not in page
    assert client.post(_url(measure, "translation_machine")).status_code == 403
    measure.refresh_from_db()
    assert measure.description_en == ""
