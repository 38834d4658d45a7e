import pytest

from actionplan.models import FieldOfAction, Measure, german_slugify
from tests.factories import FieldOfActionFactory, MeasureFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text, slug",
    [
        ("Maßnahme", "massnahme"),
        ("Bildung & Beschäftigung", "bildung-beschaeftigung"),
        ("Öffentlichkeitsarbeit für Übersee", "oeffentlichkeitsarbeit-fuer-uebersee"),
        ("„Creative Angels“", "creative-angels"),
        ("", ""),
    ],
)
def test_german_slugify_transliterates_umlauts(text, slug):
    assert german_slugify(text) == slug


def test_german_slugify_limits_length_without_trailing_hyphen():
    slug = german_slugify("Wort " * 40, max_length=12)
    assert len(slug) <= 12
    assert not slug.endswith("-")


def test_measure_slug_from_code_and_title_when_blank():
    measure = MeasureFactory(code="C", title="Aufbau des Innovation Lab L.E.", slug="")
    assert measure.slug == "c-aufbau-des-innovation-lab-le"
    assert Measure.slug_for("", "Einzelmaßnahmen zur Unterstützung") == (
        "einzelmassnahmen-zur-unterstuetzung"
    )


def test_field_slug_kept_when_entered():
    field = FieldOfActionFactory(title="Stadtentwicklung", slug="stadt")
    assert field.slug == "stadt"
    assert FieldOfAction.slug_for("Bildung & Beschäftigung") == "bildung-beschaeftigung"
