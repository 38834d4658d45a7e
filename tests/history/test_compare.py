"""Comparing any two versions of an object in the admin: fields, many-to-many and inline rows."""

import pytest

from actionplan import models as ap
from history.diff import compare, word_diff
from tests.factories import StepFactory
from tests.history.conftest import admin_url, change_measure, client_for, compare_url

pytestmark = pytest.mark.django_db


def test_compare_lists_field_and_row_changes_between_first_and_latest(users, measure):
    first = measure.history.latest()
    change_measure(measure)
    latest = measure.history.latest()

    diff = compare(first, latest)

    fields = {c.label: (c.old, c.new) for c in diff.fields}
    assert fields["Titel"] == ("Stadtmarketing stärken", "Stadtmarketing gemeinsam stärken")
    assert fields["Status"] == ("geplant", "in Umsetzung")
    assert fields["Zielgruppen"] == ("Kreative", "Kreative, Unternehmen")
    assert "Version" not in fields
    children = {c.title: c for c in diff.children}
    steps = children["Einzelschritte"]
    assert [r.label for r in steps.added] == ["Neuer dritter Schritt"]
    assert [r.label for r in steps.removed] == ["Zweiter Schritt"]
    assert [r.label for r in steps.changed] == ["Erster Schritt, überarbeitet"]
    assert [(c.old, c.new) for c in steps.changed[0].changes] == [
        ("Erster Schritt", "Erster Schritt, überarbeitet")
    ]
    schedule = children["Zeitplan"].changed[0].changes
    assert ("II. Quartal 2011", "IV. Quartal 2012") in [(c.old, c.new) for c in schedule]
    budget = children["Budget"].changed[0].changes
    assert [(c.label, c.old, c.new) for c in budget] == [
        ("geplanter Betrag (EUR)", "1.000,00", "2.500,00")
    ]
    responsibilities = children["Verantwortung"]
    assert [r.label for r in responsibilities.added] == ["verantwortlich: Neu"]
    assert not responsibilities.removed and not responsibilities.changed


def test_compare_any_two_versions_in_either_order(measure):
    first = measure.history.latest()
    measure.title = "Zweite Fassung"
    measure.save()
    second = measure.history.latest()
    measure.title = "Dritte Fassung"
    measure.save()

    diff = compare(second, first)  # given newest first: still old → new

    assert diff.old == first and diff.new == second
    assert [(c.old, c.new) for c in diff.fields] == [("Stadtmarketing stärken", "Zweite Fassung")]
    assert not any(c.has_changes for c in diff.children)


def test_compare_version_rows_are_those_saved_with_it(measure):
    """The admin saves the measure, then its rows: rows written after a version (and before
    the next one) belong to that version."""
    first = measure.history.latest()
    measure.title = "Zweite Fassung"
    measure.save()
    second = measure.history.latest()
    StepFactory(measure=measure, position=9, text="Mit der zweiten Fassung gespeichert")
    measure.title = "Dritte Fassung"
    measure.save()
    third = measure.history.latest()

    added = [r.label for r in compare(first, second).children[0].added]
    assert added == ["Mit der zweiten Fassung gespeichert"]
    assert not any(c.has_changes for c in compare(second, third).children)


def test_compare_long_text_is_compared_word_by_word(measure):
    first = measure.history.latest()
    change_measure(measure)
    diff = compare(first, measure.history.latest())

    description = next(c for c in diff.fields if c.label == "Beschreibung")
    assert ("delete", "den") in description.words
    assert ("insert", "allen") in description.words
    assert ("insert", " und Unternehmen") in description.words
    assert ("equal", " für den Standort Leipzig.") in description.words


def test_word_diff_keeps_whitespace_and_order():
    assert word_diff("a b c", "a x c") == [
        ("equal", "a "),
        ("delete", "b"),
        ("insert", "x"),
        ("equal", " c"),
    ]


def test_compare_page_shows_the_changes_escaped(users, measure):
    first = measure.history.latest()
    measure.title = "<script>alert(1)</script> Titel"
    measure.save()
    StepFactory(measure=measure, position=7, text="<b>fett</b>")
    latest = measure.history.latest()

    response = client_for(users["coordinator"]).get(compare_url(measure, first, latest))

    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Titel" in html
    assert "<script>alert(1)" not in html
    assert "&lt;b&gt;fett&lt;/b&gt;" in html
    assert "Hinzugefügt" in html
    assert admin_url(measure, "history_revert", measure.pk, first.history_id) in html


