"""What a public page tells search engines and link previews: canonical and alternate URLs,
OpenGraph and Twitter tags, and schema.org JSON-LD.

Everything is built from the page's own context and the objects already loaded for it, so no
page makes a query more for it. JSON-LD names public objects only: when the page shows a draft
(a member's preview) it gets ``noindex`` and no structured data at all.
"""

from __future__ import annotations

import datetime
import html
import json
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.templatetags.static import static
from django.urls import reverse, translate_url
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .schedule import Precision, parse_schedule

SITE_NAME = "Planwerk"
SHARE_IMAGE = "img/share-default.png"
SHARE_IMAGE_SIZE = (1200, 630)
# URL namespaces of the public pages: they get a canonical link, alternates and JSON-LD.
PUBLIC_NAMESPACES = {
    "actionplan",
    "progress",
    "campaigns",
    "contacts",
    "search",
    "legal",
    "versions",
    "indicators",
}
# Pages that list things: schema.org's CollectionPage.
COLLECTION_PAGES = {
    "actionplan:plan_list",
    "actionplan:measure_list",
    "indicators:indicator_list",
    "campaigns:campaign_list",
    "contacts:directory",
}
ERROR_TEMPLATES = {"404.html", "500.html"}
OG_LOCALES = {"de": "de_DE", "en": "en_GB"}
DESCRIPTION_MAX = 300
GOVERNMENT_KINDS = {"city", "department"}

# As django.utils.html.json_script: nothing in the JSON can close the <script> element.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def base_url() -> str:
    return settings.PLANWERK_BASE_URL.rstrip("/")


def absolute(url: str) -> str:
    """An absolute URL on the site's public address (``PLANWERK_BASE_URL``)."""
    if re.match(r"^https?://", url):
        return url
    return base_url() + (url if url.startswith("/") else "/" + url)


def plain_text(rendered: str | None) -> str:
    """Rendered (escaped) template text as plain text on one line."""
    if not rendered:
        return ""
    text = html.unescape(re.sub(r"<[^>]*>", " ", str(rendered)))
    return " ".join(text.split())


def shorten(text: str, limit: int = DESCRIPTION_MAX) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:–-") + "…"


def canonical_query(query) -> tuple[str, bool]:
    """The part of the query string the canonical URL keeps, and whether the page is filtered.

    A list's later pages are pages of their own (``?page=3``); filters and searches are views
    of the unfiltered page, which is canonical, and are not to be indexed themselves.
    """
    filtered = any(key != "page" for key in query)
    if filtered:
        return "", True
    page = query.get("page", "")
    if page.isdigit() and int(page) > 1:
        return "?" + urlencode({"page": int(page)}), False
    return "", False


def alternates(path: str) -> list[dict]:
    """The page in every language (``hreflang``), and ``x-default``: the default language."""
    links = []
    for code, _name in settings.LANGUAGES:
        links.append({"hreflang": code, "href": absolute(translate_url(path, code))})
    default = next(
        (link["href"] for link in links if link["hreflang"] == settings.LANGUAGE_CODE), None
    )
    if default:
        links.append({"hreflang": "x-default", "href": default})
    return links


class _LinkParser(HTMLParser):
    """The links of a rendered breadcrumb: (text, href) in order."""

    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs).get("href")
            self._text = []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((" ".join("".join(self._text).split()), self._href))
            self._href = None


def breadcrumb_links(rendered: str | None) -> list[tuple[str, str]]:
    if not rendered:
        return []
    parser = _LinkParser()
    parser.feed(str(rendered))
    return [(text, href) for text, href in parser.links if text and href]


def _published(obj, plan) -> bool:
    """Whether an object the page shows is public, from its own state (no query)."""
    from campaigns.models import Campaign

    from .models import FieldOfAction, Measure, Plan

    if isinstance(obj, Plan):
        return obj.status == Plan.Status.PUBLISHED
    if isinstance(obj, FieldOfAction):
        return plan is not None and _published(plan, None)
    if isinstance(obj, Measure):
        return obj.state == Measure.State.PUBLISHED and plan is not None and _published(plan, None)
    if isinstance(obj, Campaign):
        return obj.is_public
    return True


def shows_only_public(context) -> bool:
    """No object of the page's context is a draft (a member's preview shows drafts).

    A person's page is public when a published plan or campaign names the person, which takes
    a query to know; members (who also see persons named by drafts only) get no JSON-LD there.
    """
    from contacts.models import Person

    request = context.get("request")
    user = getattr(request, "user", None)
    if isinstance(context.get("person"), Person) and getattr(user, "is_authenticated", False):
        return False
    plan = context.get("plan")
    for key in ("plan", "field", "measure", "campaign"):
        obj = context.get(key)
        if isinstance(obj, models.Model) and not _published(obj, plan):
            return False
    return True


