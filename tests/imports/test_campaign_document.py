"""The campaign document on the one importer: validation with document paths, update by diff."""

import copy
import datetime
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation

from actionplan.models import TargetGroup
from campaigns.models import (
    Campaign,
    CampaignContact,
    CampaignEvent,
    CampaignLink,
    CampaignPartner,
    Channel,
    EventParticipant,
    KeyFigure,
    Market,
)
from contacts.models import Organisation, Person
from imports.campaign_document import CampaignImportError, campaign_document_import
from tests.factories import OrganisationFactory, UserFactory, build_plan
from tests.imports.plan_support import history_count, load_leipzig

pytestmark = pytest.mark.django_db

DEMO_FILE = settings.BASE_DIR / "fixtures" / "campaigns.json"
COUNTED = [
    Campaign,
    Channel,
    CampaignEvent,
    EventParticipant,
    CampaignPartner,
    CampaignContact,
    Market,
    Organisation,
    Person,
    TargetGroup,
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def demo_data():
    """The demo campaigns' document; the Leipzig plan first (its campaign serves two measures)."""
    load_leipzig()
    return json.loads(DEMO_FILE.read_text(encoding="utf-8"))


def _counts():
    counts = {model.__name__: model.objects.count() for model in COUNTED}
    counts["m2m"] = sum(
        through.objects.count()
        for through in (Campaign.target_groups.through, Campaign.markets.through)
    )
    return counts


def _minimal(**campaign):
    item = {
        "slug": "kampagne",
        "title": "Kampagne",
        "region": "Altmark",
        "channels": [{"kind": "print", "name": "Flyer"}],
        "events": [{"title": "Treffen", "participants": [{"organisation": {"name": "ART"}}]}],
    }
    item.update(campaign)
    return {"format": "planwerk-campaigns", "version": 1, "campaigns": [item]}


def test_import_demo_document_creates_the_four_campaigns(demo_data):
    assert Campaign.objects.count() == 0
    result = campaign_document_import(data=demo_data)
    new = [c.label for c in result.changes if c.kind == "campaign"]
    assert sorted(new) == [
        "campaign altmark-mehr-platz-fuer-entfaltung",
        "campaign bildungsmarketing-erfurt",
        "campaign leipzig-liebt-regionales",
        "campaign stadt-der-staedte",
    ]
    assert {c.action for c in result.changes} == {"new"}
    written = result.written()
    assert written["channel"] == Channel.objects.count() == 18
    assert written["figure"] == KeyFigure.objects.count() == 9
    assert written["link"] == CampaignLink.objects.count() == 2
    assert set(Campaign.objects.values_list("status", flat=True)) == {"published"}


def test_import_twice_changes_nothing_and_writes_no_history(demo_data):
    campaign_document_import(data=demo_data)
    before, history = _counts(), history_count()
    result = campaign_document_import(data=copy.deepcopy(demo_data))
    assert result.changes == []
    assert _counts() == before
    assert history_count() == history


def test_import_updates_an_existing_campaign_by_diff(demo_data):
    campaign_document_import(data=demo_data)
    before = _counts()
    flyer = Channel.objects.get(reach=40000)
    campaign_pk, channel_pks = flyer.campaign_id, set(Channel.objects.values_list("pk", flat=True))
    Channel.objects.filter(pk=flyer.pk).update(reach=1)
    demo_data["campaigns"][0]["title"] = "Leipzig liebt Regionales!"
    history = history_count(entries_only=True)

    result = campaign_document_import(data=demo_data)

    assert [(c.action, c.kind, c.diffs) for c in result.changes] == [
        (
            "changed",
            "campaign",
            [
                ("title", "Leipzig liebt Regionales", "Leipzig liebt Regionales!"),
                # the demo's English title was written for the old German one
                ("translation state of title (English)", "current", "possibly outdated"),
            ],
        ),
        ("changed", "channel", [("reach", "1", "40000")]),
    ]
    # one history entry each (the campaign's entry keeps its many-to-many snapshot beside it)
    assert history_count(entries_only=True) == history + 2
    assert _counts() == before
    campaign = Campaign.objects.get(slug="leipzig-liebt-regionales")
    assert campaign.pk == campaign_pk
    assert campaign.title == "Leipzig liebt Regionales!"
    assert campaign.channels.get(kind="print", reach__isnull=False).reach == 40000
    assert set(Channel.objects.values_list("pk", flat=True)) == channel_pks


def test_import_keeps_existing_organisation_details_and_fills_blanks(demo_data):
    ltm = OrganisationFactory(
        name="Leipzig Tourismus und Marketing GmbH", short_name="", phone="0341 7104-0"
    )
    result = campaign_document_import(data=demo_data)
    ltm.refresh_from_db()
    [filled] = [c for c in result.changes if c.label == f"organisation {ltm.name}"]
    assert (filled.action, filled.diffs) == ("changed", [("short name", "–", "LTM")])
    assert Organisation.objects.filter(name=ltm.name).count() == 1
    assert Campaign.objects.get(slug="leipzig-liebt-regionales").organiser == ltm
    assert ltm.phone == "0341 7104-0"
    assert ltm.short_name == "LTM"


def test_import_reuses_people_across_contacts_and_participants(demo_data):
    campaign_document_import(data=demo_data)
    franke = Person.objects.get(first_name="Lisa", last_name="Franke")
    assert franke.campaign_contacts.count() == 1
    assert franke.event_participations.count() == 1


def test_import_records_acting_user_and_reason_in_history(demo_data):
    user = UserFactory(username="redaktion")
    campaign_document_import(data=demo_data, acting_user=user, file_name="kampagnen.json")
    campaign = Campaign.objects.get(slug="stadt-der-staedte")
    records = list(campaign.history.all())
    assert records and {r.history_user for r in records} == {user}
    reason = "Import of the campaign document “kampagnen.json”"
    assert {r.history_change_reason for r in records} == {reason}
    channel_records = Channel.history.filter(campaign_id=campaign.pk)
    assert channel_records.count() == campaign.channels.count()
    assert {r.history_user for r in channel_records} == {user}


def test_import_deletes_rows_the_document_leaves_out(demo_data):
    campaign_document_import(data=demo_data)
    user = UserFactory(username="redaktion")
    ruhr = next(c for c in demo_data["campaigns"] if c["slug"] == "stadt-der-staedte")
    gone = ruhr["channels"].pop()
    history = history_count()

    result = campaign_document_import(data=demo_data, acting_user=user)

    assert [(c.action, c.label) for c in result.changes] == [
        ("deleted", f"channel stadt-der-staedte/{len(ruhr['channels']) + 1}")
    ]
    deleted = Channel.history.filter(history_type="-")
    assert [(r.name, r.history_user) for r in deleted] == [(gone["name"], user)]
    assert history_count() == history + 1
    assert Channel.objects.count() == 17


def test_import_links_related_measures():
    plan = build_plan(fields=1, measures_per_field=2, slug="leipzig-2011")
    measure = plan.fields.get().measures.get(position=2)
    data = _minimal(
        related_measures=[
            {"plan": "leipzig-2011", "field": "handlungsfeld-1", "measure": "massnahme-2"}
        ]
    )
    campaign_document_import(data=data)
    assert list(Campaign.objects.get().related_measures.all()) == [measure]


def test_import_is_atomic(demo_data):
    before = _counts()
    assert before["Campaign"] == 0
    demo_data["campaigns"][3]["channels"] = [{"name": "Flyer", "reach": -1}]
    with pytest.raises(CampaignImportError):
        campaign_document_import(data=demo_data)
    assert _counts() == before


def _set(path, value):
    def change(data):
        target = data["campaigns"][0]
        *parents, last = path
        for key in parents:
            target = target[key]
        target[last] = value

    return change


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (
            _set(["channels", 0, "reach"], -40000),
            "campaigns[0].channels[0].reach",
            "The reach must not be negative.",
        ),
        (
            _set(["channels", 0, "reach_lable"], "x"),
            "campaigns[0].channels[0]",
            "unknown key(s): reach_lable",
        ),
        (
            _set(["channels", 0, "kind"], "tv"),
            "campaigns[0].channels[0].kind",
            "not a valid choice",
        ),
        (
            _set(["channels", 0, "reach"], "viele"),
            "campaigns[0].channels[0].reach",
            "expected a whole number",
        ),
        (_set(["title"], ""), "campaigns[0].title", "is required"),
        (_set(["kind"], "festival"), "campaigns[0].kind", "not a valid choice"),
        (_set(["status"], "public"), "campaigns[0].status", "not a valid choice"),
        (
            _set(["budget"], {"amount": "-10"}),
            "campaigns[0].budget.amount",
            "The budget must not be negative.",
        ),
        (_set(["budget"], {"amount": "zehn"}), "campaigns[0].budget.amount", "not a number"),
        (
            _set(["period"], {"start": "2017"}),
            "campaigns[0].period.start",
            "expected a date as YYYY-MM-DD",
        ),
        (
            _set(["period"], {"start": "2019-01-01", "end": "2017-12-31"}),
            "campaigns[0]",
            "The end must not lie before the start.",
        ),
        (
            _set(["links"], [{"label": "Website", "url": "metropole ruhr"}]),
            "campaigns[0].links[0].url",
            "Enter a valid URL.",
        ),
        (
            _set(["links"], [{"url": "https://www.metropole.ruhr"}]),
            "campaigns[0].links[0].label",
            "is required",
        ),
        (
            _set(["key_figures"], [{"name": "Auflage", "actual": "-40000"}]),
            "campaigns[0].key_figures[0].actual",
            "A key figure must not be negative.",
        ),
        (
            _set(["key_figures"], [{"name": "Auflage"}]),
            "campaigns[0].key_figures[0]",
            "Please give a target or an actual value.",
        ),
        (_set(["languages"], "Deutsch"), "campaigns[0].languages", "language codes"),
        (_set(["lifecycle"], "vorbei"), "campaigns[0].lifecycle", "not a valid choice"),
        (
            _set(["events", 0, "kind"], "party"),
            "campaigns[0].events[0].kind",
            "not a valid choice",
        ),
        (
            _set(["events", 0, "methods"], [1, 2]),
            "campaigns[0].events[0].methods",
            "expected a list of texts",
        ),
        (_set(["target_groups"], "Investoren"), "campaigns[0].target_groups", "expected a list"),
        (
            _set(["markets"], [{"name": "China", "iso_code": "China"}]),
            "campaigns[0].markets[0].iso_code",
            "ISO 3166",
        ),
        (
            _set(["events", 0, "participants_count"], -1),
            "campaigns[0].events[0].participants_count",
            "The number of participants must not be negative.",
        ),
        (
            _set(["events", 0, "participants"], [{"role": "Gast"}]),
            "campaigns[0].events[0].participants[0]",
            "Please give a person or an organisation.",
        ),
        (
            _set(["events", 0, "participants"], [{"person": {"first_name": "Lisa"}}]),
            "campaigns[0].events[0].participants[0].person.last_name",
            "is required",
        ),
        (
            _set(["contacts"], [{"person": {"last_name": "Franke", "email": "kein-mail"}}]),
            "campaigns[0].contacts[0].person.email",
            "valid email",
        ),
        (
            _set(["partners"], [{"organisation": {"name": "Thjnk"}, "role": "mäzen"}]),
            "campaigns[0].partners[0].role",
            "not a valid choice",
        ),
        (
            _set(["related_measures"], [{"plan": "gibt-es-nicht", "measure": "a"}]),
            "campaigns[0].related_measures[0]",
            "no such measure",
        ),
    ],
)
def test_import_bad_input_names_the_path(change, where, message):
    data = _minimal()
    change(data)
    with pytest.raises(CampaignImportError) as info:
        campaign_document_import(data=data)
    assert info.value.path == where
    assert message in info.value.message
    assert str(info.value).startswith(f"{where}: ")
    assert Campaign.objects.count() == 0


