"""Who may see and who may change what: the one module that decides, for every path.

Pages, search, sitemap, PDFs, exports, imports, autocomplete and the admin all ask these
functions; none of them re-implements a rule. Roles come from ``Membership`` rows (per plan or
per campaign); superusers may do everything; anonymous visitors see published content only; a
staff account without a membership sees no more than an anonymous visitor.

Visibility of content:
- a plan is public when its status is “published”; its fields of action are public with it;
- a measure is public when it is published *and* its plan is public;
- a campaign is public when its status is “published”;
- members of a plan (any role) see all of that plan, drafts included; likewise for campaigns.

Changes:
- coordinator of a plan: everything in it (except deleting the plan: superusers only);
- editor of a plan for an organisation: the measures in which that organisation or a unit
  below it holds a responsibility — texts, steps, schedule, budget lines, and the publication
  state up to “in review”; not responsibilities, not the field or plan, not deletion;
- reader: nothing.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

COORDINATOR = "coordinator"
EDITOR = "editor"
READER = "reader"


# --- who the user is ---------------------------------------------------------------------------


def is_active_user(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def is_superuser(user) -> bool:
    return is_active_user(user) and user.is_superuser


@dataclass
class Roles:
    """A user's memberships, read once per user object (so once per request)."""

    plans: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    campaigns: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    # plan id -> organisation ids (with every unit below them) the user edits for
    editor_orgs: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))

    def plan_ids(self, *roles: str) -> set[int]:
        wanted = set(roles) or {COORDINATOR, EDITOR, READER}
        return {pk for pk, held in self.plans.items() if held & wanted}

    def campaign_ids(self, *roles: str) -> set[int]:
        wanted = set(roles) or {COORDINATOR, EDITOR, READER}
        return {pk for pk, held in self.campaigns.items() if held & wanted}

    @property
    def any(self) -> bool:
        return bool(self.plans or self.campaigns)


_CACHE_ATTR = "_planwerk_roles"


def roles(user) -> Roles:
    """The user's memberships; cached on the user object, see ``forget``."""
    if not is_active_user(user):
        return Roles()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from contacts.models import Organisation

    from .models import Membership

    result = Roles()
    org_roots: dict[int, set[int]] = defaultdict(set)
    for plan_id, campaign_id, role, org_id in Membership.objects.filter(user=user).values_list(
        "plan_id", "campaign_id", "role", "organisation_id"
    ):
        if plan_id is not None:
            result.plans[plan_id].add(role)
            if role == EDITOR and org_id is not None:
                org_roots[plan_id].add(org_id)
        if campaign_id is not None:
            result.campaigns[campaign_id].add(role)
    if org_roots:
        children = defaultdict(list)
        for pk, parent_id in Organisation.objects.values_list("pk", "parent_id"):
            children[parent_id].append(pk)
        for plan_id, roots in org_roots.items():
            stack, seen = list(roots), set()
            while stack:
                org = stack.pop()
                if org not in seen:
                    seen.add(org)
                    stack.extend(children.get(org, ()))
            result.editor_orgs[plan_id] = seen
    setattr(user, _CACHE_ATTR, result)
    return result


