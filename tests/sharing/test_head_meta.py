"""Link previews and findability: every public page's <head> has OpenGraph and Twitter tags,
an absolute canonical link, hreflang alternates and schema.org JSON-LD without drafts."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import translation
from PIL import Image

from actionplan import models as ap
from actionplan import page_meta
from tests.campaigns.factories import CampaignEventFactory, CampaignFactory
from tests.factories import MeasureFactory, OrganisationFactory, build_plan

pytestmark = pytest.mark.django_db

BASE = "https://planwerk.example.org"
DRAFT = "GEHEIM"  # every draft title below contains it


class Head(HTMLParser):
    """The <meta>, <link> and JSON-LD of a page's <head>."""

    def __init__(self, text: str):
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.links: list[dict] = []
        self.json_ld: list[str] = []
        self.raw_head = text.split("</head>")[0]
        self._script = None
        self.feed(self.raw_head)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            key = attrs.get("property") or attrs.get("name")
            if key:
                self.meta.setdefault(key, []).append(attrs.get("content", ""))
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._script = []

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.json_ld.append("".join(self._script))
            self._script = None

    def one(self, key) -> str:
        values = self.meta.get(key, [])
        assert len(values) == 1, f"{key}: {values}"
        return values[0]

    def rel(self, rel) -> list[dict]:
        return [link for link in self.links if link.get("rel") == rel]

    @property
    def canonical(self) -> str:
        (link,) = self.rel("canonical")
        return link["href"]

    @property
    def hreflangs(self) -> dict[str, str]:
        return {
            link["hreflang"]: link["href"] for link in self.rel("alternate") if "hreflang" in link
        }

    def graph(self) -> list[dict]:
        assert len(self.json_ld) == 1, self.json_ld
        data = json.loads(self.json_ld[0])
        assert data["@context"] == "https://schema.org"
        return data["@graph"]

    def types(self) -> set[str]:
        return {node["@type"] for node in self.graph()}


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.PLANWERK_BASE_URL = BASE


@pytest.fixture
def site(db):
    """A published plan with a published and a draft measure, a draft plan, a published
    campaign with a dated event and a draft campaign with one."""
    plan = build_plan(fields=1, measures_per_field=2, steps_per_measure=1, slug="offen")
    plan.author_organisation = OrganisationFactory(name="Stadt Offen", kind="city")
    plan.period_label = "2011 bis 2012"
    plan.save()
    field = plan.fields.get()
    measure, hidden = field.measures.order_by("position")
    hidden.title = f"{DRAFT}er Maßnahmenentwurf"
    hidden.state = ap.Measure.State.DRAFT
    hidden.save()
    draft_plan = build_plan(
        fields=1, measures_per_field=1, steps_per_measure=1, slug="entwurf", status="draft"
    )
    draft_plan.title = f"{DRAFT}er Plan"
    draft_plan.save()
    campaign = CampaignFactory(title="Offene Kampagne", slug="offen", organiser__kind="agency")
    CampaignEventFactory(campaign=campaign, title="Netzwerktreffen", place="Leipzig")
    CampaignEventFactory(campaign=campaign, title="Ohne Datum", date_label="")
    secret = CampaignFactory(title=f"{DRAFT}e Kampagne", slug="geheim", status="draft")
    CampaignEventFactory(campaign=secret, title=f"{DRAFT}es Treffen")
    return {
        "plan": plan,
        "field": field,
        "measure": measure,
        "hidden": hidden,
        "draft_plan": draft_plan,
        "campaign": campaign,
    }


def _pages(site) -> dict[str, tuple[str, set[str]]]:
    """Every kind of public page: its URL and the schema.org types its JSON-LD holds."""
    plan, field, measure = site["plan"], site["field"], site["measure"]
    slug = {"plan_slug": plan.slug}
    plan_page = {"WebPage", "WebSite", "BreadcrumbList", "GovernmentOrganization"}
    return {
        "home": (reverse("actionplan:plan_list"), {"CollectionPage", "WebSite"}),
        # the open data of a plan are a section of its page
        "plan": (plan.get_absolute_url(), plan_page | {"Dataset"}),
        "field": (field.get_absolute_url(), plan_page),
        "measure": (measure.get_absolute_url(), plan_page),
        "timeline": (reverse("actionplan:plan_timeline", kwargs=slug), plan_page),
        "measure_list": (
            reverse("actionplan:measure_list", kwargs=slug),
            plan_page - {"WebPage"} | {"CollectionPage"},
        ),
        "progress": (reverse("progress:plan_dashboard", kwargs=slug), plan_page),
        # a breadcrumb of one link is no trail
        "campaign_list": (reverse("campaigns:campaign_list"), {"CollectionPage", "WebSite"}),
        "campaign": (
            site["campaign"].get_absolute_url(),
            {"WebPage", "WebSite", "BreadcrumbList", "Event", "Organization"},
        ),
        "contacts": (
            reverse("contacts:directory"),
            {"CollectionPage", "WebSite", "BreadcrumbList"},
        ),
        "organisation": (
            plan.author_organisation.get_absolute_url(),
            {"WebPage", "WebSite", "BreadcrumbList", "GovernmentOrganization"},
        ),
        "search": (
            reverse("search:results") + "?q=Ma%C3%9Fnahme",
            {"SearchResultsPage", "WebSite"},
        ),
        "legal": (reverse("legal:impressum"), {"WebPage", "WebSite"}),
    }


