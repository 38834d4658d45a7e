import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from campaigns.models import (
    Campaign,
    CampaignEvent,
    Channel,
    EventParticipant,
    KeyFigure,
    Market,
    derive_lifecycle,
)
from tests.campaigns.factories import (
    CampaignContactFactory,
    CampaignEventFactory,
    CampaignFactory,
    CampaignPartnerFactory,
    ChannelFactory,
    EventParticipantFactory,
    MarketFactory,
)
from tests.factories import OrganisationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def _messages(error: ValidationError) -> list[str]:
    return [message for messages in error.message_dict.values() for message in messages]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_campaign_negative_budget_rejected_with_clear_message():
    campaign = CampaignFactory.build(organiser=None, budget_amount=Decimal("-1"))
    with pytest.raises(ValidationError) as info:
        campaign.full_clean()
    assert info.value.message_dict == {"budget_amount": ["The budget must not be negative."]}


def test_campaign_negative_budget_rejected_by_database():
    campaign = CampaignFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(budget_amount=Decimal("-0.01"))
    campaign.refresh_from_db()
    assert campaign.budget_amount is None


def test_campaign_zero_budget_is_shown_as_zero_not_as_missing(client):
    campaign = CampaignFactory(budget_amount=Decimal("0"), budget_currency="EUR")
    campaign.refresh_from_db()
    assert campaign.budget_amount == 0
    html = client.get(campaign.get_absolute_url()).content.decode()
    assert "<dt>Budget</dt><dd>0 EUR" in html


def test_campaign_german_message_for_negative_budget():
    campaign = CampaignFactory.build(organiser=None, budget_amount=Decimal("-5"))
    with translation.override("de"):
        with pytest.raises(ValidationError) as info:
            campaign.full_clean()
        assert info.value.message_dict["budget_amount"] == ["Das Budget darf nicht negativ sein."]


def test_campaign_end_before_start_rejected():
    campaign = CampaignFactory.build(
        organiser=None,
        start_date=datetime.date(2019, 1, 1),
        end_date=datetime.date(2017, 1, 1),
    )
    with pytest.raises(ValidationError) as info:
        campaign.full_clean()
    assert info.value.message_dict == {NON_FIELD_ERRORS: ["The end must not lie before the start."]}
    with pytest.raises(IntegrityError), transaction.atomic():
        campaign.save()


def test_campaign_open_ended_period_runs_and_shows_from_date(client):
    campaign = CampaignFactory(start_date=datetime.date(2017, 1, 1), date_precision="year")
    assert campaign.end_date is None
    assert campaign.lifecycle == Campaign.Lifecycle.RUNNING
    with translation.override("de"):
        html = client.get(campaign.get_absolute_url()).content.decode()
    assert "ab 2017" in html and "Laufend" in html


@pytest.mark.parametrize(
    ("label", "start", "end", "precision"),
    [
        ("2017 bis 2019", datetime.date(2017, 1, 1), datetime.date(2019, 12, 31), "year"),
        ("Januar 2024", datetime.date(2024, 1, 1), datetime.date(2024, 1, 31), "month"),
        ("Standortmarketing-Kampagne 2026", datetime.date(2026, 1, 1), None, "year"),
        ("ab Oktober", None, None, "day"),
    ],
)
def test_campaign_period_label_parsed_by_the_plan_schedule_parser(label, start, end, precision):
    campaign = CampaignFactory(period_label=label)
    campaign.refresh_from_db()
    if label.startswith("Standort"):
        end = datetime.date(2026, 12, 31)
    assert (campaign.start_date, campaign.end_date, campaign.date_precision) == (
        start,
        end,
        precision,
    )


def test_campaign_edited_label_moves_the_dates_it_gave():
    campaign = CampaignFactory(period_label="2017 bis 2019")
    campaign = Campaign.objects.get(pk=campaign.pk)
    campaign.period_label = "2017 bis 2020"
    campaign.save()
    assert campaign.end_date == datetime.date(2020, 12, 31)
    campaign.period_label = "2018 bis 2020"  # a second edit of the same form
    campaign.save()
    assert campaign.start_date == datetime.date(2018, 1, 1)
    typed = Campaign.objects.get(pk=campaign.pk)
    typed.end_date = datetime.date(2020, 6, 30)  # typed by an editor: stays
    typed.save()
    typed = Campaign.objects.get(pk=campaign.pk)
    typed.period_label = "2017 bis 2021"
    typed.save()
    typed.refresh_from_db()
    assert typed.end_date == datetime.date(2020, 6, 30)