def forget(user) -> None:
    """Drop the cached memberships (after they changed within the same request)."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_member(user) -> bool:
    """Has any role anywhere: may open the admin at all."""
    return is_superuser(user) or roles(user).any


def should_be_staff(user) -> bool:
    """Whether the account carries Django's staff flag: superusers, and everybody with a
    membership in a plan or campaign (inactive accounts included; ``is_active`` locks them out
    on its own). Admin pages need the flag *and* a membership (``may_use_admin``), so nobody
    else needs the flag: contact managers and exporters are coordinators, hence members.
    Read from the database, not from the per-request cache."""
    from .models import Membership

    if user is None or user.pk is None:
        return False
    return user.is_superuser or Membership.objects.filter(user_id=user.pk).exists()


def may_use_admin(user) -> bool:
    """May open the admin: an active account with the staff flag and a role somewhere (or a
    superuser). The admin site and the admin login form ask this."""
    return is_active_user(user) and user.is_staff and is_member(user)


def plan_roles(user, plan_id: int | None) -> set[str]:
    if plan_id is None:
        return set()
    return roles(user).plans.get(plan_id, set())


def campaign_roles(user, campaign_id: int | None) -> set[str]:
    if campaign_id is None:
        return set()
    return roles(user).campaigns.get(campaign_id, set())


def sees_unpublished(user, plan) -> bool:
    """May see the drafts of this plan (any role in it, or superuser)."""
    return is_superuser(user) or bool(plan_roles(user, _pk(plan)))


def coordinates(user, plan) -> bool:
    return is_superuser(user) or COORDINATOR in plan_roles(user, _pk(plan))


def coordinates_campaign(user, campaign) -> bool:
    return is_superuser(user) or COORDINATOR in campaign_roles(user, _pk(campaign))


def can_cancel_job(user, job) -> bool:
    """A background job (an import, a PDF export) may be followed and cancelled by whoever
    started it and by the coordinators of its plan or campaign (superusers included)."""
    if not is_active_user(user):
        return False
    if job.requested_by_id is not None and job.requested_by_id == user.pk:
        return True
    plan_id = getattr(job, "plan_id", None)
    campaign_id = getattr(job, "campaign_id", None)
    return (
        is_superuser(user)
        or plan_id is not None
        and coordinates(user, plan_id)
        or campaign_id is not None
        and coordinates_campaign(user, campaign_id)
    )


def coordinated_plan_ids(user) -> set[int] | None:
    """Plans the user coordinates; None means all (superuser)."""
    if is_superuser(user):
        return None
    return roles(user).plan_ids(COORDINATOR)


def _pk(obj) -> int | None:
    return obj if isinstance(obj, int) or obj is None else obj.pk


# --- which of these may the user see -------------------------------------------------------------


def _published_plan():
    from actionplan.models import Plan

    return Plan.Status.PUBLISHED


def public_plans_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": _published_plan()})


def public_measures_q(prefix: str = "") -> Q:
    from actionplan.models import Measure

    return Q(
        **{
            f"{prefix}state": Measure.State.PUBLISHED,
            f"{prefix}field__plan__status": _published_plan(),
        }
    )


def visible_plans(user, qs: QuerySet) -> QuerySet:
    if is_superuser(user):
        return qs
    member = roles(user).plan_ids()
    return qs.filter(public_plans_q() | Q(pk__in=member)) if member else qs.filter(public_plans_q())


def visible_fields(user, qs: QuerySet) -> QuerySet:
    if is_superuser(user):
        return qs
    member = roles(user).plan_ids()
    condition = public_plans_q("plan__")
    if member:
        condition |= Q(plan_id__in=member)
    return qs.filter(condition)


# Fields that only members see (the review's note to the editors), and bookkeeping that is not
# news; everything else a public measure page shows. Public lists of changes (the Atom feed)
# leave these out.
_NON_PUBLIC_FIELDS = {
    "actionplan.measure": {"review_comment", "position", "slug"},
    "actionplan.step": {"position"},
}


def public_field_names(model) -> set[str]:
    """The names of ``model``'s fields whose values an anonymous visitor may read (of a
    public object)."""
    hidden = _NON_PUBLIC_FIELDS.get(model._meta.label_lower, set())
    return {f.name for f in model._meta.get_fields() if f.name not in hidden}


def public_measures(qs: QuerySet) -> QuerySet:
    """What an anonymous visitor may see: published measures of published plans."""
    return qs.filter(public_measures_q())


def visible_measures(user, qs: QuerySet) -> QuerySet:
    if is_superuser(user):
        return qs
    member = roles(user).plan_ids()
    condition = public_measures_q()
    if member:
        condition |= Q(field__plan_id__in=member)
    return qs.filter(condition)


def public_campaigns_q(prefix: str = "") -> Q:
    from campaigns.models import Campaign

    return Q(**{f"{prefix}status": Campaign.Status.PUBLISHED})


def visible_campaigns(user, qs: QuerySet) -> QuerySet:
    if is_superuser(user):
        return qs
    condition = public_campaigns_q()
    member = roles(user).campaign_ids()
    if member:
        condition |= Q(pk__in=member)
    return qs.filter(condition)


def visible_attachments(user, qs: QuerySet) -> QuerySet:
    """Documents attached to what the user may see: a public plan (its fields with it), a
    public measure, a public campaign; members see those of their plans and campaigns, drafts
    included."""
    if is_superuser(user):
        return qs
    condition = (
        public_plans_q("plan__")
        | public_plans_q("field__plan__")
        | public_measures_q("measure__")
        | public_campaigns_q("campaign__")
    )
    r = roles(user)
    plans, campaigns = r.plan_ids(), r.campaign_ids()
    if plans:
        condition |= Q(plan_id__in=plans) | Q(field__plan_id__in=plans)
        condition |= Q(measure__field__plan_id__in=plans)
    if campaigns:
        condition |= Q(campaign_id__in=campaigns)
    return qs.filter(condition)


def visible_council_papers(user, qs: QuerySet) -> QuerySet:
    """Council papers of what the user may see: a plan's own papers with the public plan, a
    measure's with the public measure; members of the plan see all of its papers."""
    if is_superuser(user):
        return qs
    condition = Q(measure__isnull=True) & public_plans_q("plan__") | public_measures_q("measure__")
    plans = roles(user).plan_ids()
    if plans:
        condition |= Q(plan_id__in=plans)
    return qs.filter(condition)


def public_persons_q() -> Q:
    """Persons named by public content: contacts of public fields, plans and campaigns, parties
    of public measures and participants of events of public campaigns."""
    from actionplan.models import FieldContact, Plan, Responsibility
    from campaigns.models import CampaignContact, EventParticipant

    return (
        Exists(
            FieldContact.objects.filter(person=OuterRef("pk")).filter(
                public_plans_q("field__plan__")
            )
        )
        | Exists(
            Responsibility.objects.filter(person=OuterRef("pk")).filter(
                public_measures_q("measure__")
            )
        )
        | Exists(Plan.objects.filter(project_lead=OuterRef("pk")).filter(public_plans_q()))
        | Exists(
            CampaignContact.objects.filter(person=OuterRef("pk")).filter(
                public_campaigns_q("campaign__")
            )
        )
        | Exists(
            EventParticipant.objects.filter(person=OuterRef("pk")).filter(
                public_campaigns_q("event__campaign__")
            )
        )
    )