def test_import_rejects_duplicate_slugs_and_foreign_documents():
    data = _minimal()
    data["campaigns"].append(copy.deepcopy(data["campaigns"][0]))
    with pytest.raises(CampaignImportError, match=r"campaigns\[0\]\.slug: “kampagne” occurs"):
        campaign_document_import(data=data)
    with pytest.raises(CampaignImportError, match="document.format"):
        campaign_document_import(data={"format": "other", "campaigns": []})
    with pytest.raises(CampaignImportError, match="^campaigns: expected a list"):
        campaign_document_import(data={"campaigns": {}})
    with pytest.raises(CampaignImportError, match="^document: expected an object"):
        campaign_document_import(data=[])


def test_import_minimal_document_defaults_to_draft():
    result = campaign_document_import(data=_minimal())
    campaign = Campaign.objects.get()
    assert [(c.action, c.label) for c in result.changes if c.kind == "campaign"] == [
        ("new", "campaign kampagne")
    ]
    assert campaign.status == Campaign.Status.DRAFT
    assert campaign.budget_amount is None
    assert campaign.channels.get().reach is None
    assert Campaign.objects.published().count() == 0


def test_import_budget_amount_is_exact():
    campaign_document_import(data=_minimal(budget={"amount": "10000000.00", "note": "bewilligt"}))
    assert Campaign.objects.get().budget_amount == Decimal("10000000.00")


def test_import_dates_given_by_the_label_follow_an_edited_label():
    data = _minimal(period={"label": "2017 bis 2019"})
    data["campaigns"][0]["channels"][0]["status"] = "done"  # planned would contradict the end
    campaign_document_import(data=data)
    campaign = Campaign.objects.get()
    assert (campaign.start_date, campaign.end_date, campaign.date_precision) == (
        datetime.date(2017, 1, 1),
        datetime.date(2019, 12, 31),
        "year",
    )
    # the label alone again: the dates it gave are what is stored, nothing changes
    assert campaign_document_import(data=copy.deepcopy(data)).changes == []

    data["campaigns"][0]["period"]["label"] = "2018 bis 2019"
    result = campaign_document_import(data=data)

    assert [(c.kind, c.diffs) for c in result.changes] == [
        (
            "campaign",
            [
                ("period label", "2017 bis 2019", "2018 bis 2019"),
                ("start", "01.01.2017", "01.01.2018"),
            ],
        )
    ]
    campaign.refresh_from_db()
    assert (campaign.start_date, campaign.end_date) == (
        datetime.date(2018, 1, 1),
        datetime.date(2019, 12, 31),
    )
