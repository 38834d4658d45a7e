"""The permission matrix: every URL pattern × every role × a published and a draft object.

The routes come from the URL configuration itself (``get_resolver()``, admin and i18n patterns
included); ``RULES`` says for each route name how to build its URL and what each role gets. A
route without a rule fails ``test_matrix_covers_every_url_pattern`` with its name, so a new URL
cannot ship without a decision about who may open it. List pages also pin the set of objects
each role sees. Expectations follow docs/roles.md and ``access.rules``.
"""

import datetime
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.urls import URLResolver, get_resolver, reverse
from django.utils import translation

from access.models import AuditEvent, Membership
from actionplan import models as ap
from actionplan.export import plan_export_document
from api.services import api_token_create
from attachments.models import Attachment
from campaigns import models as cp
from council.models import CouncilPaper
from documents import rendering
from documents.models import PdfExport
from funding.models import FundingProgramme
from imports.models import ImportJob
from indicators.models import Indicator, IndicatorLink, IndicatorTarget, IndicatorValue
from legal.models import LegalPage
from notifications.models import NotificationDelivery, NotificationPreference
from reminders.models import ReminderPreference
from reports.models import StatusReport
from reports.services import status_report_generate
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    ResponsibilityFactory,
    StaffUserFactory,
    UserFactory,
    build_plan,
)
from versions.models import PlanVersion

pytestmark = pytest.mark.django_db

Role = Membership.Role

ANON = "anonymous"
STAFF = "staff_without_membership"
READER = "reader"
EDITOR_A = "editor_org_a"
EDITOR_B = "editor_org_b"
COORD = "coordinator"
OTHER = "coordinator_of_another_plan"
SUPER = "superuser"
ROLES = [ANON, STAFF, READER, EDITOR_A, EDITOR_B, COORD, OTHER, SUPER]
MEMBERS = {READER, EDITOR_A, EDITOR_B, COORD}
ADMIN_USERS = MEMBERS | {OTHER, SUPER}  # hold a role somewhere: may open the admin
COORDINATORS = {COORD, OTHER, SUPER}  # coordinate some plan: contacts, lists, exports
STATES = ("published", "draft")

# --- the data -----------------------------------------------------------------------------------


@dataclass
class World:
    objects: dict  # (model name, state) -> instance
    users: dict  # role -> user or None


def _titled(measure, title):
    measure.title = title
    measure.save()  # a history row, for the history pages
    return measure


