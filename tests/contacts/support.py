"""A small world for the directory: a published plan, a draft measure, a published and a draft
campaign, a consenting person and one who did not consent, named everywhere."""

from dataclasses import dataclass

from actionplan import models as ap
from tests.campaigns.factories import (
    CampaignContactFactory,
    CampaignEventFactory,
    CampaignFactory,
    CampaignPartnerFactory,
    EventParticipantFactory,
)
from tests.factories import (
    FieldOfActionFactory,
    MeasureFactory,
    OrganisationFactory,
    PersonFactory,
    PlanFactory,
    ResponsibilityFactory,
)

# The non-consenting person's details: none of them may reach an anonymous visitor.
SHY = {
    "first_name": "Gerlinde",
    "last_name": "Verschwiegen",
    "phone": "0341/999-4711",
    "email": "gerlinde.privat@example.net",
}


@dataclass
class Directory:
    city: object
    office: object
    agency: object
    plan: object
    field: object
    measure: object
    draft_measure: object
    campaign: object
    draft_campaign: object
    event: object
    named: object  # consenting
    shy: object  # not consenting
    hidden: object  # consenting, but only in drafts


def build_directory(*, extra: int = 0) -> Directory:
    """The world; ``extra`` adds that many more persons, measures, campaigns and events each,
    all naming the consenting person (for the query-count pins)."""
    city = OrganisationFactory(name="Stadt Leipzig", short_name="", kind="city")
    office = OrganisationFactory(
        name="Kulturamt", short_name="KA", parent=city, phone="0341/123-4000"
    )
    agency = OrganisationFactory(name="Agentur Rabe", kind="agency", email="info@rabe.example")
    named = PersonFactory(
        salutation="herr",
        title="Dr.",
        first_name="Jürgen",
        last_name="Müller",
        function="Amtsleiter",
        organisation=office,
        phone="0341/123-4280",
        email="juergen.mueller@leipzig.example",
        public_contact=True,
    )
    shy = PersonFactory(
        salutation="frau",
        function="Sachbearbeiterin",
        organisation=office,
        public_contact=False,
        **SHY,
    )
    hidden = PersonFactory(
        first_name="Nur", last_name="Entwurf", organisation=agency, public_contact=True
    )
    plan = PlanFactory(title="Maßnahmenplan Kreativwirtschaft", slug="kreativ", project_lead=named)
    field = FieldOfActionFactory(plan=plan, title="Netzwerke", slug="netzwerke", position=1)
    field.field_contacts.create(person=named, position=1)
    field.field_contacts.create(person=shy, position=2)
    measure = MeasureFactory(field=field, title="Kreativpreis", slug="kreativpreis", code="a")
    draft_measure = MeasureFactory(
        field=field, title="Geheimer Entwurf", slug="entwurf", state=ap.Measure.State.DRAFT
    )
    ResponsibilityFactory(measure=measure, organisation=office, person=named, role="lead")
    ResponsibilityFactory(measure=measure, organisation=office, person=shy, role="support")
    ResponsibilityFactory(measure=draft_measure, organisation=agency, person=hidden)
    campaign = CampaignFactory(title="Leipzig liebt Regionales", slug="regional", organiser=city)
    CampaignPartnerFactory(campaign=campaign, organisation=agency, role="agency")
    CampaignContactFactory(campaign=campaign, person=named, role="Pressekontakt")
    CampaignContactFactory(campaign=campaign, person=shy, role="Rückfragen", fax="0341/999-4712")
    event = CampaignEventFactory(campaign=campaign, title="Netzwerktreffen Osterburg")
    EventParticipantFactory(event=event, person=named)
    EventParticipantFactory(event=event, person=shy)
    draft_campaign = CampaignFactory(title="Kampagne im Entwurf", slug="entwurf", status="draft")
    CampaignContactFactory(campaign=draft_campaign, person=hidden)
    for i in range(extra):
        colleague = PersonFactory(organisation=office, public_contact=True)
        m = MeasureFactory(field=field, title=f"Weitere Maßnahme {i}", slug=f"weitere-{i}")
        ResponsibilityFactory(measure=m, organisation=office, person=named)
        ResponsibilityFactory(measure=m, organisation=office, person=colleague)
        c = CampaignFactory(title=f"Weitere Kampagne {i}", organiser=office)
        CampaignContactFactory(campaign=c, person=named)
        CampaignPartnerFactory(campaign=c, organisation=office)
        EventParticipantFactory(event=CampaignEventFactory(campaign=c), person=named)
        OrganisationFactory(name=f"Referat {i}", parent=office)
    return Directory(
        city,
        office,
        agency,
        plan,
        field,
        measure,
        draft_measure,
        campaign,
        draft_campaign,
        event,
        named,
        shy,
        hidden,
    )