def visible_persons(user, qs: QuerySet) -> QuerySet:
    if is_member(user):
        return qs
    return qs.filter(public_persons_q())


def listed_persons(user, qs: QuerySet) -> QuerySet:
    """Persons a list of its own (the API) shows: visible ones who consented to their contact
    details being public (``Person.public_contact``). Everybody else appears only where the
    content names them, by function and organisation (``Person.public_name``), never by name,
    with the organisation's contact details, as on the pages."""
    return visible_persons(user, qs).filter(public_contact=True, erased_at__isnull=True)


def visible_organisations(user, qs: QuerySet) -> QuerySet:
    """Organisations are public facts (the plan prints them); members manage them."""
    return qs


def public_organisations_q() -> Q:
    """Organisations named by public content: field leads and publishers of public plans,
    parties of public measures, organisers, partners and event participants of public
    campaigns, and the organisations of publicly named persons. (Their parents:
    ``listed_organisations``.)"""
    from actionplan.models import FieldOfAction, Plan, Responsibility
    from campaigns.models import Campaign, CampaignPartner, EventParticipant
    from contacts.models import Person

    return (
        Exists(
            FieldOfAction.objects.filter(
                lead_organisation=OuterRef("pk"), plan__status=_published_plan()
            )
        )
        | Exists(Plan.objects.filter(author_organisation=OuterRef("pk")).filter(public_plans_q()))
        | Exists(
            Responsibility.objects.filter(organisation=OuterRef("pk")).filter(
                public_measures_q("measure__")
            )
        )
        | Exists(Campaign.objects.filter(organiser=OuterRef("pk")).filter(public_campaigns_q()))
        | Exists(
            CampaignPartner.objects.filter(organisation=OuterRef("pk")).filter(
                public_campaigns_q("campaign__")
            )
        )
        | Exists(
            EventParticipant.objects.filter(organisation=OuterRef("pk")).filter(
                public_campaigns_q("event__campaign__")
            )
        )
        | Exists(Person.objects.filter(organisation=OuterRef("pk")).filter(public_persons_q()))
    )


def listed_organisations(user, qs: QuerySet) -> QuerySet:
    """Organisations a list of its own (the API) shows: all for members; for everybody else
    those public content names, with the units above them (“Stadt Leipzig” of “Kulturamt”) —
    an office only a draft names is not announced by a list."""
    from contacts.models import Organisation

    if is_member(user):
        return qs
    named = set(Organisation.objects.filter(public_organisations_q()).values_list("pk", flat=True))
    if named:
        parents = dict(Organisation.objects.values_list("pk", "parent_id"))
        for pk in list(named):
            parent = parents.get(pk)
            while parent is not None and parent not in named:
                named.add(parent)
                parent = parents.get(parent)
    return qs.filter(pk__in=named)


# --- indicators (indicators/) -------------------------------------------------------------------
# An indicator is public when its plan is public and it is linked to a published measure or to a
# field of action without a measure (fields are public with their plan); only its public links
# are shown. Members of the plan see all of the plan's indicators. Coordinators manage them
# (indicator, targets, links); editors enter values of the indicators linked to a measure they
# may edit.


def public_indicator_links_q(prefix: str = "") -> Q:
    """Links an anonymous visitor may see: to a field of a public plan (no measure), or to a
    public measure."""
    return Q(**{f"{prefix}measure__isnull": True}) & public_plans_q(f"{prefix}field__plan__") | (
        public_measures_q(f"{prefix}measure__")
    )


def public_indicators_q() -> Q:
    from indicators.models import IndicatorLink

    return public_plans_q("plan__") & Exists(
        IndicatorLink.objects.filter(indicator=OuterRef("pk")).filter(public_indicator_links_q())
    )


def visible_indicators(user, qs: QuerySet) -> QuerySet:
    """The indicators this user may see: public ones, and all of the plans they belong to."""
    if is_superuser(user):
        return qs
    member = roles(user).plan_ids()
    condition = public_indicators_q()
    if member:
        condition |= Q(plan_id__in=member)
    return qs.filter(condition)


def visible_indicator_links(user, qs: QuerySet) -> QuerySet:
    """The links (of visible indicators) this user may see: public ones, all for members."""
    if is_superuser(user):
        return qs
    member = roles(user).plan_ids()
    condition = public_indicator_links_q()
    if member:
        condition |= Q(indicator__plan_id__in=member)
    return qs.filter(condition)


