"""The campaign document (``planwerk-campaigns``) on the one importer path, in and out.

The demo data (fixtures/campaigns.json), ``manage.py import_campaigns`` and
``manage.py export_campaigns`` use it. Reading checks the document (every problem names its
path, e.g. ``campaigns[2].channels[0].reach``), matches organisations, persons, target groups
and markets by natural key (created when missing; existing ones only get their blanks filled,
they are shared with the action plans) and turns each campaign with its partners, contacts,
links, channels, events, participants and key figures into ``Incoming`` rows. The core
(``imports.changes``) compares them with the stored campaigns and writes exactly the
differences: a campaign in the document is brought to the document's state; campaigns the
document does not name stay as they are.
"""

from __future__ import annotations

import copy
import datetime
from collections import Counter
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access import rules
from actionplan.models import Measure, TargetGroup
from actionplan.services import _history_user
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
    _fill_dates,
)
from config.numbers import bounded_decimal
from contacts.models import ContactConsent, Organisation, Person
from contacts.services import consent_label, contact_consent_set
from translations import documents as tr

from . import changes
from .changes import ImportResult, Incoming, Problem, Where, by_pk, names_by_pk
from .plan_document import _ORG_KEYS as _ORGANISATION_KEYS
from .plan_document import _PERSON_KEYS

DOCUMENT_FORMAT = "planwerk-campaigns"
DOCUMENT_VERSION = 1
# the largest whole number the database columns hold (a 32-bit integer)
MAX_INTEGER = 2**31 - 1