PAGES = [
    "home",
    "plan",
    "field",
    "measure",
    "timeline",
    "measure_list",
    "progress",
    "campaign_list",
    "campaign",
    "contacts",
    "organisation",
    "search",
    "legal",
]


def _get(client, url) -> Head:
    response = client.get(url)
    assert response.status_code == 200, url
    return Head(response.content.decode())


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_public_page_head_has_previews_canonical_and_alternates(client, site, name, language):
    with translation.override(language):
        url, _types = _pages(site)[name]
    head = _get(client, url)

    path = url.split("?")[0]
    assert head.canonical == BASE + path
    assert head.one("og:url") == head.canonical
    assert head.one("og:title")
    assert head.one("twitter:title") == head.one("og:title")
    assert head.one("og:description")
    assert head.one("og:site_name") == "Planwerk"
    assert head.one("og:locale") == {"de": "de_DE", "en": "en_GB"}[language]
    assert head.one("og:image").startswith(BASE + "/static/img/share-default")
    assert head.one("og:image:width") == "1200"
    assert head.one("og:image:height") == "630"
    assert head.one("twitter:card") == "summary_large_image"

    german = path.removeprefix("/en")
    assert head.hreflangs == {
        "de": BASE + german,
        "en": BASE + "/en" + german,
        "x-default": BASE + german,
    }
    assert {link["href"] for link in head.rel("apple-touch-icon")} == {
        "/static/icons/apple-touch-icon.png"
    }
    assert {link["href"] for link in head.rel("manifest")} == {"/static/site.webmanifest"}
    assert "/static/icons/favicon-32.png" in {link["href"] for link in head.rel("icon")}


@pytest.mark.parametrize("name", PAGES)
def test_public_page_json_ld_has_the_types_of_the_page_and_no_draft(client, site, name):
    url, types = _pages(site)[name]
    head = _get(client, url)

    assert head.types() == types
    assert DRAFT not in head.raw_head
    page = head.graph()[0]
    assert page["url"] == head.canonical
    assert page["name"] == head.one("og:title")


def test_member_sees_no_draft_in_the_head_of_a_published_plan(client, site, staff_user):
    """A member's plan page lists the draft measure; nothing in the head names it."""
    from access.models import Membership

    Membership.objects.create(user=staff_user, plan=site["plan"], role=Membership.Role.COORDINATOR)
    client.force_login(staff_user)
    response = client.get(site["plan"].get_absolute_url())
    assert DRAFT in response.content.decode()  # the member sees it on the page
    head = Head(response.content.decode())
    assert DRAFT not in head.raw_head
    assert head.types() >= {"Dataset", "BreadcrumbList"}


def test_draft_preview_is_noindex_without_structured_data(client, site, staff_user):
    from access.models import Membership

    Membership.objects.create(
        user=staff_user, plan=site["draft_plan"], role=Membership.Role.COORDINATOR
    )
    client.force_login(staff_user)
    for url in (site["draft_plan"].get_absolute_url(), site["hidden"].get_absolute_url()):
        head = _get(client, url)
        assert head.one("robots") == "noindex, nofollow"
        assert head.json_ld == []


def test_member_gets_no_json_ld_on_a_person_page(client, site, staff_user):
    """Members also see persons named by drafts only; whether one is public is not known
    without a query, so their view of a person page carries no structured data."""
    from access.models import Membership

    Membership.objects.create(user=staff_user, plan=site["draft_plan"], role=Membership.Role.READER)
    person = site["draft_plan"].fields.get().field_contacts.first().person
    assert client.get(person.get_absolute_url()).status_code == 404  # named by a draft only
    client.force_login(staff_user)
    head = _get(client, person.get_absolute_url())
    assert head.json_ld == []
    assert head.one("robots") == "noindex, nofollow"


def test_filtered_list_canonicalises_to_the_unfiltered_list_and_is_not_indexed(client, site):
    url = reverse("actionplan:measure_list", kwargs={"plan_slug": site["plan"].slug})
    head = _get(client, url + "?q=Ma%C3%9Fnahme&field=handlungsfeld-1&page=2")
    assert head.canonical == BASE + url
    assert head.one("robots") == "noindex, follow"
    assert head.hreflangs["en"] == BASE + "/en" + url
    assert head.graph()[0]["url"] == BASE + url

    unfiltered = _get(client, url)
    assert "robots" not in unfiltered.meta
    later = _get(client, url + "?page=2")
    assert later.canonical == BASE + url + "?page=2"
    assert "robots" not in later.meta