def _attachment(measure):
    from django.core.files.base import ContentFile

    attachment = Attachment(measure=measure, title="Konzept", file_name="konzept.pdf")
    attachment.content_type, attachment.size, attachment.sha256 = "application/pdf", 9, "0" * 64
    attachment.file.save("konzept.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    attachment.save()
    return attachment


AXES = {"username": "x", "ip_address": "127.0.0.1", "user_agent": "x", "http_accept": "x"}


@pytest.fixture
def world(db):
    """A published plan with a published measure (org B) and a draft one (org A); a draft plan
    (measure of org A); another plan for the coordinator of another plan."""
    org_a = OrganisationFactory(name="Organisation A")
    org_b = OrganisationFactory(name="Organisation B")
    plan = build_plan(fields=1, measures_per_field=2, steps_per_measure=1, slug="offen")
    draft_plan = build_plan(
        fields=1, measures_per_field=1, steps_per_measure=1, status="draft", slug="entwurf"
    )
    other_plan = build_plan(fields=1, measures_per_field=1, steps_per_measure=1, slug="anders")
    for p, title in ((plan, "Plan offen"), (draft_plan, "Plan Entwurf"), (other_plan, "Plan X")):
        p.title = title
        p.save()
        field = p.fields.get()
        field.title = f"Feld {title}"
        field.save()
    m_pub, m_draft = ap.Measure.objects.filter(field__plan=plan).order_by("position")
    m_draft.state = ap.Measure.State.DRAFT
    _titled(m_pub, "Maßnahme offen B")
    _titled(m_draft, "Maßnahme Entwurf A")
    d_measure = _titled(ap.Measure.objects.get(field__plan=draft_plan), "Maßnahme Entwurfsplan A")
    _titled(ap.Measure.objects.get(field__plan=other_plan), "Maßnahme anderer Plan")
    ap.Responsibility.objects.filter(measure__in=[m_pub, m_draft, d_measure]).delete()
    ResponsibilityFactory(measure=m_pub, organisation=org_b, position=1)
    ResponsibilityFactory(measure=m_draft, organisation=org_a, position=1)
    ResponsibilityFactory(measure=d_measure, organisation=org_a, position=1)

    users = {ANON: None, STAFF: UserFactory(username="staff", is_staff=True)}
    for role, name, org in (
        (READER, Role.READER, None),
        (EDITOR_A, Role.EDITOR, org_a),
        (EDITOR_B, Role.EDITOR, org_b),
        (COORD, Role.COORDINATOR, None),
    ):
        users[role] = UserFactory(username=role, is_staff=True)
        for p in (plan, draft_plan):
            Membership.objects.create(user=users[role], plan=p, role=name, organisation=org)
    users[OTHER] = UserFactory(username="other", is_staff=True)
    Membership.objects.create(user=users[OTHER], plan=other_plan, role=Role.COORDINATOR)
    users[SUPER] = StaffUserFactory(username="root")

    campaign = cp.Campaign.objects.create(title="Kampagne", slug="kampagne", region="Leipzig")
    cp.Campaign.objects.create(
        title="Öffentlich", slug="kampagne-oeffentlich", region="Leipzig", status="published"
    )
    objects = {}
    for state, p, measure in (("published", plan, m_pub), ("draft", draft_plan, m_draft)):
        field = p.fields.get()
        objects.update(
            {
                ("plan", state): p,
                ("fieldofaction", state): field,
                ("baselinefinding", state): field.baseline_findings.first(),
                ("measure", state): measure,
                ("step", state): measure.steps.first(),
                ("scheduleentry", state): measure.schedule.first(),
                ("responsibility", state): measure.responsibilities.first(),
                ("budgetline", state): measure.budget_lines.first(),
                ("pdfexport", state): PdfExport.objects.create(
                    plan=p, cache_key=f"k-{state}", draft=state == "draft"
                ),
                ("membership", state): Membership.objects.get(user=users[READER], plan=p),
                ("auditevent", state): AuditEvent.objects.create(
                    action=AuditEvent.Action.PUBLISHED, plan=p, object_repr=p.title
                ),
                ("councilpaper", state): CouncilPaper.objects.create(
                    measure=measure, reference=f"DS-{state}"
                ),
                ("attachment", state): _attachment(measure),
                # the draft plan's version: published before the plan was withdrawn
                ("planversion", state): PlanVersion.objects.create(
                    plan=p,
                    label=f"Stand {state}",
                    slug=f"stand-{state}",
                    date="2011-05-01",
                    snapshot=plan_export_document(p, public_only=state == "published"),
                ),
            }
        )
    for state, p, measure in (
        ("published", plan, m_pub),
        ("draft", draft_plan, d_measure),
    ):
        # the published plan's indicator measures organisation B's published measure; the
        # draft plan's organisation A's measure
        indicator = Indicator.objects.create(plan=p, name=f"Indikator {state}", slug="indikator")
        IndicatorLink.objects.create(indicator=indicator, field=measure.field, measure=measure)
        IndicatorTarget.objects.create(indicator=indicator, date="2012-12-31", value=10)
        objects[("indicator", state)] = indicator
        objects[("indicatorvalue", state)] = IndicatorValue.objects.create(
            indicator=indicator, date="2011-12-31", value=5
        )
    # a final status report of the published plan, a draft one of the draft plan
    for state, p in (("published", plan), ("draft", draft_plan)):
        report = status_report_generate(
            plan=p,
            title=f"Sachstandsbericht {state}",
            period_label="2011",
            period_start=datetime.date(2011, 1, 1),
            period_end=datetime.date(2011, 12, 31),
        )
        if state == "published":
            report.state = StatusReport.State.FINAL
            report.save()
        objects[("statusreport", state)] = report
    for obj in objects.values():
        if hasattr(obj, "history") and not obj.history.exists():
            obj.save()
    shared = {
        "targetgroup": ap.TargetGroup.objects.first(),
        "budgetcategory": ap.BudgetCategory.objects.first(),
        "fundingsource": ap.FundingSource.objects.first(),
        "fundingprogramme": FundingProgramme.objects.create(
            name="Programm", level=FundingProgramme.Level.EU
        ),
        "market": cp.Market.objects.create(name="Markt", iso_code="DE"),
        "organisation": org_a,
        "person": PersonFactory(organisation=org_a),
        "campaign": campaign,
        "channel": cp.Channel.objects.create(campaign=campaign, name="Kanal"),
        "campaignevent": cp.CampaignEvent.objects.create(campaign=campaign, title="Termin"),
        "user": users[READER],
        "group": Group.objects.create(name="Gruppe"),
        "accessattempt": AccessAttempt.objects.create(**AXES, failures_since_start=1),
        "accesslog": AccessLog.objects.create(**AXES),
        "accessfailurelog": AccessFailureLog.objects.create(**AXES),
        "importjob": ImportJob.objects.create(
            app_label="actionplan", model_name="measure", requested_by=users[COORD]
        ),
        "reminderpreference": ReminderPreference.objects.create(user=users[READER]),
        "notificationpreference": NotificationPreference.objects.create(
            user=users[READER], kind="submitted", enabled=False
        ),
        "notificationdelivery": NotificationDelivery.objects.create(
            event=uuid.uuid4(), user=users[READER], kind="published"
        ),
        # the reader's personal API token: theirs (and a superuser's) to see and revoke
        "apitoken": api_token_create(acting_user=users[READER], name="Lesetoken")[0],
        "legalpage": LegalPage.objects.get(kind="impressum"),  # created by the migration
    }
    for name, obj in shared.items():
        if hasattr(obj, "history") and not obj.history.exists():
            obj.save()
        objects[(name, "published")] = obj
    return World(objects=objects, users=users)


# --- the routes ---------------------------------------------------------------------------------


def route_names(resolver=None, namespace=None, prefix="") -> set[str]:
    """Every route of the URL configuration: its name, or ``<unnamed> <pattern>``."""
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = entry.namespace and ":".join(filter(None, [namespace, entry.namespace]))
            names |= route_names(entry, ns or namespace, pattern)
        elif entry.name:
            names.add(f"{namespace}:{entry.name}" if namespace else entry.name)
        else:
            names.add(f"<unnamed> {pattern}")
    return names


def public(role, state) -> int:
    """Public pages: published for everyone, drafts for the plan's members only."""
    return 200 if state == "published" or role in MEMBERS | {SUPER} else 404


# Per admin model: who may add, change, delete, as access.rules and the README say.
PLAN_MODELS = {
    "plan",
    "fieldofaction",
    "baselinefinding",
    "measure",
    "step",
    "scheduleentry",
    "responsibility",
    "budgetline",
    "pdfexport",
    "planversion",
    "indicator",
    "indicatorvalue",
    "statusreport",
    "councilpaper",
}
# An indicator's values: its coordinators, and the editors of a measure it is linked to.
INDICATOR_VALUES = {"indicatorvalue"}
SHARED = {
    "targetgroup",
    "budgetcategory",
    "fundingsource",
    "fundingprogramme",
    "market",
    "organisation",
    "person",
}
# council papers (council/): changed like a measure's rows, by whoever may change the measure
# (an editor of a published, reviewed measure: not at all)
MEASURE_ROWS = {"measure", "step", "scheduleentry", "budgetline", "councilpaper"}
CAMPAIGN_MODELS = {"campaign", "channel", "campaignevent"}


def editor_of(role, state) -> bool:
    """The published measure is organisation B's, the draft measure organisation A's."""
    return (role, state) in {(EDITOR_A, "draft"), (EDITOR_B, "published")}


def editor_of_row(model, role, state) -> bool:
    """A row of a published measure is changed by its editors in the measure's form only,
    where the change is kept for review (reviews); on its own page it is read-only."""
    return editor_of(role, state) and (model == "measure" or state != "published")


TOKEN_HOLDERS = {READER, SUPER}  # who opens the reader's API token


def may_add(model, role) -> bool:
    if model in FIXED_ROWS or model == "councilpaper":  # papers: added on plan/measure forms
        return False
    if role == SUPER:
        return True
    if model == "apitoken":  # every member creates tokens for themselves
        return role in ADMIN_USERS
    if model in MEASURE_ROWS - {"measure"} or model in INDICATOR_VALUES:
        return role in {COORD, OTHER, EDITOR_A, EDITOR_B}
    if model in PLAN_MODELS - {"plan", "pdfexport"} or model in SHARED:
        return role in {COORD, OTHER}
    if model == "membership":
        return role in {COORD, OTHER}
    return False


def may_change(model, role, state) -> bool:
    if model == "apitoken":
        return role in TOKEN_HOLDERS
    if role == SUPER:
        # read-only logs and records
        return model not in {"pdfexport", "auditevent", "importjob", "planversion"}
    if model in MEASURE_ROWS:
        return role == COORD or editor_of_row(model, role, state)
    if model in INDICATOR_VALUES:
        return role == COORD or editor_of(role, state)
    if model in PLAN_MODELS - {"pdfexport", "planversion"} or model == "membership":
        return role == COORD
    if model in SHARED:
        return role in {COORD, OTHER}
    return False


def may_delete(model, role, state) -> bool:
    if model == "apitoken":
        return role in TOKEN_HOLDERS
    if role == SUPER:
        return model != "auditevent"
    if model in MEASURE_ROWS - {"measure"}:
        return role == COORD or editor_of_row(model, role, state)
    if model in INDICATOR_VALUES:
        return role == COORD or editor_of(role, state)
    if model in {
        "indicator",
        "fieldofaction",
        "measure",
        "baselinefinding",
        "responsibility",
        "membership",
        "pdfexport",  # a coordinator clears their plan's generated documents
        "planversion",  # and withdraws a version
        "statusreport",  # and a status report
    }:
        return role == COORD
    if model in SHARED:  # can_delete falls back to can_change
        return role in {COORD, OTHER}
    return False


def sees_object(model, role, state) -> bool:
    """Opens the object in the admin at all (read-only at least)."""
    if role == SUPER:
        return True
    if model == "apitoken":
        return role in TOKEN_HOLDERS
    if model in PLAN_MODELS:
        return role in MEMBERS
    if model in {"membership", "auditevent"}:
        return role == COORD
    if model in SHARED:
        return role in ADMIN_USERS
    return False  # campaigns (nobody here has a campaign role), Django's and third-party models


def admin_object_status(model, view, role, state) -> int:
    """change, delete, history, simple_history, pdf of one object, as intended.

    An object the user may open answers by its own permission. One outside the user's rows
    answers 404 where the user may use that admin page at all, else 403 -- the same answer as
    for an id that does not exist, so it does not tell whether the object exists. Django's own
    history page looks the object up before asking: 404 for every row outside the user's.
    """
    if role == ANON:
        return 302
    if model in SUPERUSER_ONLY:
        refused = view == "delete" and model in FIXED_ROWS
        return 200 if role == SUPER and not refused else 403
    seen = sees_object(model, role, state)
    if view == "pdf":
        return 200 if seen else 404
    if view == "delete":
        if seen:
            return 200 if may_delete(model, role, state) else 403
        return 404 if list_level(model, "delete", role) else 403
    if seen:
        return 200
    return 404 if list_level(model, "view", role) else 403


def list_level(model, view, role) -> bool:
    """ModelAdmin.has_*_permission(request) without an object."""
    if role == SUPER:
        return True
    if model in {"membership", "auditevent"}:
        return role in {COORD, OTHER} if view != "delete" or model == "membership" else False
    if view == "view":
        # campaign data only for campaign members (nobody here has a campaign role)
        hidden = DJANGO_MODELS | CAMPAIGN_MODELS | {"dbtaskresult", "importjob"}
        hidden |= {"reminderpreference"} | NOTIFICATION_MODELS | FIXED_ROWS
        return role in ADMIN_USERS and model not in hidden
    if view == "delete":
        if model == "apitoken":
            return role in ADMIN_USERS
        if model in SHARED:
            return role in {COORD, OTHER}
        if model in MEASURE_ROWS - {"measure"} or model in INDICATOR_VALUES:
            return role in {COORD, OTHER, EDITOR_A, EDITOR_B}
        if model in PLAN_MODELS - {"plan"}:
            return role in {COORD, OTHER}
        return False
    return False


DJANGO_MODELS = {"user", "group", "accessattempt", "accesslog", "accessfailurelog"}
# Admins for superusers only (the uploader follows a job on its own page, not in the admin;
# a user's reminder language and opt-out).
# (and a user's notification settings, the log of notifications sent).
NOTIFICATION_MODELS = {"notificationpreference", "notificationdelivery"}
# The three legal pages (legal/): superusers change them; nobody adds or deletes one.
FIXED_ROWS = {"legalpage"}
SUPERUSER_ONLY = (
    DJANGO_MODELS | {"importjob", "reminderpreference"} | NOTIFICATION_MODELS | FIXED_ROWS
)
CAMPAIGN_MODELS = {"campaign", "channel", "campaignevent"}
# Rows nobody adds in the admin: logs and generated documents.
NOBODY_ADDS = {
    "auditevent",
    "notificationdelivery",
    "pdfexport",
    "importjob",
    "accessattempt",
    "accesslog",
    "accessfailurelog",
    "councilpaper",  # added on the plan's and the measure's form (council/admin.py)
    *FIXED_ROWS,
}
# Measures are imported only through the plan workbook (imports:plan_workbook_import): the
# measure admin's import page answers 403 to everyone.
IMPORTERS = {"actionplan": set(), "contacts": COORDINATORS, "campaigns": {SUPER}}


@dataclass
class Rule:
    pattern: str  # a regular expression over route names (full match)
    url: Callable  # (world, name, state) -> URL, or None where the state makes no difference
    expect: Callable  # (role, state, name) -> status


ADMIN_NAME = re.compile(
    r"admin:(?P<app>\w+?)_(?P<model>[a-z]+)_(?P<view>changelist|add|change|delete|history"
    r"|simple_history|pdf|import|process_import|cancel_import|export|password_change)"
)


def _admin(name):
    return ADMIN_NAME.fullmatch(name).groupdict()


def admin_object_url(world, name, state):
    m = _admin(name)
    obj = world.objects.get((m["model"], state))
    if obj is None:
        if state != "published":
            return None
        return reverse(name, args=[uuid.uuid4()])  # no such row: a superuser is sent back
    args = [obj.pk]
    if m["view"] == "simple_history":
        args.append(obj.history.latest().history_id)
    return reverse(name, args=args)


def admin_list_url(world, name, state):
    return reverse(name) if state == "published" else None


def admin_list_expect(role, state, name):
    m = _admin(name)
    model, view = m["model"], m["view"]
    if role == ANON:
        return 302
    if view == "changelist":
        if model in DJANGO_MODELS | {"dbtaskresult"}:
            return 200 if role == SUPER else 403
        return 200 if list_level(model, "view", role) else 403
    if view == "add":
        if model in NOBODY_ADDS | {"dbtaskresult"}:
            return 403
        if model in DJANGO_MODELS:
            return 200 if role == SUPER else 403
        return 200 if may_add(model, role) else 403
    if view in ("process_import", "cancel_import"):
        return 405  # POST only, checked before the permission
    if view == "import":
        return 200 if role in IMPORTERS[m["app"]] else 403
    if view == "export":
        return 200 if role in COORDINATORS else 403
    raise AssertionError(name)


def admin_object_expect(role, state, name):
    m = _admin(name)
    model = m["model"]
    if model == "dbtaskresult" and role != ANON:
        # No task has run: an unknown id. Its history page looks it up first and sends everyone
        # back to the index; change sends the superuser there; nobody deletes task results.
        view = m["view"]
        return 302 if view == "history" or (view == "change" and role == SUPER) else 403
    return admin_object_status(model, m["view"], role, state)


def public_url(world, name, state):
    view = name.split(":")[1]
    measure = world.objects[("measure", state)]
    plan = world.objects[("plan", state)] if "plan" in view else measure.field.plan
    kwargs = {"plan_slug": plan.slug}
    if view.startswith("field"):
        kwargs["field_slug"] = world.objects[("fieldofaction", state)].slug
        kwargs["plan_slug"] = world.objects[("plan", state)].slug
    if view.startswith("measure_") and view != "measure_list":
        kwargs.update(field_slug=measure.field.slug, measure_slug=measure.slug)
    if view == "measure_list":
        kwargs["plan_slug"] = world.objects[("plan", state)].slug
    return reverse(name, kwargs=kwargs)


def indicator_url(world, name, state):
    indicator = world.objects[("indicator", state)]
    kwargs = {"plan_slug": indicator.plan.slug}
    if name.endswith("detail"):
        kwargs["indicator_slug"] = indicator.slug
    return reverse(name, kwargs=kwargs)


def embed_url(world, name, state):
    """The draft plan's embed, and the draft measure's (of the published plan)."""
    if name == "embeds:plan":
        return reverse(name, kwargs={"plan_slug": world.objects[("plan", state)].slug})
    measure = world.objects[("measure", state)]
    return reverse(
        name,
        kwargs={
            "plan_slug": measure.field.plan.slug,
            "field_slug": measure.field.slug,
            "measure_slug": measure.slug,
        },
    )


def version_url(world, name, state):
    version = world.objects[("planversion", state)]
    kwargs = {"plan_slug": version.plan.slug, "version_slug": version.slug}
    view = name.split(":")[1]
    fields = version.snapshot["plan"]["fields"]
    if view in ("version_field", "version_measure"):
        kwargs["field_slug"] = fields[0]["slug"]
    if view == "version_measure":
        kwargs["measure_slug"] = fields[0]["measures"][0]["slug"]
    return reverse(name, kwargs=kwargs)


def report_url(world, name, state):
    report = world.objects[("statusreport", state)]
    return reverse(name, kwargs={"plan_slug": report.plan.slug, "pk": report.pk})


def contact_url(world, name, state):
    """The directory and an organisation once; a person named by the published plan, and one
    named only by the draft plan (both consented to publication)."""
    view = name.split(":")[1]
    if view == "directory":
        return reverse(name) if state == "published" else None
    if view.startswith("organisation"):
        org = world.objects[("organisation", "published")]
        return reverse(name, kwargs={"pk": org.pk}) if state == "published" else None
    person = world.objects[("plan", state)].fields.get().field_contacts.first().person
    return reverse(name, kwargs={"pk": person.pk})


def export_url(world, name, state):
    return reverse(name, kwargs={"export_id": world.objects[("pdfexport", state)].pk})


def bare_object_url(world, name, state):
    app, model = name.split()[1].split("/")[1:3]
    obj = world.objects.get((model, state))
    return None if obj is None else f"/admin/{app}/{model}/{obj.pk}/"


def export_download_expect(role, state, name):
    # the job has no file yet: who may see it is sent to its status page
    return 302 if public(role, state) == 200 else 404


def import_job_url(world, name, state):
    """A background import job of the coordinator's."""
    if state != "published":
        return None
    from imports.models import ImportJob

    job = ImportJob.objects.create(
        app_label="actionplan", model_name="measure", requested_by=world.users[COORD]
    )
    return reverse(name, args=[job.pk])


def plan_feed_url(world, name, state):
    return reverse(name, kwargs={"plan_slug": world.objects[("plan", state)].slug})


def campaign_feed_url(world, name, state):
    """The world's campaign is a draft; a published one is made for the published column."""
    campaign = world.objects[("campaign", "published")]
    if state == "published":
        campaign = cp.Campaign.objects.get_or_create(
            slug="kampagne-offen",
            defaults={"title": "Kampagne offen", "region": "Leipzig", "status": "published"},
        )[0]
    return reverse(name, kwargs={"campaign_slug": campaign.slug})


def unsubscribe_url(world, name, state):
    """A reader's valid opt-out link (GET only asks for confirmation)."""
    if state != "published":
        return None
    from reminders.tokens import make_token

    preference = ReminderPreference.objects.get_or_create(user=world.users[READER])[0]
    return reverse(name, kwargs={"token": make_token(preference)})


def notification_unsubscribe_url(world, name, state):
    """A reader's valid link switching one kind of notification off (GET only asks)."""
    if state != "published":
        return None
    from notifications.tokens import make_token

    return reverse(name, args=[make_token(world.users[READER], "submitted")])


def history_compare_url(world, name, state):
    """The comparison of an object's two latest versions (a second one is saved if needed)."""
    obj = world.objects.get((_history_model(name), state))
    if obj is None:
        return None
    if obj.history.count() < 2:
        obj.save()
    new, old = obj.history.order_by("-history_date", "-history_id")[:2]
    return reverse(name, args=[obj.pk]) + f"?old={old.history_id}&new={new.history_id}"


def _history_model(name):
    return re.fullmatch(r"admin:[a-z]+_(?P<model>[a-z]+)_\w+", name)["model"]


def history_revert_url(world, name, state):
    obj = world.objects[(_history_model(name), state)]
    return reverse(name, args=[obj.pk, obj.history.earliest().history_id])


def history_revert_expect(role, state, name):
    model = _history_model(name)
    if role == ANON:
        return 302
    if sees_object(model, role, state):
        return 200 if may_change(model, role, state) else 403
    return admin_object_status(model, "history", role, state)


def recover_url(world, name, state):
    """A measure of the published plan, deleted."""
    if state != "published":
        return None
    field = world.objects[("fieldofaction", state)]
    measure = ap.Measure.objects.create(field=field, position=99, title="Gelöscht", slug="weg")
    pk = measure.pk
    measure.delete()
    deleted = ap.Measure.history.filter(id=pk, history_type="-").get()
    return reverse(name, args=[deleted.history_id])


def recover_expect(role, state, name):
    model = _history_model(name)
    if role == ANON:
        return 302
    if not may_add(model, role):
        return 403
    return 200 if role in {COORD, SUPER} else 404  # another plan's: as if it did not exist


API_MODELS = {"plan": "plan", "field": "fieldofaction", "measure": "measure"}


def api_object_url(world, name, state):
    kind = name.split(":")[1].removesuffix("-detail")
    obj = world.objects.get((API_MODELS.get(kind, kind), state))
    return None if obj is None else reverse(name, args=[obj.pk])


def pending_url(world, name, state):
    """The pending change of organisation B's published measure (reviews); drafts have none."""
    if state != "published":
        return None
    from reviews.models import PendingChange
    from reviews.state import measure_state

    measure = world.objects[("measure", "published")]
    pending = PendingChange.objects.filter(measure=measure).first()
    if pending is None:
        base = measure_state(measure)
        pending = PendingChange.objects.create(
            measure=measure,
            author=world.users[EDITOR_B],
            base=base,
            proposed=base,
            base_version=measure.version,
            state=PendingChange.State.SUBMITTED,
        )
    return reverse(name, args=[pending.pk])


def pending_expect(role, state, name):
    """Its editors (organisation B) and the plan's coordinators see it; everyone else in the
    admin gets 404, as for a change that does not exist. The steps are POST only (405, checked
    before the permission; tests/reviews/test_permission_matrix.py posts them per role)."""
    if role in {ANON, STAFF}:
        return 302
    if name != "reviews:compare":
        return 405
    return 200 if role in {EDITOR_B, COORD, SUPER} else 404


def campaign_url(world, name, state):
    """The world's draft campaign (nobody here holds a campaign role), or a published one."""
    if name.endswith("campaign_list"):
        return reverse(name) if state == "published" else None
    return reverse(name, kwargs={"slug": _campaign(world, state).slug})


def _campaign(world, state):
    if state == "draft":
        return world.objects.get(("campaign", "draft")) or cp.Campaign.objects.get(slug="kampagne")
    return cp.Campaign.objects.get(slug="kampagne-oeffentlich")


def campaign_translation_url(world, name, state):
    """The translation round trip of the world's draft or published campaign."""
    extra = {"file_format": "xlf"} if name.endswith("export") else {}
    return reverse(name, kwargs={"slug": _campaign(world, state).slug, **extra})


def campaign_expect(role, state, name):
    """Published campaigns for everyone; a draft only for superusers (no campaign members)."""
    return 200 if state == "published" or role == SUPER else 404


def everyone(status) -> Callable:
    return lambda role, state, name: status


def logged_in(status, anonymous=302) -> Callable:
    return lambda role, state, name: anonymous if role == ANON else status


RULES = [
    # public pages and PDFs: plan_* on the draft plan, field_*/measure_* on the draft measure
    Rule(
        r"actionplan:plan_list",
        lambda w, n, s: reverse(n) if s == "published" else None,
        everyone(200),
    ),
    Rule(
        r"actionplan:(plan_detail|plan_timeline|plan_pdf|measure_list|field_detail|field_pdf"
        r"|measure_detail|measure_pdf|plan_progress_pdf)",
        public_url,
        lambda r, s, n: public(r, s),
    ),
    Rule(r"progress:plan_dashboard", public_url, lambda r, s, n: public(r, s)),
    # a plan's indicators: the published plan's indicator measures a published measure
    Rule(r"indicators:indicator_(list|detail)", indicator_url, lambda r, s, n: public(r, s)),
    # a document of a measure (attachments/): whoever sees the measure
    Rule(
        r"attachments:download",
        lambda w, n, s: w.objects[("attachment", s)].get_absolute_url(),
        lambda r, s, n: public(r, s),
    ),
    Rule(r"campaigns:(campaign_list|campaign_detail|campaign_pdf)", campaign_url, campaign_expect),
    Rule(r"actionplan:pdf_export_status", export_url, lambda r, s, n: public(r, s)),
    # cancelling an export: POST only (starter or the plan's coordinators, else 404:
    # tests/documents/test_cancel_export.py)
    Rule(r"actionplan:pdf_export_cancel", export_url, everyone(405)),
    # a plan's versions: wherever the plan itself may be seen (the draft plan's version was
    # published before the plan was withdrawn)
    Rule(
        r"versions:version_(detail|changes|pdf|field|measure)",
        version_url,
        lambda r, s, n: public(r, s),
    ),
    # a plan's status reports (reports/): a final one of the published plan for everyone, a
    # draft one (of the draft plan) for the plan's members
    Rule(r"reports:report_(pdf|docx)", report_url, lambda r, s, n: public(r, s)),
    # the site search: a page for everyone; what it lists is pinned in LISTS
    Rule(
        r"search:results",
        lambda w, n, s: reverse(n) + "?q=Maßnahme" if s == "published" else None,
        everyone(200),
    ),
    # the directory: persons named only by drafts are seen by members (access.rules
    # visible_persons), organisations by everyone
    Rule(
        r"contacts:(directory|organisation_detail|organisation_vcard|person_detail|person_vcard)",
        contact_url,
        lambda r, s, n: 200 if s == "published" or r in ADMIN_USERS else 404,
    ),
    Rule(r"actionplan:pdf_export_download", export_url, export_download_expect),
    # the legal statements and robots.txt: the same for everyone
    Rule(
        r"legal:(impressum|datenschutz|barrierefreiheit)|robots_txt",
        lambda w, n, s: reverse(n) if s == "published" else None,
        everyone(200),
    ),
    # health checks: component states without secrets, the same for everyone (503 without a
    # task worker in the test world: no heartbeat)
    Rule(
        r"health:web",
        lambda w, n, s: reverse(n) if s == "published" else None,
        everyone(200),
    ),
    Rule(
        r"health:full",
        lambda w, n, s: reverse(n) if s == "published" else None,
        everyone(503),
    ),
    # single sign-on (sso/): not configured in the tests, so no such page for anyone
    # (tests/sso/ signs in against a provider stub)
    Rule(
        r"oidc_authentication_(init|callback)",
        lambda w, n, s: reverse(n) if s == "published" else None,
        everyone(404),
    ),
    Rule(
        r"django\.contrib\.sitemaps\.views\.sitemap",
        lambda w, n, s: reverse(n) if s == "published" else None,
        everyone(200),
    ),
    # feeds hold published content only, the same for everyone: a draft plan or campaign
    # has none, for members too
    Rule(
        r"feeds:(plan_ical|plan_atom)",
        plan_feed_url,
        lambda r, s, n: 200 if s == "published" else 404,
    ),
    # open data: published content only, the same for everyone (members get no drafts here)
    Rule(
        r"opendata:(plan_csv|plan_json|plan_metadata)",
        plan_feed_url,
        lambda r, s, n: 200 if s == "published" else 404,
    ),
    # embeds for other sites: published content only, the same for everyone (embeds/)
    Rule(r"embeds:(plan|measure)", embed_url, lambda r, s, n: 200 if s == "published" else 404),
    Rule(
        r"feeds:campaign_ical",
        campaign_feed_url,
        lambda r, s, n: 200 if s == "published" else 404,
    ),
    # the signed opt-out link works without login, for whoever holds it
    Rule(r"reminders:unsubscribe", unsubscribe_url, everyone(200)),
    Rule(r"notifications:unsubscribe", notification_unsubscribe_url, everyone(200)),
    # one's own notification settings: whoever may open the admin
    Rule(
        r"notifications:preferences",
        admin_list_url,
        lambda r, s, n: 200 if r in ADMIN_USERS else 302,
    ),
    # the second factor (twofactor/): one's own page and setting it up, whoever may open the
    # admin; the second step and the fresh codes lead on (nobody here has a device or fresh
    # codes); the reset of another person's device, superusers only
    Rule(
        r"twofactor:(manage|setup)",
        admin_list_url,
        lambda r, s, n: 200 if r in ADMIN_USERS else 302,
    ),
    Rule(r"twofactor:(verify|codes)", admin_list_url, everyone(302)),
    Rule(
        r"twofactor:codes_download",
        admin_list_url,
        lambda r, s, n: 404 if r in ADMIN_USERS else 302,
    ),
    Rule(
        r"twofactor:(codes_renew|remove)",
        admin_list_url,
        lambda r, s, n: 405 if r in ADMIN_USERS else 302,
    ),
    Rule(
        r"twofactor:reset",
        lambda w, n, s: reverse(n, args=[w.users[READER].pk]) if s == "published" else None,
        lambda r, s, n: 302 if r in {ANON, STAFF} else 200 if r == SUPER else 403,
    ),
    # background import jobs: their uploader (here the coordinator), the coordinators of their
    # plan (none here; tests/imports/test_cancel_running.py) and superusers
    Rule(
        r"imports:job_status",
        import_job_url,
        lambda r, s, n: 302 if r == ANON else 200 if r in {COORD, SUPER} else 404,
    ),
    Rule(r"imports:job_(confirm|cancel)", import_job_url, logged_in(405)),  # POST only
    # the read API: lists for everyone (what they hold is pinned in LISTS), objects like pages
    Rule(
        r"api:(api-root|schema|(plan|field|measure|campaign|organisation|person|indicator)-list)",
        lambda w, n, s: reverse(n) if s == "published" else None,
        everyone(200),
    ),
    Rule(
        r"api:(plan|field|measure|indicator)-detail",
        api_object_url,
        lambda r, s, n: public(r, s),
    ),
    # any other address below the API: a JSON 404 for everyone
    Rule(
        r"api:not-found",
        lambda w, n, s: "/api/v1/nichts/" if s == "published" else None,
        everyone(404),
    ),
    # the world's campaign is a draft without members
    Rule(r"api:campaign-detail", api_object_url, lambda r, s, n: 200 if r == SUPER else 404),
    # organisation A and its person are named by drafts only: members see them, nobody else
    Rule(
        r"api:(organisation|person)-detail",
        api_object_url,
        lambda r, s, n: 200 if r in ADMIN_USERS else 404,
    ),
    # the whole-plan workbook and the round trip with a translation office (translations/):
    # the plan's coordinators; 403 with whom to ask for its other members; 404 for everybody
    # else, hidden or forbidden alike (no answer tells an outsider which plans exist)
    Rule(
        r"imports:plan_workbook_(export|import)|translations:plan_translation(_export)?",
        lambda w, n, s: reverse(
            n,
            kwargs={
                "plan_slug": w.objects[("plan", s)].slug,
                **({"file_format": "xlsx"} if n.endswith("export") else {}),
            },
        ),
        lambda r, s, n: (
            302 if r == ANON else 200 if r in {COORD, SUPER} else 403 if r in MEMBERS else 404
        ),
    ),
    # a campaign's translation round trip: its coordinators (nobody here holds a campaign
    # role: superusers only); 404 for everybody else
    Rule(
        r"translations:campaign_translation(_export)?",
        campaign_translation_url,
        lambda r, s, n: 302 if r == ANON else 200 if r == SUPER else 404,
    ),
    # the quality check before publishing (workbench): the plan's coordinators; everybody
    # else in the admin finds no such page
    Rule(
        r"workbench:quality_check",
        lambda w, n, s: reverse(n, kwargs={"plan_slug": w.objects[("plan", s)].slug}),
        lambda r, s, n: 302 if r in {ANON, STAFF} else 200 if r in {COORD, SUPER} else 404,
    ),
    # the review of a pending change (reviews): the comparison and its POST-only steps
    Rule(r"reviews:(compare|approve|send_back|withdraw|submit)", pending_url, pending_expect),
    # the admin's own pages
    Rule(r"admin:index", admin_list_url, lambda r, s, n: 302 if r == ANON else 200),
    Rule(
        r"admin:app_list",
        lambda w, n, s: reverse(n, args=["actionplan"]) if s == "published" else None,
        lambda r, s, n: 302 if r == ANON else 200 if r in ADMIN_USERS else 404,
    ),
    # inviting a person into a plan (access/admin.py): the plan's coordinators; a member who
    # does not coordinate it is refused, anybody else finds no such plan
    Rule(
        r"admin:access_membership_invite",
        lambda w, n, s: reverse(n, kwargs={"kind": "plan", "pk": w.objects[("plan", s)].pk}),
        lambda r, s, n: (
            302 if r == ANON else 200 if r in {COORD, SUPER} else 403 if r in MEMBERS else 404
        ),
    ),
    # an invited member chooses a password: the token decides, not the session (a wrong one
    # gets the page saying the link is invalid)
    Rule(
        r"password_reset_confirm",
        lambda w, n, s: (
            reverse(n, kwargs={"uidb64": "MQ", "token": "abc-falsch"}) if s == "published" else None
        ),
        everyone(200),
    ),
    Rule(
        r"password_reset_complete",
        lambda w, n, s: reverse(n) if s == "published" else None,
        everyone(200),
    ),
    # a staff account without a role may log in as someone else
    Rule(r"admin:login", admin_list_url, lambda r, s, n: 200 if r in {ANON, STAFF} else 302),
    Rule(r"admin:logout", admin_list_url, logged_in(405)),  # POST only
    Rule(r"admin:(jsi18n|password_change|password_change_done)", admin_list_url, logged_in(200)),
    # the schedule preview of the measure form: whoever may change some schedule entries
    Rule(
        r"admin:actionplan_measure_schedule_preview",
        lambda w, n, s: reverse(n) + "?label=II.+Quartal+2027" if s == "published" else None,
        lambda r, s, n: 302 if r == ANON else 403 if r == READER else 200,
    ),
    Rule(
        r"admin:autocomplete",
        lambda w, n, s: (
            reverse(n) + "?app_label=actionplan&model_name=step&field_name=measure"
            if s == "published"
            else None
        ),
        lambda r, s, n: 302 if r == ANON else 200 if r in ADMIN_USERS else 403,
    ),
    Rule(
        r"admin:view_on_site",
        lambda w, n, s: reverse(
            n, args=[ContentType.objects.get_for_model(ap.Measure).pk, w.objects[("measure", s)].pk]
        ),
        # to the object's page, for those who may see it; 404 like the page itself otherwise
        lambda r, s, n: 302 if r == ANON or public(r, s) == 200 else 404,
    ),
    Rule(
        r"admin:auth_user_password_change",
        lambda w, n, s: reverse(n, args=[w.users[READER].pk]) if s == "published" else None,
        lambda r, s, n: 302 if r == ANON else 200 if r == SUPER else 403,
    ),
    # an object's bare address redirects to its change page (which then decides)
    Rule(r"<unnamed> admin/\w+/\w+/<path:object_id>/", bare_object_url, everyone(302)),
    Rule(
        r"<unnamed> admin/\(\?P<url>\.\*\)\$",
        lambda w, n, s: "/admin/gibt-es-nicht/" if s == "published" else None,
        logged_in(404),
    ),
    # change history (history/): compare any two versions, revert a measure, recover one
    Rule(
        r"admin:\w+_history_compare",
        history_compare_url,
        lambda r, s, n: admin_object_status(_history_model(n), "history", r, s),
    ),
    Rule(r"admin:\w+_history_revert", history_revert_url, history_revert_expect),
    Rule(
        r"admin:\w+_recoverlist",
        admin_list_url,
        lambda r, s, n: 302 if r == ANON else 200 if may_add(_history_model(n), r) else 403,
    ),
    Rule(r"admin:\w+_recover", recover_url, recover_expect),
    # the English texts' status on a change page (translations/admin.py): "Übersetzung geprüft"
    # and the machine pre-translation are POST only (405, checked before the permission;
    # tests/translations/test_admin.py posts them per role)
    Rule(
        r"admin:\w+_translation_(confirm|machine)",
        lambda w, n, s: (
            reverse(n, args=[w.objects[(_history_model(n), s)].pk])
            if (_history_model(n), s) in w.objects
            else None
        ),
        lambda r, s, n: 302 if r == ANON else 405,
    ),
    # the campaign document in the campaign changelist (imports/campaign_upload.py): import
    # for whoever may import campaigns, export for coordinators (of their own campaigns only;
    # nobody here holds a campaign role, so a coordinator gets an empty document)
    Rule(
        r"admin:campaigns_campaign_document_(import|export)",
        admin_list_url,
        lambda r, s, n: (
            302
            if r == ANON
            else 200
            if r in (IMPORTERS["campaigns"] if n.endswith("import") else COORDINATORS)
            else 403
        ),
    ),
    # every ModelAdmin: lists and forms without an object, then one object's pages
    Rule(
        r"admin:\w+_(changelist|add|import|process_import|cancel_import|export)",
        admin_list_url,
        admin_list_expect,
    ),
    Rule(
        r"admin:\w+_(change|delete|history|simple_history|pdf)",
        admin_object_url,
        admin_object_expect,
    ),
]

# Who sees which titles on the list pages (published data; drafts for members).
PUBLIC_PLANS = {"Plan offen", "Plan X"}
PLAN_TITLES = {
    ANON: PUBLIC_PLANS,
    STAFF: PUBLIC_PLANS,
    OTHER: PUBLIC_PLANS,
    **dict.fromkeys(MEMBERS, PUBLIC_PLANS | {"Plan Entwurf"}),
    SUPER: PUBLIC_PLANS | {"Plan Entwurf"},
}
PUBLIC_MEASURES = {"Maßnahme offen B"}
MEASURE_LIST_TITLES = {
    **dict.fromkeys([ANON, STAFF, OTHER], PUBLIC_MEASURES),
    **dict.fromkeys(MEMBERS | {SUPER}, PUBLIC_MEASURES | {"Maßnahme Entwurf A"}),
}
ALL_MEASURES = {
    "Maßnahme offen B",
    "Maßnahme Entwurf A",
    "Maßnahme Entwurfsplan A",
    "Maßnahme anderer Plan",
}
ADMIN_MEASURES = {
    **dict.fromkeys(MEMBERS, ALL_MEASURES - {"Maßnahme anderer Plan"}),
    OTHER: {"Maßnahme anderer Plan"},
    SUPER: ALL_MEASURES,
}
ADMIN_PLANS = {
    **dict.fromkeys(MEMBERS, {"Plan offen", "Plan Entwurf"}),
    OTHER: {"Plan X"},
    SUPER: {"Plan offen", "Plan Entwurf", "Plan X"},
}


ALL_FIELDS = {"Feld Plan offen", "Feld Plan Entwurf", "Feld Plan X"}
ADMIN_FIELDS = {
    **dict.fromkeys(MEMBERS, {"Feld Plan offen", "Feld Plan Entwurf"}),
    OTHER: {"Feld Plan X"},
    SUPER: ALL_FIELDS,
}
SITEMAP_TITLES = {"Plan offen", "Plan X", "Feld Plan offen", "Feld Plan X"} | {
    "Maßnahme offen B",
    "Maßnahme anderer Plan",
    "Öffentlich",  # the published campaign; the draft one is not listed
}


def _titles(objects) -> set[str]:
    return {str(getattr(o, "title", o)) for o in objects}


def _sitemap_item(url):
    item = url["item"]
    while isinstance(item, tuple):  # (item, language) in an i18n sitemap
        item = item[0]
    return item


def _measure_list_expected(role, state):
    if state == "draft":
        return {"Maßnahme Entwurfsplan A"}
    return MEASURE_LIST_TITLES[role]


API_MEASURES = {
    **dict.fromkeys([ANON, STAFF, OTHER], PUBLIC_MEASURES | {"Maßnahme anderer Plan"}),
    **dict.fromkeys(MEMBERS, ALL_MEASURES),
    SUPER: ALL_MEASURES,
}


def _api_titles(response) -> set[str]:
    return {item["title"] for item in response.json()["results"]}


# List pages: route name -> (the titles a response shows, the titles a role should see).
LISTS = {
    "api:plan-list": (_api_titles, lambda role, s: PLAN_TITLES[role]),
    "api:measure-list": (_api_titles, lambda role, s: API_MEASURES[role]),
    # the published campaign for everybody, the draft one (no campaign roles here) for root only
    "api:campaign-list": (
        _api_titles,
        lambda role, s: {"Kampagne", "Öffentlich"} if role == SUPER else {"Öffentlich"},
    ),
    # measures of every plan, as the API lists them
    "search:results": (
        lambda r: _titles(
            hit.object for g in r.context["groups"] if g.kind.key == "measures" for hit in g.hits
        ),
        lambda role, s: API_MEASURES[role],
    ),
    "actionplan:plan_list": (
        lambda r: _titles(r.context["plans"]),
        lambda role, s: PLAN_TITLES[role],
    ),
    "actionplan:measure_list": (
        lambda r: _titles(r.context["page"].object_list),
        _measure_list_expected,
    ),
    "django.contrib.sitemaps.views.sitemap": (
        # plans and campaigns; the directory's entries are pinned in tests/contacts/test_privacy.py
        lambda r: _titles(
            i
            for i in map(_sitemap_item, r.context["urlset"])
            if isinstance(i, Model) and i._meta.app_label in ("actionplan", "campaigns")
        ),
        lambda role, s: SITEMAP_TITLES,
    ),
    "admin:actionplan_plan_changelist": (
        lambda r: _titles(r.context["cl"].result_list),
        lambda role, s: ADMIN_PLANS[role],
    ),
    "admin:actionplan_fieldofaction_changelist": (
        lambda r: _titles(r.context["cl"].result_list),
        lambda role, s: ADMIN_FIELDS[role],
    ),
    "admin:actionplan_measure_changelist": (
        lambda r: _titles(r.context["cl"].result_list),
        lambda role, s: ADMIN_MEASURES[role],
    ),
    "admin:actionplan_step_changelist": (
        lambda r: _titles(step.measure for step in r.context["cl"].result_list),
        lambda role, s: ADMIN_MEASURES[role],
    ),
    "admin:autocomplete": (
        lambda r: _titles(ap.Measure.objects.filter(pk__in=[x["id"] for x in r.json()["results"]])),
        lambda role, s: ADMIN_MEASURES[role],
    ),
}


# --- the admin site's gate ------------------------------------------------------------------------


def admin_gate(name, role, expected):
    """The admin site lets in members only (``access.sites``): every admin page but the login
    sends a staff account without a role to the login page, as it does an anonymous visitor."""
    is_admin = name.startswith("admin:") or name.startswith("<unnamed> admin/")
    if role == STAFF and is_admin and name != "admin:login":
        return 302
    return expected


# --- the tests ----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _documents_without_layout(monkeypatch):
    """The matrix asks who may fetch a document, not how it is laid out (tests/documents and
    tests/access/test_draft_leak.py lay them out and read them): the document's HTML is still
    built from what the reader may see, only WeasyPrint's layout (half of this module's runtime,
    about 15 s a role) is replaced by a stub PDF."""
    monkeypatch.setattr(
        rendering, "write_pdf", lambda html, **options: b"%PDF-1.7\n% permission matrix\n"
    )


def rule_for(name) -> Rule | None:
    return next((r for r in RULES if re.fullmatch(r.pattern, name)), None)


def test_matrix_covers_every_url_pattern():
    missing = sorted(name for name in route_names() if rule_for(name) is None)
    assert not missing, f"URL patterns without a rule in the permission matrix: {missing}"


def login(client, world, role):
    client.logout()
    if world.users[role] is not None:
        client.force_login(world.users[role])


def cells(world, role):
    """(route name, state, language, URL) of every cell of the role's row."""
    for name in sorted(route_names()):
        rule = rule_for(name)
        # pages in both languages; a PDF's access check does not depend on its language, and
        # rendering every one twice would double the runtime
        public = name.startswith(
            ("actionplan:", "versions:", "progress:", "indicators:")
        ) and not name.endswith("pdf")
        languages = ("de", "en") if public else ("de",)
        for state in STATES:
            for language in languages:
                with translation.override(language):
                    url = rule.url(world, name, state)
                if url is not None:
                    yield name, state, url


def check_change_form(client, world, name, role, state, url, response) -> str | None:
    """A change page opened read-only refuses the POST."""
    m = _admin(name)
    if m["view"] != "change" or response.context is None:
        return None
    allowed = may_change(m["model"], role, state)
    if response.context.get("has_change_permission") != allowed:
        return f"{name} [{state}] {url}: has_change_permission is not {allowed}"
    if not allowed and (status := client.post(url, {}).status_code) != 403:
        return f"{name} [{state}] POST {url}: {status}, expected 403"
    return None


@pytest.mark.parametrize("role", ROLES)
def test_matrix_status_per_route_role_and_state(client, world, role):
    login(client, world, role)
    failures = []
    for name, state, url in cells(world, role):
        expected = admin_gate(name, role, rule_for(name).expect(role, state, name))
        response = client.get(url)
        if response.status_code != expected:
            failures.append(
                f"{name} [{state}] GET {url}: {response.status_code}, expected {expected}"
            )
            continue
        if expected != 200:
            continue
        if name in LISTS:
            shown, should = LISTS[name]
            if shown(response) != should(role, state):
                failures.append(f"{name} [{state}] {url}: shows {shown(response)}")
        if name.startswith("admin:") and ADMIN_NAME.fullmatch(name):
            failures.append(check_change_form(client, world, name, role, state, url, response))
    failures = [f for f in failures if f]
    assert not failures, "\n".join(failures)