class CampaignImportError(changes.ImportRefused):
    """Bad input in a campaign document; ``path`` says where, e.g. ``campaigns[2].channels[0]``."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.args = ("\n".join(f"{p.column or 'document'}: {p.message}" for p in problems),)

    @classmethod
    def at(cls, path: str, message: str) -> CampaignImportError:
        return cls([Problem(message, column=path)])

    @property
    def path(self) -> str:
        return self.problems[0].column

    @property
    def message(self) -> str:
        return self.problems[0].message

    def __str__(self) -> str:
        return self.args[0]


class CampaignImportResult(ImportResult):
    def written(self) -> Counter:
        """Rows new or changed, by kind (``{"channel": 18, …}``)."""
        return Counter(c.kind for c in self.changes if c.action in ("new", "changed"))


# --- the schema ------------------------------------------------------------------------------

# Rows keyed by what the database holds unique (a partner by organisation and role, a contact
# by person, a link by address, a participant by person) may swap places in a document with
# only their positions changing; the others are keyed by their place in the campaign.
KINDS = ("campaign", "partner", "contact", "link", "channel", "event", "participant", "figure")
MODELS = {
    "campaign": Campaign,
    "partner": CampaignPartner,
    "contact": CampaignContact,
    "link": CampaignLink,
    "channel": Channel,
    "event": CampaignEvent,
    "participant": EventParticipant,
    "figure": KeyFigure,
}
_PERIOD = ("period_label", "start_date", "end_date", "date_precision")
_DATE = ("date", "date_precision", "date_label")
ATTRIBUTES = {
    "campaign": (
        "slug",
        "title",
        "kind",
        "status",
        "lifecycle_override",
        "motto",
        "slogan",
        "languages",
        "region",
        "organiser",
        "summary",
        "description",
        "goals",
        *_PERIOD,
        "budget_amount",
        "budget_currency",
        "budget_note",
        "funding_note",
        "source",
        "target_groups",
        "markets",
        "related_measures",
    ),
    "partner": ("campaign", "position", "organisation", "role", "note"),
    "contact": ("campaign", "position", "person", "role", "fax"),
    "link": ("campaign", "position", "label", "url", "languages"),
    "channel": (
        "campaign",
        "position",
        "kind",
        "name",
        "description",
        "reach",
        "reach_unit",
        "reach_label",
        "languages",
        "url",
        *_PERIOD,
        "status",
    ),
    "event": (
        "campaign",
        "position",
        "title",
        "kind",
        *_DATE,
        "place",
        "description",
        "topics",
        "methods",
        "results",
        "participants_count",
    ),
    "participant": ("event", "position", "person", "organisation", "role"),
    "figure": ("campaign", "position", "name", "unit", "target", "actual", *_DATE, "note"),
}
# issue 21: the English texts beside the German ones, the note above the English pages
ATTRIBUTES = changes.with_english(MODELS, ATTRIBUTES)
ATTRIBUTES["campaign"] = (*ATTRIBUTES["campaign"], "english_note")
# kind -> (label, start, end): dates still empty follow the label, as ``save()`` does
_LABELLED = {
    "campaign": ("period_label", "start_date", "end_date"),
    "channel": ("period_label", "start_date", "end_date"),
    "event": ("date_label", "date", ""),
    "figure": ("date_label", "date", ""),
}


class CampaignSchema(changes.Schema):
    kinds = KINDS
    models = MODELS
    attributes = ATTRIBUTES
    references = {"campaign": "campaign", "event": "event"}
    foreign_keys = frozenset({"organiser", "organisation", "person"})
    many = frozenset({"target_groups", "markets", "related_measures"})
    shown_by_pk = {
        "organiser": by_pk("contacts.Organisation"),
        "organisation": by_pk("contacts.Organisation"),
        "person": by_pk("contacts.Person"),
        "target_groups": names_by_pk("actionplan.TargetGroup"),
        "markets": names_by_pk("campaigns.Market"),
        "related_measures": names_by_pk("actionplan.Measure"),
    }
    other_kinds = {
        "organisation": gettext_lazy("organisation"),
        "person": gettext_lazy("person"),
        "vocabulary": gettext_lazy("vocabulary entry"),
    }
    error = CampaignImportError

    def load(self, slugs) -> dict[str, list]:
        campaigns = list(
            Campaign.objects.filter(slug__in=slugs).prefetch_related(
                "target_groups", "markets", "related_measures"
            )
        )
        by_campaign = {c.pk: c for c in campaigns}
        rows = {"campaign": campaigns}
        for kind in ("partner", "contact", "link", "channel", "event", "figure"):
            rows[kind] = _ranked(
                MODELS[kind].objects.filter(campaign__in=campaigns), "campaign", by_campaign
            )
        by_event = {e.pk: e for e in rows["event"]}
        rows["participant"] = _ranked(
            EventParticipant.objects.filter(event__in=list(by_event)), "event", by_event
        )
        return rows

    def key_of(self, kind: str, obj) -> tuple:
        if kind == "campaign":
            return (obj.slug,)
        if kind == "participant":
            event = self.key_of("event", obj.event)
            if obj.person_id:
                return (*event, "person", obj.person_id)
            return (*event, "#", obj._rank)
        slug = obj.campaign.slug
        if kind == "partner":
            return (slug, obj.organisation_id, obj.role)
        if kind == "contact":
            return (slug, obj.person_id)
        if kind == "link":
            return (slug, obj.url)
        return (slug, obj._rank)

    def describe_key(self, kind: str, key: tuple) -> str:
        if kind == "partner":
            slug, organisation, role = key
            text = f"{slug}/{_name(Organisation, organisation)} ({role})"
        elif kind == "contact":
            text = f"{key[0]}/{_name(Person, key[1])}"
        elif kind == "participant":
            slug, event, how, which = key
            who = _name(Person, which) if how == "person" else f"#{which}"
            text = f"{slug}/{event}/{who}"
        else:
            text = "/".join(str(part) for part in key)
        return f"{self.kind_label(kind)} {text}"

    def prepare(self, change_set, planned, new: dict) -> bool:
        labelled = _LABELLED.get(planned.kind)
        if labelled is not None:
            _derive_dates(planned.kind, planned.stored, new, *labelled)
        return True


CAMPAIGNS = CampaignSchema()


def _ranked(queryset, container: str, containers: dict) -> list:
    """Rows in their container's order (position, then ID), each with ``_rank`` from 1."""
    rows = list(queryset.order_by(f"{container}_id", "position", "pk"))
    ranks: Counter = Counter()
    for row in rows:
        setattr(row, container, containers[getattr(row, f"{container}_id")])
        ranks[getattr(row, f"{container}_id")] += 1
        row._rank = ranks[getattr(row, f"{container}_id")]
    return rows


def _name(model, pk) -> str:
    return str(model.objects.filter(pk=pk).first() or pk)


def _derive_dates(kind: str, stored, new: dict, label: str, start: str, end: str) -> None:
    """What ``save()`` will store: dates still empty taken from the label, as in the admin."""
    probe = copy.copy(stored) if stored is not None else MODELS[kind]()
    if stored is not None:
        probe._loaded_labels = dict(getattr(stored, "_loaded_labels", {}))
    names = [name for name in (label, start, end, "date_precision") if name]
    for name in names:
        if name in new:
            setattr(probe, name, new[name])
    _fill_dates(probe, label, start, end)
    for name in names:
        new[name] = getattr(probe, name)


# --- import ----------------------------------------------------------------------------------


