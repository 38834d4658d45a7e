"""Schedule phrases dated while typing, and hand-set dates that follow a changed label."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from access.models import Membership
from actionplan import models as ap
from tests.actionplan.admin_support import change_form_data, inline_prefix
from tests.factories import MeasureFactory, ScheduleEntryFactory, UserFactory

pytestmark = pytest.mark.django_db

Dating = ap.ScheduleEntry.Dating


def _hand_dated(label="II. Quartal 2027"):
    """An entry as an import leaves it: dates given by hand, not the label's."""
    entry = ScheduleEntryFactory(
        label=label, start_date=datetime.date(2027, 5, 2), end_date=datetime.date(2027, 5, 31)
    )
    assert entry.dating == Dating.MANUAL
    return ap.ScheduleEntry.objects.get(pk=entry.pk)


# The rule, in the model ------------------------------------------------------------------------


def test_hand_dated_entry_is_dated_from_its_new_label():
    entry = _hand_dated()

    entry.label = "III. Quartal 2027"
    entry.save()

    entry.refresh_from_db()
    assert entry.dating == Dating.PARSED
    assert (entry.start_date, entry.end_date) == (
        datetime.date(2027, 7, 1),
        datetime.date(2027, 9, 30),
    )
    assert (entry.start_precision, entry.end_precision) == ("quarter", "quarter")


def test_hand_dated_entry_with_undatable_new_label_loses_its_old_dates():
    entry = _hand_dated()

    entry.label = "im Anschluss an die Planung"
    entry.save()

    entry.refresh_from_db()
    assert entry.dating == Dating.UNDATED
    assert (entry.start_date, entry.end_date) == (None, None)


def test_hand_dated_entry_keeps_its_dates_while_the_label_is_unchanged():
    entry = _hand_dated()

    entry.approximate = True
    entry.save()

    entry.refresh_from_db()
    assert entry.dating == Dating.MANUAL
    assert entry.start_date == datetime.date(2027, 5, 2)


def test_new_label_with_new_hand_dates_stays_hand_dated():
    entry = _hand_dated()

    entry.label = "Auftakt"
    entry.start_date = datetime.date(2027, 8, 3)
    entry.end_date = None
    entry.save()

    entry.refresh_from_db()
    assert entry.dating == Dating.MANUAL
    assert (entry.start_date, entry.end_date) == (datetime.date(2027, 8, 3), None)


def test_redating_is_reported_on_the_instance():
    entry = _hand_dated()
    entry.label = "III. Quartal 2027"
    entry.save()
    assert entry.redated_from_label is True
    entry.save()
    assert entry.redated_from_label is False


# The preview endpoint ---------------------------------------------------------------------------


def _preview_url(language="de"):
    with translation.override(language):
        return reverse("admin:actionplan_measure_schedule_preview")


@pytest.fixture
def editor(client):
    measure = MeasureFactory()
    user = UserFactory(username="redaktion", is_staff=True)
    Membership.objects.create(
        user=user,
        plan=measure.field.plan,
        role=Membership.Role.EDITOR,
        organisation=measure.field.lead_organisation or None,
    )
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    ("label", "text"),
    [
        ("II. Quartal 2027", "1. April 2027 – 30. Juni 2027 (Quartal)"),
        ("Umsetzung ab März 2027", "ab 1. März 2027 (Monat)"),
        ("bis Ende 2027", "bis 31. Dezember 2027 (Jahr)"),
        ("ca. Sommer 2027", "ca. 1. Juni 2027 – 31. August 2027 (Jahreszeit)"),
        ("21.02.2027", "21. Februar 2027 – 21. Februar 2027 (Tag)"),
        ("ab sofort", "ohne Datum – wird nicht geraten"),
        ("32. Februar 2027", "ohne Datum – wird nicht geraten (ungültiges Datum)"),
        ("", "ohne Datum – wird nicht geraten"),
    ],
)
def test_preview_gives_the_dates_of_a_phrase(client, editor, label, text):
    response = client.get(_preview_url(), {"label": label})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"text": text}


def test_preview_speaks_english_in_the_english_admin(client, editor):
    response = client.get(_preview_url("en"), {"label": "II. Quartal 2027"})
    assert response.json() == {"text": "1 April 2027 – 30 June 2027 (quarter)"}
    response = client.get(_preview_url("en"), {"label": "ab sofort"})
    assert response.json() == {"text": "no date – not guessed"}


def test_preview_requires_sign_in(client):
    response = client.get(_preview_url(), {"label": "II. Quartal 2027"})
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_preview_refuses_staff_without_membership(client):
    client.force_login(UserFactory(username="niemand", is_staff=True))
    response = client.get(_preview_url(), {"label": "II. Quartal 2027"})
    assert response.status_code == 302  # the admin site lets members in only
    assert "/login/" in response["Location"]


def test_preview_refuses_post(client, editor):
    assert client.post(_preview_url(), {"label": "2027"}).status_code == 405


def test_preview_bounds_label_length(client, editor):
    response = client.get(_preview_url(), {"label": "2027 " * 101})
    assert response.status_code == 400
    assert response.json() == {"error": "Höchstens 500 Zeichen."}


def test_preview_bounds_request_rate(client, editor, monkeypatch):
    monkeypatch.setattr("actionplan.views.SCHEDULE_PREVIEWS_PER_MINUTE", 2)
    cache.clear()
    statuses = [client.get(_preview_url(), {"label": "2027"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


# In the measure form ----------------------------------------------------------------------------


def test_measure_form_schedule_rows_carry_the_preview(staff_client):
    entry = _hand_dated()
    response = staff_client.get(reverse("admin:actionplan_measure_change", args=[entry.measure_id]))
    content = response.content.decode()
    assert f'data-schedule-preview="{_preview_url()}"' in content
    assert 'data-hand-dated="true"' in content
    assert 'data-toggle-label="Datum von Hand festlegen"' in content
    assert "js/schedule-preview.js" in content
    assert "css/schedule-preview.css" in content
    # without JavaScript the hand-date columns are plain inputs
    assert 'name="schedule-0-start_date"' in content


def test_measure_form_redates_hand_dated_entry_and_says_so(staff_client):
    entry = _hand_dated()
    url = reverse("admin:actionplan_measure_change", args=[entry.measure_id])
    response = staff_client.get(url)
    data = change_form_data(response)
    prefix = inline_prefix(response, ap.ScheduleEntry)
    assert f'name="{prefix}-0-start_date" value="02.05.2027"' in response.content.decode()
    data[f"{prefix}-0-label"] = "III. Quartal 2027"

    response = staff_client.post(url, data, follow=True)

    entry.refresh_from_db()
    assert entry.dating == Dating.PARSED
    assert entry.start_date == datetime.date(2027, 7, 1)
    messages = [str(m) for m in response.context["messages"]]
    assert any(
        "„III. Quartal 2027“: Das von Hand gesetzte Datum gehörte zur alten Angabe" in m
        and "1. Juli 2027 – 30. September 2027 (Quartal)" in m
        for m in messages
    ), messages