def test_history_list_offers_two_versions_to_compare(users, measure):
    change_measure(measure)
    response = client_for(users["coordinator"]).get(admin_url(measure, "history", measure.pk))

    assert response.status_code == 200
    html = response.content.decode()
    assert admin_url(measure, "history_compare", measure.pk) in html
    assert html.count('type="radio" name="old"') == measure.history.count()
    assert "Zurücksetzen auf diese Version" in html
    # readable changes per version: choice labels and names, not stored values
    assert "<strong>Status:</strong> geplant &rarr; in Umsetzung" in html
    assert "<strong>Zielgruppen:</strong> Kreative &rarr; Kreative, Unternehmen" in html


@pytest.mark.parametrize(
    "query", ["?old=x&new=1", "?old=1", "?old=999999&new=999998", "same"], ids=str
)
def test_compare_bad_choice_goes_back_to_history_with_message(users, measure, query):
    first = measure.history.latest()
    if query == "same":
        query = f"?old={first.history_id}&new={first.history_id}"
    client = client_for(users["coordinator"])

    response = client.get(admin_url(measure, "history_compare", measure.pk) + query, follow=True)

    assert response.redirect_chain[-1][0] == admin_url(measure, "history", measure.pk)
    messages = [str(m) for m in response.context["messages"]]
    assert messages and ("zwei" in messages[0])


def test_compare_version_of_another_object_is_refused(users, measure):
    other = ap.Measure.objects.exclude(pk=measure.pk).first()
    other_record = other.history.earliest()
    own = measure.history.earliest()
    client = client_for(users["superuser"])

    response = client.get(compare_url(measure, own, other_record))

    assert response.status_code == 302


def test_compare_without_choice_shows_the_last_change(users, measure):
    measure.title = "Neuer Titel"
    measure.save()
    response = client_for(users["coordinator"]).get(
        admin_url(measure, "history_compare", measure.pk)
    )
    assert response.status_code == 200
    assert response.context["diff"].fields[0].new == "Neuer Titel"


def test_compare_page_queries_do_not_grow_with_rows(users, measure, django_assert_max_num_queries):
    first = measure.history.latest()
    for i in range(30):
        StepFactory(measure=measure, position=10 + i, text=f"Schritt {i}")
    change_measure(measure)
    client = client_for(users["coordinator"])
    url = compare_url(measure, first, measure.history.latest())
    client.get(url)
    with django_assert_max_num_queries(35):
        assert client.get(url).status_code == 200


def test_compare_campaign_shows_its_channels(users):
    from tests.campaigns.factories import CampaignFactory, ChannelFactory

    campaign = CampaignFactory(title="Leipzig liebt Regionales")
    ChannelFactory(campaign=campaign, name="Wochenmarkt")
    first = campaign.history.latest()
    campaign.title = "Leipzig liebt Regionales 2012"
    campaign.save()
    ChannelFactory(campaign=campaign, name="Messestand")

    response = client_for(users["superuser"]).get(
        compare_url(campaign, first, campaign.history.latest())
    )

    assert response.status_code == 200
    diff = response.context["diff"]
    assert [(c.old, c.new) for c in diff.fields] == [
        ("Leipzig liebt Regionales", "Leipzig liebt Regionales 2012")
    ]
    channels = next(c for c in diff.children if c.added)
    assert [r.label for r in channels.added] == ["Messestand"]


def test_history_list_queries_do_not_grow_with_versions(
    users, measure, django_assert_max_num_queries
):
    for i in range(25):
        measure.title = f"Fassung {i}"
        measure.save()
    client = client_for(users["coordinator"])
    url = admin_url(measure, "history", measure.pk)
    client.get(url)
    with django_assert_max_num_queries(22):
        response = client.get(url)
    assert response.status_code == 200
    assert "Fassung 24" in response.content.decode()


def test_compare_plan_shows_its_fields_of_action(users, measure):
    from tests.factories import FieldOfActionFactory

    plan = measure.field.plan
    first = plan.history.latest()
    plan.subtitle = "Fortschreibung 2012"
    plan.save()
    FieldOfActionFactory(plan=plan, title="Neues Handlungsfeld", position=7)

    diff = compare(first, plan.history.latest())

    assert [(c.old, c.new) for c in diff.fields] == [
        ("Lokaler Maßnahmenplan", "Fortschreibung 2012")
    ]
    assert [r.label for r in diff.children[0].added] == ["Neues Handlungsfeld"]
