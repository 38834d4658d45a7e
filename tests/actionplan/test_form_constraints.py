"""Every unique constraint an admin form can violate answers with a German form error (HTTP 200),
never with an IntegrityError (HTTP 500). See actionplan/constraints.py.

Constraints covered (models' Meta.constraints / unique fields across all apps):
actionplan: Plan.slug, FieldOfAction (plan, position) and (plan, slug) in its own form and as
plan inline, FieldContact (field, person), Measure (field, position), (field, slug) and
(field, code) in its own form (coordinator and editor, who sees field and position read-only)
and as field inline, vocabulary names; the position constraints of steps, schedule,
responsibilities, budget lines and baseline findings are assigned by the server
(test_inline_ordering.py). contacts: Organisation (name, parent). campaigns: Market.iso_code,
Campaign.slug, CampaignPartner (campaign, organisation, role), CampaignLink (campaign, url),
CampaignContact (campaign, person), EventParticipant (event, person). access: Membership as
plan inline and on its own page. versions: PlanVersion (plan, slug) is checked by its form.
Not editable in a form: documents.PdfExport, reminders, api keys.
"""

import pytest
from django.urls import reverse

from access.models import Membership
from actionplan import models as ap
from campaigns import models as cp
from contacts import models as ct
from tests.actionplan.admin_support import add_inline_row, change_form_data, inline_prefix
from tests.campaigns.factories import (
    CampaignContactFactory,
    CampaignEventFactory,
    CampaignFactory,
    CampaignLinkFactory,
    CampaignPartnerFactory,
    MarketFactory,
)
from tests.factories import (
    FieldOfActionFactory,
    MeasureFactory,
    OrganisationFactory,
    PersonFactory,
    PlanFactory,
    TargetGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def url(obj_or_model, view, *args):
    opts = obj_or_model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def form_of(client, address):
    response = client.get(address)
    assert response.status_code == 200
    return response, change_form_data(response)


def refused(response, *texts):
    assert response.status_code == 200, response.status_code
    content = response.content.decode()
    assert "errornote" in content
    for text in texts:
        assert text in content, text
    return content


def row_index(response, model, predicate):
    formset = next(
        f.formset for f in response.context["inline_admin_formsets"] if f.formset.model is model
    )
    return next(i for i, form in enumerate(formset.forms) if predicate(form.instance))


# actionplan --------------------------------------------------------------------------------


def test_constraint_plan_slug(staff_client):
    PlanFactory(slug="leipzig")
    plan = PlanFactory(slug="dresden")
    _response, data = form_of(staff_client, url(plan, "change", plan.pk))
    data["slug"] = "leipzig"
    refused(staff_client.post(url(plan, "change", plan.pk), data), "existiert bereits")


def test_constraint_field_position_and_slug_in_its_form(staff_client):
    plan = PlanFactory()
    FieldOfActionFactory(plan=plan, position=1, slug="kultur")
    field = FieldOfActionFactory(plan=plan, position=2, slug="wirtschaft")
    address = url(field, "change", field.pk)
    _response, data = form_of(staff_client, address)
    data["position"] = "1"
    refused(staff_client.post(address, data), "existiert bereits")
    _response, data = form_of(staff_client, address)
    data["slug"] = "kultur"
    refused(staff_client.post(address, data), "existiert bereits")


def test_constraint_fields_as_plan_inline_new_slug_and_swapped_positions(staff_client):
    plan = PlanFactory()
    FieldOfActionFactory(plan=plan, position=1, slug="kultur", title="Kultur")
    FieldOfActionFactory(plan=plan, position=2, slug="wirtschaft", title="Wirtschaft")
    address = url(plan, "change", plan.pk)
    response, data = form_of(staff_client, address)
    prefix = inline_prefix(response, ap.FieldOfAction)
    add_inline_row(data, prefix, position=3, title="Kultur neu", slug="kultur")
    refused(staff_client.post(address, data), "existiert bereits")
    assert plan.fields.count() == 2

    # Typed positions may swap: the rows are parked first.
    response, data = form_of(staff_client, address)
    data[f"{prefix}-0-position"], data[f"{prefix}-1-position"] = "2", "1"
    assert staff_client.post(address, data).status_code == 302
    assert list(plan.fields.order_by("position").values_list("slug", flat=True)) == [
        "wirtschaft",
        "kultur",
    ]


def test_constraint_field_contact_person_listed_twice(staff_client):
    field = FieldOfActionFactory()
    person = PersonFactory()
    ap.FieldContact.objects.create(field=field, person=person, position=1)
    address = url(field, "change", field.pk)
    response, data = form_of(staff_client, address)
    prefix = inline_prefix(response, ap.FieldContact)
    add_inline_row(data, prefix, person=person.pk)
    refused(staff_client.post(address, data), "existiert bereits")

    other = PersonFactory()
    response, data = form_of(staff_client, address)
    add_inline_row(data, prefix, person=other.pk)
    add_inline_row(data, prefix, person=other.pk)
    refused(staff_client.post(address, data), "existiert bereits")
    assert field.field_contacts.count() == 1


def test_constraint_field_contact_swap_is_refused_but_delete_and_readd_works(staff_client):
    field = FieldOfActionFactory()
    anna, ben = PersonFactory(last_name="Anna"), PersonFactory(last_name="Ben")
    ap.FieldContact.objects.create(field=field, person=anna, position=1)
    ap.FieldContact.objects.create(field=field, person=ben, position=2)
    address = url(field, "change", field.pk)
    response, data = form_of(staff_client, address)
    prefix = inline_prefix(response, ap.FieldContact)
    data[f"{prefix}-0-person"], data[f"{prefix}-1-person"] = str(ben.pk), str(anna.pk)
    refused(staff_client.post(address, data), "Zwei Zeilen tauschen")

    response, data = form_of(staff_client, address)
    data[f"{prefix}-0-DELETE"] = "on"
    add_inline_row(data, prefix, person=anna.pk)
    assert staff_client.post(address, data).status_code == 302
    assert [c.person for c in field.field_contacts.order_by("position")] == [ben, anna]


def test_constraint_measure_position_slug_code_in_its_form(staff_client):
    field = FieldOfActionFactory()
    MeasureFactory(field=field, position=1, slug="markt", code="A")
    measure = MeasureFactory(field=field, position=2, slug="marke", code="B")
    address = url(measure, "change", measure.pk)
    for name, value, message in (
        ("position", "1", "existiert bereits"),
        ("slug", "markt", "existiert bereits"),
        ("code", "A", "In diesem Handlungsfeld gibt es schon eine Maßnahme mit dieser Kennung."),
    ):
        _response, data = form_of(staff_client, address)
        data[name] = value
        refused(staff_client.post(address, data), message)


def test_constraint_measure_slug_and_code_for_an_editor_with_read_only_field(client):
    plan = PlanFactory(status="draft")
    field = FieldOfActionFactory(plan=plan)
    unit = OrganisationFactory()
    MeasureFactory(field=field, position=1, slug="markt", code="A", state="draft")
    measure = MeasureFactory(field=field, position=2, slug="marke", code="B", state="draft")
    ap.Responsibility.objects.create(measure=measure, organisation=unit, position=1)
    user = UserFactory(username="redaktion", is_staff=True)
    Membership.objects.create(user=user, plan=plan, role="editor", organisation=unit)
    client.force_login(user)
    address = url(measure, "change", measure.pk)
    response, data = form_of(client, address)
    assert "field" not in response.context["adminform"].form.fields  # read-only for editors
    data["slug"] = "markt"
    refused(client.post(address, data), "existiert bereits")
    _response, data = form_of(client, address)
    data["code"] = "A"
    refused(
        client.post(address, data),
        "In diesem Handlungsfeld gibt es schon eine Maßnahme mit dieser Kennung.",
    )
    measure.refresh_from_db()
    assert (measure.slug, measure.code) == ("marke", "B")


def test_constraint_measures_as_field_inline(staff_client):
    field = FieldOfActionFactory()
    MeasureFactory(field=field, position=1, slug="markt", code="A", title="Markt")
    MeasureFactory(field=field, position=2, slug="marke", code="B", title="Marke")
    address = url(field, "change", field.pk)
    response, data = form_of(staff_client, address)
    prefix = inline_prefix(response, ap.Measure)
    for values, message in (
        ({"position": 1, "title": "Neu", "slug": "neu", "status": "planned"}, "existiert bereits"),
        ({"position": 3, "title": "Neu", "slug": "markt", "status": "planned"}, "existiert"),
        (
            {"position": 3, "code": "A", "title": "Neu", "slug": "neu", "status": "planned"},
            "In diesem Handlungsfeld gibt es schon eine Maßnahme mit dieser Kennung.",
        ),
    ):
        response, data = form_of(staff_client, address)
        add_inline_row(data, prefix, **values)
        refused(staff_client.post(address, data), message)
    assert field.measures.count() == 2
    response, data = form_of(staff_client, address)
    data[f"{prefix}-0-position"], data[f"{prefix}-1-position"] = "2", "1"
    data[f"{prefix}-1-code"] = "A"  # codes swap too: refused, codes cannot be parked
    data[f"{prefix}-0-code"] = "B"
    refused(staff_client.post(address, data), "Zwei Zeilen tauschen")
    response, data = form_of(staff_client, address)
    data[f"{prefix}-0-position"], data[f"{prefix}-1-position"] = "2", "1"
    assert staff_client.post(address, data).status_code == 302
    assert list(field.measures.order_by("position").values_list("code", flat=True)) == ["B", "A"]


def test_constraint_vocabulary_name(staff_client):
    TargetGroupFactory(name="Familien")
    _response, data = form_of(staff_client, url(ap.TargetGroup, "add"))
    data.update(name="Familien", position="1")
    refused(staff_client.post(url(ap.TargetGroup, "add"), data), "existiert bereits")


# contacts, campaigns, access -------------------------------------------------------------


def test_constraint_organisation_name_per_parent(staff_client):
    city = OrganisationFactory(name="Stadt")
    OrganisationFactory(name="Kulturamt", parent=city)
    other = OrganisationFactory(name="Sportamt", parent=city)
    address = url(other, "change", other.pk)
    _response, data = form_of(staff_client, address)
    data["name"] = "Kulturamt"
    refused(staff_client.post(address, data), "existiert bereits")


def test_constraint_market_iso_code(staff_client):
    MarketFactory(name="China", iso_code="CN")
    market = MarketFactory(name="Japan", iso_code="JP")
    address = url(market, "change", market.pk)
    _response, data = form_of(staff_client, address)
    data["iso_code"] = "CN"
    refused(staff_client.post(address, data), "Ein anderer Zielmarkt hat bereits diesen ISO-Code.")


def test_constraint_campaign_slug(staff_client):
    CampaignFactory(slug="gruenes-leipzig")
    campaign = CampaignFactory(slug="blaues-leipzig")
    address = url(campaign, "change", campaign.pk)
    _response, data = form_of(staff_client, address)
    data["slug"] = "gruenes-leipzig"
    refused(staff_client.post(address, data), "existiert bereits")


@pytest.mark.parametrize(
    ("model", "existing", "new_values", "message"),
    [
        (
            cp.CampaignPartner,
            lambda c: CampaignPartnerFactory(campaign=c, role="agency"),
            lambda row: {"organisation": row.organisation_id, "role": "agency"},
            "Diese Organisation hat diese Rolle in der Kampagne bereits.",
        ),
        (
            cp.CampaignLink,
            lambda c: CampaignLinkFactory(campaign=c),
            lambda row: {"label": "Noch einmal", "url": row.url},
            "Diese Webadresse ist bereits eingetragen.",
        ),
        (
            cp.CampaignContact,
            lambda c: CampaignContactFactory(campaign=c),
            lambda row: {"person": row.person_id},
            "Diese Person ist bereits als Ansprechpartner der Kampagne eingetragen.",
        ),
    ],
    ids=["partner", "link", "contact"],
)
def test_constraint_campaign_inline_rows(staff_client, model, existing, new_values, message):
    campaign = CampaignFactory()
    row = existing(campaign)
    address = url(campaign, "change", campaign.pk)
    response, data = form_of(staff_client, address)
    prefix = inline_prefix(response, model)
    add_inline_row(data, prefix, position=5, **new_values(row))
    refused(staff_client.post(address, data), message)

    # Two equal new rows, the stored one deleted: the first new row takes its place.
    response, data = form_of(staff_client, address)
    data[f"{prefix}-0-DELETE"] = "on"
    add_inline_row(data, prefix, position=5, **new_values(row))
    add_inline_row(data, prefix, position=6, **new_values(row))
    refused(staff_client.post(address, data), message)
    assert model.objects.filter(campaign=campaign).count() == 1


def test_constraint_event_participant_twice_in_new_rows(staff_client):
    event = CampaignEventFactory()
    person = PersonFactory()
    address = url(event, "change", event.pk)
    response, data = form_of(staff_client, address)
    prefix = inline_prefix(response, cp.EventParticipant)
    add_inline_row(data, prefix, position=1, person=person.pk)
    add_inline_row(data, prefix, position=2, person=person.pk)
    refused(
        staff_client.post(address, data),
        "Diese Person ist für die Veranstaltung bereits eingetragen.",
    )
    assert not event.participants.exists()


def test_constraint_membership_as_plan_inline(staff_client):
    plan = PlanFactory()
    user = UserFactory()
    Membership.objects.create(user=user, plan=plan, role="coordinator")
    address = url(plan, "change", plan.pk)
    response, data = form_of(staff_client, address)
    prefix = inline_prefix(response, Membership)
    add_inline_row(data, prefix, user=user.pk, role="coordinator")
    refused(staff_client.post(address, data), "Diese Mitgliedschaft besteht bereits.")

    other, unit = UserFactory(), OrganisationFactory()
    response, data = form_of(staff_client, address)
    add_inline_row(data, prefix, user=other.pk, role="editor", organisation=unit.pk)
    add_inline_row(data, prefix, user=other.pk, role="editor", organisation=unit.pk)
    refused(staff_client.post(address, data), "Diese Mitgliedschaft besteht bereits.")
    assert Membership.objects.filter(plan=plan).count() == 1


def test_constraint_membership_on_its_own_page(staff_client):
    plan = PlanFactory()
    user = UserFactory()
    Membership.objects.create(user=user, plan=plan, role="reader")
    address = url(Membership, "add")
    _response, data = form_of(staff_client, address)
    data.update(user=str(user.pk), plan=str(plan.pk), role="reader")
    refused(staff_client.post(address, data), "Diese Mitgliedschaft besteht bereits.")


def test_constraint_organisation_is_a_contacts_model():
    # Keeps the list in the module docstring honest for contacts.
    names = {c.name for c in ct.Organisation._meta.constraints}
    assert "contacts_organisation_unique_name_per_parent" in names