def editable_indicators(user, qs: QuerySet) -> QuerySet:
    """The indicators whose values this user may enter: all of the plans they coordinate;
    for an editor those linked to a measure the editor may change."""
    from actionplan.models import Measure

    if is_superuser(user):
        return qs
    if not is_active_user(user):
        return qs.none()
    condition = Q(plan_id__in=roles(user).plan_ids(COORDINATOR))
    if roles(user).editor_orgs:
        measures = editable_measures(user, Measure.objects.all()).values("pk")
        condition |= Q(links__measure__in=measures)
    return qs.filter(condition).distinct()


def may_enter_indicator_values(user, indicator) -> bool:
    """May add or change the values of ``indicator`` (see ``editable_indicators``)."""
    from indicators.models import Indicator

    if indicator is None or indicator.pk is None:
        return False
    if is_superuser(user) or coordinates(user, indicator.plan_id):
        return True
    return editable_indicators(user, Indicator.objects.filter(pk=indicator.pk)).exists()


def indicator_value_editors(indicator) -> QuerySet:
    """Active users who may enter values of ``indicator`` as editors (the reminder's
    recipients): the editors of its linked measures."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.none()
    for link in indicator.links.all():
        if link.measure_id is not None:
            users = users | measure_editors(link.measure)
    return users.distinct()


# --- may the user see this one object --------------------------------------------------------


def can_view(user, obj) -> bool:
    """May this user see ``obj`` (on a page, in a PDF, in the admin)?"""
    from actionplan.models import FieldOfAction, Measure, Plan
    from campaigns.models import Campaign
    from contacts.models import Organisation, Person

    if is_superuser(user):
        return True
    if isinstance(obj, Plan):
        return obj.status == Plan.Status.PUBLISHED or sees_unpublished(user, obj)
    if isinstance(obj, FieldOfAction):
        return can_view(user, obj.plan)
    if isinstance(obj, Measure):
        plan = obj.field.plan
        if sees_unpublished(user, plan):
            return True
        return obj.state == Measure.State.PUBLISHED and plan.status == Plan.Status.PUBLISHED
    if isinstance(obj, Campaign):
        return obj.status == Campaign.Status.PUBLISHED or bool(campaign_roles(user, obj.pk))
    if isinstance(obj, Person):
        return is_member(user) or visible_persons(user, Person.objects.filter(pk=obj.pk)).exists()
    if isinstance(obj, Organisation):
        return True
    if obj._meta.model_name == "indicator":
        return visible_indicators(user, type(obj).objects.filter(pk=obj.pk)).exists()
    if obj._meta.model_name in REPORT_MODELS:
        report = obj.report if obj._meta.model_name == "fieldreporttext" else obj
        return can_view_status_report(user, report)
    parent = owner(obj)
    if parent is not None:
        return can_view(user, parent)
    return False


def owner(obj):
    """The plan content object a row belongs to: a step's measure, a finding's field, …

    The most specific one that is set: a PDF export of a field has no measure. A council
    paper's consultation belongs to what its paper belongs to.
    """
    if getattr(obj, "paper_id", None) is not None:
        return owner(obj.paper)
    return _owner(obj)


def _owner(obj):
    for attr in ("indicator", "measure", "field", "campaign", "event", "plan"):
        if getattr(obj, f"{attr}_id", None) is not None:
            return getattr(obj, attr)
    return None


# --- may the user change this -------------------------------------------------------------------


# Answers of ``editor_may_edit_measure`` within ``remembered_editor_checks()``, else None.
_editor_checks: ContextVar[dict | None] = ContextVar("planwerk_editor_checks", default=None)


@contextlib.contextmanager
def remembered_editor_checks():
    """Within the block, ``editor_may_edit_measure`` asks the database once per user and
    measure. For one admin page: its permission checks (the form, each inline's add, change and
    delete, documents, review box) ask the same question some seventy times for an editor. Only
    where the block cannot change a measure's responsibilities: an editor changes none
    (``can_change_rows``), coordinators and superusers never ask."""
    if _editor_checks.get() is not None:
        yield
        return
    token = _editor_checks.set({})
    try:
        yield
    finally:
        _editor_checks.reset(token)


def editor_may_edit_measure(user, measure) -> bool:
    """An editor's organisation (or a unit below it) holds a responsibility in the measure."""
    from actionplan.models import Responsibility

    plan_id = measure.field.plan_id
    orgs = roles(user).editor_orgs.get(plan_id)
    if not orgs or EDITOR not in plan_roles(user, plan_id) or measure.pk is None:
        return False
    remembered = _editor_checks.get()
    key = (user.pk, measure.pk, plan_id, frozenset(orgs))
    if remembered is not None and key in remembered:
        return remembered[key]
    answer = Responsibility.objects.filter(
        Q(organisation_id__in=orgs) | Q(person__organisation_id__in=orgs), measure=measure
    ).exists()
    if remembered is not None:
        remembered[key] = answer
    return answer


def _editor_condition(user) -> Q:
    """Measures in which one of the user's editor organisations (or a unit below it) holds a
    responsibility, in the plans the user edits for that organisation."""
    from actionplan.models import Responsibility

    condition = Q(pk__in=[])
    for plan_id, orgs in roles(user).editor_orgs.items():
        condition |= Q(field__plan_id=plan_id) & Exists(
            Responsibility.objects.filter(measure=OuterRef("pk")).filter(
                Q(organisation_id__in=orgs) | Q(person__organisation_id__in=orgs)
            )
        )
    return condition