def test_event_edited_date_label_moves_its_date():
    event = CampaignEventFactory(date_label="Januar 2024")
    event = CampaignEvent.objects.get(pk=event.pk)
    event.date_label = "März 2024"
    event.save()
    event.refresh_from_db()
    assert (event.date, event.date_precision) == (datetime.date(2024, 3, 1), "month")


def test_campaign_explicit_dates_win_over_the_label():
    campaign = CampaignFactory(
        period_label="2017 bis 2019",
        start_date=datetime.date(2017, 6, 1),
        end_date=datetime.date(2019, 6, 30),
    )
    assert (campaign.start_date, campaign.end_date) == (
        datetime.date(2017, 6, 1),
        datetime.date(2019, 6, 30),
    )


@pytest.mark.parametrize(
    ("start", "end", "today", "expected"),
    [
        (
            datetime.date(2017, 1, 1),
            datetime.date(2019, 12, 31),
            datetime.date(2016, 12, 31),
            "planned",
        ),
        (
            datetime.date(2017, 1, 1),
            datetime.date(2019, 12, 31),
            datetime.date(2017, 1, 1),
            "running",
        ),
        (
            datetime.date(2017, 1, 1),
            datetime.date(2019, 12, 31),
            datetime.date(2019, 12, 31),
            "running",
        ),
        (
            datetime.date(2017, 1, 1),
            datetime.date(2019, 12, 31),
            datetime.date(2020, 1, 1),
            "completed",
        ),
        (datetime.date(2017, 1, 1), None, datetime.date(2030, 1, 1), "running"),
        (None, datetime.date(2019, 12, 31), datetime.date(2019, 1, 1), ""),
        (None, datetime.date(2019, 12, 31), datetime.date(2020, 1, 1), "completed"),
        (None, None, datetime.date(2020, 1, 1), ""),
    ],
)
def test_lifecycle_derived_from_period(start, end, today, expected):
    assert derive_lifecycle(start, end, today) == expected


def test_lifecycle_follows_the_calendar_and_the_override_wins():
    campaign = CampaignFactory(period_label="2017 bis 2019")
    with time_machine.travel(datetime.datetime(2016, 6, 1, tzinfo=datetime.UTC)):
        assert campaign.lifecycle == "planned"
        assert campaign.get_lifecycle_display() == "planned"
    with time_machine.travel(datetime.datetime(2018, 6, 1, tzinfo=datetime.UTC)):
        assert campaign.lifecycle == "running"
    with time_machine.travel(datetime.datetime(2020, 6, 1, tzinfo=datetime.UTC)):
        assert campaign.lifecycle == "completed"
        campaign.lifecycle_override = Campaign.Lifecycle.RUNNING  # extended, dates not yet
        assert campaign.lifecycle == "running"
    # the publication state is a separate thing
    assert campaign.status == Campaign.Status.PUBLISHED


def test_lifecycle_filter_matches_the_model_rule():
    from campaigns.selectors import lifecycle_q

    today = datetime.date(2026, 12, 2)
    campaigns = [
        CampaignFactory(period_label="2017 bis 2019"),
        CampaignFactory(period_label="2026"),
        CampaignFactory(period_label="2030"),
        CampaignFactory(),
        CampaignFactory(period_label="2017 bis 2019", lifecycle_override="running"),
    ]
    with time_machine.travel(datetime.datetime(2026, 12, 2, tzinfo=datetime.UTC)):
        for value in Campaign.Lifecycle.values:
            matched = set(Campaign.objects.filter(lifecycle_q(value, today)))
            assert matched == {c for c in campaigns if c.lifecycle == value}, value


def test_market_names_in_the_ui_language():
    market = MarketFactory(name="Großbritannien", iso_code="GB")
    region = MarketFactory(name="Skandinavien")
    with translation.override("de"):
        assert (market.display_name, region.display_name) == ("Großbritannien", "Skandinavien")
    with translation.override("en"):
        assert (market.display_name, region.display_name) == ("United Kingdom", "Skandinavien")