def test_search_results_are_not_indexed_once(client, site):
    head = _get(client, reverse("search:results") + "?q=Ma%C3%9Fnahme")
    assert head.meta["robots"] == ["noindex, follow"]
    assert head.canonical == BASE + reverse("search:results")


def test_breadcrumb_list_follows_the_page_breadcrumb(client, site):
    measure, field, plan = site["measure"], site["field"], site["plan"]
    head = _get(client, measure.get_absolute_url())
    (crumbs,) = [n for n in head.graph() if n["@type"] == "BreadcrumbList"]
    items = crumbs["itemListElement"]
    assert [i["position"] for i in items] == [1, 2, 3, 4]
    assert [i["item"] for i in items] == [
        BASE + "/",
        BASE + plan.get_absolute_url(),
        BASE + field.get_absolute_url(),
        BASE + measure.get_absolute_url(),
    ]
    assert items[1]["name"] == plan.title
    assert items[2]["name"] == field.title


def test_plan_json_ld_names_publisher_and_open_data(client, site):
    plan = site["plan"]
    graph = _get(client, plan.get_absolute_url()).graph()
    nodes = {node["@type"]: node for node in graph}
    publisher = nodes["GovernmentOrganization"]
    assert publisher["name"] == "Stadt Offen"
    dataset = nodes["Dataset"]
    assert dataset["publisher"] == {"@id": publisher["@id"]}
    assert dataset["license"] == plan.licence.url
    assert dataset["temporalCoverage"] == "2011-01-01/2012-12-31"
    assert {d["contentUrl"] for d in dataset["distribution"]} == {
        BASE + reverse(name, kwargs={"plan_slug": plan.slug})
        for name in ("opendata:plan_csv", "opendata:plan_json", "opendata:plan_metadata")
    }
    assert nodes["WebPage"]["publisher"] == {"@id": publisher["@id"]}


def test_campaign_events_are_schema_org_events(client, site):
    campaign = site["campaign"]
    graph = _get(client, campaign.get_absolute_url()).graph()
    events = [node for node in graph if node["@type"] == "Event"]
    # the event without a date is no schema.org Event (startDate is required)
    assert [(e["name"], e["startDate"]) for e in events] == [("Netzwerktreffen", "2024-01")]
    assert events[0]["location"]["name"] == "Leipzig"
    organiser = next(node for node in graph if node["@id"] == events[0]["organizer"]["@id"])
    assert organiser["name"] == campaign.organiser.name


def test_json_ld_cannot_close_its_script_element(client, site):
    plan = site["plan"]
    plan.title = 'Plan </script><script>alert("x")</script> & <!-- more'
    plan.save()
    response = client.get(plan.get_absolute_url())
    text = response.content.decode()
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S).group(1)
    assert "<" not in script and ">" not in script and "&" not in script
    titles = {node.get("name") for node in json.loads(script)["@graph"]}
    assert any(str(title).startswith('Plan </script><script>alert("x")') for title in titles)
    assert "<script>alert" not in text


@pytest.mark.parametrize("name", ["plan", "measure", "progress", "campaign", "organisation"])
def test_head_meta_adds_no_query(client, site, name, monkeypatch, private_cache):
    """The tags and the JSON-LD are built from what the page loaded anyway."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from actionplan.templatetags import planwerk_meta

    url, _types = _pages(site)[name]
    client.get(url)  # sessions, translations and the like warmed up

    def count() -> int:
        private_cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    with_meta = count()
    monkeypatch.setattr(planwerk_meta, "render_block", lambda context, name: None)
    monkeypatch.setattr(page_meta, "structured_data", lambda *args, **kwargs: "")
    assert count() == with_meta


def test_error_page_has_no_canonical(client, site):
    response = client.get("/plaene/gibt-es-nicht/")
    assert response.status_code == 404
    head = Head(response.content.decode())
    assert head.rel("canonical") == []
    assert head.one("robots") == "noindex"
    assert head.json_ld == []


def test_manifest_and_icons_are_served_and_sized(client):
    manifest = json.loads(open(finders.find("site.webmanifest"), encoding="utf-8").read())
    assert manifest["short_name"] == "Planwerk"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert sizes == {"192x192", "512x512"}
    for name, size in (
        ("icons/favicon-32.png", (32, 32)),
        ("icons/apple-touch-icon.png", (180, 180)),
        ("icons/icon-192.png", (192, 192)),
        ("icons/icon-512.png", (512, 512)),
        ("img/share-default.png", page_meta.SHARE_IMAGE_SIZE),
    ):
        path = finders.find(name)
        assert path, name
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert image.size == size, name
    for icon in manifest["icons"]:
        assert finders.find(icon["src"]), icon["src"]


def test_measure_factory_page_of_other_plan_is_not_mixed(client, site):
    """A page of another published plan names its own publisher only."""
    other = MeasureFactory(field__plan__slug="anders")
    head = _get(client, other.get_absolute_url())
    assert "Stadt Offen" not in head.raw_head
