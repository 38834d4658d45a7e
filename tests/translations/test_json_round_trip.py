"""Both languages in the JSON documents (issue 21): the whole plan (``planwerk.plan/1``) and the
campaign document carry every English text and its marks (possibly outdated, machine output),
lossless; re-importing an export changes nothing; an English-only edit is a change of its own;
an old document without English changes no English text."""

import copy

import pytest
from django.core.files.base import ContentFile

from actionplan import models as ap
from actionplan.export import plan_export_document
from attachments.models import Attachment
from contacts.models import Organisation, Person
from funding.models import FundingProgramme
from imports.plan_document import plan_document_import
from indicators.models import Indicator
from tests.factories import (
    BaselineFindingFactory,
    BudgetLineFactory,
    FieldOfActionFactory,
    MeasureFactory,
    OrganisationFactory,
    PlanFactory,
    ResponsibilityFactory,
    ScheduleEntryFactory,
    StepFactory,
    TargetGroupFactory,
)
from tests.imports.plan_support import history_count
from translations import registry, selectors, services

pytestmark = pytest.mark.django_db

MARKS = ("translation_outdated", "machine_translated")


def english_only(data):
    """``data`` as a document written before English existed: no ``_en`` key, no marks, no
    note, shorthand entries back to plain text."""
    if isinstance(data, list):
        return [english_only(item) for item in data]
    if not isinstance(data, dict):
        return data
    stripped = {
        key: english_only(value)
        for key, value in data.items()
        if not key.endswith("_en") and key not in (*MARKS, "english_note")
    }
    if set(stripped) == {"text"} or set(stripped) == {"label"}:
        return next(iter(stripped.values()))  # a step or schedule shorthand
    return stripped


def _measure_entry(data, index=0):
    return data["plan"]["fields"][0]["measures"][index]


