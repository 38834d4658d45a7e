"""The API in German and English (api/languages.py): every translated text is printed in both
languages (``title``, ``title_en``); ``?lang=en`` or ``Accept-Language: en`` puts English in the
base key where it exists and lists the keys still given in German in ``in_german``; the answer
says its language, caches keep the languages apart, drafts stay hidden and the queries do not
grow."""

import json
import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actionplan import models as ap
from attachments.models import Attachment
from funding.models import FundingProgramme
from indicators.models import Indicator, IndicatorLink
from tests.api.conftest import (  # noqa: F401 - the API tests' fixtures
    ENDPOINTS,
    MARKER,
    api_leak,
    generous_rates,
    leak,
)
from tests.api.test_queries import PINNED
from tests.api.test_queries import world as query_world
from tests.api.test_visibility import assert_public_only
from tests.campaigns.factories import (
    CampaignEventFactory,
    CampaignFactory,
    CampaignLinkFactory,
    ChannelFactory,
    KeyFigureFactory,
    MarketFactory,
)
from tests.factories import (
    BudgetLineFactory,
    ResponsibilityFactory,
    ScheduleEntryFactory,
    StepFactory,
    build_plan,
)
from translations import registry

pytestmark = pytest.mark.django_db

LISTS = [*ENDPOINTS, "indicators"]
ENGLISH = re.compile(r"^EN (\S+) (\S+) (\d+)$")


def english_of(obj, field: str) -> str:
    return f"EN {obj._meta.label} {field} {obj.pk}"


def fill_english(skip=()) -> None:
    """Every translated text of every row gets an English version naming its row and field
    (``EN actionplan.Measure title 7``), but the (label, field) pairs in ``skip``."""
    for model in registry.models():
        for obj in model.objects.all():
            values = {
                registry.english(field): english_of(obj, field)
                for field in registry.fields_of(model)
                if getattr(obj, field) and (model._meta.label, field) not in skip
            }
            model.objects.filter(pk=obj.pk).update(**values)


