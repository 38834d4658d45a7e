"""What a plan holds besides its rows: its own attributes, the contact persons of its fields
and the links between its measures (``Measure.related_measures``).

Both plan adapters — the JSON document (``imports/plan_document.py``) and the workbook
(``imports/plan_workbook.py``) — hand them to ``PlanExtras``, which compares them with the
stored plan without writing anything (so a dry run needs no write), reports the changes (new,
changed old → new, deleted) in the same terms as ``imports.plan_import`` and, after the rows
have been written by ``plan_apply_rows``, writes exactly those changes in the same
transaction. An unchanged value is never saved: a round trip writes no history rows.

Fields and measures are named by their natural keys *as after the import* (a measure whose
code the same input changes is named by its new code); a contact or link of a field or
measure that the input deletes goes with it.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.encoding import force_str
from django.utils.translation import gettext as _

from actionplan.models import FieldContact, FieldOfAction, Measure, Plan
from contacts.models import Organisation, Person

from .plan_import import (
    Change,
    Incoming,
    PlanImportError,
    Problem,
    Where,
    display,
    key_of,
    normalise,
    with_english,
)

# The plan's own attributes an import compares and writes, in the order they are shown.
PLAN_ATTRIBUTES = (
    "slug",
    "title",
    "subtitle",
    "region",
    "issued_label",
    "issued_on",
    "period_label",
    "funding_note",
    "introduction",
    "status",
    "language",
    "project_lead",
    "author_organisation",
    "data_licence",
)
# English beside each translated German attribute; the note above the English pages last
PLAN_ATTRIBUTES = (*with_english(Plan, PLAN_ATTRIBUTES), "english_note")
PLAN_FOREIGN_KEYS = {"project_lead": Person, "author_organisation": Organisation}

Link = Measure.related_measures.through


@dataclass
class ContactRow:
    """A field's contact person: ``field`` is the field's slug, ``person`` a person's pk."""

    field: str
    person: int
    position: int
    pk: int | None = None
    delete: bool = False
    where: Where = field(default_factory=Where)


@dataclass
class LinkRow:
    """A link from one measure to another, both named by their natural measure keys."""

    source: tuple
    target: tuple
    pk: int | None = None
    delete: bool = False
    where: Where = field(default_factory=Where)


class ExtraChange(Change):
    """A change to a contact or a link: kinds the row importer does not know."""

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)


def kind_label(kind: str) -> str:
    if kind == "contact":
        return force_str(FieldContact._meta.verbose_name)
    if kind == "link":
        return _("link between measures")
    return force_str(Plan._meta.verbose_name)


def _measure_text(key: tuple) -> str:
    return "/".join(str(part) for part in key)


def _link_label(source: tuple, target: tuple) -> str:
    return f"{kind_label('link')} {_measure_text(source)} → {_measure_text(target)}"


def _contact_label(field_slug: str, person) -> str:
    return f"{kind_label('contact')} {field_slug}: {person}"


# --- what the rows make of fields and measures ------------------------------------------------


class _Identities:
    """Natural key → the stored row's pk or ``("new", key)``, as the plan stands after the rows
    have been applied; and the pks of the fields and measures the rows delete (``complete``:
    also those they do not mention; a measure also goes with its deleted field)."""

    def __init__(self, plan: Plan | None, rows: list[Incoming], *, complete: bool):
        self.keys: dict[str, dict[tuple, object]] = {"field": {}, "measure": {}}
        self.deleted: dict[str, set[int]] = {"field": set(), "measure": set()}
        self.stored_keys: dict[str, dict[int, tuple]] = {"field": {}, "measure": {}}
        self.deleted_keys: dict[str, set[tuple]] = {"field": set(), "measure": set()}
        field_of: dict[int, int] = {}
        if plan is not None and plan.pk is not None:
            fields = {f.pk: f for f in FieldOfAction.objects.filter(plan=plan).only("slug")}
            for pk, fld in fields.items():
                self.stored_keys["field"][pk] = key_of("field", fld)
            for measure in Measure.objects.filter(field__plan=plan).only(
                "pk", "code", "position", "field_id"
            ):
                measure.field = fields[measure.field_id]
                self.stored_keys["measure"][measure.pk] = key_of("measure", measure)
                field_of[measure.pk] = measure.field_id
        for kind in ("field", "measure"):
            stored = self.stored_keys[kind]
            by_key = {key: pk for pk, key in stored.items()}
            keys = {} if complete else dict(by_key)
            for row in rows:
                if row.kind != kind:
                    continue
                pk = row.pk if row.pk in stored else by_key.get(row.key) if row.pk is None else None
                if pk is not None and keys.get(stored[pk]) == pk:
                    del keys[stored[pk]]
                if row.delete:
                    if pk is not None:
                        self.deleted[kind].add(pk)
                    continue
                if kind == "measure" and (row.key[0],) not in self.keys["field"]:
                    if pk is not None:  # goes with its deleted field
                        self.deleted[kind].add(pk)
                    continue
                keys[row.key] = pk if pk is not None else ("new", row.key)
            live = set(keys.values())
            for pk, key in stored.items():
                if pk in live:
                    continue
                if complete or (kind == "measure" and field_of[pk] in self.deleted["field"]):
                    self.deleted[kind].add(pk)
                    keys.pop(key, None)
            self.keys[kind] = keys
            self.deleted_keys[kind] = {
                stored[pk] for pk in self.deleted[kind] if stored[pk] not in keys
            }

    def of(self, kind: str, key: tuple):
        return self.keys[kind].get(key)

    def gone(self, kind: str, pk: int) -> bool:
        return pk in self.deleted[kind]