@pytest.fixture
def plan():
    """A plan with English in every translated text; one English text possibly outdated,
    one machine output."""
    lead = OrganisationFactory(name="Amt für Wirtschaftsförderung", name_en="Economic Dept.")
    partner = OrganisationFactory(name="Kulturamt", name_en="Cultural Affairs Office")
    plan = PlanFactory(
        slug="zweisprachig",
        title="Kreative Stadt",
        title_en="Creative city",
        subtitle_en="Local action plan",
        funding_note_en="Co-funded by the ERDF.",
        introduction="Erster Absatz.\n\nZweiter Absatz.",
        introduction_en="First paragraph.\n\nSecond paragraph.",
        english_note="Translated by the city's translation office; the German text is binding.",
        author_organisation=lead,
    )
    field = FieldOfActionFactory(
        plan=plan,
        position=1,
        title="Netzwerke",
        slug="netzwerke",
        title_en="Networks",
        target_state_en="A reachable target state.",
        lead_organisation=lead,
        lead_note="gemeinsam mit dem Kulturamt",
        lead_note_en="together with the Cultural Affairs Office",
    )
    BaselineFindingFactory(field=field, position=1, text="Viele Akteure", text_en="Many actors")
    measure = MeasureFactory(
        field=field,
        position=1,
        code="A",
        title="Kontaktstelle",
        title_en="Contact point",
        description="Beratung für Kreative",
        description_en="Advice for creatives",
    )
    measure.target_groups.add(TargetGroupFactory(name="Kreative", name_en="Creatives"))
    step = StepFactory(measure=measure, position=1, text="Konzept", text_en="Concept")
    StepFactory(measure=measure, parent=step, position=1, text="Entwurf", text_en="Draft")
    StepFactory(measure=measure, position=2, text="Nur deutsch")
    ScheduleEntryFactory(measure=measure, position=1, label="II. Quartal 2011", label_en="Q2 2011")
    ResponsibilityFactory(
        measure=measure, position=1, organisation=partner, note="fachlich", note_en="subject"
    )
    programme = FundingProgramme.objects.create(
        key="efre", name="EFRE-Programm", name_en="ERDF programme", level="eu"
    )
    line = BudgetLineFactory(
        measure=measure,
        position=1,
        note="Honorare",
        note_en="Fees",
        programme=programme,
        year_from=2011,
    )
    line.category.name_en = "Staff costs"
    line.category.save()
    line.funding_source.name_en = "Creative Cities"
    line.funding_source.save()
    Indicator.objects.create(
        plan=plan,
        slug="besucher",
        name="Besucher",
        name_en="Visitors",
        description="Besucher im Jahr",
        description_en="Visitors per year",
        unit="Personen",
        unit_en="people",
    )
    attachment = Attachment(measure=measure, title="Konzept", title_en="Concept")
    attachment.file_name, attachment.content_type = "konzept.pdf", "application/pdf"
    attachment.size, attachment.sha256 = 9, "0" * 64
    attachment.file.save("konzept.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    attachment.save()
    # the German title changed after it was translated: the English one is possibly outdated
    measure.title = "Kontaktstelle Kreativwirtschaft"
    measure.save()
    # the machine translated the step's text
    second = ap.Step.objects.get(measure=measure, text="Nur deutsch")
    second.text_en, second._machine_translated = "Only German", {"text"}
    second.save()
    return plan


def every_translated_object(plan):
    """Each object of the plan with translated texts (the plan's vocabularies included)."""
    measures = ap.Measure.objects.filter(field__plan=plan)
    objects = [
        ap.Plan.objects.get(pk=plan.pk),
        *ap.FieldOfAction.objects.filter(plan=plan),
        *ap.BaselineFinding.objects.filter(field__plan=plan),
        *measures,
        *ap.Step.objects.filter(measure__in=measures),
        *ap.ScheduleEntry.objects.filter(measure__in=measures),
        *ap.Responsibility.objects.filter(measure__in=measures),
        *ap.BudgetLine.objects.filter(measure__in=measures),
        *ap.TargetGroup.objects.filter(measures__in=measures),
        *ap.BudgetCategory.objects.all(),
        *ap.FundingSource.objects.all(),
        *FundingProgramme.objects.all(),
        *Organisation.objects.all(),
        *Indicator.objects.filter(plan=plan),
    ]
    return objects


def texts_and_states(plan) -> dict:
    """Every translated text of the plan in both languages with its status, by a key that is
    the same in every database."""
    result = {}
    for obj in every_translated_object(plan):
        for field in registry.fields_of(obj):
            key = (obj._meta.label, str(obj), field)
            assert key not in result, key
            result[key] = (
                getattr(obj, field),
                getattr(obj, registry.english(field)),
                selectors.field_status(obj, field),
            )
    return result


def empty_database():
    ap.Plan.objects.all().delete()
    Person.objects.all().delete()
    for model in (
        Organisation,
        ap.TargetGroup,
        ap.BudgetCategory,
        ap.FundingSource,
        FundingProgramme,
    ):
        model.objects.all().delete()


def test_export_carries_every_english_text_beside_the_german_one(plan):
    data = plan_export_document(plan)
    doc = data["plan"]
    assert doc["title_en"] == "Creative city"
    assert doc["subtitle_en"] == "Local action plan"
    assert doc["funding_note_en"] == "Co-funded by the ERDF."
    assert doc["introduction_en"] == ["First paragraph.", "Second paragraph."]
    assert doc["english_note"].startswith("Translated by")
    assert doc["vocabulary_en"] == {
        "budget_categories": {ap.BudgetCategory.objects.get().name: "Staff costs"},
        "funding_sources": {"Creative Cities": "Creative Cities"},
        "target_groups": {"Kreative": "Creatives"},
    }
    organisations = {o["name"]: o for o in data["organisations"].values()}
    assert organisations["Kulturamt"]["name_en"] == "Cultural Affairs Office"
    field = doc["fields"][0]
    assert (field["title_en"], field["target_state_en"]) == (
        "Networks",
        "A reachable target state.",
    )
    assert field["lead"]["note_en"] == "together with the Cultural Affairs Office"
    assert "lead_note_en" not in field
    assert field["baseline"][0]["text_en"] == "Many actors"
    measure = field["measures"][0]
    assert (measure["title_en"], measure["description_en"]) == (
        "Contact point",
        "Advice for creatives",
    )
    assert measure["translation_outdated"] == ["title"]
    assert measure["steps"] == [
        {
            "text": "Konzept",
            "text_en": "Concept",
            "substeps": [{"text": "Entwurf", "text_en": "Draft"}],
        },
        {"text": "Nur deutsch", "text_en": "Only German", "machine_translated": ["text"]},
    ]
    assert measure["schedule"] == [{"label": "II. Quartal 2011", "label_en": "Q2 2011"}]
    assert measure["responsibilities"][0]["note_en"] == "subject"
    assert measure["budget"][0]["note_en"] == "Fees"
    assert measure["attachments"][0]["title_en"] == "Concept"
    assert doc["funding_programmes"][0]["name_en"] == "ERDF programme"
    indicator = doc["indicators"][0]
    assert (indicator["name_en"], indicator["description_en"], indicator["unit_en"]) == (
        "Visitors",
        "Visitors per year",
        "people",
    )


def test_an_untranslated_plan_exports_without_any_english_key():
    measure = MeasureFactory(title="Kontaktstelle")
    StepFactory(measure=measure, text="Konzept")
    ScheduleEntryFactory(measure=measure, label="2012")
    data = plan_export_document(measure.field.plan)
    assert english_only(data) == data


def test_export_into_an_empty_database_gives_the_same_texts_and_states(plan):
    before = texts_and_states(plan)
    data = plan_export_document(plan)
    assert {s for _key, (_de, _en, s) in before.items()} >= {"current", "outdated", "machine"}
    empty_database()

    imported = plan_document_import(data=data).plan

    assert texts_and_states(imported) == before
    again = plan_export_document(imported)
    # attachments are listed for reading, not imported
    data["plan"]["fields"][0]["measures"][0]["attachments"] = []
    assert again == data
    measure = ap.Measure.objects.get(field__plan=imported, code="A")
    assert selectors.field_status(measure, "title") == "outdated"
    step = ap.Step.objects.get(measure=measure, text="Nur deutsch")
    assert selectors.field_status(step, "text") == "machine"


def test_reimport_of_the_export_changes_nothing(plan):
    data = plan_export_document(plan)
    histories = history_count()
    result = plan_document_import(data=data)
    assert result.counts == {"new": 0, "changed": 0, "deleted": 0}, result.changes
    assert history_count() == histories
    assert plan_export_document(plan) == data


def test_an_english_only_edit_is_one_change(plan):
    data = plan_export_document(plan)
    _measure_entry(data)["description_en"] = "Advice for creative people"

    preview = plan_document_import(data=data, dry_run=True)
    assert [(c.action, c.label) for c in preview.changes] == [("changed", "Maßnahme netzwerke/A")]
    assert preview.changes[0].diffs == [
        ("Beschreibung (englisch)", "Advice for creatives", "Advice for creative people")
    ]
    result = plan_document_import(data=data)
    assert result.counts == {"new": 0, "changed": 1, "deleted": 0}
    measure = ap.Measure.objects.get(field__plan=plan, code="A")
    assert measure.description_en == "Advice for creative people"
    assert selectors.field_status(measure, "description") == "current"
    assert measure.history.first().history_change_reason.startswith("Import des Plandokuments")


@pytest.mark.parametrize(
    "edit, label",
    [
        (lambda d: d["plan"].update(subtitle_en="A local action plan"), "Maßnahmenplan"),
        (
            lambda d: d["plan"]["vocabulary_en"]["target_groups"].update(
                Kreative="Creative people"
            ),
            "Zielgruppe Kreative",
        ),
        (lambda d: d["plan"]["funding_programmes"][0].update(name_en="ERDF"), "Förderprogramm"),
        (lambda d: d["plan"]["indicators"][0].update(unit_en="persons"), "Indikator besucher"),
        (
            lambda d: d["plan"]["fields"][0]["lead"].update(note_en="with culture"),
            "Handlungsfeld netzwerke",
        ),
        (
            lambda d: _measure_entry(d)["schedule"][0].update(label_en="2nd quarter 2011"),
            "Zeitplan",
        ),
    ],
)
def test_english_only_edits_everywhere_are_changes(plan, edit, label):
    data = plan_export_document(plan)
    edit(data)
    result = plan_document_import(data=data)
    assert result.counts == {"new": 0, "changed": 1, "deleted": 0}, result.changes
    assert result.changes[0].label.startswith(label)
    assert plan_document_import(data=plan_export_document(plan)).counts["changed"] == 0


def test_an_organisations_english_name_is_updated_by_natural_key(plan):
    data = plan_export_document(plan)
    key = next(k for k, o in data["organisations"].items() if o["name"] == "Kulturamt")
    data["organisations"][key]["name_en"] = "Office for Culture"
    result = plan_document_import(data=data)
    assert [(c.action, c.label) for c in result.changes] == [("changed", "Organisation Kulturamt")]
    assert Organisation.objects.get(name="Kulturamt").name_en == "Office for Culture"


def test_an_old_document_without_english_keeps_the_stored_english(plan):
    before = texts_and_states(plan)
    old = english_only(plan_export_document(plan))
    assert "title_en" not in old["plan"] and "vocabulary_en" not in old["plan"]

    result = plan_document_import(data=old)

    assert result.counts == {"new": 0, "changed": 0, "deleted": 0}, result.changes
    assert texts_and_states(plan) == before
    assert ap.Plan.objects.get(pk=plan.pk).english_note.startswith("Translated by")


def test_an_old_document_changing_german_marks_the_english_text_outdated(plan):
    old = english_only(plan_export_document(plan))
    old["plan"]["fields"][0]["baseline"][0]["text"] = "Sehr viele Akteure"
    result = plan_document_import(data=old)
    assert result.counts["changed"] == 1
    finding = ap.BaselineFinding.objects.get(field__plan=plan)
    assert (finding.text_en, selectors.field_status(finding, "text")) == ("Many actors", "outdated")
    # the export says so, and its re-import keeps it so
    data = plan_export_document(plan)
    assert data["plan"]["fields"][0]["baseline"][0]["translation_outdated"] == ["text"]
    assert plan_document_import(data=data).counts["changed"] == 0


def test_an_empty_english_text_in_the_document_clears_it(plan):
    data = plan_export_document(plan)
    _measure_entry(data)["description_en"] = ""
    result = plan_document_import(data=data)
    assert result.changes[0].diffs == [("Beschreibung (englisch)", "Advice for creatives", "–")]
    measure = ap.Measure.objects.get(field__plan=plan, code="A")
    assert (measure.description_en, selectors.field_status(measure, "description")) == (
        "",
        "missing",
    )
    assert "description_en" not in _measure_entry(plan_export_document(plan))


def test_marks_change_alone_and_are_shown(plan):
    data = plan_export_document(plan)
    entry = _measure_entry(data)
    # leaving a mark out does not clear it (the same document imported twice changes
    # nothing); a person confirms in the admin or writes the English text anew
    del entry["translation_outdated"]
    entry["machine_translated"] = ["description"]

    result = plan_document_import(data=data)

    assert result.counts == {"new": 0, "changed": 1, "deleted": 0}
    assert sorted(result.changes[0].diffs) == [
        ("Übersetzungsstand von Beschreibung (englisch)", "aktuell", "maschinell übersetzt"),
    ]
    measure = ap.Measure.objects.get(field__plan=plan, code="A")
    assert selectors.statuses(measure) == {"title": "outdated", "description": "machine"}
    assert plan_document_import(data=data).counts["changed"] == 0
    assert plan_document_import(data=plan_export_document(plan)).counts["changed"] == 0


def test_a_german_edit_under_unchanged_english_is_outdated_even_if_not_listed(plan):
    data = plan_export_document(plan)
    data["plan"]["fields"][0]["baseline"][0]["text"] = "Sehr viele Akteure"
    plan_document_import(data=data)
    finding = ap.BaselineFinding.objects.get(field__plan=plan)
    assert selectors.field_status(finding, "text") == "outdated"


def test_outdated_and_machine_together_survive(plan):
    step = ap.Step.objects.get(measure__field__plan=plan, text="Nur deutsch")
    step.text = "Nur auf Deutsch"
    step.save()
    data = plan_export_document(plan)
    entry = _measure_entry(data)["steps"][1]
    assert (entry["translation_outdated"], entry["machine_translated"]) == (["text"], ["text"])
    empty_database()
    imported = plan_document_import(data=data).plan
    step = ap.Step.objects.get(measure__field__plan=imported, text="Nur auf Deutsch")
    assert selectors.field_status(step, "text") == "outdated"
    assert services.translation_marks(step) == (["text"], ["text"])


@pytest.mark.parametrize(
    "edit, path",
    [
        (lambda d: d["plan"].update(title_en=3), "plan.title_en"),
        (
            lambda d: _measure_entry(d).update(translation_outdated=["code"]),
            "plan.fields[0].measures[0].translation_outdated",
        ),
        (lambda d: d["plan"].update(vocabulary_en={"markets": {}}), "plan.vocabulary_en.markets"),
        (
            lambda d: _measure_entry(d)["steps"][0]["substeps"][0].update(text_en=None),
            "plan.fields[0].measures[0].steps[0].substeps[0].text_en",
        ),
    ],
)
def test_invalid_english_is_refused_with_its_path(plan, edit, path):
    from imports.plan_document import PlanDocumentError

    data = copy.deepcopy(plan_export_document(plan))
    edit(data)
    with pytest.raises(PlanDocumentError) as error:
        plan_document_import(data=data)
    assert path in [p for p, _message in error.value.errors]


# --- the campaign document ----------------------------------------------------------------------


@pytest.fixture
def campaign():
    from campaigns.models import Market
    from tests.campaigns.factories import (
        CampaignEventFactory,
        CampaignFactory,
        CampaignLinkFactory,
        CampaignPartnerFactory,
        ChannelFactory,
        KeyFigureFactory,
    )

    campaign = CampaignFactory(
        slug="altmark",
        title="Altmark erleben",
        title_en="Experience the Altmark",
        motto="Natur pur",
        motto_en="Pure nature",
        slogan="Grün",
        slogan_en="Green",
        summary_en="A short summary.",
        description="Beschreibung",
        description_en="Description",
        goals="Mehr Gäste",
        goals_en="More guests",
        english_note="Translated with care; the German text is binding.",
        organiser=OrganisationFactory(name="Tourismusverband", name_en="Tourist board"),
    )
    campaign.markets.add(Market.objects.create(name="Niederlande", name_en="Netherlands"))
    campaign.target_groups.add(TargetGroupFactory(name="Familien", name_en="Families"))
    CampaignPartnerFactory(
        campaign=campaign, organisation=OrganisationFactory(name="Agentur", name_en="Agency")
    )
    CampaignLinkFactory(campaign=campaign, label="Webseite", label_en="Website")
    ChannelFactory(
        campaign=campaign,
        name="Plakate",
        name_en="Posters",
        description="In Bahnhöfen",
        description_en="In stations",
        reach=1000,
        reach_label="Stück",
        reach_label_en="pieces",
    )
    CampaignEventFactory(
        campaign=campaign,
        title="Messe",
        title_en="Fair",
        description="Stand",
        description_en="Stand",
        topics="Rad\nWandern",
        topics_en="Cycling\nHiking",
        methods="Gespräche",
        methods_en="Talks",
        results="Viele Kontakte",
        results_en="Many contacts",
    )
    figure = KeyFigureFactory(
        campaign=campaign, name="Besucher", name_en="Visitors", note="geschätzt", note_en="est."
    )
    figure.name = "Besucher am Stand"  # German changed after the translation
    figure.save()
    campaign = type(campaign).objects.get(pk=campaign.pk)
    campaign.summary = "Kurz."  # and the machine translated the summary
    campaign.summary_en, campaign._machine_translated = "Short.", {"summary"}
    campaign.save()
    return campaign


def campaign_texts_and_states(campaign) -> dict:
    from campaigns.models import Campaign

    campaign = Campaign.objects.get(slug=campaign.slug)
    objects = [
        campaign,
        campaign.organiser,
        *campaign.markets.all(),
        *campaign.target_groups.all(),
        *[p.organisation for p in campaign.partner_links.all()],
        *campaign.links.all(),
        *campaign.channels.all(),
        *campaign.events.all(),
        *campaign.key_figures.all(),
    ]
    return {
        (obj._meta.label, str(obj), field): (
            getattr(obj, field),
            getattr(obj, registry.english(field)),
            selectors.field_status(obj, field),
        )
        for obj in objects
        for field in registry.fields_of(obj)
    }


def test_campaign_export_carries_every_english_text(campaign):
    from imports.campaign_document import campaign_export_document

    [doc] = campaign_export_document([campaign])["campaigns"]
    assert (doc["title_en"], doc["motto_en"], doc["slogan_en"], doc["goals_en"]) == (
        "Experience the Altmark",
        "Pure nature",
        "Green",
        "More guests",
    )
    assert doc["machine_translated"] == ["summary"]
    assert doc["english_note"].startswith("Translated with care")
    assert doc["vocabulary_en"] == {
        "markets": {"Niederlande": "Netherlands"},
        "target_groups": {"Familien": "Families"},
    }
    assert doc["organiser"]["name_en"] == "Tourist board"
    assert doc["partners"][0]["organisation"]["name_en"] == "Agency"
    assert doc["links"][0]["label_en"] == "Website"
    channel = doc["channels"][0]
    assert (channel["name_en"], channel["description_en"], channel["reach_label_en"]) == (
        "Posters",
        "In stations",
        "pieces",
    )
    event = doc["events"][0]
    assert (event["topics_en"], event["methods_en"], event["results_en"]) == (
        ["Cycling", "Hiking"],
        ["Talks"],
        "Many contacts",
    )
    figure = doc["key_figures"][0]
    assert (figure["name_en"], figure["note_en"], figure["translation_outdated"]) == (
        "Visitors",
        "est.",
        ["name"],
    )


def test_campaign_round_trip_into_an_empty_database_and_back(campaign):
    from campaigns.models import Campaign, Market
    from imports.campaign_document import campaign_document_import, campaign_export_document

    before = campaign_texts_and_states(campaign)
    assert {state for *_texts, state in before.values()} >= {"current", "outdated", "machine"}
    data = campaign_export_document([campaign])
    Campaign.objects.all().delete()
    for model in (Person, Market, ap.TargetGroup, Organisation):
        model.objects.all().delete()

    campaign_document_import(data=copy.deepcopy(data))

    assert campaign_texts_and_states(campaign) == before
    again = campaign_export_document(Campaign.objects.all())
    assert again == data
    histories = history_count()
    result = campaign_document_import(data=again)
    assert result.counts == {"new": 0, "changed": 0, "deleted": 0}, result.changes
    assert history_count() == histories


def test_campaign_english_only_edits_and_old_documents(campaign):
    from campaigns.models import Campaign, Channel, Market
    from imports.campaign_document import campaign_document_import, campaign_export_document

    # the factories' positions become the document's (1, 2, …) first
    campaign_document_import(data=campaign_export_document([campaign]))
    data = campaign_export_document([campaign])
    doc = data["campaigns"][0]
    doc["channels"][0]["description_en"] = "At railway stations"
    result = campaign_document_import(data=copy.deepcopy(data))
    assert [(c.action, c.diffs) for c in result.changes] == [
        ("changed", [("Beschreibung (englisch)", "In stations", "At railway stations")])
    ]
    assert Channel.objects.get(campaign=campaign).description_en == "At railway stations"

    doc["vocabulary_en"]["markets"]["Niederlande"] = "The Netherlands"
    result = campaign_document_import(data=copy.deepcopy(data))
    assert [(c.action, c.kind) for c in result.changes] == [("changed", "vocabulary")]
    assert Market.objects.get(name="Niederlande").name_en == "The Netherlands"

    del doc["key_figures"][0]["translation_outdated"]  # left out: the mark stays
    result = campaign_document_import(data=copy.deepcopy(data))
    assert result.counts == {"new": 0, "changed": 0, "deleted": 0}, result.changes

    before = campaign_texts_and_states(campaign)
    old = english_only(campaign_export_document([campaign]))
    result = campaign_document_import(data=old)
    assert result.counts == {"new": 0, "changed": 0, "deleted": 0}, result.changes
    assert campaign_texts_and_states(campaign) == before
    assert Campaign.objects.get(pk=campaign.pk).english_note.startswith("Translated")


# --- the demo loaders on an installation whose demo data has no English yet ------------------


def test_load_demo_data_adds_the_english_an_existing_plan_lacks(plan, tmp_path, monkeypatch):
    import json
    from io import StringIO

    from django.core.management import call_command

    from actionplan.management.commands import load_demo_data

    translated = plan_export_document(plan)
    before = texts_and_states(plan)
    empty_database()
    german = tmp_path / "german.json"
    german.write_text(json.dumps(english_only(translated)), encoding="utf-8")
    monkeypatch.setattr(load_demo_data, "DEMO_DOCUMENT", german)
    call_command("load_demo_data", stdout=StringIO())
    stored = ap.Plan.objects.get(slug="zweisprachig")
    assert not any(en for _de, en, _state in texts_and_states(stored).values())
    # since then: a German text edited, an English text written by hand
    measure = ap.Measure.objects.get(field__plan=stored, code="A")
    measure.description = "Beratung für Kreative und Gründer"
    measure.save()
    field = ap.FieldOfAction.objects.get(plan=stored)
    field.title_en = "Networking"
    field.save()
    histories = history_count()

    fixture = tmp_path / "translated.json"
    fixture.write_text(json.dumps(translated), encoding="utf-8")
    monkeypatch.setattr(load_demo_data, "DEMO_DOCUMENT", fixture)
    out = StringIO()
    call_command("load_demo_data", stdout=out)

    assert "English texts added" in out.getvalue()
    assert history_count() > histories
    after = texts_and_states(stored)
    measure_key = ("actionplan.Measure", str(measure), "description")
    field_key = ("actionplan.FieldOfAction", str(field), "title")
    assert after.pop(measure_key) == ("Beratung für Kreative und Gründer", "", "missing")
    assert after.pop(field_key) == ("Netzwerke", "Networking", "current")
    before = {
        key: value
        for key, value in before.items()
        if key[2:] != ("description",) or key[0] != "actionplan.Measure"
    }
    before = {
        k: v for k, v in before.items() if k[0] != "actionplan.FieldOfAction" or k[2] != "title"
    }
    assert after == before
    # a second run changes nothing
    histories = history_count()
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert history_count() == histories


def test_load_campaign_demo_data_adds_the_english_an_existing_campaign_lacks(campaign, tmp_path):
    import json
    from io import StringIO

    from django.core.management import call_command

    from imports.campaign_document import campaign_document_import, campaign_export_document

    campaign_document_import(data=campaign_export_document([campaign]))  # positions 1, 2, …
    before = campaign_texts_and_states(campaign)
    translated = campaign_export_document([campaign])
    german = tmp_path / "german.json"
    german.write_text(json.dumps(english_only(translated)), encoding="utf-8")
    from campaigns.models import Campaign, Market

    Campaign.objects.all().delete()
    for model in (Person, Market, ap.TargetGroup, Organisation):
        model.objects.all().delete()
    call_command("load_campaign_demo_data", "--file", str(german), stdout=StringIO())
    assert not any(en for _de, en, _s in campaign_texts_and_states(campaign).values())

    fixture = tmp_path / "translated.json"
    fixture.write_text(json.dumps(translated), encoding="utf-8")
    out = StringIO()
    call_command("load_campaign_demo_data", "--file", str(fixture), stdout=out)

    assert "0 new" in out.getvalue()
    assert campaign_texts_and_states(campaign) == before
    out = StringIO()
    call_command("load_campaign_demo_data", "--file", str(fixture), stdout=out)
    assert "0 new, 0 changed, 0 deleted" in out.getvalue()


def test_a_pending_change_saved_before_english_existed_keeps_the_stored_english(plan):
    """Pending changes (reviews/) carry a measure's rows with the importer's attributes; a
    state saved before the English ones existed leaves them as stored."""
    from imports.plan_import import ChangeSet
    from reviews import state as states

    measure = ap.Measure.objects.get(field__plan=plan, code="A")
    proposed = states.measure_state(measure)
    assert {r["text"]: r["text_en"] for r in proposed["rows"]["step"]}["Konzept"] == "Concept"
    for rows in proposed["rows"].values():
        for row in rows:
            for key in [k for k in row if k.endswith("_en")]:
                del row[key]
    change_set = ChangeSet(plan, states.incoming_rows(measure, proposed), complete=False)
    assert change_set.problems == [] and change_set.changes == []
