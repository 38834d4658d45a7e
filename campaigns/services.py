"""Writes that span several campaign models: importing campaign documents."""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction

from actionplan.models import Measure, TargetGroup
from contacts.models import Organisation, Person

from .models import (
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

DOCUMENT_FORMAT = "planwerk-campaigns"
CHANGE_REASON = "Imported from a campaign document"

_ORGANISATION_KEYS = {
    "name",
    "short_name",
    "kind",
    "parent",
    "address",
    "phone",
    "email",
    "website",
}
_PERSON_KEYS = {
    "salutation",
    "title",
    "first_name",
    "last_name",
    "function",
    "organisation",
    "phone",
    "email",
    "public_contact",
}
_CAMPAIGN_KEYS = {
    "slug",
    "title",
    "kind",
    "status",
    "lifecycle",
    "motto",
    "slogan",
    "languages",
    "region",
    "organiser",
    "summary",
    "description",
    "goals",
    "period",
    "budget",
    "funding_note",
    "links",
    "source",
    "target_groups",
    "markets",
    "partners",
    "contacts",
    "channels",
    "events",
    "key_figures",
    "related_measures",
}
_CHANNEL_KEYS = {
    "kind",
    "name",
    "description",
    "reach",
    "reach_unit",
    "reach_label",
    "languages",
    "url",
    "period",
    "status",
}
_EVENT_KEYS = {
    "title",
    "kind",
    "date",
    "date_precision",
    "date_label",
    "place",
    "description",
    "topics",
    "methods",
    "results",
    "participants_count",
    "participants",
}
# Model field name -> key in the document, so validation errors name the document path.
_PERIOD_PATHS = {
    "period_label": "period.label",
    "start_date": "period.start",
    "end_date": "period.end",
    "date_precision": "period.precision",
}
_CAMPAIGN_PATHS = {
    **_PERIOD_PATHS,
    "budget_amount": "budget.amount",
    "budget_currency": "budget.currency",
    "budget_note": "budget.note",
    "lifecycle_override": "lifecycle",
}
_KEY_FIGURE_KEYS = {"name", "unit", "target", "actual", "date", "date_label", "note"}


class CampaignImportError(ValueError):
    """Bad input in a campaign document; ``path`` says where, e.g. ``campaigns[2].channels[0]``."""

    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


@dataclass
class CampaignImportResult:
    created: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    written: Counter = field(default_factory=Counter)


@transaction.atomic
def campaign_import_document(
    *, data: Any, acting_user=None, replace: bool = False
) -> CampaignImportResult:
    """Create the campaigns of a document; existing slugs are skipped, or rebuilt if ``replace``."""
    importer = _Importer(acting_user=acting_user)
    doc = importer.mapping(data, "document", {"format", "version", "campaigns"}, {"campaigns"})
    if doc.get("format", DOCUMENT_FORMAT) != DOCUMENT_FORMAT:
        raise CampaignImportError("document.format", f"expected “{DOCUMENT_FORMAT}”")
    items = importer.sequence(doc["campaigns"], "campaigns")
    slugs = Counter(item.get("slug") for item in items if isinstance(item, dict))
    for index, item in enumerate(items):
        path = f"campaigns[{index}]"
        item = importer.mapping(item, path, _CAMPAIGN_KEYS, {"slug", "title", "region"})
        if slugs[item["slug"]] > 1:
            raise CampaignImportError(f"{path}.slug", f"“{item['slug']}” occurs more than once")
        importer.campaign(item, path, replace=replace)
    return importer.result


class _Importer:
    def __init__(self, *, acting_user):
        self.acting_user = acting_user
        self.result = CampaignImportResult()
        self._organisations: dict[tuple[str, int | None], Organisation] = {}

    # -- reading -------------------------------------------------------------------------

    def mapping(self, value, path, allowed, required=()):
        if not isinstance(value, dict):
            raise CampaignImportError(path, f"expected an object, got {type(value).__name__}")
        unknown = sorted(set(value) - set(allowed))
        if unknown:
            raise CampaignImportError(path, f"unknown key(s): {', '.join(unknown)}")
        for key in sorted(required):
            if value.get(key) in (None, ""):
                raise CampaignImportError(f"{path}.{key}", "is required")
        return value

    def sequence(self, value, path):
        if not isinstance(value, list):
            raise CampaignImportError(path, f"expected a list, got {type(value).__name__}")
        return value

    def text(self, data, key, path):
        value = data.get(key, "")
        if value is None:
            return ""
        if not isinstance(value, str):
            raise CampaignImportError(f"{path}.{key}", "expected text")
        return value.strip()

    def integer(self, data, key, path):
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise CampaignImportError(f"{path}.{key}", f"expected a whole number, got {value!r}")
        return value

    def date(self, data, key, path):
        value = data.get(key)
        if value in (None, ""):
            return None
        try:
            return datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            raise CampaignImportError(
                f"{path}.{key}", f"expected a date as YYYY-MM-DD, got {value!r}"
            ) from None

    def decimal(self, data, key, path):
        value = data.get(key)
        if value in (None, ""):
            return None
        if isinstance(value, bool | float) or not isinstance(value, int | str):
            raise CampaignImportError(f"{path}.{key}", "expected a number written as text or int")
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise CampaignImportError(f"{path}.{key}", f"not a number: {value!r}") from None

    def lines(self, data, key, path):
        """A list of texts (or one text with a line each) as one line-separated text."""
        value = data.get(key, [])
        if isinstance(value, str):
            value = value.splitlines()
        if not isinstance(value, list) or not all(isinstance(line, str) for line in value):
            raise CampaignImportError(f"{path}.{key}", "expected a list of texts")
        return "\n".join(line.strip() for line in value if line.strip())

    def period(self, data, path):
        spec = data.get("period") or {}
        spec = self.mapping(spec, f"{path}.period", {"label", "start", "end", "precision"})
        return {
            "period_label": self.text(spec, "label", f"{path}.period"),
            "start_date": self.date(spec, "start", f"{path}.period"),
            "end_date": self.date(spec, "end", f"{path}.period"),
            "date_precision": self.text(spec, "precision", f"{path}.period") or "day",
        }

    # -- writing -------------------------------------------------------------------------

    def save(self, obj: models.Model, path: str, field_paths=None):
        try:
            obj.full_clean()
        except ValidationError as error:
            field_paths = field_paths or {}
            name, messages = next(iter(error.message_dict.items()))
            where = path if name == NON_FIELD_ERRORS else f"{path}.{field_paths.get(name, name)}"
            raise CampaignImportError(where, " ".join(messages)) from None
        obj._history_user = self.acting_user
        obj._change_reason = CHANGE_REASON
        obj.save()
        return obj

    def delete(self, queryset):
        for obj in queryset:
            obj._history_user = self.acting_user
            obj._change_reason = CHANGE_REASON
            obj.delete()

    def organisation(self, spec, path) -> Organisation:
        spec = self.mapping(spec, path, _ORGANISATION_KEYS, {"name"})
        parent = self.organisation(spec["parent"], f"{path}.parent") if spec.get("parent") else None
        name = self.text(spec, "name", path)
        key = (name, parent.pk if parent else None)
        if key in self._organisations:
            return self._organisations[key]
        org = Organisation.objects.filter(name=name, parent=parent).first()
        created = org is None
        if created:
            org = Organisation(name=name, parent=parent)
            org.kind = self.text(spec, "kind", path) or Organisation.Kind.OTHER
        # Existing organisations are shared with action plans: only fill what is still empty.
        changed = self._fill_blank(
            org, spec, path, ("short_name", "address", "phone", "email", "website")
        )
        if created or changed:
            self.save(org, path)
        self._organisations[key] = org
        return org

    def person(self, spec, path, *, default_organisation=None) -> Person:
        spec = self.mapping(spec, path, _PERSON_KEYS, {"last_name"})
        if spec.get("organisation"):
            organisation = self.organisation(spec["organisation"], f"{path}.organisation")
        else:
            organisation = default_organisation
        first_name = self.text(spec, "first_name", path)
        last_name = self.text(spec, "last_name", path)
        person = Person.objects.filter(
            first_name=first_name, last_name=last_name, organisation=organisation
        ).first()
        created = person is None
        if created:
            person = Person(first_name=first_name, last_name=last_name, organisation=organisation)
        changed = self._fill_blank(
            person, spec, path, ("salutation", "title", "function", "phone", "email")
        )
        public = spec.get("public_contact", False)
        if not isinstance(public, bool):
            raise CampaignImportError(f"{path}.public_contact", "expected true or false")
        if public and not person.public_contact:
            person.public_contact = changed = True
        if created or changed:
            self.save(person, path)
        return person

    def _fill_blank(self, obj, spec, path, names) -> bool:
        changed = False
        for name in names:
            value = self.text(spec, name, path)
            if value and not getattr(obj, name):
                setattr(obj, name, value)
                changed = True
        return changed

    def campaign(self, item, path, *, replace):
        slug = item["slug"]
        campaign = Campaign.objects.filter(slug=slug).first()
        if campaign is not None and not replace:
            self.result.skipped.append(slug)
            return
        is_new = campaign is None
        campaign = campaign or Campaign(slug=slug)
        budget = self.mapping(
            item.get("budget") or {}, f"{path}.budget", {"amount", "currency", "note"}
        )
        for name in ("title", "region", "motto", "slogan", "summary", "description", "goals"):
            setattr(campaign, name, self.text(item, name, path))
        for name in ("funding_note", "source", "languages"):
            setattr(campaign, name, self.text(item, name, path))
        campaign.lifecycle_override = self.text(item, "lifecycle", path)
        campaign.budget_currency = self.text(budget, "currency", f"{path}.budget") or "EUR"
        campaign.kind = self.text(item, "kind", path) or Campaign.Kind.CAMPAIGN
        campaign.status = self.text(item, "status", path) or Campaign.Status.DRAFT
        campaign.budget_amount = self.decimal(budget, "amount", f"{path}.budget")
        campaign.budget_note = self.text(budget, "note", f"{path}.budget")
        for name, value in self.period(item, path).items():
            setattr(campaign, name, value)
        campaign.organiser = (
            self.organisation(item["organiser"], f"{path}.organiser")
            if item.get("organiser")
            else None
        )
        self.save(campaign, path, _CAMPAIGN_PATHS)
        if not is_new:
            self.delete(campaign.channels.all())
            self.delete(EventParticipant.objects.filter(event__campaign=campaign))
            self.delete(campaign.events.all())
            self.delete(campaign.partner_links.all())
            self.delete(campaign.contact_links.all())
            self.delete(campaign.links.all())
            self.delete(campaign.key_figures.all())

        campaign.target_groups.set(self.target_groups(item, path))
        campaign.markets.set(self.markets(item, path))
        campaign.related_measures.set(self.measures(item, path))
        for index, spec in enumerate(self.sequence(item.get("partners", []), f"{path}.partners")):
            self.partner(campaign, spec, f"{path}.partners[{index}]", index + 1)
        for index, spec in enumerate(self.sequence(item.get("contacts", []), f"{path}.contacts")):
            self.contact(campaign, spec, f"{path}.contacts[{index}]", index + 1)
        for index, spec in enumerate(self.sequence(item.get("channels", []), f"{path}.channels")):
            self.channel(campaign, spec, f"{path}.channels[{index}]", index + 1)
        for index, spec in enumerate(self.sequence(item.get("events", []), f"{path}.events")):
            self.event(campaign, spec, f"{path}.events[{index}]", index + 1)
        for index, spec in enumerate(self.sequence(item.get("links", []), f"{path}.links")):
            self.link(campaign, spec, f"{path}.links[{index}]", index + 1)
        figures = self.sequence(item.get("key_figures", []), f"{path}.key_figures")
        for index, spec in enumerate(figures):
            self.key_figure(campaign, spec, f"{path}.key_figures[{index}]", index + 1)
        (self.result.created if is_new else self.result.replaced).append(slug)
        self.result.written["campaigns"] += 1

    def target_groups(self, item, path):
        groups = []
        names = self.sequence(item.get("target_groups", []), f"{path}.target_groups")
        for index, name in enumerate(names):
            where = f"{path}.target_groups[{index}]"
            if not isinstance(name, str) or not name.strip():
                raise CampaignImportError(where, "expected the name of a target group")
            group = TargetGroup.objects.filter(name=name.strip()).first()
            groups.append(group or self.save(TargetGroup(name=name.strip()), where))
        return groups

    def markets(self, item, path):
        markets = []
        for index, spec in enumerate(self.sequence(item.get("markets", []), f"{path}.markets")):
            where = f"{path}.markets[{index}]"
            spec = self.mapping(spec, where, {"name", "iso_code"}, {"name"})
            market = Market.objects.filter(name=self.text(spec, "name", where)).first()
            if market is None:
                market = Market(name=self.text(spec, "name", where))
            if self._fill_blank(market, spec, where, ("iso_code",)) or market.pk is None:
                self.save(market, where)
            markets.append(market)
        return markets

    def measures(self, item, path):
        measures = []
        specs = self.sequence(item.get("related_measures", []), f"{path}.related_measures")
        for index, spec in enumerate(specs):
            where = f"{path}.related_measures[{index}]"
            spec = self.mapping(spec, where, {"plan", "field", "measure"}, {"plan", "measure"})
            lookup = {"field__plan__slug": spec["plan"], "slug": spec["measure"]}
            if spec.get("field"):
                lookup["field__slug"] = spec["field"]
            found = list(Measure.objects.filter(**lookup)[:2])
            if len(found) != 1:
                problem = "no such measure" if not found else "ambiguous, give the field slug"
                raise CampaignImportError(where, problem)
            measures.append(found[0])
        return measures

    def partner(self, campaign, spec, path, position):
        spec = self.mapping(spec, path, {"organisation", "role", "note"}, {"organisation"})
        link = CampaignPartner(
            campaign=campaign,
            organisation=self.organisation(spec["organisation"], f"{path}.organisation"),
            role=self.text(spec, "role", path) or CampaignPartner.Role.PARTNER,
            note=self.text(spec, "note", path),
            position=position,
        )
        self.save(link, path)
        self.result.written["partners"] += 1

    def contact(self, campaign, spec, path, position):
        spec = self.mapping(spec, path, {"person", "role", "fax"}, {"person"})
        link = CampaignContact(
            campaign=campaign,
            person=self.person(spec["person"], f"{path}.person"),
            role=self.text(spec, "role", path),
            fax=self.text(spec, "fax", path),
            position=position,
        )
        self.save(link, path)
        self.result.written["contacts"] += 1

    def channel(self, campaign, spec, path, position):
        spec = self.mapping(spec, path, _CHANNEL_KEYS, {"name"})
        channel = Channel(
            campaign=campaign,
            position=position,
            kind=self.text(spec, "kind", path) or Channel.Kind.OTHER,
            name=self.text(spec, "name", path),
            description=self.text(spec, "description", path),
            reach=self.integer(spec, "reach", path),
            reach_unit=self.text(spec, "reach_unit", path),
            reach_label=self.text(spec, "reach_label", path),
            languages=self.text(spec, "languages", path),
            url=self.text(spec, "url", path),
            status=self.text(spec, "status", path) or Channel.Status.PLANNED,
            **self.period(spec, path),
        )
        self.save(channel, path, _PERIOD_PATHS)
        self.result.written["channels"] += 1

    def event(self, campaign, spec, path, position):
        spec = self.mapping(spec, path, _EVENT_KEYS, {"title"})
        event = CampaignEvent(
            campaign=campaign,
            position=position,
            title=self.text(spec, "title", path),
            kind=self.text(spec, "kind", path) or CampaignEvent.Kind.OTHER,
            topics=self.lines(spec, "topics", path),
            methods=self.lines(spec, "methods", path),
            results=self.text(spec, "results", path),
            date=self.date(spec, "date", path),
            date_precision=self.text(spec, "date_precision", path) or "day",
            date_label=self.text(spec, "date_label", path),
            place=self.text(spec, "place", path),
            description=self.text(spec, "description", path),
            participants_count=self.integer(spec, "participants_count", path),
        )
        self.save(event, path)
        self.result.written["events"] += 1
        specs = self.sequence(spec.get("participants", []), f"{path}.participants")
        for index, participant in enumerate(specs):
            self.participant(event, participant, f"{path}.participants[{index}]", index + 1)

    def participant(self, event, spec, path, position):
        spec = self.mapping(spec, path, {"person", "organisation", "role"})
        organisation = (
            self.organisation(spec["organisation"], f"{path}.organisation")
            if spec.get("organisation")
            else None
        )
        person = (
            self.person(spec["person"], f"{path}.person", default_organisation=organisation)
            if spec.get("person")
            else None
        )
        link = EventParticipant(
            event=event,
            position=position,
            person=person,
            organisation=organisation,
            role=self.text(spec, "role", path),
        )
        self.save(link, path)
        self.result.written["participants"] += 1

    def link(self, campaign, spec, path, position):
        spec = self.mapping(spec, path, {"label", "url", "languages"}, {"label", "url"})
        link = CampaignLink(
            campaign=campaign,
            position=position,
            label=self.text(spec, "label", path),
            url=self.text(spec, "url", path),
            languages=self.text(spec, "languages", path),
        )
        self.save(link, path)
        self.result.written["links"] += 1

    def key_figure(self, campaign, spec, path, position):
        spec = self.mapping(spec, path, _KEY_FIGURE_KEYS, {"name"})
        figure = KeyFigure(
            campaign=campaign,
            position=position,
            name=self.text(spec, "name", path),
            unit=self.text(spec, "unit", path),
            target=self.decimal(spec, "target", path),
            actual=self.decimal(spec, "actual", path),
            date=self.date(spec, "date", path),
            date_label=self.text(spec, "date_label", path),
            note=self.text(spec, "note", path),
        )
        self.save(figure, path)
        self.result.written["key figures"] += 1