def test_campaign_languages_validated_and_named():
    campaign = CampaignFactory.build(organiser=None, languages="Deutsch, Englisch")
    with pytest.raises(ValidationError) as info:
        campaign.full_clean()
    assert list(info.value.message_dict) == ["languages"]
    campaign.languages = "de, en, zh"
    campaign.full_clean()
    from campaigns.templatetags.campaign_public import language_names

    with translation.override("de"):
        assert language_names(campaign.language_list) == "Deutsch, Englisch, Chinesisch"
    with translation.override("en"):
        assert language_names(campaign.language_list) == "German, English, Chinese"


def test_key_figure_needs_a_value_and_no_negatives():
    campaign = CampaignFactory()
    empty = KeyFigure(campaign=campaign, name="Auflage")
    with pytest.raises(ValidationError) as info:
        empty.full_clean()
    assert _messages(info.value) == ["Please give a target or an actual value."]
    with pytest.raises(IntegrityError), transaction.atomic():
        empty.save()
    negative = KeyFigure(campaign=campaign, name="Auflage", actual=Decimal("-1"))
    with pytest.raises(ValidationError) as info:
        negative.full_clean()
    assert info.value.message_dict == {"actual": ["A key figure must not be negative."]}
    assert not KeyFigure.objects.exists()


def test_key_figure_date_from_label():
    figure = KeyFigure.objects.create(
        campaign=CampaignFactory(), name="Auflage", actual=40000, date_label="2023"
    )
    assert (figure.date, figure.date_precision) == (datetime.date(2023, 1, 1), "year")


def test_campaign_slug_unique():
    CampaignFactory(slug="stadt-der-staedte")
    duplicate = CampaignFactory.build(slug="stadt-der-staedte", organiser=None)
    with pytest.raises(ValidationError) as info:
        duplicate.full_clean()
    assert "slug" in info.value.message_dict


def test_channel_negative_reach_rejected_with_clear_message():
    channel = ChannelFactory.build(campaign=CampaignFactory(), reach=-40000)
    with pytest.raises(ValidationError) as info:
        channel.full_clean()
    assert info.value.message_dict == {"reach": ["The reach must not be negative."]}
    with pytest.raises(IntegrityError), transaction.atomic():
        channel.save()


def test_channel_end_before_start_rejected():
    channel = ChannelFactory.build(
        campaign=CampaignFactory(),
        start_date=datetime.date(2024, 2, 1),
        end_date=datetime.date(2024, 1, 1),
    )
    with pytest.raises(ValidationError) as info:
        channel.full_clean()
    assert _messages(info.value) == ["The end must not lie before the start."]


def test_channel_languages_must_be_codes():
    channel = ChannelFactory.build(campaign=CampaignFactory(), languages="Deutsch")
    with pytest.raises(ValidationError) as info:
        channel.full_clean()
    assert list(info.value.message_dict) == ["languages"]
    channel.languages = "de, en"
    channel.full_clean()
    assert channel.language_list == ["de", "en"]


