"""DCAT-AP.de metadata of a plan's open data, as JSON-LD: what a city's open-data portal (and
through it GovData) harvests to list the plan as a dataset with its two distributions.

The document is the ``dcat:Dataset``; through ``@reverse`` it also names the catalog that lists
it (``dcat:Catalog``, this site) and its catalog record (``dcat:CatalogRecord``), which says in
``dct:conformsTo`` which profiles the metadata follows: DCAT-AP 3.0 and DCAT-AP.de 2.0. The
shapes in ``opendata/shapes/dcat-ap-de.ttl`` check exactly these rules (tests/opendata)."""

from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from actionplan.models import Plan

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatde": "http://dcat-ap.de/def/dcatde/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "adms": "http://www.w3.org/ns/adms#",
}
EU = "http://publications.europa.eu/resource/authority"
IANA = "https://www.iana.org/assignments/media-types"
LANGUAGES = {"de": "DEU", "en": "ENG"}
# DCAT-AP.de asks for a theme; an action plan of a city is “government and public sector”.
THEME = f"{EU}/data-theme/GOVE"
# The profiles the metadata follows (dct:conformsTo of the catalog record).
DCATAP_VERSION = "https://semiceu.github.io/DCAT-AP/releases/3.0.0/"
DCATDE_VERSION = "https://www.dcat-ap.de/def/dcatde/2.0/spec/"
PROFILES = (DCATAP_VERSION, DCATDE_VERSION)
# The data is complete as published (DCAT-AP.de convention 22: adms:status of distributions).
COMPLETED = "http://purl.org/adms/status/Completed"


def _ref(uri: str) -> dict:
    return {"@id": uri}


def _url(absolute_uri: Callable[[str], str], name: str, plan: Plan) -> str:
    return absolute_uri(reverse(name, kwargs={"plan_slug": plan.slug}))


def _publisher(plan: Plan, absolute_uri) -> dict:
    """The plan's publisher as a ``foaf:Agent`` (DCAT-AP: the range of ``dct:publisher``; an
    organisation is typed as both). Without one, the city or region the plan is for."""
    organisation = plan.author_organisation
    if organisation is None:
        return {"@type": ["foaf:Agent"], "foaf:name": plan.region}
    publisher = {
        "@id": absolute_uri(organisation.get_absolute_url()),
        "@type": ["foaf:Agent", "foaf:Organization"],
        "foaf:name": organisation.display_name,
    }
    if organisation.website:
        publisher["foaf:homepage"] = _ref(organisation.website)
    return publisher


def _contact_point(plan: Plan) -> dict | None:
    organisation = plan.author_organisation
    if organisation is None or not organisation.email:
        return None
    return {
        "@type": ["vcard:Kind", "vcard:Organization"],
        "vcard:fn": organisation.display_name,
        "vcard:hasEmail": _ref(f"mailto:{organisation.email}"),
    }


def _catalog(plan: Plan, absolute_uri, publisher: dict) -> dict:
    """The catalog listing the plan: this site, published by the plan's publisher."""
    with translation.override(settings.LANGUAGE_CODE):
        home = absolute_uri(reverse("actionplan:plan_list"))
    return {
        "@id": f"{home}#katalog",
        "@type": "dcat:Catalog",
        "dct:title": "Planwerk – Maßnahmenpläne",
        "dct:description": "Maßnahmenpläne mit Handlungsfeldern, Maßnahmen, Zeitplan, "
        "Zuständigkeiten und Budget als offene Daten (CSV, JSON).",
        "dct:publisher": publisher,
        "foaf:homepage": _ref(home),
    }


def _record(plan: Plan, metadata_url: str, modified: str | None) -> dict:
    """The catalog record: this metadata document, and the profiles it follows."""
    stamp = modified or (plan.updated_at.isoformat() if plan.updated_at else None)
    record = {
        "@id": f"{metadata_url}#eintrag",
        "@type": "dcat:CatalogRecord",
        "dct:conformsTo": [_ref(uri) for uri in PROFILES],
    }
    if stamp:
        record["dct:modified"] = {"@value": stamp, "@type": "xsd:dateTime"}
    return record


def _both(german: str, english: str):
    """A text as a plain literal, or with its English version as two tagged literals."""
    if not english.strip():
        return german
    return [{"@value": german, "@language": "de"}, {"@value": english, "@language": "en"}]


def _english_title(plan: Plan) -> str:
    """``str(plan)`` in English (“title – subtitle”), empty without an English title."""
    if not plan.title_en.strip():
        return ""
    return f"{plan.title_en} – {plan.subtitle_en}" if plan.subtitle_en.strip() else plan.title_en


