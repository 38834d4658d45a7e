import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from campaigns.models import Campaign, CampaignEvent, Channel, EventParticipant, Market
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


def test_campaign_zero_budget_allowed():
    campaign = CampaignFactory.build(organiser=None, budget_amount=Decimal("0"))
    campaign.full_clean()


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


def test_campaign_open_ended_period_allowed():
    CampaignFactory.build(organiser=None, start_date=datetime.date(2017, 1, 1)).full_clean()


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


def test_participant_organisation_only_may_repeat():
    event = CampaignEventFactory()
    organisation = OrganisationFactory()
    EventParticipant.objects.create(event=event, organisation=organisation, position=1)
    EventParticipant(event=event, organisation=organisation, position=2).full_clean()


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