def test_event_negative_participants_rejected_with_clear_message():
    event = CampaignEventFactory.build(campaign=CampaignFactory(), participants_count=-3)
    with pytest.raises(ValidationError) as info:
        event.full_clean()
    assert info.value.message_dict == {
        "participants_count": ["The number of participants must not be negative."]
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        event.save()


def test_event_topics_and_methods_split_lines():
    event = CampaignEventFactory.build(
        topics="Rahmenbedingungen\n\n Anwendung \n", methods="Kraftfeldanalyse\nMini-Canvas"
    )
    assert event.topic_items == ["Rahmenbedingungen", "Anwendung"]
    assert event.method_items == ["Kraftfeldanalyse", "Mini-Canvas"]


def test_participant_needs_person_or_organisation():
    participant = EventParticipant(event=CampaignEventFactory())
    with pytest.raises(ValidationError) as info:
        participant.full_clean()
    assert _messages(info.value) == ["Please give a person or an organisation."]
    with pytest.raises(IntegrityError), transaction.atomic():
        participant.save()


def test_participant_person_only_once_per_event():
    first = EventParticipantFactory()
    duplicate = EventParticipant(event=first.event, person=first.person)
    with pytest.raises(ValidationError) as info:
        duplicate.full_clean()
    assert _messages(info.value) == ["This person is already listed for the event."]


def test_participant_organisation_only_may_repeat_and_both_are_listed(client):
    event = CampaignEventFactory()
    organisation = OrganisationFactory(name="Hansestadt Osterburg")
    EventParticipant.objects.create(event=event, organisation=organisation, position=1)
    second = EventParticipant(event=event, organisation=organisation, position=2, role="Gast")
    second.full_clean()
    second.save()
    html = client.get(event.campaign.get_absolute_url()).content.decode()
    assert html.count("<li>Hansestadt Osterburg") == 2


def test_partner_role_unique_per_campaign():
    partner = CampaignPartnerFactory()
    duplicate = CampaignPartnerFactory.build(
        campaign=partner.campaign, organisation=partner.organisation, role=partner.role
    )
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    duplicate.role = "funder"
    duplicate.full_clean()


def test_contact_person_unique_per_campaign():
    contact = CampaignContactFactory()
    duplicate = CampaignContactFactory.build(campaign=contact.campaign, person=contact.person)
    with pytest.raises(ValidationError) as info:
        duplicate.full_clean()
    assert _messages(info.value) == ["This person is already a contact of the campaign."]


def test_market_iso_code_format_and_uniqueness():
    MarketFactory(name="China", iso_code="CN")
    with pytest.raises(ValidationError) as info:
        Market(name="Volksrepublik China", iso_code="CN").full_clean()
    assert _messages(info.value) == ["Another market already has this ISO code."]
    with pytest.raises(ValidationError):
        Market(name="Polen", iso_code="pl").full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Market.objects.create(name="Polen", iso_code="pl")
    Market(name="Mitteldeutschland").full_clean()
    Market.objects.create(name="Skandinavien")
    Market.objects.create(name="Baltikum")


def test_campaign_published_excludes_drafts_and_archived():
    published = CampaignFactory(status=Campaign.Status.PUBLISHED)
    CampaignFactory(status=Campaign.Status.DRAFT)
    CampaignFactory(status=Campaign.Status.ARCHIVED)
    assert list(Campaign.objects.published()) == [published]


@pytest.mark.parametrize(
    ("kind", "sees_drafts"),
    [
        ("anonymous", False),
        ("user", False),
        ("inactive_staff", False),
        ("staff", False),
        ("reader", True),
        ("reader_elsewhere", False),
        ("superuser", True),
    ],
)
def test_campaign_visible_to(kind, sees_drafts):
    from django.contrib.auth.models import AnonymousUser

    from access.models import Membership

    published = CampaignFactory(status=Campaign.Status.PUBLISHED)
    draft = CampaignFactory(status=Campaign.Status.DRAFT)
    other = CampaignFactory(status=Campaign.Status.DRAFT)
    users = {
        "anonymous": AnonymousUser(),
        "user": UserFactory(),
        "inactive_staff": UserFactory(is_staff=True, is_active=False),
        "staff": UserFactory(is_staff=True),
        "reader": UserFactory(is_staff=True),
        "reader_elsewhere": UserFactory(is_staff=True),
        "superuser": UserFactory(is_staff=True, is_superuser=True),
    }
    reader = Membership.Role.READER
    Membership.objects.create(user=users["reader"], campaign=draft, role=reader)
    Membership.objects.create(user=users["reader_elsewhere"], campaign=other, role=reader)
    visible = set(Campaign.objects.visible_to(users[kind]))
    assert published in visible
    assert (draft in visible) is sees_drafts
    assert set(Campaign.objects.visible_to(None)) == {published}


def test_channel_and_event_published_follow_campaign_status():
    shown = ChannelFactory(campaign__status=Campaign.Status.PUBLISHED)
    ChannelFactory(campaign__status=Campaign.Status.DRAFT)
    event = CampaignEventFactory(campaign=shown.campaign)
    CampaignEventFactory(campaign__status=Campaign.Status.DRAFT)
    assert list(Channel.objects.published()) == [shown]
    assert list(CampaignEvent.objects.published()) == [event]


def test_campaign_history_records_changes():
    campaign = CampaignFactory(title="Stadt der Städte")
    campaign.title = "City of Cities"
    campaign.save()
    assert [h.title for h in campaign.history.all()] == ["City of Cities", "Stadt der Städte"]


def test_string_representations():
    person = PersonFactory(first_name="Lisa", last_name="Franke")
    participant = EventParticipantFactory(person=person)
    event = participant.event
    assert str(event) == f"{event.title} (Januar 2024)"
    assert str(participant) == f"Lisa Franke ({person.organisation})"
    partner = CampaignPartnerFactory(organisation__name="Thjnk")
    assert str(partner) == "Thjnk (agency)"