def editable_measures(user, qs: QuerySet) -> QuerySet:
    """The measures this user may change."""
    if is_superuser(user):
        return qs
    condition = Q(field__plan_id__in=roles(user).plan_ids(COORDINATOR))
    return qs.filter(condition | _editor_condition(user))


def editor_measures(user, qs: QuerySet) -> QuerySet:
    """The measures the user edits as an editor for an organisation (the reminders' subject),
    among those the user may see; nothing for a user without an editor membership."""
    if not roles(user).editor_orgs:
        return qs.none()
    return visible_measures(user, qs).filter(_editor_condition(user))


# --- who holds a role (the recipients of notifications) ----------------------------------------


def plan_coordinators(plan) -> QuerySet:
    """Active users with a coordinator membership of the plan (superusers hold no role)."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            is_active=True, memberships__plan_id=_pk(plan), memberships__role=COORDINATOR
        )
        .distinct()
        .order_by("pk")
    )


def measure_editors(measure) -> QuerySet:
    """Active users who may edit ``measure`` as editors — ``editor_may_edit_measure`` read the
    other way round: an editor membership of its plan for an organisation that holds a
    responsibility in it (itself or through a person) or lies above one that does."""
    from django.contrib.auth import get_user_model

    from actionplan.models import Responsibility
    from contacts.models import Organisation

    users = get_user_model().objects.none()
    if measure.pk is None:
        return users
    holders: set[int] = set()
    for org_id, person_org_id in Responsibility.objects.filter(measure=measure).values_list(
        "organisation_id", "person__organisation_id"
    ):
        holders.update(pk for pk in (org_id, person_org_id) if pk is not None)
    if not holders:
        return users
    parents = dict(Organisation.objects.values_list("pk", "parent_id"))
    orgs: set[int] = set()
    for org in holders:
        while org is not None and org not in orgs:
            orgs.add(org)
            org = parents.get(org)
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__plan_id=measure.field.plan_id,
            memberships__role=EDITOR,
            memberships__organisation_id__in=orgs,
        )
        .distinct()
        .order_by("pk")
    )


# Rows an editor may change with the measure; responsibilities are the coordinator's.
EDITOR_MEASURE_ROWS = {"step", "scheduleentry", "budgetline"}
# Rows that whoever may change their owner (plan, field, measure, campaign) may change directly:
# documents and council papers. An editor whose changes to a published measure are reviewed
# cannot (a file or a decision would skip the review).
OWNER_ROWS = {"attachment", "councilpaper", "consultation"}
# Managed lists shared by all plans and campaigns: coordinators maintain them.
SHARED_LISTS = {"targetgroup", "budgetcategory", "fundingsource", "fundingprogramme", "market"}


def can_change(user, obj) -> bool:
    """May this user change ``obj``?"""
    from actionplan.models import FieldOfAction, Measure, Plan
    from campaigns.models import Campaign
    from contacts.models import Organisation, Person

    if is_superuser(user):
        return True
    if not is_active_user(user):
        return False
    if isinstance(obj, Plan):
        return coordinates(user, obj)
    if isinstance(obj, FieldOfAction):
        return coordinates(user, obj.plan_id)
    if isinstance(obj, Measure):
        plan_id = obj.field.plan_id
        return coordinates(user, plan_id) or editor_may_edit_measure(user, obj)
    if isinstance(obj, Campaign):
        held = campaign_roles(user, obj.pk)
        return bool(held & {COORDINATOR, EDITOR})
    if isinstance(obj, Organisation | Person):
        return may_manage_contacts(user)
    model = obj._meta.model_name
    if model in REPORT_MODELS:
        return can_manage_status_reports(user, _plan_id_of(obj))
    if model in SHARED_LISTS:
        return may_manage_contacts(user)
    if model == "indicator":
        return coordinates(user, obj.plan_id)
    if model == "indicatorvalue":
        return may_enter_indicator_values(user, obj.indicator)
    parent = owner(obj)
    if parent is None:
        return False
    if model in OWNER_ROWS:
        return may_change_owner_rows(user, parent)
    if isinstance(parent, Measure):
        if model in EDITOR_MEASURE_ROWS:
            # on its own page a row of a reviewed measure would skip the review: editors
            # change it in the measure's form, where the change is kept for review
            return can_change(user, parent) and not changes_reviewed(user, parent)
        return coordinates(user, parent.field.plan_id)
    if isinstance(parent, FieldOfAction):
        return coordinates(user, parent.plan_id)
    return can_change(user, parent)


def may_change_owner_rows(user, parent) -> bool:
    """May add, change and delete documents and council papers of ``parent`` (``OWNER_ROWS``)."""
    from actionplan.models import Measure

    if not can_change(user, parent):
        return False
    return not (isinstance(parent, Measure) and changes_reviewed(user, parent))


def can_delete(user, obj) -> bool:
    from actionplan.models import FieldOfAction, Measure, Plan
    from campaigns.models import Campaign

    if is_superuser(user):
        return True
    if isinstance(obj, Plan):
        return False
    if isinstance(obj, FieldOfAction | Measure):
        return coordinates(user, obj.field.plan_id if isinstance(obj, Measure) else obj.plan_id)
    if isinstance(obj, Campaign):
        return coordinates_campaign(user, obj)
    return can_change(user, obj)


def coordinates_anything(user) -> bool:
    """Coordinator of at least one plan or campaign (or superuser)."""
    if is_superuser(user):
        return True
    r = roles(user)
    return bool(r.plan_ids(COORDINATOR) or r.campaign_ids(COORDINATOR))


def must_use_second_factor(user) -> bool:
    """Must sign in with a second factor (and set one up first): coordinators and superusers,
    when PLANWERK_2FA_REQUIRED is on. Anybody else may set one up."""
    from django.conf import settings

    return bool(getattr(settings, "PLANWERK_2FA_REQUIRED", False)) and coordinates_anything(user)


def may_reset_second_factor(user) -> bool:
    """May remove another person's second factor (a lost phone): superusers only."""
    return is_superuser(user)