def attach(measure) -> Attachment:
    attachment = Attachment(measure=measure, title="Konzept", file_name="konzept.pdf")
    attachment.content_type, attachment.size, attachment.sha256 = "application/pdf", 9, "0" * 64
    attachment.file.save("konzept.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    attachment.save()
    return attachment


@pytest.fixture
def bilingual(db, media_root):
    """A published plan and campaign in which every translated text of every registered kind
    is filled in German."""
    plan = build_plan(fields=1, measures_per_field=1, steps_per_measure=1, slug="zweisprachig")
    ap.Plan.objects.filter(pk=plan.pk).update(
        subtitle="Untertitel", introduction="Einleitung", funding_note="Gefördert"
    )
    ap.FieldOfAction.objects.filter(plan=plan).update(lead_note="Hinweis zur Federführung")
    ap.Measure.objects.filter(field__plan=plan).update(description="Beschreibung")
    measure = ap.Measure.objects.get(field__plan=plan)
    StepFactory(measure=measure, parent=measure.steps.first(), position=1, text="Unterschritt")
    ScheduleEntryFactory(measure=measure, position=5, label="II. Quartal 2011")
    ResponsibilityFactory(measure=measure, position=5, note="gemeinsam")
    programme = FundingProgramme.objects.create(name="Programm", level=FundingProgramme.Level.EU)
    BudgetLineFactory(measure=measure, position=5, note="Notiz", programme=programme)
    measure.target_groups.add(ap.TargetGroup.objects.first())
    indicator = Indicator.objects.create(
        plan=plan, name="Besucher", slug="besucher", description="Zählung", unit="Personen"
    )
    IndicatorLink.objects.create(indicator=indicator, field=measure.field, measure=measure)
    attach(measure)
    texts = {field: f"Kampagne: {field}" for field in registry.FIELDS["campaigns.Campaign"]}
    campaign = CampaignFactory(slug="kampagne", **texts)
    CampaignLinkFactory(campaign=campaign, label="Website")
    ChannelFactory(campaign=campaign, name="Flyer", description="Gedruckt", reach_label="Stück")
    CampaignEventFactory(
        campaign=campaign,
        title="Treffen",
        description="Austausch",
        topics="Wohnen\nArbeit",
        methods="Karte",
        results="Ergebnis",
    )
    KeyFigureFactory(campaign=campaign, name="Besuche", note="geschätzt")
    campaign.markets.add(MarketFactory(name="Mitteldeutschland", iso_code=""))
    campaign.target_groups.add(ap.TargetGroup.objects.first())
    return {"plan": plan, "measure": measure, "campaign": campaign}


def everything(client, query: str = "", **headers) -> list:
    """The whole list of every endpoint (one page of up to 200) as parsed JSON."""
    pages = []
    for name in LISTS:
        url = reverse(f"api:{name[:-1]}-list") + f"?page_size=200{query}"
        response = client.get(url, **headers)
        assert response.status_code == 200, url
        assert response.json()["results"], url
        pages.append(response.json())
    return pages


def walk(data, found: list) -> list[tuple[str, str, dict]]:
    """(key, text, object) of every text in ``data`` (a list of texts: each of them)."""
    if isinstance(data, dict):
        for name, value in data.items():
            if isinstance(value, str):
                found.append((name, value, data))
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                found += [(name, v, data) for v in value]
            else:
                walk(value, found)
    elif isinstance(data, list):
        for value in data:
            walk(value, found)
    return found


def translated_objects(data) -> list[dict]:
    """Every printed object that carries ``in_german`` (every object with translated texts)."""
    if isinstance(data, dict):
        own = [data] if "in_german" in data else []
        return own + [o for value in data.values() for o in translated_objects(value)]
    if isinstance(data, list):
        return [o for value in data for o in translated_objects(value)]
    return []


def printed_english(pages, *, in_base: bool) -> set[tuple[str, str]]:
    """The (model, field) of every English text printed under ``<key>_en`` (or, with
    ``in_base``, under the base key with the same text in ``<key>_en``)."""
    pairs = set()
    for name, value, obj in walk(pages, []):
        match = ENGLISH.match(value)
        if not match:
            continue
        if in_base:
            if name.endswith(registry.SUFFIX) or name == "display_name":
                continue  # the English key itself; a market's name as shown
            english = obj[registry.english(name)]
            assert value == english or value in english, (name, value)
        else:
            assert name.endswith(registry.SUFFIX), f"English under the German key {name}"
        pairs.add(match.group(1, 2))
    return pairs


EVERY_TEXT = {(label, field) for label, fields in registry.FIELDS.items() for field in fields}


def test_german_answer_holds_every_translated_text_in_both_languages(client, bilingual):
    fill_english()

    pages = everything(client)

    assert printed_english(pages, in_base=False) == EVERY_TEXT
    measure = next(m for m in pages[2]["results"] if m["id"] == bilingual["measure"].pk)
    assert measure["title"] == bilingual["measure"].title
    assert measure["title_en"] == english_of(bilingual["measure"], "title")
    objects = translated_objects(pages)
    assert len(objects) > 20
    assert all(obj["in_german"] == [] for obj in objects)


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        ("&lang=en", {}),
        ("", {"HTTP_ACCEPT_LANGUAGE": "en"}),
        ("&lang=en", {"HTTP_ACCEPT_LANGUAGE": "de"}),
    ],
    ids=["lang", "accept-language", "lang-wins"],
)
def test_english_answer_puts_english_in_the_base_keys(client, bilingual, query, headers):
    fill_english()

    pages = everything(client, query, **headers)

    assert printed_english(pages, in_base=True) == EVERY_TEXT
    assert all(obj["in_german"] == [] for obj in translated_objects(pages))


def test_english_answer_lists_what_it_gives_in_german(client, bilingual):
    measure = bilingual["measure"]
    fill_english(skip={("actionplan.Measure", "title"), ("actionplan.BudgetCategory", "name")})
    ap.Step.objects.filter(measure=measure, parent__isnull=False).update(text_en="")

    data = client.get(reverse("api:measure-detail", args=[measure.pk]) + "?lang=en").json()

    assert (data["title"], data["title_en"]) == (measure.title, "")
    assert data["in_german"] == ["title"]
    assert data["description"] == english_of(measure, "description")
    substep = data["steps"][0]["substeps"][0]
    assert (substep["text"], substep["in_german"]) == ("Unterschritt", ["text"])
    assert data["steps"][0]["in_german"] == []
    lines = data["budget_lines"]
    assert lines
    for line in lines:  # every category is German only, the funding sources are English
        assert (line["category_en"], line["in_german"]) == ("", ["category"])
        assert ap.BudgetCategory.objects.filter(name=line["category"]).exists()
        assert line["funding_source"] is None or line["funding_source"].startswith("EN ")