def _loaded(obj, name: str):
    """A related object if it was loaded with ``obj``, else None (never a query)."""
    field = obj._meta.get_field(name)
    if getattr(obj, field.attname, None) is None or not field.is_cached(obj):
        return None
    return getattr(obj, name)


def _organisation_type(org) -> str:
    return "GovernmentOrganization" if org.kind in GOVERNMENT_KINDS else "Organization"


def organisation_node(org) -> dict:
    node = {
        "@type": _organisation_type(org),
        "@id": absolute(org.get_absolute_url()) + "#organisation",
        "name": org.name,
        "url": absolute(org.get_absolute_url()),
    }
    if org.short_name and org.short_name != org.name:
        node["alternateName"] = org.short_name
    if org.website:
        node["sameAs"] = org.website
    parent = _loaded(org, "parent")
    if parent is not None:
        node["parentOrganization"] = {
            "@type": _organisation_type(parent),
            "name": parent.name,
            "url": absolute(parent.get_absolute_url()),
        }
    return node


def _iso(day: datetime.date, precision: str) -> str:
    """A date as precisely as it is known: 2024, 2024-01 or 2024-01-15 (ISO 8601)."""
    if precision == Precision.YEAR:
        return f"{day.year:04d}"
    if precision == Precision.DAY:
        return day.isoformat()
    return f"{day.year:04d}-{day.month:02d}"


def event_nodes(campaign) -> list[dict]:
    """schema.org Events of a published campaign's dated events."""
    url = absolute(campaign.get_absolute_url())
    organiser = _loaded(campaign, "organiser")
    nodes = []
    for event in campaign.events.all():
        if event.date is None:
            continue
        node = {
            "@type": "Event",
            "@id": f"{url}#event-{event.pk}",
            "name": event.title,
            "startDate": _iso(event.date, event.date_precision),
            "url": f"{url}#event-{event.pk}",
            "inLanguage": "de",
        }
        if event.place:
            node["location"] = {"@type": "Place", "name": event.place, "address": event.place}
        if event.description:
            node["description"] = shorten(" ".join(event.description.split()))
        if organiser is not None:
            node["organizer"] = {"@id": organisation_node(organiser)["@id"]}
        nodes.append(node)
    if nodes and organiser is not None:
        nodes.append(organisation_node(organiser))
    return nodes


def dataset_node(plan, *, url: str, description: str, publisher: dict | None) -> dict:
    """The plan's open data (the section on its page) as a schema.org Dataset."""
    slug = {"plan_slug": plan.slug}
    downloads = [
        ("opendata:plan_csv", "application/zip", _("CSV files, one per kind of content (ZIP)")),
        ("opendata:plan_json", "application/json", _("The whole plan as JSON")),
        (
            "opendata:plan_metadata",
            "application/ld+json",
            _("Metadata for open-data portals (DCAT-AP.de, JSON-LD)"),
        ),
    ]
    node = {
        "@type": "Dataset",
        "@id": url + "#dataset",
        "name": str(plan),
        "description": description or str(plan),
        "url": url,
        "license": plan.licence.url,
        "isAccessibleForFree": True,
        "inLanguage": plan.language or "de",
        "spatialCoverage": {"@type": "Place", "name": plan.region},
        "distribution": [
            {
                "@type": "DataDownload",
                "name": str(name),
                "encodingFormat": media_type,
                "contentUrl": absolute(reverse(route, kwargs=slug)),
            }
            for route, media_type, name in downloads
        ],
    }
    if plan.content_changed_at:
        node["dateModified"] = timezone.localdate(plan.content_changed_at).isoformat()
    if plan.period_label:
        period = parse_schedule(plan.period_label)
        if period.start and period.end:
            node["temporalCoverage"] = f"{period.start.isoformat()}/{period.end.isoformat()}"
    if publisher:
        node["publisher"] = {"@id": publisher["@id"]}
        node["creator"] = {"@id": publisher["@id"]}
    return node


def website_node() -> dict:
    search = absolute(reverse("search:results"))
    return {
        "@type": "WebSite",
        "@id": base_url() + "/#website",
        "name": SITE_NAME,
        "url": absolute(reverse("actionplan:plan_list")),
        "inLanguage": [code for code, _name in settings.LANGUAGES],
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": search + "?q={search_term_string}"},
            "query-input": "required name=search_term_string",
        },
    }


def json_ld(graph: list[dict]) -> str:
    """The graph as the text of a ``<script type="application/ld+json">`` element."""
    data = {"@context": "https://schema.org", "@graph": graph}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)


