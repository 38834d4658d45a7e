"""factory_boy factories for the campaigns app."""

import factory

from campaigns import models as cp
from tests.factories import OrganisationFactory, PersonFactory


class MarketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cp.Market
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Markt {n}")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cp.Campaign

    title = factory.Sequence(lambda n: f"Kampagne {n}")
    slug = factory.Sequence(lambda n: f"kampagne-{n}")
    region = "Leipzig"
    organiser = factory.SubFactory(OrganisationFactory)
    summary = "Kurzbeschreibung der Kampagne."
    status = cp.Campaign.Status.PUBLISHED


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cp.Channel

    campaign = factory.SubFactory(CampaignFactory)
    position = factory.Sequence(lambda n: n + 1)
    kind = cp.Channel.Kind.PRINT
    name = factory.Sequence(lambda n: f"Flyer {n}")


class CampaignEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cp.CampaignEvent

    campaign = factory.SubFactory(CampaignFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Netzwerktreffen {n}")
    date_label = "Januar 2024"


class CampaignPartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cp.CampaignPartner

    campaign = factory.SubFactory(CampaignFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = cp.CampaignPartner.Role.AGENCY


class CampaignContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cp.CampaignContact

    campaign = factory.SubFactory(CampaignFactory)
    person = factory.SubFactory(PersonFactory)


class EventParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cp.EventParticipant

    event = factory.SubFactory(CampaignEventFactory)
    person = factory.SubFactory(PersonFactory)
    organisation = factory.SelfAttribute("person.organisation")


class CampaignLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cp.CampaignLink

    campaign = factory.SubFactory(CampaignFactory)
    position = factory.Sequence(lambda n: n + 1)
    label = "Website"
    url = factory.Sequence(lambda n: f"https://kampagne-{n}.example.org/")


class KeyFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cp.KeyFigure

    campaign = factory.SubFactory(CampaignFactory)
    position = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Kennzahl {n}")
    unit = "Exemplare"
    actual = 40000


def build_full_campaign(*, size: int, **kwargs) -> cp.Campaign:
    """A published campaign with ``size`` of every child: partners, contacts, links, channels,
    events (each with ``size`` participants), key figures, markets, target groups, measures."""
    from tests.factories import (
        MeasureFactory,
        OrganisationFactory,
        PersonFactory,
        TargetGroupFactory,
    )

    campaign = CampaignFactory(**kwargs)
    for i in range(size):
        CampaignPartnerFactory(campaign=campaign, organisation__parent=OrganisationFactory())
        CampaignContactFactory(campaign=campaign, person__public_contact=True)
        CampaignLinkFactory(campaign=campaign)
        ChannelFactory(campaign=campaign, reach=1000 * (i + 1), reach_unit="Exemplare")
        event = CampaignEventFactory(campaign=campaign, topics="A\nB", methods="Mini-Canvas")
        for _ in range(size):
            EventParticipantFactory(event=event, person=PersonFactory())
        KeyFigureFactory(campaign=campaign, target=50000)
        campaign.markets.add(MarketFactory(name=f"Markt {campaign.pk}-{i}"))
        campaign.target_groups.add(TargetGroupFactory())
        campaign.related_measures.add(MeasureFactory())
    return campaign
