"""German in, German out: amounts as people write them, in the German and the English admin."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from access.models import Membership
from actionplan import models as ap
from campaigns.models import Campaign, KeyFigure
from config.numbers import LocalizedDecimalFormField, format_amount, format_number, parse_number
from tests.actionplan.admin_support import add_inline_row, change_form_data, inline_prefix
from tests.factories import (
    BudgetCategoryFactory,
    BudgetLineFactory,
    MeasureFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

GERMAN_ACCEPTED = [
    ("5.000,00", Decimal("5000.00")),
    ("1.250", Decimal("1250")),
    ("1250,5", Decimal("1250.5")),
    ("5000", Decimal("5000")),
    ("0,99", Decimal("0.99")),
    ("12.345.678,9", Decimal("12345678.9")),
    ("5 000,00", Decimal("5000.00")),
    ("5\u00a0000,00 €", Decimal("5000.00")),
    ("€ 250", Decimal("250")),
    ("250 EUR", Decimal("250")),
    ("  7,5  ", Decimal("7.5")),
    ("", None),
]
# (input, words of the German message)
GERMAN_REFUSED = [
    ("5000.00", "Tausender"),  # a point groups thousands in German: never read as 5000
    ("1.25", "Tausender"),
    ("5,000.00", "Tausender"),
    ("1.2345", "Tausender"),
    ("1,2,3", "Tausender"),
    ("abc", "Zahl wie 5.000,00"),
    ("1e400", "Zahl wie 5.000,00"),
    ("NaN", "Zahl wie 5.000,00"),
    ("12 Euro 50", "Zahl wie 5.000,00"),
    ("9" * 41, "Zahl wie 5.000,00"),
]
ENGLISH_ACCEPTED = [
    ("5,000.00", Decimal("5000.00")),
    ("1,250", Decimal("1250")),
    ("1250.5", Decimal("1250.5")),
    ("5000.00", Decimal("5000.00")),
    ("€5,000.00", Decimal("5000.00")),
]
ENGLISH_REFUSED = [
    ("5.000,00", "thousands"),
    ("1250,5", "thousands"),
    ("abc", "number such as 5,000.00"),
]


@pytest.mark.parametrize(("text", "expected"), GERMAN_ACCEPTED)
def test_parse_number_german_accepts(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize(("text", "words"), GERMAN_REFUSED)
def test_parse_number_german_refuses_with_german_message(text, words):
    with pytest.raises(ValidationError) as error:
        parse_number(text)
    assert words in error.value.messages[0]


@pytest.mark.parametrize(("text", "expected"), ENGLISH_ACCEPTED)
def test_parse_number_english_accepts(text, expected):
    with translation.override("en"):
        assert parse_number(text) == expected


@pytest.mark.parametrize(("text", "words"), ENGLISH_REFUSED)
def test_parse_number_english_refuses_with_english_message(text, words):
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            parse_number(text)
        assert words in error.value.messages[0]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1,234", "höchstens 2 Dezimalstellen"),
        ("1.000.000.000.000,00", "14 Ziffern"),
    ],
)
def test_form_field_refuses_too_many_digits_in_german(text, words):
    field = LocalizedDecimalFormField(max_digits=14, decimal_places=2, required=False)
    with pytest.raises(ValidationError) as error:
        field.clean(text)
    assert words in " ".join(error.value.messages)


def test_format_amount_per_language():
    assert format_amount(Decimal("5000")) == "5.000,00 €"
    assert format_number(Decimal("1234567.5"), 2) == "1.234.567,50"
    with translation.override("en"):
        assert format_amount(Decimal("5000")) == "€5,000.00"
    assert format_amount(None) == ""


def test_form_field_shows_amount_as_typed_back():
    field = LocalizedDecimalFormField(max_digits=14, decimal_places=2)
    assert field.prepare_value(Decimal("5000")) == "5.000,00"
    assert field.clean(field.prepare_value(Decimal("5000"))) == Decimal("5000")
    html = field.widget.render("amount", field.prepare_value(Decimal("5000")))
    assert 'type="text"' in html and 'inputmode="decimal"' in html and 'value="5.000,00"' in html


def test_model_fields_use_the_one_form_field():
    for model, name in (
        (ap.BudgetLine, "planned_amount"),
        (ap.BudgetLine, "actual_amount"),
        (Campaign, "budget_amount"),
        (KeyFigure, "target"),
        (KeyFigure, "actual"),
    ):
        assert isinstance(model._meta.get_field(name).formfield(), LocalizedDecimalFormField)


# Through the admin ---------------------------------------------------------------------------


def _measure_url(measure, language="de"):
    with translation.override(language):
        return reverse("admin:actionplan_measure_change", args=[measure.pk])


def _save_budget_row(client, measure, language, **amounts):
    """Post the measure form with one new budget line holding ``amounts`` as typed."""
    url = _measure_url(measure, language)
    response = client.get(url)
    data = change_form_data(response)
    add_inline_row(
        data,
        inline_prefix(response, ap.BudgetLine),
        position=1,
        category=BudgetCategoryFactory().pk,
        **amounts,
    )
    return client.post(url, data)


@pytest.mark.parametrize(
    ("language", "planned", "actual", "expected_planned", "expected_actual"),
    [
        ("de", "5.000,00", "1.250", Decimal("5000.00"), Decimal("1250.00")),
        ("de", "1250,5", "", Decimal("1250.50"), None),
        ("en", "5,000.00", "1250.5", Decimal("5000.00"), Decimal("1250.50")),
    ],
)
def test_admin_budget_line_stores_amounts(
    staff_client, language, planned, actual, expected_planned, expected_actual
):
    measure = MeasureFactory()
    response = _save_budget_row(
        staff_client, measure, language, planned_amount=planned, actual_amount=actual
    )
    assert response.status_code == 302, response.context["errors"]
    line = measure.budget_lines.get()
    assert line.planned_amount == expected_planned
    assert line.actual_amount == expected_actual


@pytest.mark.parametrize(
    ("language", "planned", "message"),
    [
        ("de", "5000.00", "Tausender"),
        ("de", "1,234", "höchstens 2 Dezimalstellen"),
        ("de", "-5", "nicht negativ"),
        ("en", "5.000,00", "thousands"),
    ],
)
def test_admin_budget_line_refuses_with_message(staff_client, language, planned, message):
    measure = MeasureFactory()
    response = _save_budget_row(staff_client, measure, language, planned_amount=planned)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not measure.budget_lines.exists()


def test_admin_shows_amounts_grouped_in_inline_rows_and_lists(staff_client):
    line = BudgetLineFactory(planned_amount=Decimal("5000"), actual_amount=Decimal("1250.5"))
    response = staff_client.get(_measure_url(line.measure))
    assert 'value="5.000,00"' in response.content.decode()
    assert 'value="1.250,50"' in response.content.decode()

    listing = staff_client.get(reverse("admin:actionplan_budgetline_changelist")).content.decode()
    assert "5.000,00 €" in listing
    assert "1.250,50 €" in listing

    with translation.override("en"):
        english = staff_client.get(reverse("admin:actionplan_budgetline_changelist"))
    assert "€5,000.00" in english.content.decode()
    assert 'value="5,000.00"' in staff_client.get(_measure_url(line.measure, "en")).content.decode()


def test_admin_takes_and_shows_german_dates(staff_client):
    measure = MeasureFactory()
    url = _measure_url(measure)
    response = staff_client.get(url)
    data = change_form_data(response)
    add_inline_row(
        data,
        inline_prefix(response, ap.ScheduleEntry),
        position=1,
        label="Abschluss",
        start_date="30.06.2027",
        end_date="30.6.27",
    )

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    entry = measure.schedule.get()
    assert (entry.start_date, entry.end_date) == (
        datetime.date(2027, 6, 30),
        datetime.date(2027, 6, 30),
    )
    assert 'value="30.06.2027"' in staff_client.get(url).content.decode()


def test_read_only_rows_show_amounts_grouped(client):
    line = BudgetLineFactory(planned_amount=Decimal("5000"), actual_amount=None)
    reader = UserFactory(username="lesend", is_staff=True)
    Membership.objects.create(
        user=reader, plan=line.measure.field.plan, role=Membership.Role.READER
    )
    client.force_login(reader)

    content = client.get(_measure_url(line.measure)).content.decode()

    assert "5.000,00" in content
    assert 'value="5.000,00"' not in content  # text, not an input
    assert "5000,00" not in content
