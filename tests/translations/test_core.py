"""The translation core: every registered text has an English column (also in its history),
the reader gets English or German marked as such, and a changed German text marks its English
version as possibly outdated."""

import pytest
from django.apps import apps
from django.template import Context, Template
from django.utils import translation

from actionplan import models as ap
from tests.factories import MeasureFactory
from translations import registry, selectors, services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("label", sorted(registry.FIELDS))
def test_every_registered_text_has_an_english_column_and_history(label):
    model = apps.get_model(label)
    assert model in registry.models()
    for field in registry.FIELDS[label]:
        german = model._meta.get_field(field)
        english = model._meta.get_field(registry.english(field))
        assert type(english) is type(german)
        assert english.max_length == german.max_length
        assert english.blank, f"{label}.{field}_en must be optional"
        history = model.history.model._meta.get_field(registry.english(field))
        assert type(history) is type(german)
    assert model._meta.get_field("translation_state").editable is False


def test_reader_gets_english_or_german_marked_as_fallback():
    measure = MeasureFactory(title="Kontaktstelle", title_en="", description="Beratung")
    with translation.override("de"):
        assert selectors.text(measure, "title") == "Kontaktstelle"
        assert not selectors.text(measure, "title").fallback
    with translation.override("en"):
        title = selectors.text(measure, "title")
        assert (title, title.language, title.fallback) == ("Kontaktstelle", "de", True)
        measure.title_en = "Contact point"
        title = selectors.text(measure, "title")
        assert (title, title.language, title.fallback) == ("Contact point", "en", False)
    # a field that is not translated is German for everyone, never marked
    assert not selectors.text(measure, "code", "en").fallback


def test_changed_german_text_marks_english_as_outdated_until_confirmed():
    measure = MeasureFactory(title="Kontaktstelle", title_en="Contact point")
    assert selectors.field_status(measure, "title") == "current"
    assert selectors.field_status(measure, "description") in ("missing", "empty")

    measure.title = "Kontaktstelle Kreativwirtschaft"
    measure.save()
    measure.refresh_from_db()
    assert selectors.outdated(measure) == ["title"]

    # a new English text is written for the new German one: current again
    measure.title_en = "Creative industries contact point"
    measure.save()
    measure.refresh_from_db()
    assert selectors.outdated(measure) == []

    # a German change confirmed by a person without changing the English text
    measure.title = "Kontaktstelle Kreativwirtschaft Leipzig"
    measure.save()
    assert selectors.outdated(measure) == ["title"]
    assert services.translation_confirm(measure) == ["title"]
    measure.refresh_from_db()
    assert selectors.field_status(measure, "title") == "current"


def test_machine_translation_is_marked_until_a_person_changes_it():
    measure = MeasureFactory(title="Netzwerk", title_en="")
    measure.title_en = "Network"
    measure._machine_translated = {"title"}
    measure.save()
    measure = ap.Measure.objects.get(pk=measure.pk)
    assert selectors.field_status(measure, "title") == "machine"
    assert selectors.needs_translation(measure) == ["title"]
    measure.title_en = "Networking"
    measure.save()
    assert selectors.field_status(measure, "title") == "current"


def test_saving_unchanged_texts_keeps_the_state():
    measure = MeasureFactory(title="Netzwerk", title_en="Network")
    state = dict(measure.translation_state)
    measure.save()
    measure.refresh_from_db()
    assert measure.translation_state == state
    assert measure.history.count() == 2
    previous, latest = measure.history.all()[1], measure.history.all()[0]
    assert previous.translation_state == latest.translation_state


def test_template_marks_german_text_for_english_readers():
    measure = MeasureFactory(title="Kontaktstelle <b>", description="Beratung")
    template = Template(
        '{% load translations %}<h1>{{ m|tr:"title" }}</h1><title>{{ m|trtext:"title" }}</title>'
        '<div {% tr_lang m "description" %}>{{ m|trtext:"description"|linebreaks }}</div>'
        '{% tr_note m "description" %}'
    )
    with translation.override("en"):
        html = template.render(Context({"m": measure}))
    assert '<h1><span lang="de">Kontaktstelle &lt;b&gt;</span>' in html
    assert '<span class="in-german">(in German)</span></h1>' in html
    assert "<title>Kontaktstelle &lt;b&gt;</title>" in html
    assert '<div lang="de"><p>Beratung</p></div> <span class="in-german">(in German)</span>' in html
    with translation.override("de"):
        html = template.render(Context({"m": measure}))
    assert "in-german" not in html and 'lang="de"' not in html
    measure.title_en, measure.description_en = "Contact point", "Advice"
    with translation.override("en"):
        html = template.render(Context({"m": measure}))
    assert "<h1>Contact point</h1>" in html and "in-german" not in html
