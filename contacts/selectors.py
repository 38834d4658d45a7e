"""Reads of the public directory: what a page shows about an organisation or a person.

Every list asks ``access.rules`` which plans, measures and campaigns the user may see; each
selector costs a fixed number of queries, however many entries it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Subquery

from access import rules

from .models import Organisation, Person


@dataclass
class TreeNode:
    organisation: Organisation
    children: list[TreeNode] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)


def organisation_tree(user, people) -> list[TreeNode]:
    """All organisations the user may see as a forest (parents before children, by name), each
    with its persons from ``people`` (the directory's). One query."""
    orgs = list(Organisation.objects.visible_to(user).select_related("parent").order_by("name"))
    nodes = {org.pk: TreeNode(org) for org in orgs}
    for person in people:
        if person.organisation_id in nodes:
            nodes[person.organisation_id].people.append(person)
    roots = []
    for org in orgs:
        parent = nodes.get(org.parent_id)
        (parent.children if parent is not None else roots).append(nodes[org.pk])
    return roots


def directory_people(user):
    """The consenting persons the directory lists, alphabetically."""
    return Person.objects.in_directory(user).order_by("last_name", "first_name", "pk")


def directory_person(user, pk: int) -> Person | None:
    return Person.objects.in_directory(user).filter(pk=pk).first()


def _visible_measures(user):
    from actionplan.models import Measure

    return rules.visible_measures(user, Measure.objects.all()).values("pk")


def _visible_fields(user):
    from actionplan.models import FieldOfAction

    return rules.visible_fields(user, FieldOfAction.objects.all()).values("pk")


def _visible_campaigns(user):
    from campaigns.models import Campaign

    return rules.visible_campaigns(user, Campaign.objects.all()).values("pk")


def _visible_plans(user):
    from actionplan.models import Plan

    return rules.visible_plans(user, Plan.objects.all())


@dataclass
class Involvement:
    """Where an organisation or a person is responsible, limited to what the user may see."""

    plans: list
    fields: list
    responsibilities: list
    campaign_roles: list  # (campaign, role label) pairs
    events: list


def person_involvement(user, person: Person) -> Involvement:
    """Plans led, fields of action, measures, campaigns and events of a person: five queries."""
    from actionplan.models import FieldContact, Responsibility
    from campaigns.models import CampaignContact, EventParticipant

    plans = list(_visible_plans(user).filter(project_lead=person).order_by("title"))
    fields = [
        fc.field
        for fc in FieldContact.objects.filter(person=person, field__in=_visible_fields(user))
        .select_related("field__plan")
        .order_by("field__plan__title", "field__position")
    ]
    responsibilities = list(
        Responsibility.objects.filter(person=person, measure__in=_visible_measures(user))
        .select_related("measure__field__plan")
        .order_by("measure__field__plan__title", "measure__field__position", "measure__position")
    )
    campaign_roles = [
        (link.campaign, link.role)
        for link in CampaignContact.objects.filter(
            person=person, campaign__in=_visible_campaigns(user)
        )
        .select_related("campaign")
        .order_by("campaign__title")
    ]
    events = list(
        EventParticipant.objects.filter(person=person, event__campaign__in=_visible_campaigns(user))
        .select_related("event__campaign", "organisation")
        .order_by("event__date", "event__title")
    )
    return Involvement(plans, fields, responsibilities, campaign_roles, events)


def organisation_involvement(user, org: Organisation) -> Involvement:
    """Plans published, fields led, measures, campaigns (organiser or partner) and events of an
    organisation: six queries."""
    from actionplan.models import FieldOfAction, Responsibility
    from campaigns.models import Campaign, CampaignPartner, EventParticipant

    plans = list(_visible_plans(user).filter(author_organisation=org).order_by("title"))
    fields = list(
        FieldOfAction.objects.filter(lead_organisation=org, pk__in=_visible_fields(user))
        .select_related("plan")
        .order_by("plan__title", "position")
    )
    responsibilities = list(
        Responsibility.objects.filter(organisation=org, measure__in=_visible_measures(user))
        .select_related("measure__field__plan", "person__organisation")
        .order_by("measure__field__plan__title", "measure__field__position", "measure__position")
    )
    organiser = Campaign._meta.get_field("organiser").verbose_name
    campaign_roles = [
        (campaign, organiser)
        for campaign in Campaign.objects.filter(
            organiser=org, pk__in=_visible_campaigns(user)
        ).order_by("title")
    ]
    campaign_roles += [
        (link.campaign, link.get_role_display())
        for link in CampaignPartner.objects.filter(
            organisation=org, campaign__in=_visible_campaigns(user)
        )
        .select_related("campaign")
        .order_by("campaign__title")
    ]
    events = list(
        EventParticipant.objects.filter(
            organisation=org, event__campaign__in=_visible_campaigns(user)
        )
        .select_related("event__campaign", "person__organisation")
        .order_by("event__date", "event__title")
    )
    return Involvement(plans, fields, responsibilities, campaign_roles, events)


def organisation_members(user, org: Organisation):
    """Units directly below the organisation, and its consenting persons: two queries."""
    children = list(Organisation.objects.visible_to(user).filter(parent=org).order_by("name"))
    people = list(directory_people(user).filter(organisation=org))
    return children, people


# --- what the directory's pages are made of: the stamp that keys their cache ---------------------

# Every table whose change can alter a directory page: who a person is, and which published
# content names them. Deletions leave a history row, so they count too.
STAMP_SOURCES = [
    ("contacts", "HistoricalOrganisation", "history_date"),
    ("contacts", "HistoricalPerson", "history_date"),
    ("actionplan", "Plan", "content_changed_at"),
    ("campaigns", "HistoricalCampaign", "history_date"),
    ("campaigns", "HistoricalCampaignPartner", "history_date"),
    ("campaigns", "HistoricalCampaignContact", "history_date"),
    ("campaigns", "HistoricalCampaignEvent", "history_date"),
    ("campaigns", "HistoricalEventParticipant", "history_date"),
]


def directory_changed_at():
    """The newest change of anything the directory shows, in one query (None: nothing yet)."""
    from django.apps import apps

    latest = {
        f"s{i}": Subquery(
            apps.get_model(app, model)
            .objects.filter(**{f"{column}__isnull": False})
            .order_by(f"-{column}")
            .values(column)[:1]
        )
        for i, (app, model, column) in enumerate(STAMP_SOURCES)
    }
    row = ContentType.objects.order_by().annotate(**latest).values(*latest)[:1]
    stamps = [value for value in (row[0].values() if row else ()) if value is not None]
    return max(stamps, default=None)