def may_manage_contacts(user) -> bool:
    """Organisations, persons and the shared lists: coordinators of any plan or campaign."""
    return coordinates_anything(user)


def can_add(user, model, parent=None) -> bool:
    """May the user create a new ``model`` (inside ``parent`` where given)?"""
    name = model._meta.model_name
    if is_superuser(user):
        return True
    if not is_active_user(user):
        return False
    r = roles(user)
    if name == "plan":
        return False
    if name in {"organisation", "person"} or name in SHARED_LISTS:
        return may_manage_contacts(user)
    if name == "campaign":
        return False
    if model._meta.app_label == "campaigns":
        if parent is not None:
            return can_change(user, parent)
        return bool(r.campaign_ids(COORDINATOR, EDITOR))
    if name == "indicatorvalue":
        if parent is not None:
            return may_enter_indicator_values(user, parent)
        return bool(r.plan_ids(COORDINATOR) or r.editor_orgs)
    if parent is not None:
        if name in OWNER_ROWS:
            return may_change_owner_rows(user, parent)
        if name in EDITOR_MEASURE_ROWS:
            return can_change(user, parent) and not changes_reviewed(user, parent)
        from actionplan.models import Measure, Plan

        plan_id = (
            parent.pk
            if isinstance(parent, Plan)
            else parent.field.plan_id
            if isinstance(parent, Measure)
            else parent.plan_id
        )
        return coordinates(user, plan_id)
    if name in EDITOR_MEASURE_ROWS:
        return bool(r.plan_ids(COORDINATOR) or r.editor_orgs)
    return bool(r.plan_ids(COORDINATOR))


# --- workflow --------------------------------------------------------------------------------


def allowed_measure_states(user, measure) -> list[str]:
    """The publication states this user may give the measure (the current one included)."""
    from actionplan.models import Measure

    states = Measure.State
    if coordinates(user, measure.field.plan_id if measure.field_id else None):
        return list(states.values)
    if measure.pk is not None and editor_may_edit_measure(user, measure):
        if measure.state in (states.DRAFT, states.REVIEW):
            return [states.DRAFT, states.REVIEW]
    return [measure.state]


def can_publish(user, obj) -> bool:
    """Publishing (and archiving, sending back) is the coordinator's: plans, measures, campaigns."""
    from actionplan.models import FieldOfAction, Measure, Plan
    from campaigns.models import Campaign

    if isinstance(obj, Plan):
        return coordinates(user, obj)
    if isinstance(obj, FieldOfAction):
        return coordinates(user, obj.plan_id)
    if isinstance(obj, Measure):
        return coordinates(user, obj.field.plan_id)
    if isinstance(obj, Campaign):
        return coordinates_campaign(user, obj)
    return False


# --- pending changes to published measures (reviews) --------------------------------------


def changes_reviewed(user, measure) -> bool:
    """Does this user's edit of ``measure`` wait for a coordinator (a pending change)?

    An editor's edit of a published measure, in a plan that reviews changes (the plan's
    ``review_changes``); coordinators' (and superusers') edits apply directly.
    """
    from actionplan.models import Measure

    return (
        measure.pk is not None
        and measure.state == Measure.State.PUBLISHED
        and measure.field.plan.review_changes
        and not can_publish(user, measure)
        and can_change(user, measure)
    )


def may_have_reviewed_changes(user) -> bool:
    """Cheap pre-check of ``changes_reviewed``: only editors' edits are ever reviewed."""
    return not is_superuser(user) and bool(is_active_user(user) and roles(user).editor_orgs)


def can_view_pending(user, pending) -> bool:
    """A pending change is seen by those who may change its measure: its editors and the
    plan's coordinators. Everyone else gets a 404."""
    return is_active_user(user) and can_change(user, pending.measure)


def can_review_pending(user, pending) -> bool:
    """Approving or sending back a pending change is the coordinator's, like publishing."""
    return is_active_user(user) and can_publish(user, pending.measure)


