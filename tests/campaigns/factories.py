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