@transaction.atomic
def campaign_document_import(
    *, data: Any, acting_user=None, dry_run: bool = False, file_name: str = ""
) -> CampaignImportResult:
    """Bring every campaign the document names to exactly the document's state.

    A new campaign is created; an existing one (same slug) gets only the differences, each
    with one history row; rows of it that the document leaves out are deleted. ``dry_run``
    reports the changes and writes nothing. All or nothing: raises ``CampaignImportError``
    (naming the document path) and writes nothing when the document cannot be imported.
    """
    reason = _("Import of the campaign document “%(name)s”") % {
        "name": (file_name or DOCUMENT_FORMAT)[:80]
    }
    savepoint = transaction.savepoint()
    try:
        with _history_user(acting_user):
            reader = _Reader(reason, acting_user=acting_user)
            slugs, rows = reader.read(data)
            found = changes.apply_rows(
                CAMPAIGNS,
                slugs,
                rows,
                complete=True,
                acting_user=acting_user,
                dry_run=False,
                reason=reason,
            )
    except Exception:
        transaction.savepoint_rollback(savepoint)
        raise
    if dry_run:
        transaction.savepoint_rollback(savepoint)
    else:
        transaction.savepoint_commit(savepoint)
    return CampaignImportResult(changes=reader.changes + found, dry_run=dry_run)


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
    *tr.english_keys(Campaign),
    *tr.MARK_KEYS,
    "english_note",
    "vocabulary_en",
}
_VOCABULARIES = {"markets": Market, "target_groups": TargetGroup}
_LINK_KEYS = {"label", "url", "languages", *tr.english_keys(CampaignLink), *tr.MARK_KEYS}
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
    *tr.english_keys(Channel),
    *tr.MARK_KEYS,
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
    *tr.english_keys(CampaignEvent),
    *tr.MARK_KEYS,
}
_KEY_FIGURE_KEYS = {
    "name",
    "unit",
    "target",
    "actual",
    "date",
    "date_precision",
    "date_label",
    "note",
    *tr.english_keys(KeyFigure),
    *tr.MARK_KEYS,
}
# Model field name -> key in the document, so that problems name the document path.
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