def visible_pending(user, qs: QuerySet) -> QuerySet:
    """The pending changes this user may see (see ``can_view_pending``)."""
    from actionplan.models import Measure

    if is_superuser(user):
        return qs
    if not is_active_user(user):
        return qs.none()
    return qs.filter(measure__in=editable_measures(user, Measure.objects.all()))


def reviewable_pending(user, qs: QuerySet) -> QuerySet:
    """The pending changes this user may approve: those in the plans they coordinate."""
    if not is_active_user(user):
        return qs.none()
    ids = coordinated_plan_ids(user)
    return qs if ids is None else qs.filter(measure__field__plan_id__in=ids)


def can_manage_status_reports(user, plan) -> bool:
    """Status reports (Sachstandsberichte) of a plan are generated and written by its
    coordinators; the reports' field texts with them."""
    return is_active_user(user) and coordinates(user, plan)


def can_translate_campaign(user, campaign) -> bool:
    """The same round trip for a campaign: its coordinators'."""
    return is_active_user(user) and coordinates_campaign(user, campaign)


def visible_status_reports(user, qs: QuerySet) -> QuerySet:
    """Reports this user may open: every report of a plan they are a member of (a draft
    report like a draft measure); a final report of a published plan for everybody. What a
    report holds is ``sees_unpublished``'s: every measure for members, public ones for others."""
    if is_superuser(user):
        return qs
    return qs.filter(
        Q(plan_id__in=roles(user).plan_ids()) | (Q(state="final") & public_plans_q("plan__"))
    )


def can_view_status_report(user, report) -> bool:
    return visible_status_reports(user, type(report).objects.filter(pk=report.pk)).exists()


def can_publish_version(user, plan) -> bool:
    """Publishing (and deleting) a dated version of a plan is the coordinator's."""
    return coordinates(user, plan)


def can_manage_members(user, target) -> bool:
    from campaigns.models import Campaign

    if isinstance(target, Campaign):
        return coordinates_campaign(user, target)
    return coordinates(user, target)


def grantable_roles(user, target) -> list[str]:
    """The roles this user may give in ``target`` (a plan or campaign): all of them for its
    coordinators (and superusers), none for anybody else."""
    if not can_manage_members(user, target):
        return []
    return [COORDINATOR, EDITOR, READER]


def can_import(user, plan=None) -> bool:
    """Imports are the coordinator's (of the plan they go into)."""
    if plan is None:
        return is_superuser(user) or bool(roles(user).plan_ids(COORDINATOR))
    return coordinates(user, plan)


def can_import_campaigns(user, campaign=None) -> bool:
    """Campaign imports are the coordinators' (of the campaign a row goes into); a new
    campaign only a superuser creates."""
    if is_superuser(user):
        return True
    if campaign is None:
        return bool(roles(user).campaign_ids(COORDINATOR))
    return campaign.pk is not None and coordinates_campaign(user, campaign)


def can_export(user) -> bool:
    """Spreadsheet exports: coordinators, and only of what they may see."""
    return coordinates_anything(user)


def can_export_plan(user, plan) -> bool:
    """The whole-plan workbook holds every draft: only the plan's coordinators export it."""
    return can_export(user) and coordinates(user, plan)


def can_translate_plan(user, plan) -> bool:
    """The round trip with a translation office (translations/exchange.py): it exports drafts
    and writes texts all over the plan, so it is the plan's coordinators'."""
    return is_active_user(user) and coordinates(user, plan)


# --- the admin: which rows a user works with ---------------------------------------------------

# How each model reaches the plan (or campaign) it belongs to.
PLAN_PATHS = {
    "plan": "pk",
    "fieldofaction": "plan_id",
    "baselinefinding": "field__plan_id",
    "fieldcontact": "field__plan_id",
    "measure": "field__plan_id",
    "step": "measure__field__plan_id",
    "scheduleentry": "measure__field__plan_id",
    "responsibility": "measure__field__plan_id",
    "budgetline": "measure__field__plan_id",
    "pdfexport": "plan_id",
    "planversion": "plan_id",
    "indicator": "plan_id",
    "indicatortarget": "indicator__plan_id",
    "indicatorvalue": "indicator__plan_id",
    "indicatorlink": "indicator__plan_id",
    "statusreport": "plan_id",
    "fieldreporttext": "report__plan_id",
    "councilpaper": "plan_id",
    "consultation": "paper__plan_id",
}
#: The status report and its texts (``reports``): the plan's coordinators' (``can_change``).
REPORT_MODELS = {"statusreport", "fieldreporttext"}
CAMPAIGN_PATHS = {
    "campaign": "pk",
    "campaignpartner": "campaign_id",
    "campaigncontact": "campaign_id",
    "channel": "campaign_id",
    "campaignevent": "campaign_id",
    "eventparticipant": "event__campaign_id",
    "campaignlink": "campaign_id",
    "keyfigure": "campaign_id",
}


