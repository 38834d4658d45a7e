"""Dated plan versions: published by coordinators, rendered from the stored snapshot."""

import datetime
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from access import rules
from access.models import AuditEvent, Membership
from actionplan.export import plan_export_document
from actionplan.models import Measure, Plan, Step
from documents.services import VersionDocumentRequest
from tests.factories import OrganisationFactory, UserFactory, build_plan
from tests.shared_data import module_data
from tests.versions.conftest import import_leipzig
from versions.models import PlanVersion
from versions.services import plan_version_publish

pytestmark = pytest.mark.django_db

# plan, fields, findings, contacts, measures, steps, target groups, schedule, responsibilities,
# budget lines, related measures, the public measure ids, persons, organisations
# the plan's export: 14 queries before issue 20; the funding programmes, the council papers
# (the plan's and the measures', each with their consultations) and the documents (of the plan,
# fields and measures) add six, however large the plan
EXPORT_QUERIES = 20
# a plan with indicators: their targets, values and links, three more
INDICATOR_QUERIES = 3


@pytest.fixture(scope="module")
def leipzig_pk(django_db_setup, django_db_blocker):
    """The Leipzig plan, imported once for this module (tests/versions/conftest.py imports it
    for each test of the other modules); each test runs in a savepoint of its own."""
    with module_data(django_db_blocker):
        yield import_leipzig().pk


@pytest.fixture
def leipzig(leipzig_pk):
    return Plan.objects.get(pk=leipzig_pk)


def first_measure(plan) -> Measure:
    return (
        Measure.objects.filter(field__plan=plan, state="published")
        .select_related("field")
        .order_by("field__position", "position")
        .first()
    )


def version_urls(version, measure) -> dict[str, str]:
    kwargs = {"plan_slug": version.plan.slug, "version_slug": version.slug}
    field = {**kwargs, "field_slug": measure.field.slug}
    return {
        "plan": reverse("versions:version_detail", kwargs=kwargs),
        "field": reverse("versions:version_field", kwargs=field),
        "measure": reverse(
            "versions:version_measure", kwargs={**field, "measure_slug": measure.slug}
        ),
        "changes": reverse("versions:version_changes", kwargs=kwargs),
    }


def test_publish_stores_the_public_state(leipzig, publish, coordinator):
    version = publish(leipzig, "Stand Mai 2011")
    assert version.slug == "stand-mai-2011"
    assert version.created_by == coordinator
    assert version.snapshot["plan"]["slug"] == "leipzig-2011"
    measures = [m for f in version.snapshot["plan"]["fields"] for m in f["measures"]]
    assert len(measures) == Measure.objects.published().filter(field__plan=leipzig).count()
    event = AuditEvent.objects.get(action=AuditEvent.Action.PUBLISHED)
    assert "Stand Mai 2011" in event.detail and event.plan == leipzig


def test_page_and_pdf_of_an_earlier_version_show_that_versions_text(leipzig, publish):
    measure = first_measure(leipzig)
    old_title = measure.title
    version = publish(leipzig, "Stand Mai 2011")
    measure.title = "Heute ganz anders benannt"
    measure.description = "Eine neue Beschreibung von heute."
    measure.save()
    urls = version_urls(version, measure)
    client = Client()
    for name in ("plan", "field", "measure"):
        page = client.get(urls[name]).content.decode()
        assert old_title.split("‚")[0] in page, name
        assert "Heute ganz anders benannt" not in page, name
        assert "Stand Mai 2011" in page
    today = client.get(measure.get_absolute_url()).content.decode()
    assert "Heute ganz anders benannt" in today

    pdf = client.get(reverse("versions:version_pdf", kwargs=version_urls_kwargs(version)))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "Heute ganz anders" not in text
    assert "Stand Mai 2011" in text
    assert squash(old_title)[:40] in squash(text)


def version_urls_kwargs(version):
    return {"plan_slug": version.plan.slug, "version_slug": version.slug}


def squash(text: str) -> str:
    return "".join(text.split())