# --- compare ------------------------------------------------------------------------------------


@dataclass
class _Planned:
    action: str  # "new", "changed", "deleted"
    stored: object | None
    values: dict
    change: Change


class PlanExtras:
    """The differences between the given extras and the stored plan; ``apply`` writes them.

    ``attributes``: the plan's attributes (foreign keys as pks); only those given are compared.
    ``contacts`` / ``links``: ``None`` leaves them all as stored. ``complete``: the input is the
    whole plan (a JSON document), so stored contacts and links it does not list are deleted;
    otherwise (a workbook) only rows marked for deletion are.
    """

    def __init__(
        self,
        plan: Plan | None,
        rows: list[Incoming],
        *,
        attributes: dict | None = None,
        attribute_where: dict[str, Where] | None = None,
        contacts: list[ContactRow] | None = None,
        links: list[LinkRow] | None = None,
        complete: bool = False,
    ):
        self.plan = plan
        self.problems: list[Problem] = []
        self.attribute_change: Change | None = None
        self.attribute_values: dict = {}
        self.contacts: list[_Planned] = []
        self.links: list[_Planned] = []
        self.identities = _Identities(plan, rows, complete=complete)
        self._names: dict[type, dict[int, str]] = {}
        if attributes:
            self._compare_attributes(attributes, attribute_where or {})
        if contacts is not None:
            self._compare_contacts(contacts, complete)
        if links is not None:
            self._compare_links(links, complete)

    @property
    def changes(self) -> list[Change]:
        """The plan's own change first, then contacts, then links."""
        first = [self.attribute_change] if self.attribute_change else []
        return first + [p.change for p in self.contacts] + [p.change for p in self.links]

    def _name(self, model, pk) -> str:
        if pk is None:
            return ""
        names = self._names.setdefault(model, {})
        if pk not in names:
            names[pk] = str(model.objects.filter(pk=pk).first() or pk)
        return names[pk]

    # the plan's attributes

    def _compare_attributes(self, attributes: dict, where: dict[str, Where]) -> None:
        plan = self.plan
        old = plan_values(plan)
        new = {**old, **{a: normalise(v) for a, v in attributes.items() if a in PLAN_ATTRIBUTES}}
        changed = [a for a in PLAN_ATTRIBUTES if old[a] != new[a]]
        if not changed:
            return
        probe = copy.copy(plan)
        for attribute in changed:
            setattr(probe, _attname(attribute), new[attribute])
        names = [f.name for f in Plan._meta.fields]
        try:
            probe.clean_fields(exclude=[n for n in names if n not in changed])
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                place = where.get(name, Where(path="plan"))
                for message in messages:
                    self.problems.append(place.problem(message, name))
            return
        self.attribute_values = {a: new[a] for a in changed}
        self.attribute_change = Change(
            "changed",
            "plan",
            f"{kind_label('plan')} {plan.slug}",
            [
                (
                    force_str(Plan._meta.get_field(a).verbose_name),
                    display(self._shown_attribute(a, old[a])),
                    display(self._shown_attribute(a, new[a])),
                )
                for a in changed
            ],
        )

    def _shown_attribute(self, attribute: str, value):
        if attribute in PLAN_FOREIGN_KEYS:
            return self._name(PLAN_FOREIGN_KEYS[attribute], value)
        choices = Plan._meta.get_field(attribute).choices
        if choices and value:
            return force_str(dict(choices).get(value, value))
        return value

    # contact persons of the fields

    def _compare_contacts(self, rows: list[ContactRow], complete: bool) -> None:
        plan_contacts = (
            list(FieldContact.objects.filter(field__plan=self.plan).select_related("field"))
            if self.plan is not None and self.plan.pk is not None
            else []
        )
        by_pk = {c.pk: c for c in plan_contacts}
        by_pair = {(c.field_id, c.person_id): c for c in plan_contacts}
        # the names the labels show, in one query
        self._names[Person] = {
            pk: str(person)
            for pk, person in Person.objects.in_bulk(
                {r.person for r in rows} | {c.person_id for c in plan_contacts}
            ).items()
        }
        matched: dict[int, ContactRow] = {}
        wanted: dict[tuple, ContactRow] = {}
        for row in rows:
            field_id = self.identities.of("field", (row.field,))
            if field_id is None and (row.field,) in self.identities.deleted_keys["field"]:
                continue  # goes with its deleted field
            if row.pk is not None:
                stored = by_pk.get(row.pk)
                if stored is None:
                    self.problems.append(
                        row.where.problem(
                            _("There is no %(kind)s with the ID %(id)s in this plan.")
                            % {"kind": kind_label("contact"), "id": row.pk},
                            "id",
                        )
                    )
                    continue
                if self.identities.gone("field", stored.field_id):
                    continue  # goes with its deleted field
            else:
                stored = by_pair.get((field_id, row.person))
            if field_id is None:
                if row.delete and stored is not None:
                    field_id = stored.field_id
                else:
                    self.problems.append(
                        row.where.problem(
                            _("The field of action “%(field)s” does not exist.")
                            % {"field": row.field},
                            "field",
                        )
                    )
                    continue
            label = _contact_label(row.field, self._name(Person, row.person))
            if stored is not None and stored.pk in matched:
                self.problems.append(self._twice(row, matched[stored.pk], label))
                continue
            if not row.delete and (field_id, row.person) in wanted:
                self.problems.append(self._twice(row, wanted[(field_id, row.person)], label))
                continue
            if stored is not None:
                matched[stored.pk] = row
            if row.delete:
                if stored is None:
                    self.problems.append(
                        row.where.problem(
                            _("%(what)s is marked for deletion but does not exist.")
                            % {"what": label},
                            "delete",
                        )
                    )
                    continue
                self.contacts.append(self._contact_deleted(stored))
                continue
            wanted[(field_id, row.person)] = row
            values = {"field": field_id, "person": row.person, "position": row.position}
            if stored is None:
                change = ExtraChange(
                    "new",
                    "contact",
                    label,
                    [
                        (
                            force_str(FieldContact._meta.get_field("position").verbose_name),
                            "",
                            display(row.position),
                        )
                    ],
                )
                self.contacts.append(_Planned("new", None, values, change))
                continue
            diffs = []
            if stored.person_id != row.person:
                diffs.append(
                    (
                        force_str(FieldContact._meta.get_field("person").verbose_name),
                        self._name(Person, stored.person_id),
                        self._name(Person, row.person),
                    )
                )
            if stored.field_id != field_id:
                diffs.append(
                    (
                        force_str(FieldContact._meta.get_field("field").verbose_name),
                        stored.field.slug,
                        row.field,
                    )
                )
            if stored.position != row.position:
                diffs.append(
                    (
                        force_str(FieldContact._meta.get_field("position").verbose_name),
                        display(stored.position),
                        display(row.position),
                    )
                )
            if diffs:
                old_label = _contact_label(stored.field.slug, self._name(Person, stored.person_id))
                change = ExtraChange("changed", "contact", old_label, diffs)
                self.contacts.append(_Planned("changed", stored, values, change))
        if complete:
            for contact in plan_contacts:
                if contact.pk not in matched and not self.identities.gone(
                    "field", contact.field_id
                ):
                    self.contacts.append(self._contact_deleted(contact))

    def _contact_deleted(self, stored) -> _Planned:
        label = _contact_label(stored.field.slug, self._name(Person, stored.person_id))
        return _Planned("deleted", stored, {}, ExtraChange("deleted", "contact", label))

    @staticmethod
    def _twice(row, first, label: str) -> Problem:
        if first.where.row is not None:
            message = _("%(what)s appears more than once (also in row %(row)s).") % {
                "what": label,
                "row": first.where.row,
            }
        else:
            message = _("%(what)s appears more than once.") % {"what": label}
        return row.where.problem(message)

    # links between measures

    def _compare_links(self, rows: list[LinkRow], complete: bool) -> None:
        stored_links = []
        if self.plan is not None and self.plan.pk is not None:
            stored_links = list(
                Link.objects.filter(
                    from_measure__field__plan=self.plan, to_measure__field__plan=self.plan
                ).order_by("pk")
            )
        by_pk = {link.pk: link for link in stored_links}
        by_pair = {(link.from_measure_id, link.to_measure_id): link for link in stored_links}
        keys = self.identities.stored_keys["measure"]
        matched: dict[int, LinkRow] = {}
        wanted: dict[tuple, LinkRow] = {}
        for row in rows:
            ends = []
            for key, attribute in ((row.source, "measure"), (row.target, "related_measure")):
                identity = self.identities.of("measure", key)
                if identity is None and key in self.identities.deleted_keys["measure"]:
                    identity = "gone"
                elif identity is None:
                    self.problems.append(
                        row.where.problem(
                            _("The measure “%(measure)s” in the field “%(field)s” does not exist.")
                            % {"measure": key[1], "field": key[0]},
                            attribute,
                        )
                    )
                ends.append(identity)
            if None in ends:
                continue
            if any(e == "gone" for e in ends):
                continue  # goes with its deleted measure
            pair = tuple(ends)
            label = _link_label(row.source, row.target)
            if row.pk is not None:
                stored = by_pk.get(row.pk)
                if stored is None:
                    self.problems.append(
                        row.where.problem(
                            _("There is no %(kind)s with the ID %(id)s in this plan.")
                            % {"kind": kind_label("link"), "id": row.pk},
                            "id",
                        )
                    )
                    continue
            else:
                stored = by_pair.get(pair)
            if stored is not None and (
                self.identities.gone("measure", stored.from_measure_id)
                or self.identities.gone("measure", stored.to_measure_id)
            ):
                continue  # goes with its deleted measure
            if pair[0] == pair[1] and not row.delete:
                self.problems.append(
                    row.where.problem(_("A measure cannot be linked to itself."), "related_measure")
                )
                continue
            if stored is not None and stored.pk in matched:
                self.problems.append(self._twice(row, matched[stored.pk], label))
                continue
            if not row.delete and pair in wanted:
                self.problems.append(self._twice(row, wanted[pair], label))
                continue
            if stored is not None:
                matched[stored.pk] = row
            if row.delete:
                if stored is None:
                    self.problems.append(
                        row.where.problem(
                            _("%(what)s is marked for deletion but does not exist.")
                            % {"what": label},
                            "delete",
                        )
                    )
                    continue
                self.links.append(self._link_deleted(stored, keys))
                continue
            wanted[pair] = row
            values = {"source": row.source, "target": row.target}
            if stored is None:
                self.links.append(_Planned("new", None, values, ExtraChange("new", "link", label)))
            elif (stored.from_measure_id, stored.to_measure_id) != pair:
                old_source = keys[stored.from_measure_id]
                old_target = keys[stored.to_measure_id]
                diffs = [
                    (label_, _measure_text(old), _measure_text(new))
                    for label_, old, new in (
                        (force_str(Measure._meta.verbose_name), old_source, row.source),
                        (_("related measure"), old_target, row.target),
                    )
                    if old != new
                ]
                change = ExtraChange("changed", "link", _link_label(old_source, old_target), diffs)
                self.links.append(_Planned("changed", stored, values, change))
        if complete:
            for link in stored_links:
                gone = self.identities.gone("measure", link.from_measure_id) or (
                    self.identities.gone("measure", link.to_measure_id)
                )
                if link.pk not in matched and not gone:
                    self.links.append(self._link_deleted(link, keys))

    @staticmethod
    def _link_deleted(stored, keys) -> _Planned:
        label = _link_label(keys[stored.from_measure_id], keys[stored.to_measure_id])
        return _Planned("deleted", stored, {}, ExtraChange("deleted", "link", label))

    # apply

    def apply(self, plan: Plan, *, reason: str) -> None:
        """Write the changes, after the rows (new fields and measures exist by now)."""
        if self.attribute_values:
            for attribute, value in self.attribute_values.items():
                setattr(plan, _attname(attribute), value)
            plan._change_reason = reason
            try:
                plan.full_clean()
            except ValidationError as exc:
                raise PlanImportError(
                    [Problem(m, column=n) for n, ms in exc.message_dict.items() for m in ms]
                ) from exc
            plan.save()
        if not (self.contacts or self.links):
            return
        fields = {(f.slug,): f.pk for f in FieldOfAction.objects.filter(plan=plan)}
        measures = {
            key_of("measure", m): m
            for m in Measure.objects.filter(field__plan=plan).select_related("field")
        }
        try:
            with transaction.atomic():
                self._apply_contacts(fields, reason)
                self._apply_links(measures, reason)
        except IntegrityError as exc:
            raise PlanImportError(
                [
                    Problem(
                        _(
                            "The rows contradict each other (two rows claim the same "
                            "position or key). Nothing was imported."
                        )
                    )
                ]
            ) from exc

    def _apply_contacts(self, fields: dict, reason: str) -> None:
        # deletions first: they free the (field, person) pairs the other rows may take
        for planned in sorted(self.contacts, key=lambda p: p.action != "deleted"):
            if planned.action == "deleted":
                if FieldContact.objects.filter(pk=planned.stored.pk).exists():
                    planned.stored._change_reason = reason
                    planned.stored.delete()
                continue
            contact = planned.stored if planned.stored is not None else FieldContact()
            field_id = planned.values["field"]
            if isinstance(field_id, tuple):  # ("new", key): created by the rows
                field_id = fields[field_id[1]]
            contact.field_id = field_id
            contact.person_id = planned.values["person"]
            contact.position = planned.values["position"]
            contact._change_reason = reason
            contact.save()

    def _apply_links(self, measures: dict, reason: str) -> None:
        by_pk = {m.pk: m for m in measures.values()}
        # per source measure, in order (deletions first: they free the pairs)
        operations: dict[int, list] = {}
        for planned in sorted(self.links, key=lambda p: p.action != "deleted"):
            stored = planned.stored
            if stored is not None:
                source = by_pk[stored.from_measure_id]
                operations.setdefault(source.pk, []).append(
                    (source, "remove", stored.to_measure_id)
                )
            if planned.action == "deleted":
                continue
            source = measures[planned.values["source"]]
            target = measures[planned.values["target"]]
            operations.setdefault(source.pk, []).append((source, "add", target))
        for steps in operations.values():
            # Through the manager: its m2m_changed signal marks the plan as changed, and
            # simple-history records the measure with its links — once, after the last step,
            # so that one changed link is one history row with the import's reason.
            for index, (source, verb, target) in enumerate(steps):
                last = index == len(steps) - 1
                if last:
                    source.__dict__.pop("skip_history_when_saving", None)
                    source._change_reason = reason
                else:
                    source.skip_history_when_saving = True
                getattr(source.related_measures, verb)(target)


def _attname(attribute: str) -> str:
    return f"{attribute}_id" if attribute in PLAN_FOREIGN_KEYS else attribute


def plan_values(plan: Plan) -> dict:
    """The plan's compared attributes as stored (foreign keys as pks)."""
    return {a: normalise(getattr(plan, _attname(a))) for a in PLAN_ATTRIBUTES}


def extras_fingerprint(plan: Plan) -> str:
    """A digest of the plan's attributes, contacts and links (``plan_fingerprint`` covers the
    rows): equal at preview and at import means nobody changed them in between."""
    digest = hashlib.sha256()
    stored = Plan.objects.get(pk=plan.pk)
    digest.update(repr(sorted(plan_values(stored).items())).encode())
    contacts = FieldContact.objects.filter(field__plan=plan).order_by("pk")
    digest.update(
        repr(list(contacts.values_list("pk", "field_id", "person_id", "position"))).encode()
    )
    links = Link.objects.filter(from_measure__field__plan=plan).order_by("pk")
    digest.update(repr(list(links.values_list("pk", "from_measure_id", "to_measure_id"))).encode())
    return digest.hexdigest()