def admin_scope(user, qs: QuerySet) -> QuerySet:
    """The rows of ``qs`` this user works with in the admin: those of plans and campaigns they
    hold a role in (any role); shared lists (contacts, vocabularies) for every member."""
    return _scope(user, qs, qs.model._meta.model_name)


def _scope(user, qs: QuerySet, name: str) -> QuerySet:
    if is_superuser(user):
        return qs
    r = roles(user)
    if name in PLAN_PATHS:
        return qs.filter(**{f"{PLAN_PATHS[name]}__in": r.plan_ids()})
    if name in CAMPAIGN_PATHS:
        return qs.filter(**{f"{CAMPAIGN_PATHS[name]}__in": r.campaign_ids()})
    return qs if r.any else qs.none()


def history_admin_scope(user, qs: QuerySet, model) -> QuerySet:
    """The history rows of ``model`` (``qs`` over its history table) of the objects this user
    works with in the admin, deleted objects included — as ``admin_scope``."""
    return _scope(user, qs, model._meta.model_name)


def works_with(user, model) -> bool:
    """Whether the admin lists ``model`` for this user at all: plan data for plan members,
    campaign data for campaign members, shared lists and contacts for every member."""
    if is_superuser(user):
        return True
    name = model._meta.model_name
    r = roles(user)
    if name in PLAN_PATHS:
        return bool(r.plans)
    if name in CAMPAIGN_PATHS:
        return bool(r.campaigns)
    return r.any


def in_admin_scope(user, obj) -> bool:
    """May open this object in the admin (read-only at least)."""
    if is_superuser(user):
        return True
    name = obj._meta.model_name
    if name in PLAN_PATHS:
        return bool(plan_roles(user, _plan_id_of(obj)))
    if name in CAMPAIGN_PATHS:
        return bool(campaign_roles(user, _campaign_id_of(obj)))
    return roles(user).any


def _follow(obj, path: str):
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop)
    return getattr(obj, last)


def _plan_id_of(obj) -> int | None:
    return _follow(obj, PLAN_PATHS[obj._meta.model_name])


def _campaign_id_of(obj) -> int | None:
    return _follow(obj, CAMPAIGN_PATHS[obj._meta.model_name])


def may_change_some(user, model) -> bool:
    """Whether the user may change at least some ``model`` rows (the admin's list-level check)."""
    if is_superuser(user):
        return True
    r = roles(user)
    name = model._meta.model_name
    coordinator = bool(r.plan_ids(COORDINATOR))
    if (
        name == "measure"
        or name in EDITOR_MEASURE_ROWS
        or name == "indicatorvalue"
        or name in OWNER_ROWS
    ):
        return coordinator or bool(r.editor_orgs)
    if name in PLAN_PATHS:
        return coordinator
    if name in CAMPAIGN_PATHS:
        return bool(r.campaign_ids(COORDINATOR, EDITOR))
    if name in {"organisation", "person"} or name in SHARED_LISTS:
        return may_manage_contacts(user)
    return False


def may_delete_some(user, model) -> bool:
    if is_superuser(user):
        return True
    name = model._meta.model_name
    if name == "plan":
        return False
    r = roles(user)
    if name in EDITOR_MEASURE_ROWS or name == "indicatorvalue" or name in OWNER_ROWS:
        return bool(r.plan_ids(COORDINATOR) or r.editor_orgs)
    if name in PLAN_PATHS:
        return bool(r.plan_ids(COORDINATOR))
    if name in CAMPAIGN_PATHS:
        return bool(r.campaign_ids(COORDINATOR))
    if name in {"organisation", "person"} or name in SHARED_LISTS:
        return may_manage_contacts(user)
    return False


def can_change_rows(user, model, parent) -> bool:
    """May the user add, change or delete ``model`` rows inside ``parent`` (an inline)?"""
    if parent is None:
        return may_change_some(user, model)
    if is_superuser(user):
        return True
    from actionplan.models import Measure

    if model._meta.model_name == "indicatorvalue":
        return may_enter_indicator_values(user, parent)
    if model._meta.model_name in OWNER_ROWS:
        return may_change_owner_rows(user, parent)
    if isinstance(parent, Measure) and model._meta.model_name not in EDITOR_MEASURE_ROWS:
        return coordinates(user, parent.field.plan_id)
    if model._meta.model_name == "measure":
        # measures listed inside their field: the coordinator's
        return coordinates(user, getattr(parent, "plan_id", None))
    return can_change(user, parent)


# --- choices ------------------------------------------------------------------------------------

_CHOOSABLE = {
    "plan": visible_plans,
    "fieldofaction": visible_fields,
    "measure": visible_measures,
    "indicator": visible_indicators,
    "campaign": visible_campaigns,
    "person": visible_persons,
    "organisation": visible_organisations,
}


def choosable(user, qs: QuerySet) -> QuerySet:
    """The rows of ``qs`` this user may pick as the target of a link (a foreign key or a
    many-to-many choice in an admin form, an import, the API): those they may see. A hidden
    object is then an invalid choice, as if it did not exist; its title is never shown."""
    limit = _CHOOSABLE.get(qs.model._meta.model_name)
    return limit(user, qs) if limit is not None else qs