def test_plan_and_campaign_carry_their_note_on_the_english_version(client, bilingual):
    note = "Translated by the city's EU office; the German original is authoritative."
    for obj, name in ((bilingual["plan"], "plan"), (bilingual["campaign"], "campaign")):
        type(obj).objects.filter(pk=obj.pk).update(english_note=note)

        data = client.get(reverse(f"api:{name}-detail", args=[obj.pk]) + "?lang=en").json()

        assert data["english_note"] == note


def test_german_request_marks_nothing_even_without_english(client, bilingual):
    data = client.get(reverse("api:measure-detail", args=[bilingual["measure"].pk])).json()

    assert data["title_en"] == "" and data["in_german"] == []


def test_answer_says_its_language_and_caches_keep_languages_apart(client, bilingual):
    fill_english()
    url = reverse("api:plan-detail", args=[bilingual["plan"].pk])

    german = client.get(url)
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    by_parameter = client.get(url + "?lang=en", HTTP_ACCEPT_LANGUAGE="de")
    explicit_german = client.get(url + "?lang=de", HTTP_ACCEPT_LANGUAGE="en")

    assert german["Content-Language"] == "de" and english["Content-Language"] == "en"
    assert by_parameter["Content-Language"] == "en"
    assert explicit_german["Content-Language"] == "de"
    assert explicit_german.json()["title"] == german.json()["title"] == bilingual["plan"].title
    for response in (german, english, by_parameter):
        assert "Accept-Language" in response["Vary"]
    # a cache that keeps the German ETag does not get German for an English request
    assert german["ETag"] != english["ETag"] == by_parameter["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=german["ETag"]).status_code == 304
    assert (
        client.get(url, HTTP_IF_NONE_MATCH=german["ETag"], HTTP_ACCEPT_LANGUAGE="en").status_code
        == 200
    )


@pytest.mark.parametrize("value", ["fr", "", "EN", "en-GB"])
def test_other_languages_are_refused_with_the_reason(client, db, value):
    for url in (reverse("api:measure-list"), reverse("api:plan-detail", args=[1])):
        response = client.get(url, {"lang": value})

        assert response.status_code == 400, url
        assert list(response.json()) == ["lang"]


def test_schema_documents_the_parameter_the_english_keys_and_in_german(client):
    schema = client.get(reverse("api:schema") + "?format=json").json()

    for path, item in schema["paths"].items():
        operation = item["get"]
        lang = next(p for p in operation["parameters"] if p["name"] == "lang")
        assert lang["schema"]["enum"] == ["de", "en"], path
        assert "400" in operation["responses"], path
        assert "Content-Language" in operation["responses"]["200"]["headers"], path
    components = schema["components"]["schemas"]
    measure = components["Measure"]["properties"]
    for key in ("title_en", "description_en", "in_german"):
        assert measure[key]["readOnly"], key
    assert measure["in_german"]["items"]["pattern"] == "^(title|description)$"
    budget = components["BudgetLine"]["properties"]
    assert {"category_en", "funding_source_en", "note_en"} <= set(budget)
    assert components["CampaignEvent"]["properties"]["topics_en"]["type"] == "array"


@pytest.mark.parametrize("name", sorted(PINNED))
def test_english_lists_cost_the_same_queries_as_german(client, name, django_assert_num_queries):
    query_world(2)
    fill_english()
    url = reverse(name) + "?page_size=200"
    with CaptureQueriesContext(connection) as german:
        assert client.get(url).status_code == 200

    with django_assert_num_queries(PINNED[name]):
        response = client.get(url + "&lang=en")

    assert response.status_code == 200
    assert len(german.captured_queries) == PINNED[name]
    assert response["Content-Language"] == "en"


def test_english_texts_of_drafts_never_leak(client, api_leak):  # noqa: F811
    """Every draft's English text names the draft marker; an English crawl sees none."""
    for model in registry.models():
        for obj in model.objects.all():
            values = {
                registry.english(field): f"{getattr(obj, field)} (en)"
                for field in registry.fields_of(model)
                if getattr(obj, field)
            }
            model.objects.filter(pk=obj.pk).update(**values)
    published = api_leak["public"][0]
    published.refresh_from_db()
    assert MARKER not in published.title_en  # the positive control: English is printed

    assert_public_only(client, api_leak, HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(reverse("api:measure-list") + "?lang=en&page_size=200").content.decode()
    assert MARKER not in page
    assert json.dumps(published.title_en, ensure_ascii=False) in page
