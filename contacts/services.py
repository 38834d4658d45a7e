"""Writes of the contacts app: merging duplicates and erasing a person on request.

Both find the records that point to a person or organisation generically, through
``_meta.related_objects``: a model added later that refers to a contact is moved or kept
consistent without a change here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext as _

from access import rules
from access.models import AuditEvent
from access.services import audit

from .models import NO_NAME, ContactConsent, Organisation, Person

MERGED = AuditEvent.Action.CONTACTS_MERGED
ERASED = AuditEvent.Action.PERSON_ERASED
CONSENT_CHANGED = AuditEvent.Action.CONSENT_CHANGED

# --- publication consent ---------------------------------------------------------------------


def consent_label(given: bool) -> str:
    """The change as an import preview and the audit log show it."""
    return _("newly given") if given else _("withdrawn")


@transaction.atomic
def contact_consent_set(
    person: Person,
    *,
    public: bool,
    source: str,
    note: str = "",
    acting_user=None,
    request=None,
) -> ContactConsent | None:
    """Give or withdraw a person's consent to publishing their contact details, with who
    recorded it, when and how; the one way ``Person.public_contact`` changes. ``None`` when
    the consent is already as asked (nothing is recorded)."""
    if source not in ContactConsent.Source.values:
        raise ValidationError(
            {"source": _("Say how the consent was given or withdrawn.")}, code="required"
        )
    if person.pk is None:
        raise ValueError("save the person before recording a consent")
    stored = Person.objects.select_for_update().only("public_contact", "erased_at")
    stored = stored.get(pk=person.pk)
    if stored.public_contact == public:
        person.public_contact = public
        return None
    if public and stored.erased_at is not None:
        raise ValidationError(_("An erased person keeps no contact details."))
    actor = acting_user if getattr(acting_user, "is_authenticated", False) else None
    record = ContactConsent(
        person=person,
        given=public,
        source=source,
        note=note.strip(),
        recorded_by=actor,
        recorded_by_name=actor.get_username() if actor else "",
    )
    record.full_clean()
    record.save()
    person.public_contact = public
    person._history_user = actor
    person._change_reason = (
        f"{_('Consent: contact details public')} – {consent_label(public)} "
        f"({record.get_source_display()})"
    )[:100]
    person.save(update_fields=["public_contact"])
    audit(
        CONSENT_CHANGED,
        actor=actor,
        request=request,
        obj=person,
        detail=f"{_('Consent: contact details public')} – {consent_label(public)}; "
        f"{record.get_source_display()}" + (f": {record.note}" if record.note else ""),
    )
    return record


# --- duplicates ------------------------------------------------------------------------------

UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# Academic and professional titles written before a name: “Dr.”, “Prof. Dr.-Ing.”, “Dipl.-Ing.”
TITLE_WORDS = re.compile(
    r"\b(?:prof|dr|dipl|frau|herr)\b\.?"
    r"(?:[\s-]*(?:ing|med|phil|rer|nat|jur|oec|habil|kfm|kff)\b\.?)*",
    re.IGNORECASE,
)


def normalise_name(*parts: str) -> str:
    """A name as duplicates are compared: case, whitespace, umlauts and titles removed.

    “Dr. Jürgen  Müller” and “juergen mueller” both become “juergen mueller”.
    """
    text = " ".join(p for p in parts if p).casefold().translate(UMLAUTS)
    text = TITLE_WORDS.sub(" ", text)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


def normalise_email(address: str) -> str:
    return (address or "").strip().casefold()


def person_key(person: Person) -> str:
    return normalise_name(person.first_name, person.last_name)


@dataclass(frozen=True)
class Duplicate:
    existing: Person
    reason: str  # "email" or "name"


def find_person_duplicate(
    *, first_name: str, last_name: str, email: str, organisation_id: int | None, exclude_pk=None
) -> Duplicate | None:
    """An existing person with the same e-mail address, or the same normalised name in the
    same organisation."""
    candidates = Person.objects.filter(erased_at__isnull=True)
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    wanted = normalise_email(email)
    if wanted:
        for person in candidates.filter(email__iexact=email.strip()):
            if normalise_email(person.email) == wanted:
                return Duplicate(person, "email")
    key = normalise_name(first_name, last_name)
    if key:
        same_org = candidates.filter(organisation_id=organisation_id)
        for person in same_org.only("pk", "first_name", "last_name", "organisation_id"):
            if person_key(person) == key:
                return Duplicate(person, "name")
    return None


def normalise_org_name(name: str) -> str:
    return normalise_name(name)


def find_organisation_duplicate(*, name: str, parent_id: int | None, exclude_pk=None):
    """An existing organisation with the same normalised name under the same parent."""
    key = normalise_org_name(name)
    candidates = Organisation.objects.filter(parent_id=parent_id)
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    for org in candidates.only("pk", "name", "parent_id"):
        if normalise_org_name(org.name) == key:
            return org
    return None


# --- merging -----------------------------------------------------------------------------------


def _references(model):
    """Every (model, field name) that points at ``model`` by foreign key, through rows
    included; history tables are hidden relations and keep pointing where they pointed."""
    for rel in model._meta.related_objects:
        if rel.many_to_many:
            through = rel.through
            if not through._meta.auto_created:
                continue  # its own foreign key is listed as a relation of its own
            field = next(
                f for f in through._meta.fields if f.is_relation and f.related_model is model
            )
            yield through, field.name
        elif rel.one_to_many or rel.one_to_one:
            yield rel.related_model, rel.field.name


def _move(row, field_name: str, keep, drop) -> str:
    """Point one row at ``keep``; a row that would then duplicate another is deleted."""
    setattr(row, field_name, keep)
    if row._meta.model is type(keep) and row.pk == keep.pk:
        # the kept organisation was below the dropped one: it takes its place in the tree
        setattr(row, field_name, getattr(drop, field_name))
    try:
        row.validate_constraints()
    except ValidationError as error:
        if isinstance(row, Organisation):
            # a unit of the same name below both: merge those first
            raise ValidationError(
                _("“%(unit)s” exists below both organisations; merge those units first.")
                % {"unit": row.name}
            ) from error
        row.delete()
        return "deleted"
    row.save()
    return "moved"


def _fill_blanks(keep, drop) -> list[str]:
    filled = []
    for f in keep._meta.concrete_fields:
        if f.primary_key or f.is_relation and f.name == "parent":
            continue
        if isinstance(f, models.CharField | models.TextField) and not getattr(keep, f.attname):
            value = getattr(drop, f.attname)
            if value:
                setattr(keep, f.attname, value)
                filled.append(f.name)
        elif f.is_relation and getattr(keep, f.attname) is None and getattr(drop, f.attname):
            setattr(keep, f.attname, getattr(drop, f.attname))
            filled.append(f.name)
    return filled


@transaction.atomic
def contacts_merge(*, keep, duplicates, acting_user, request=None) -> dict[str, int]:
    """Move every reference from ``duplicates`` to ``keep`` and delete the duplicates.

    Blank fields of the kept record are filled from the duplicates; the change history records
    the merge; one audit event says who merged which records.
    """
    model = type(keep)
    if model not in (Person, Organisation):
        raise TypeError(model)
    if not rules.may_manage_contacts(acting_user):
        raise PermissionDenied
    duplicates = [d for d in duplicates if d.pk != keep.pk]
    if any(type(d) is not model for d in duplicates):
        raise TypeError("only records of one kind can be merged")
    counts = {"moved": 0, "deleted": 0}
    names = []
    for drop in duplicates:
        names.append(f"#{drop.pk}")
        for related_model, field_name in _references(model):
            manager = related_model._default_manager
            for row in manager.filter(**{field_name: drop}).order_by("pk"):
                counts[_move(row, field_name, keep, drop)] += 1
        keep.refresh_from_db()  # the kept record itself may have been one of the rows
        _fill_blanks(keep, drop)
        drop._change_reason = f"merged into #{keep.pk}"
        drop.delete()
    keep._change_reason = f"merged from {', '.join(names)}"
    keep._history_user = acting_user
    keep.full_clean()
    keep.save()
    audit(
        MERGED,
        actor=acting_user,
        request=request,
        obj=keep,
        detail=f"{model._meta.verbose_name}: {', '.join(names)} → #{keep.pk}; "
        f"{counts['moved']} references moved, {counts['deleted']} duplicates removed",
    )
    return counts


# --- erasure on request (GDPR Art. 17) -------------------------------------------------------

PERSONAL_FIELDS = ("salutation", "title", "first_name", "last_name", "phone", "email")
# Apps whose tables (current and history) may carry a person's name or contact details.
SCRUBBED_APPS = (
    "contacts",
    "actionplan",
    "campaigns",
    "access",
    "documents",
    "imports",
    "versions",
    "reports",
    "admin",
)


def _erased_values(person: Person) -> set[str]:
    """Every name, phone and e-mail the person had, now or in any history row."""
    rows = [person, *person.history.all()]
    values = set()
    for row in rows:
        for value in (
            row.email,
            row.phone,
            " ".join(p for p in (row.first_name, row.last_name) if p),
            " ".join(p for p in (row.title, row.first_name, row.last_name) if p),
        ):
            if value and value.strip() and value != NO_NAME:
                values.add(value.strip())
    return values - _organisation_details()


def _organisation_details() -> set[str]:
    """An organisation's own switchboard or address is not the person's: it stays."""
    rows = Organisation.objects.values_list("phone", "email")
    return {value for row in rows for value in row if value}


def _text_fields(model):
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField) and not f.choices
    ]


def _erased_names(person: Person) -> set[tuple[str, str]]:
    """(first name, last name) pairs the person had: stored documents such as a plan version's
    snapshot keep a person as separate fields, not as one string."""
    rows = [person, *person.history.all()]
    return {(row.first_name or "", row.last_name or "") for row in rows if row.last_name != NO_NAME}


def _scrub_json(data, values: set[str], names: set[tuple[str, str]]):
    """The JSON value with every person record of the erased person anonymised (as the table
    row is) and every erased value in any string replaced."""
    if isinstance(data, dict):
        if (data.get("first_name") or "", data.get("last_name") or "") in names:
            data = {**data, **{name: "" for name in PERSONAL_FIELDS}, "last_name": NO_NAME}
            if "public_contact" in data:
                data["public_contact"] = False
        return {key: _scrub_json(value, values, names) for key, value in data.items()}
    if isinstance(data, list):
        return [_scrub_json(value, values, names) for value in data]
    if isinstance(data, str):
        for value in sorted(values, key=len, reverse=True):
            data = data.replace(value, NO_NAME)
    return data


def _scrub_everywhere(values: set[str], names: set[tuple[str, str]] = frozenset()) -> int:
    """Replace the erased values in every text and JSON column of the apps that could hold
    them."""
    changed = 0
    for label in SCRUBBED_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            manager = model._base_manager
            for f in _text_fields(model):
                for value in sorted(values, key=len, reverse=True):
                    changed += manager.filter(**{f"{f.name}__contains": value}).update(
                        **{f.name: Replace(F(f.name), Value(value), Value(NO_NAME))}
                    )
            for f in model._meta.concrete_fields:
                if not isinstance(f, models.JSONField):
                    continue
                for pk, data in manager.values_list("pk", f.name).iterator():
                    scrubbed = _scrub_json(data, values, names)
                    if scrubbed != data:
                        manager.filter(pk=pk).update(**{f.name: scrubbed})
                        changed += 1
    return changed


def _forget_every_copy() -> int:
    """Every stored or cached document and page may hold the erased details (a dated
    version's PDF names the person although today's plan no longer does): stored PDF exports
    go (rows now, files once the erasure is committed), every plan's and campaign's change
    stamp moves (their cached pages, feeds and PDFs are keyed by it), and the documents' cache
    keys carry the time of the latest erasure (``documents.services.erasure_stamp``), which
    reaches the version PDFs keyed by their version. Erasures are rare; a refill is cheap."""
    from actionplan.models import Plan
    from actionplan.signals import plan_touch
    from campaigns.signals import campaigns_touch
    from documents.models import PdfExport

    # each export's file goes once the erasure is committed (documents.signals)
    count, _ = PdfExport.objects.all().delete()
    plan_touch(Plan.objects.all())
    campaigns_touch()
    return count


@transaction.atomic
def person_erase(*, person: Person, acting_user, request=None) -> Person:
    """Anonymise a person on request: the records that name them stay (their role and their
    organisation too), the name becomes “—”, phone and e-mail are removed, and no current or
    history table keeps a readable copy. The audit event names only the record number."""
    if not rules.may_manage_contacts(acting_user):
        raise PermissionDenied
    person = Person.objects.select_for_update().get(pk=person.pk)
    values = _erased_values(person)
    names = _erased_names(person)
    # Consent records stay, anonymised: when and how publication was covered, recorded by
    # whom, without the free-text note that may name the person; erasure withdraws consent.
    person.consents.exclude(note="").update(note="")
    if person.public_contact:
        actor = acting_user if getattr(acting_user, "is_authenticated", False) else None
        ContactConsent.objects.create(
            person=person,
            given=False,
            source=ContactConsent.Source.ERASURE,
            recorded_by=actor,
            recorded_by_name=actor.get_username() if actor else "",
        )
    for name in PERSONAL_FIELDS:
        setattr(person, name, "")
    person.last_name = NO_NAME
    person.public_contact = False
    person.erased_at = timezone.now()
    person._history_user = acting_user
    person._change_reason = "erased on request"
    person.save()
    # The person's own history: every row loses the personal fields, not just the text.
    person.history.all().update(
        **{name: "" for name in PERSONAL_FIELDS if name != "last_name"},
        last_name=NO_NAME,
        public_contact=False,
    )
    # Contact rows that carry the person's own numbers (a press contact's fax).
    for related_model, field_name in _references(Person):
        for f in ("fax",):
            if any(x.name == f for x in related_model._meta.concrete_fields):
                rows = related_model._default_manager.filter(**{field_name: person})
                for value in rows.exclude(**{f: ""}).values_list(f, flat=True):
                    values.add(value)
    _scrub_everywhere(values - _organisation_details(), names)
    _forget_every_copy()
    # the person as it is now (“—”): the event names the record, not the erased details
    audit(ERASED, actor=acting_user, request=request, obj=person, detail=f"person #{person.pk}")
    return person