class _Reader:
    """Checks the document and turns it into rows; creates missing contacts and vocabulary."""

    def __init__(self, reason: str, *, acting_user=None):
        self.reason = reason
        self.acting_user = acting_user
        self.changes: list[changes.Change] = []
        self._organisations: dict[tuple[str, int | None], Organisation] = {}
        self.rows: list[Incoming] = []

    def read(self, data) -> tuple[list[str], list[Incoming]]:
        doc = self.mapping(data, "document", {"format", "version", "campaigns"}, {"campaigns"})
        if doc.get("format", DOCUMENT_FORMAT) != DOCUMENT_FORMAT:
            expected = _("expected “%(format)s”") % {"format": DOCUMENT_FORMAT}
            raise CampaignImportError.at("document.format", expected)
        items = self.sequence(doc["campaigns"], "campaigns")
        slugs = Counter(
            item["slug"]
            for item in items
            if isinstance(item, dict) and isinstance(item.get("slug"), str)
        )
        for index, item in enumerate(items):
            path = f"campaigns[{index}]"
            item = self.mapping(item, path, _CAMPAIGN_KEYS, {"slug", "title", "region"})
            self.text(item, "slug", path)
            self.vocabularies_en(item, path)
            if slugs[item["slug"]] > 1:
                raise CampaignImportError.at(
                    f"{path}.slug",
                    _("“%(slug)s” occurs more than once") % {"slug": item["slug"]},
                )
            self.campaign(item, path)
        return list(slugs), self.rows

    # -- reading -------------------------------------------------------------------------

    def mapping(self, value, path, allowed, required=()):
        if not isinstance(value, dict):
            raise CampaignImportError.at(
                path, _("expected an object, got %(type)s") % {"type": type(value).__name__}
            )
        unknown = sorted(set(value) - set(allowed))
        if unknown:
            raise CampaignImportError.at(
                path, _("unknown key(s): %(keys)s") % {"keys": ", ".join(unknown)}
            )
        for key in sorted(required):
            if value.get(key) in (None, ""):
                raise CampaignImportError.at(f"{path}.{key}", _("is required"))
        return value

    def sequence(self, value, path):
        if not isinstance(value, list):
            raise CampaignImportError.at(
                path, _("expected a list, got %(type)s") % {"type": type(value).__name__}
            )
        return value

    def items(self, data, key, path):
        return enumerate(self.sequence(data.get(key, []), f"{path}.{key}"))

    def text(self, data, key, path):
        value = data.get(key, "")
        if value is None:
            return ""
        if not isinstance(value, str):
            raise CampaignImportError.at(f"{path}.{key}", _("expected text"))
        return value.strip()

    def integer(self, data, key, path):
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise CampaignImportError.at(
                f"{path}.{key}", _("expected a whole number, got %(value)r") % {"value": value}
            )
        if not -MAX_INTEGER <= value <= MAX_INTEGER:
            raise CampaignImportError.at(
                f"{path}.{key}",
                _("%(value)s is too large: at most %(limit)s.")
                % {"value": value, "limit": MAX_INTEGER},
            )
        return value

    def date(self, data, key, path):
        value = data.get(key)
        if value in (None, ""):
            return None
        try:
            return datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            raise CampaignImportError.at(
                f"{path}.{key}",
                _("expected a date as YYYY-MM-DD, got %(value)r") % {"value": value},
            ) from None

    def decimal(self, data, key, path, field):
        """An amount or figure as text or int, within ``field``'s digits (never 1e400, NaN)."""
        value = data.get(key)
        if value in (None, ""):
            return None
        if isinstance(value, bool | float) or not isinstance(value, int | str):
            raise CampaignImportError.at(
                f"{path}.{key}", _("expected a number written as text or int")
            )
        try:
            return bounded_decimal(
                value, max_digits=field.max_digits, decimal_places=field.decimal_places
            )
        except ValidationError as error:
            if error.code == "invalid":
                message = _("not a number: %(value)r") % {"value": value}
                raise CampaignImportError.at(f"{path}.{key}", message[:80]) from None
            raise CampaignImportError.at(f"{path}.{key}", error.messages[0]) from None

    def lines(self, data, key, path):
        """A list of texts (or one text with a line each) as one line-separated text."""
        value = data.get(key, [])
        if isinstance(value, str):
            value = value.splitlines()
        if not isinstance(value, list) or not all(isinstance(line, str) for line in value):
            raise CampaignImportError.at(f"{path}.{key}", _("expected a list of texts"))
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

    def row(self, kind, key, values, path, columns=None, spec=None):
        """A row; with ``spec`` (its entry in the document) its English texts and their marks
        (``translations.documents``: keys the entry leaves out stay as stored)."""
        marks = {}
        if spec is not None:
            values = {**values, **self.english(spec, MODELS[kind], path)}
            marks = tr.marks_given(spec, MODELS[kind])
        where = Where(path=path, columns=columns or {})
        self.rows.append(Incoming(kind, key, values, where=where, marks=marks))

    def english(self, spec, model, path) -> dict:
        """``{"title_en": …}`` as the entry gives them; lists of lines (topics) as lines."""
        errors = tr.validate(
            {
                k: "\n".join(v)
                if k.endswith("_en") and isinstance(v, list) and all(isinstance(x, str) for x in v)
                else v
                for k, v in spec.items()
            },
            model,
            path,
        )
        if errors:
            where, message = errors[0]
            raise CampaignImportError.at(where, message)
        values = {}
        for name, value in tr.english_values(spec, model).items():
            if isinstance(value, list):
                values[name] = self.lines(spec, name, path)
            else:
                values[name] = value.strip()
        return values

    def vocabulary_english(self, item, vocabulary: str, obj, path: str) -> None:
        """A target group's or market's English name as ``vocabulary_en`` gives it (a name it
        leaves out stays as stored); a difference is a change of the shared entry."""
        names = (item.get("vocabulary_en") or {}).get(vocabulary) or {}
        if obj.name not in names:
            return
        english = names[obj.name] or ""
        if obj.name_en == english:
            return
        diffs = [
            (force_str(obj._meta.get_field("name_en").verbose_name), obj.name_en or "–", english)
        ]
        created = obj.pk is None
        obj.name_en = english
        if not created:
            label = f"{obj._meta.verbose_name} {obj.name}"
            self.save(obj, path, "changed", "vocabulary", label, diffs)

    def vocabularies_en(self, item, path) -> None:
        value = item.get("vocabulary_en")
        if value is None:
            return
        self.mapping(value, f"{path}.vocabulary_en", set(_VOCABULARIES))
        for name, names in value.items():
            if not isinstance(names, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in names.items()
            ):
                raise CampaignImportError.at(
                    f"{path}.vocabulary_en.{name}", _("expected German name → English name")
                )

    # -- contacts and vocabulary (matched by natural key, created when missing) -----------

    def save(self, obj, path: str, action: str, kind: str, label: str, diffs=()) -> None:
        try:
            obj.full_clean()
        except ValidationError as error:
            name, messages = next(iter(error.message_dict.items()))
            where = path if name == NON_FIELD_ERRORS else f"{path}.{name}"
            raise CampaignImportError.at(where, " ".join(messages)) from None
        obj._change_reason = self.reason
        obj.save()
        self.changes.append(CAMPAIGNS.change(action, kind, label, list(diffs)))

    def _fill_blank(self, obj, spec, path, names) -> list[tuple[str, str, str]]:
        """Give empty attributes the document's value; the list of what was filled."""
        filled = []
        for name in names:
            value = self.text(spec, name, path)
            if value and not getattr(obj, name):
                setattr(obj, name, value)
                filled.append((force_str(obj._meta.get_field(name).verbose_name), "–", value))
        return filled

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
        # its English name as the document gives it (as in the plan document)
        english = self.english(spec, Organisation, path)
        old = {"name": org.name, "name_en": org.name_en}
        new = {**old, **english}
        marks, mark_diffs = tr.compare_marks(
            Organisation, None if created else org, tr.marks_given(spec, Organisation), old, new
        )
        if new["name_en"] != old["name_en"]:
            label = force_str(Organisation._meta.get_field("name_en").verbose_name)
            changed.append((label, old["name_en"] or "–", new["name_en"] or "–"))
        changed += mark_diffs
        org.name_en = new["name_en"]
        tr.apply_marks(org, marks)
        if created or changed:
            action = "new" if created else "changed"
            label = f"{_('organisation')} {name}"
            self.save(org, path, action, "organisation", label, () if created else changed)
        self._organisations[key] = org
        return org

    def person(self, spec, path, *, default_organisation=None) -> Person:
        spec = self.mapping(spec, path, _PERSON_KEYS, {"last_name"})
        if spec.get("organisation"):
            organisation = self.organisation(spec["organisation"], f"{path}.organisation")
        elif "organisation" in spec:  # null: a person of no organisation
            organisation = None
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
            raise CampaignImportError.at(f"{path}.public_contact", _("expected true or false"))
        consent = public and not person.public_contact
        diffs = [] if created else changed
        if consent:  # the preview names it as a consent change, recorded with its source
            diffs.append((_("Consent: contact details public"), "–", consent_label(True)))
        if created or diffs:
            action = "new" if created else "changed"
            label = f"{_('person')} {person}"
            self.save(person, path, action, "person", label, diffs)
        if consent:
            contact_consent_set(
                person,
                public=True,
                source=ContactConsent.Source.IMPORTED,
                note=self.reason,
                acting_user=self.acting_user,
            )
        return person

    def target_groups(self, item, path) -> frozenset[int]:
        groups = set()
        for index, name in self.items(item, "target_groups", path):
            where = f"{path}.target_groups[{index}]"
            if not isinstance(name, str) or not name.strip():
                raise CampaignImportError.at(where, _("expected the name of a target group"))
            group = TargetGroup.objects.filter(name=name.strip()).first()
            if group is None:
                group = TargetGroup(name=name.strip())
                self.vocabulary_english(item, "target_groups", group, where)
                label = f"{TargetGroup._meta.verbose_name} {group.name}"
                self.save(group, where, "new", "vocabulary", label)
            else:
                self.vocabulary_english(item, "target_groups", group, where)
            groups.add(group.pk)
        return frozenset(groups)

    def markets(self, item, path) -> frozenset[int]:
        markets = set()
        for index, spec in self.items(item, "markets", path):
            where = f"{path}.markets[{index}]"
            spec = self.mapping(spec, where, {"name", "iso_code"}, {"name"})
            market = Market.objects.filter(name=self.text(spec, "name", where)).first()
            created = market is None
            if created:
                market = Market(name=self.text(spec, "name", where))
            filled = self._fill_blank(market, spec, where, ("iso_code",))
            if created:
                self.vocabulary_english(item, "markets", market, where)
            if filled or created:
                label = f"{Market._meta.verbose_name} {market.name}"
                action = "new" if created else "changed"
                self.save(market, where, action, "vocabulary", label, () if created else filled)
            if not created:
                self.vocabulary_english(item, "markets", market, where)
            markets.add(market.pk)
        return frozenset(markets)

    def measures(self, item, path) -> frozenset[int]:
        measures = set()
        for index, spec in self.items(item, "related_measures", path):
            where = f"{path}.related_measures[{index}]"
            spec = self.mapping(spec, where, {"plan", "field", "measure"}, {"plan", "measure"})
            lookup = {"field__plan__slug": spec["plan"], "slug": spec["measure"]}
            if spec.get("field"):
                lookup["field__slug"] = spec["field"]
            # What the importing user may not see does not exist for them (same answer).
            candidates = Measure.objects.all()
            if self.acting_user is not None:
                candidates = rules.choosable(self.acting_user, candidates)
            found = list(candidates.filter(**lookup).values_list("pk", flat=True)[:2])
            if len(found) != 1:
                problem = _("no such measure") if not found else _("ambiguous, give the field slug")
                raise CampaignImportError.at(where, problem)
            measures.add(found[0])
        return frozenset(measures)

    # -- the rows ----------------------------------------------------------------------------

    def campaign(self, item, path):
        slug = item["slug"]
        key = (slug,)
        budget = self.mapping(
            item.get("budget") or {}, f"{path}.budget", {"amount", "currency", "note"}
        )
        values = {
            name: self.text(item, name, path)
            for name in (
                "slug",
                "title",
                "region",
                "motto",
                "slogan",
                "summary",
                "description",
                "goals",
                "funding_note",
                "source",
                "languages",
            )
        }
        values.update(
            lifecycle_override=self.text(item, "lifecycle", path),
            kind=self.text(item, "kind", path) or Campaign.Kind.CAMPAIGN,
            status=self.text(item, "status", path) or Campaign.Status.DRAFT,
            budget_amount=self.decimal(
                budget, "amount", f"{path}.budget", Campaign._meta.get_field("budget_amount")
            ),
            budget_currency=self.text(budget, "currency", f"{path}.budget") or "EUR",
            budget_note=self.text(budget, "note", f"{path}.budget"),
            **self.period(item, path),
        )
        organiser = item.get("organiser")
        values["organiser"] = (
            self.organisation(organiser, f"{path}.organiser").pk if organiser else None
        )
        values["target_groups"] = self.target_groups(item, path)
        values["markets"] = self.markets(item, path)
        values["related_measures"] = self.measures(item, path)
        if "english_note" in item:
            values["english_note"] = self.text(item, "english_note", path)
        self.row("campaign", key, values, path, _CAMPAIGN_PATHS, spec=item)
        for index, spec in self.items(item, "partners", path):
            self.partner(key, spec, f"{path}.partners[{index}]", index + 1)
        for index, spec in self.items(item, "contacts", path):
            self.contact(key, spec, f"{path}.contacts[{index}]", index + 1)
        for index, spec in self.items(item, "channels", path):
            self.channel(key, spec, f"{path}.channels[{index}]", index + 1)
        for index, spec in self.items(item, "events", path):
            self.event(key, spec, f"{path}.events[{index}]", index + 1)
        for index, spec in self.items(item, "links", path):
            self.link(key, spec, f"{path}.links[{index}]", index + 1)
        for index, spec in self.items(item, "key_figures", path):
            self.key_figure(key, spec, f"{path}.key_figures[{index}]", index + 1)

    def partner(self, campaign, spec, path, position):
        spec = self.mapping(spec, path, {"organisation", "role", "note"}, {"organisation"})
        organisation = self.organisation(spec["organisation"], f"{path}.organisation").pk
        role = self.text(spec, "role", path) or CampaignPartner.Role.PARTNER
        values = {
            "campaign": campaign,
            "position": position,
            "organisation": organisation,
            "role": role,
            "note": self.text(spec, "note", path),
        }
        self.row("partner", (*campaign, organisation, role), values, path)

    def contact(self, campaign, spec, path, position):
        spec = self.mapping(spec, path, {"person", "role", "fax"}, {"person"})
        person = self.person(spec["person"], f"{path}.person").pk
        values = {
            "campaign": campaign,
            "position": position,
            "person": person,
            "role": self.text(spec, "role", path),
            "fax": self.text(spec, "fax", path),
        }
        self.row("contact", (*campaign, person), values, path)

    def channel(self, campaign, spec, path, position):
        spec = self.mapping(spec, path, _CHANNEL_KEYS, {"name"})
        values = {
            "campaign": campaign,
            "position": position,
            "kind": self.text(spec, "kind", path) or Channel.Kind.OTHER,
            "name": self.text(spec, "name", path),
            "description": self.text(spec, "description", path),
            "reach": self.integer(spec, "reach", path),
            "reach_unit": self.text(spec, "reach_unit", path),
            "reach_label": self.text(spec, "reach_label", path),
            "languages": self.text(spec, "languages", path),
            "url": self.text(spec, "url", path),
            "status": self.text(spec, "status", path) or Channel.Status.PLANNED,
            **self.period(spec, path),
        }
        self.row("channel", (*campaign, position), values, path, _PERIOD_PATHS, spec=spec)

    def event(self, campaign, spec, path, position):
        spec = self.mapping(spec, path, _EVENT_KEYS, {"title"})
        key = (*campaign, position)
        values = {
            "campaign": campaign,
            "position": position,
            "title": self.text(spec, "title", path),
            "kind": self.text(spec, "kind", path) or CampaignEvent.Kind.OTHER,
            "topics": self.lines(spec, "topics", path),
            "methods": self.lines(spec, "methods", path),
            "results": self.text(spec, "results", path),
            "date": self.date(spec, "date", path),
            "date_precision": self.text(spec, "date_precision", path) or "day",
            "date_label": self.text(spec, "date_label", path),
            "place": self.text(spec, "place", path),
            "description": self.text(spec, "description", path),
            "participants_count": self.integer(spec, "participants_count", path),
        }
        self.row("event", key, values, path, spec=spec)
        for index, participant in self.items(spec, "participants", path):
            self.participant(key, participant, f"{path}.participants[{index}]", index + 1)

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
        values = {
            "event": event,
            "position": position,
            "person": person.pk if person else None,
            "organisation": organisation.pk if organisation else None,
            "role": self.text(spec, "role", path),
        }
        key = (*event, "person", person.pk) if person else (*event, "#", position)
        self.row("participant", key, values, path)

    def link(self, campaign, spec, path, position):
        spec = self.mapping(spec, path, _LINK_KEYS, {"label", "url"})
        url = self.text(spec, "url", path)
        values = {
            "campaign": campaign,
            "position": position,
            "label": self.text(spec, "label", path),
            "url": url,
            "languages": self.text(spec, "languages", path),
        }
        self.row("link", (*campaign, url), values, path, spec=spec)

    def key_figure(self, campaign, spec, path, position):
        spec = self.mapping(spec, path, _KEY_FIGURE_KEYS, {"name"})
        values = {
            "campaign": campaign,
            "position": position,
            "name": self.text(spec, "name", path),
            "unit": self.text(spec, "unit", path),
            "target": self.decimal(spec, "target", path, KeyFigure._meta.get_field("target")),
            "actual": self.decimal(spec, "actual", path, KeyFigure._meta.get_field("actual")),
            "date": self.date(spec, "date", path),
            "date_precision": self.text(spec, "date_precision", path) or "day",
            "date_label": self.text(spec, "date_label", path),
            "note": self.text(spec, "note", path),
        }
        self.row("figure", (*campaign, position), values, path, spec=spec)