def pdf_text(data: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return result.stdout.decode()


def test_version_pdf_with_changes_appendix(leipzig, publish):
    version = publish(leipzig, "Stand Mai 2011")
    measure = first_measure(leipzig)
    measure.title = "Neuer Titel der Maßnahme"
    measure.save()
    url = reverse("versions:version_pdf", kwargs=version_urls_kwargs(version))
    response = Client().get(url + "?anhang=aenderungen")
    assert response.status_code == 200
    assert "aenderungen" in response["Content-Disposition"]
    text = squash(pdf_text(response.content))
    assert squash("Änderungen seit dieser Version") in text
    assert squash("Neuer Titel der Maßnahme") in text
    assert Client().get(url + "?anhang=unsinn").status_code == 404


def test_drafts_never_enter_a_version(leipzig, publish):
    draft = first_measure(leipzig)
    draft.state = Measure.State.DRAFT
    draft.title = "Geheimer Entwurf"
    draft.save()
    Step.objects.create(measure=draft, position=99, text="Geheimer Schritt")
    version = publish(leipzig, "Fortschreibung 2012")
    assert "Geheimer" not in str(version.snapshot)
    urls = version_urls(version, draft)
    client = Client()
    assert "Geheimer" not in client.get(urls["plan"]).content.decode()
    assert client.get(urls["measure"]).status_code == 404
    pdf = client.get(reverse("versions:version_pdf", kwargs=version_urls_kwargs(version)))
    assert "Geheimer" not in pdf_text(pdf.content)
    # a member of the plan sees no more in a version than the public
    member = UserFactory()
    Membership.objects.create(user=member, plan=leipzig, role=Membership.Role.COORDINATOR)
    client.force_login(member)
    assert client.get(urls["measure"]).status_code == 404
    assert "Geheimer" not in client.get(urls["plan"]).content.decode()


def test_private_contact_details_are_not_stored(leipzig, publish):
    from contacts.models import Person

    person = Person.objects.get(last_name="Demus")
    person.public_contact = False
    person.phone = "0341/999 privat"
    person.save()
    version = publish(leipzig, "Stand Mai 2011")
    assert "999 privat" not in str(version.snapshot)


def test_plan_page_lists_versions(leipzig, publish):
    publish(leipzig, "Stand Mai 2011", datetime.date(2011, 5, 1))
    publish(leipzig, "Fortschreibung 2012", datetime.date(2012, 3, 1))
    page = Client().get(leipzig.get_absolute_url()).content.decode()
    assert page.index("Fortschreibung 2012") < page.index("Stand Mai 2011")
    assert "/plaene/leipzig-2011/versionen/stand-mai-2011/" in page
    assert "1. März 2012" in page


def test_publishing_a_version_refreshes_the_cached_plan_page(leipzig, publish):
    client = Client()
    first = client.get(leipzig.get_absolute_url())
    assert "Stand Mai 2011" not in first.content.decode()
    publish(leipzig, "Stand Mai 2011")
    again = client.get(leipzig.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert "Stand Mai 2011" in again.content.decode()


def test_version_pages_are_cached_like_other_public_pages(leipzig, publish):
    version = publish(leipzig, "Stand Mai 2011")
    url = version_urls(version, first_measure(leipzig))["plan"]
    client = Client()
    response = client.get(url)
    assert response["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_only_coordinators_publish_versions(leipzig):
    org = OrganisationFactory()
    editor = UserFactory()
    Membership.objects.create(
        user=editor, plan=leipzig, role=Membership.Role.EDITOR, organisation=org
    )
    reader = UserFactory()
    Membership.objects.create(user=reader, plan=leipzig, role=Membership.Role.READER)
    for user in (editor, reader, UserFactory(), None):
        with pytest.raises(PermissionDenied):
            plan_version_publish(
                plan=leipzig, label="Stand", date=datetime.date(2011, 5, 1), acting_user=user
            )
    assert not PlanVersion.objects.exists()


def test_editor_gets_403_in_the_admin(leipzig, client):
    editor = UserFactory(is_staff=True)
    Membership.objects.create(
        user=editor, plan=leipzig, role=Membership.Role.EDITOR, organisation=OrganisationFactory()
    )
    client.force_login(editor)
    plan_page = client.get(reverse("admin:actionplan_plan_change", args=[leipzig.pk]))
    assert "Version veröffentlichen" not in plan_page.content.decode()
    add_url = reverse("admin:versions_planversion_add")
    assert client.get(add_url).status_code == 403
    response = client.post(add_url, {"plan": leipzig.pk, "label": "Stand", "date": "2011-05-01"})
    assert response.status_code == 403
    assert not PlanVersion.objects.exists()


def test_coordinator_publishes_in_the_admin(leipzig, coordinator, client):
    client.force_login(coordinator)
    plan_page = client.get(reverse("admin:actionplan_plan_change", args=[leipzig.pk]))
    add_url = reverse("admin:versions_planversion_add")
    link = f'href="{add_url}?plan={leipzig.pk}">Version veröffentlichen</a>'
    assert link in plan_page.content.decode()
    form = client.get(f"{add_url}?plan={leipzig.pk}")
    assert form.status_code == 200
    assert form.context["adminform"].form.initial["plan"] == str(leipzig.pk)
    assert "<h1>Version veröffentlichen</h1>" in form.content.decode()
    response = client.post(
        add_url, {"plan": leipzig.pk, "label": "Stand Mai 2011", "date": "2011-05-01"}
    )
    assert response.status_code == 302
    version = PlanVersion.objects.get()
    assert version.label == "Stand Mai 2011" and version.created_by == coordinator
    # the same label again: a clear message, nothing stored
    again = client.post(
        add_url, {"plan": leipzig.pk, "label": "Stand  Mai 2011", "date": "2011-06-01"}
    )
    assert again.status_code == 200
    assert "Dieser Plan hat bereits eine Version mit dieser Bezeichnung." in again.content.decode()
    assert PlanVersion.objects.count() == 1
    listing = client.get(reverse("admin:versions_planversion_changelist"))
    assert "Stand Mai 2011" in listing.content.decode()


def test_bad_input_is_refused_with_a_message(leipzig, publish, coordinator):
    for label in ("", "   ", "!!!"):
        with pytest.raises(ValidationError) as exc:
            publish(leipzig, label)
        assert "label" in exc.value.message_dict
    publish(leipzig, "Stand Mai 2011")
    with pytest.raises(ValidationError) as exc:
        publish(leipzig, "stand mai 2011")
    assert "bereits eine Version" in str(exc.value)
    draft = Plan.objects.create(title="Entwurf", slug="entwurf", region="X")
    Membership.objects.create(user=coordinator, plan=draft, role=Membership.Role.COORDINATOR)
    rules.forget(coordinator)
    with pytest.raises(ValidationError, match="veröffentlichter Plan"):
        publish(draft, "Stand")
    assert PlanVersion.objects.count() == 1


def test_version_of_an_unpublished_plan_is_not_shown(leipzig, publish):
    version = publish(leipzig, "Stand Mai 2011")
    Plan.objects.filter(pk=leipzig.pk).update(status=Plan.Status.DRAFT)
    urls = version_urls(version, first_measure(leipzig))
    for url in urls.values():
        assert Client().get(url).status_code == 404


def test_unknown_version_field_and_measure_answer_404(leipzig, publish):
    version = publish(leipzig, "Stand Mai 2011")
    kwargs = version_urls_kwargs(version)
    client = Client()
    assert (
        client.get(
            reverse("versions:version_detail", kwargs={**kwargs, "version_slug": "x"})
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("versions:version_field", kwargs={**kwargs, "field_slug": "x"})
        ).status_code
        == 404
    )
    url = reverse(
        "versions:version_measure",
        kwargs={**kwargs, "field_slug": "netzwerke", "measure_slug": "x"},
    )
    assert client.get(url).status_code == 404


def test_version_pages_query_counts(leipzig, publish, django_assert_num_queries, settings):
    version = publish(leipzig, "Stand Mai 2011")
    publish(leipzig, "Fortschreibung 2012")
    urls = version_urls(version, first_measure(leipzig))
    # plan, version, list of versions; two for the savepoint of ATOMIC_REQUESTS
    pins = {"plan": 5, "field": 5, "measure": 5}
    for name, count in pins.items():
        with django_assert_num_queries(count):
            assert Client().get(urls[name]).status_code == 200
    # between two versions: plan, both versions, the list of versions, the savepoint
    with django_assert_num_queries(6):
        assert Client().get(urls["changes"] + "?bis=fortschreibung-2012").status_code == 200
    # until today: the exporter's fixed number of queries on top (the demo plan has indicators)
    with django_assert_num_queries(5 + EXPORT_QUERIES + INDICATOR_QUERIES):
        assert Client().get(urls["changes"]).status_code == 200


def test_exporter_query_count_does_not_grow_with_the_plan(django_assert_num_queries):
    small = build_plan(fields=1, measures_per_field=1, steps_per_measure=1, slug="klein")
    large = build_plan(fields=8, measures_per_field=12, steps_per_measure=6, slug="gross")
    for plan in (small, large):
        for public_only in (False, True):
            with django_assert_num_queries(EXPORT_QUERIES):
                plan_export_document(plan, public_only=public_only)


def test_version_pdf_cache_key_follows_the_appendix(leipzig, publish):
    version = publish(leipzig, "Stand Mai 2011")
    plain = VersionDocumentRequest.build(leipzig, version=version)
    with_changes = VersionDocumentRequest.build(leipzig, version=version, changes=True)
    assert plain.cache_key != with_changes.cache_key
    assert plain.filename == "leipzig-2011-stand-mai-2011.pdf"
    assert not plain.draft


def test_coordinator_deletes_a_version_and_its_pages_go(leipzig, publish, coordinator):
    from versions.services import plan_version_delete

    version = publish(leipzig, "Stand Mai 2011")
    url = version_urls(version, first_measure(leipzig))["plan"]
    assert Client().get(url).status_code == 200
    editor = UserFactory()
    Membership.objects.create(
        user=editor, plan=leipzig, role=Membership.Role.EDITOR, organisation=OrganisationFactory()
    )
    with pytest.raises(PermissionDenied):
        plan_version_delete(version=version, acting_user=editor)
    stamp = Plan.objects.get(pk=leipzig.pk).content_changed_at
    plan_version_delete(version=version, acting_user=coordinator)
    assert not PlanVersion.objects.exists()
    assert Plan.objects.get(pk=leipzig.pk).content_changed_at > stamp
    assert Client().get(url).status_code == 404
    assert "Stand Mai 2011" not in Client().get(leipzig.get_absolute_url()).content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UNPUBLISHED).exists()
