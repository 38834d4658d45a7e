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