# --- export ----------------------------------------------------------------------------------


def campaign_export_document(campaigns) -> dict:
    """The campaigns as a ``planwerk-campaigns`` document that imports back to the same rows.

    Empty values are left out (the import reads a missing key as empty); campaigns by slug,
    their rows in their order, names of target groups and markets sorted.
    """
    campaigns = (
        Campaign.objects.filter(pk__in=[c.pk for c in campaigns])
        .select_related("organiser__parent")
        .prefetch_related(
            "target_groups",
            "markets",
            "related_measures__field__plan",
            "partner_links__organisation__parent",
            "contact_links__person__organisation__parent",
            "links",
            "channels",
            "events__participant_links__person__organisation__parent",
            "events__participant_links__organisation__parent",
            "key_figures",
        )
        .order_by("slug")
    )
    return {
        "format": DOCUMENT_FORMAT,
        "version": DOCUMENT_VERSION,
        "campaigns": [_campaign_spec(c) for c in campaigns],
    }


def _compact(spec: dict) -> dict:
    return {
        k: v for k, v in spec.items() if v is not None and v is not False and v not in ("", [], {})
    }


def _iso(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _organisation_spec(org: Organisation | None) -> dict | None:
    if org is None:
        return None
    return _compact(
        {
            "name": org.name,
            "short_name": org.short_name,
            "kind": org.kind,
            "parent": _organisation_spec(org.parent),
            "address": org.address,
            "phone": org.phone,
            "email": org.email,
            "website": org.website,
            **tr.translated_entries(org),
        }
    )


def _person_spec(person: Person, *, organisation_given: bool = False) -> dict:
    spec = _compact(
        {
            "salutation": person.salutation,
            "title": person.title,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "function": person.function,
            "organisation": _organisation_spec(person.organisation),
            "phone": person.phone,
            "email": person.email,
            "public_contact": person.public_contact,
        }
    )
    if organisation_given and person.organisation_id is None:
        spec["organisation"] = None  # not the participant's organisation
    return spec


def _period_spec(obj) -> dict:
    return _compact(
        {
            "label": obj.period_label,
            "start": _iso(obj.start_date),
            "end": _iso(obj.end_date),
            "precision": obj.date_precision if obj.date_precision != "day" else "",
        }
    )


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def _campaign_spec(campaign: Campaign) -> dict:
    return _compact(
        {
            "slug": campaign.slug,
            "title": campaign.title,
            "kind": campaign.kind,
            "status": campaign.status,
            "lifecycle": campaign.lifecycle_override,
            "motto": campaign.motto,
            "slogan": campaign.slogan,
            "languages": campaign.languages,
            "region": campaign.region,
            "organiser": _organisation_spec(campaign.organiser),
            "summary": campaign.summary,
            "description": campaign.description,
            "goals": campaign.goals,
            "period": _period_spec(campaign),
            "budget": _compact(
                {
                    "amount": _amount(campaign.budget_amount),
                    "currency": campaign.budget_currency
                    if campaign.budget_currency != "EUR"
                    else "",
                    "note": campaign.budget_note,
                }
            ),
            "funding_note": campaign.funding_note,
            "source": campaign.source,
            "target_groups": sorted(g.name for g in campaign.target_groups.all()),
            "markets": sorted(
                (
                    _compact({"name": m.name, "iso_code": m.iso_code})
                    for m in campaign.markets.all()
                ),
                key=lambda m: m["name"],
            ),
            "related_measures": sorted(
                (
                    {"plan": m.field.plan.slug, "field": m.field.slug, "measure": m.slug}
                    for m in campaign.related_measures.all()
                ),
                key=lambda m: (m["plan"], m["field"], m["measure"]),
            ),
            "partners": [
                _compact(
                    {
                        "organisation": _organisation_spec(p.organisation),
                        "role": p.role,
                        "note": p.note,
                    }
                )
                for p in campaign.partner_links.all()
            ],
            "contacts": [
                _compact({"person": _person_spec(c.person), "role": c.role, "fax": c.fax})
                for c in campaign.contact_links.all()
            ],
            "links": [
                _compact(
                    {
                        "label": link.label,
                        "url": link.url,
                        "languages": link.languages,
                        **tr.translated_entries(link),
                    }
                )
                for link in campaign.links.all()
            ],
            "channels": [_channel_spec(channel) for channel in campaign.channels.all()],
            "events": [_event_spec(event) for event in campaign.events.all()],
            "key_figures": [_figure_spec(figure) for figure in campaign.key_figures.all()],
            # issue 21: English beside German, each only where there is English
            **tr.translated_entries(campaign),
            "english_note": campaign.english_note,
            "vocabulary_en": _compact(
                {
                    "markets": _english_names(campaign.markets.all()),
                    "target_groups": _english_names(campaign.target_groups.all()),
                }
            ),
        }
    )


def _english_names(entries) -> dict[str, str]:
    """German name → English name of the vocabulary entries that have one."""
    return {e.name: e.name_en for e in sorted(entries, key=lambda e: e.name) if e.name_en}


def _channel_spec(channel: Channel) -> dict:
    return _compact(
        {
            "kind": channel.kind,
            "name": channel.name,
            "description": channel.description,
            "reach": channel.reach,
            "reach_unit": channel.reach_unit,
            "reach_label": channel.reach_label,
            "languages": channel.languages,
            "url": channel.url,
            "period": _period_spec(channel),
            "status": channel.status,
            **tr.translated_entries(channel),
        }
    )


def _event_spec(event: CampaignEvent) -> dict:
    return _compact(
        {
            "title": event.title,
            "kind": event.kind,
            "date": _iso(event.date),
            "date_precision": event.date_precision if event.date_precision != "day" else "",
            "date_label": event.date_label,
            "place": event.place,
            "description": event.description,
            "topics": _lines(event.topics),
            "methods": _lines(event.methods),
            "results": event.results,
            "participants_count": event.participants_count,
            "participants": [
                _compact(
                    {
                        "person": _person_spec(p.person, organisation_given=bool(p.organisation))
                        if p.person
                        else None,
                        "organisation": _organisation_spec(p.organisation),
                        "role": p.role,
                    }
                )
                for p in event.participant_links.all()
            ],
            **_lines_en(tr.translated_entries(event)),
        }
    )


def _lines_en(entries: dict) -> dict:
    """An event's English topics and methods as lists of lines, like the German ones."""
    return {
        key: _lines(value) if key in ("topics_en", "methods_en") else value
        for key, value in entries.items()
    }


def _figure_spec(figure: KeyFigure) -> dict:
    return _compact(
        {
            "name": figure.name,
            "unit": figure.unit,
            "target": _amount(figure.target),
            "actual": _amount(figure.actual),
            "date": _iso(figure.date),
            "date_precision": figure.date_precision if figure.date_precision != "day" else "",
            "date_label": figure.date_label,
            "note": figure.note,
            **tr.translated_entries(figure),
        }
    )