def plan_dataset(
    plan: Plan,
    *,
    absolute_uri: Callable[[str], str],
    fields: list[str],
    fields_en: list[str] = (),
    english: bool = False,
) -> dict:
    """The plan as a ``dcat:Dataset``; ``fields`` are the titles of its fields of action (its
    keywords), ``fields_en`` their English titles where written, ``absolute_uri`` makes a
    path absolute (``request.build_absolute_uri``). ``english``: some published text of the
    plan has an English version (``dct:language`` then names English too; the CSV files and
    the JSON document carry it beside the German one)."""
    licence = plan.licence
    modified = plan.content_changed_at.isoformat() if plan.content_changed_at else None
    languages = [LANGUAGES.get(plan.language[:2])]
    if english:
        languages.append(LANGUAGES["en"])
    languages = [code for code in dict.fromkeys(languages) if code]
    csv_url = _url(absolute_uri, "opendata:plan_csv", plan)
    json_url = _url(absolute_uri, "opendata:plan_json", plan)
    common = {"dct:license": _ref(licence.uri), "adms:status": _ref(COMPLETED)}
    if modified:
        common["dct:modified"] = {"@value": modified, "@type": "xsd:dateTime"}
    distributions = [
        {
            **common,
            "@id": csv_url,
            "@type": "dcat:Distribution",
            "dct:title": "CSV (ZIP)",
            "dct:description": "Eine CSV-Datei je Art: Handlungsfelder, Ausgangslage, "
            "Maßnahmen, Schritte, Zeitplan, Zuständigkeiten, Budget, Indikatoren, "
            "Indikatorwerte, Indikatorziele, Indikatorverknüpfungen (UTF-8, Semikolon). "
            "Rechts neben jeder deutschen Textspalte steht ihre englische Fassung "
            "(„Titel (englisch)“ usw.; leer, wo es keine gibt).",
            "dcat:accessURL": _ref(csv_url),
            "dcat:downloadURL": _ref(csv_url),
            "dct:format": _ref(f"{EU}/file-type/CSV"),
            "dcat:mediaType": _ref(f"{IANA}/text/csv"),
            "dcat:packageFormat": _ref(f"{IANA}/application/zip"),
        },
        {
            **common,
            "@id": json_url,
            "@type": "dcat:Distribution",
            "dct:title": "JSON",
            "dct:description": "Der ganze Plan als ein JSON-Dokument (Format planwerk.plan/1), "
            "mit Indikatoren, Zielen und Werten. Jeder Text steht auf Deutsch im Schlüssel "
            "(„title“), seine englische Fassung, wo es eine gibt, daneben („title_en“).",
            "dcat:accessURL": _ref(json_url),
            "dcat:downloadURL": _ref(json_url),
            "dct:format": _ref(f"{EU}/file-type/JSON"),
            "dcat:mediaType": _ref(f"{IANA}/application/json"),
        },
    ]
    page = absolute_uri(plan.get_absolute_url())
    metadata_url = _url(absolute_uri, "opendata:plan_metadata", plan)
    publisher = _publisher(plan, absolute_uri)
    dataset = {
        "@context": CONTEXT,
        "@id": metadata_url,
        "@type": "dcat:Dataset",
        "@reverse": {
            "dcat:dataset": _catalog(plan, absolute_uri, publisher),
            "foaf:primaryTopic": _record(plan, metadata_url, modified),
        },
        "dct:identifier": page,
        "dct:title": _both(str(plan), _english_title(plan)),
        "dct:description": _both(
            plan.introduction.split("\n\n")[0].strip()
            or f"{plan.title} ({plan.region}): Handlungsfelder, Maßnahmen, Zeitplan, "
            "Zuständigkeiten und Budget.",
            plan.introduction_en.split("\n\n")[0].strip(),
        ),
        "dcat:landingPage": _ref(page),
        "dcat:theme": _ref(THEME),
        "dcat:keyword": [*fields, *({"@value": t, "@language": "en"} for t in fields_en)],
        "dct:license": _ref(licence.uri),
        "dcat:distribution": distributions,
    }
    if modified:
        dataset["dct:modified"] = {"@value": modified, "@type": "xsd:dateTime"}
    if plan.issued_on:
        dataset["dct:issued"] = {"@value": plan.issued_on.isoformat(), "@type": "xsd:date"}
    if languages:
        references = [_ref(f"{EU}/language/{code}") for code in languages]
        dataset["dct:language"] = references[0] if len(references) == 1 else references
    dataset["dct:publisher"] = publisher
    if licence.attribution:
        dataset["dcatde:licenseAttributionByText"] = publisher["foaf:name"]
        for distribution in distributions:
            distribution["dcatde:licenseAttributionByText"] = publisher["foaf:name"]
    contact = _contact_point(plan)
    if contact:
        dataset["dcat:contactPoint"] = contact
    contributor = getattr(settings, "OPENDATA_CONTRIBUTOR_ID", "")
    if contributor:
        dataset["dcatde:contributorID"] = _ref(contributor)
    return dataset