def structured_data(context, *, view_name: str, url: str, title: str, description: str, crumbs):
    """The JSON-LD graph of a public page."""
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    site = website_node()
    if view_name == "search:results":
        page_type = "SearchResultsPage"
    elif view_name in COLLECTION_PAGES:
        page_type = "CollectionPage"
    else:
        page_type = "WebPage"
    page = {
        "@type": page_type,
        "@id": url,
        "url": url,
        "name": title,
        "inLanguage": language,
        "isPartOf": {"@id": site["@id"]},
    }
    if description:
        page["description"] = description
    graph = [page, site]
    if len(crumbs) > 1:
        breadcrumb = {
            "@type": "BreadcrumbList",
            "@id": url + "#breadcrumb",
            "itemListElement": [
                {"@type": "ListItem", "position": i, "name": text, "item": absolute(href)}
                for i, (text, href) in enumerate(crumbs, start=1)
            ],
        }
        page["breadcrumb"] = {"@id": breadcrumb["@id"]}
        graph.append(breadcrumb)

    from campaigns.models import Campaign
    from contacts.models import Organisation

    from .models import Plan

    plan = context.get("plan")
    namespace = view_name.split(":")[0]
    if isinstance(plan, Plan) and namespace in {"actionplan", "progress"}:
        author = _loaded(plan, "author_organisation")
        publisher = organisation_node(author) if author is not None else None
        if publisher:
            page["publisher"] = {"@id": publisher["@id"]}
            graph.append(publisher)
        if view_name == "actionplan:plan_detail":
            graph.append(dataset_node(plan, url=url, description=description, publisher=publisher))
    campaign = context.get("campaign")
    if isinstance(campaign, Campaign) and view_name == "campaigns:campaign_detail":
        graph.extend(event_nodes(campaign))
    organisation = context.get("organisation")
    if isinstance(organisation, Organisation) and view_name == "contacts:organisation_detail":
        node = organisation_node(organisation)
        page["about"] = {"@id": node["@id"]}
        graph.append(node)
    return json_ld(graph)


def share_image() -> dict:
    width, height = SHARE_IMAGE_SIZE
    return {
        "url": absolute(static(SHARE_IMAGE)),
        "width": width,
        "height": height,
        "alt": _("Planwerk – action plans and campaigns of cities and regions"),
    }


def page_meta(context, *, title: str, description: str, breadcrumb: str | None) -> dict:
    """What ``includes/_head_meta.html`` shows for the page rendered with ``context``."""
    request = context.get("request")
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    meta = {
        "site_name": SITE_NAME,
        "title": title or SITE_NAME,
        "description": shorten(description),
        "image": share_image(),
        "og_locale": OG_LOCALES.get(language, language),
        "og_locale_alternates": [
            OG_LOCALES.get(code, code) for code, _name in settings.LANGUAGES if code != language
        ],
        "canonical": None,
        "alternates": [],
        "robots": "",
        "json_ld": "",
    }
    template = getattr(getattr(context, "template", None), "name", None)
    match = getattr(request, "resolver_match", None) if request is not None else None
    if template in ERROR_TEMPLATES or match is None or match.namespace not in PUBLIC_NAMESPACES:
        if template in ERROR_TEMPLATES:
            meta["robots"] = "noindex"
        return meta
    query, filtered = canonical_query(request.GET)
    path = request.path + query
    meta["canonical"] = absolute(path)
    meta["alternates"] = alternates(path)
    public = shows_only_public(context)
    if filtered or not public:
        meta["robots"] = "noindex, follow" if public else "noindex, nofollow"
    if public:
        meta["json_ld"] = structured_data(
            context,
            view_name=match.view_name,
            url=meta["canonical"],
            title=meta["title"],
            description=meta["description"],
            crumbs=breadcrumb_links(breadcrumb),
        )
    return meta


# Heights that fit the embeds' content at the width of a sidebar or an article column.
EMBED_HEIGHTS = {"plan": 380, "measure": 300}


def embed_snippet(obj, *, plan) -> dict:
    """The ``<iframe>`` code for the embed of a published plan or measure; empty when no site
    may frame the embeds or the object is not public."""
    from .models import Measure, Plan

    if not getattr(settings, "PLANWERK_EMBED_FRAME_ANCESTORS", None):
        return {}
    if isinstance(obj, Plan) and _published(obj, None):
        kind, url = "plan", reverse("embeds:plan", kwargs={"plan_slug": obj.slug})
    elif isinstance(obj, Measure) and _published(obj, plan):
        kind = "measure"
        url = reverse(
            "embeds:measure",
            kwargs={
                "plan_slug": plan.slug,
                "field_slug": obj.field.slug,
                "measure_slug": obj.slug,
            },
        )
    else:
        return {}
    title = _("Planwerk: %(title)s") % {"title": obj.title}
    code = format_html(
        '<iframe src="{}" title="{}" width="100%" height="{}" loading="lazy" '
        'style="border:0;max-width:40rem"></iframe>',
        absolute(url),
        title,
        EMBED_HEIGHTS[kind],
    )
    return {"embed_code": code, "embed_url": absolute(url), "embed_kind": kind}
