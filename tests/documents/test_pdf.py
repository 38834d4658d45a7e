"""The PDF documents: structure, metadata, access, cache (fidelity: test_pdf_fidelity.py)."""

import re
import threading
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

import documents
from actionplan import signals
from actionplan.models import Measure, Plan, Responsibility, Step
from contacts.models import Organisation
from documents import kinds, plans, rendering, services
from tests.documents.pdf_factories import (
    pdf_cache,  # noqa: F401
    pdf_info,
    pdf_metadata,
    pdf_objects,
    pdf_outline,
    pdf_pages,
    requires_poppler,
    squash,
)
from tests.factories import (
    FieldOfActionFactory,
    MeasureFactory,
    OrganisationFactory,
    PersonFactory,
    ResponsibilityFactory,
    StepFactory,
    build_plan,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pdf_cache"), requires_poppler]


def test_plan_pdf_structure_pages_and_outline_match_the_plan():
    plan = build_plan(fields=3, measures_per_field=4, steps_per_measure=2)
    data = documents.render("plan", plan, variant="")
    pages = pdf_pages(data)
    page_count = int(pdf_info(data)["Pages"])
    assert len(pages) == page_count
    assert f"Seite {page_count} von {page_count}" in pages[-1]

    outline = pdf_outline(data)
    titles = [title for title, _, _ in outline]
    fields = list(plan.fields.order_by("position"))
    assert titles == [
        "Einleitung",
        "Gesamtübersicht der Maßnahmen",
        "Ansprechpartner",
        *[f"Handlungsfeld ‚{f.title}‘" for f in fields],
        "Zeitleiste",
    ]
    for field, (_, page, children) in zip(fields, outline[3:-1], strict=True):
        # every field starts a page: its heading follows the running header directly
        body = pages[page - 1].split("\n")
        assert f"Handlungsfeld ‚{field.title}‘" in body[:6]
        measures = list(field.measures.order_by("position"))
        assert [c[0] for c in children] == [f"Maßnahme {m.code}) {m.title}" for m in measures]
        for title, child_page, _ in children:
            assert squash(title) in squash(pages[child_page - 1])

    # The table of contents prints the page each bookmark points at.
    toc = pages[1]
    for title, page, _ in outline:
        assert re.search(rf"{re.escape(title)}\s*\.*\s*{page}\b", toc), title


def test_plan_pdf_metadata_language_tags_and_fonts():
    plan = build_plan(fields=1, measures_per_field=1)
    data = documents.render("plan", plan)
    info = pdf_info(data)
    assert info["Title"] == str(plan)
    assert info["Author"] == plan.region  # no publisher: falls back to the region
    assert info["Tagged"] == "yes"
    assert b"/Lang (de)" in pdf_objects(data)
    assert b"/StructTreeRoot" in pdf_objects(data)
    assert 'pdfuaid:part="1"' in pdf_metadata(data)


def test_plan_pdf_author_is_the_publisher():
    plan = build_plan(fields=1, measures_per_field=1)
    lead = PersonFactory()
    plan.project_lead = lead
    plan.save()
    assert (
        pdf_info(documents.render("measure", Measure.objects.filter(field__plan=plan).get()))[
            "Author"
        ]
        == lead.organisation.display_name
    )


def test_pdf_embeds_only_the_app_fonts():
    import subprocess
    import tempfile

    plan = build_plan(fields=1, measures_per_field=1)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(documents.render("field", plan.fields.get()))
        handle.flush()
        fonts = subprocess.run(["pdffonts", handle.name], capture_output=True, text=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows
    for row in rows:
        name = row.split()[0].split("+")[-1]
        assert name.startswith("Planwerk-"), row
        assert " yes " in row  # embedded


def test_pdf_hyphenates_german_text():
    plan = build_plan(fields=1, measures_per_field=1)
    field = plan.fields.get()
    field.target_state = " ".join(
        ["Wohnungsbauförderung Kreativwirtschaftsunternehmen Kommunikationskonzepterarbeitung"] * 12
    )
    field.save()
    text = "\n".join(pdf_pages(documents.render("field", field)))
    assert re.search(r"[a-zäöüß][\u2010-]\n[a-zäöüß]", text), "no hyphenated line break"


def test_draft_marker_on_every_page_of_drafts_only():
    draft = build_plan(fields=2, measures_per_field=2, status=Plan.Status.DRAFT)
    published = build_plan(fields=2, measures_per_field=2)
    draft_pages = pdf_pages(documents.render("plan", draft, variant=""))
    assert len(draft_pages) > 5
    assert all("ENTWURF" in page for page in draft_pages)
    published_pages = pdf_pages(documents.render("plan", published, variant=""))
    assert not any("ENTWURF" in page.upper() for page in published_pages)
    measure = Measure.objects.filter(field__plan=draft).first()
    assert all("ENTWURF" in p for p in pdf_pages(documents.render("measure", measure, variant="")))


def test_contacts_show_personal_details_only_with_consent():
    plan = build_plan(fields=1, measures_per_field=1)
    field = plan.fields.get()
    shy = PersonFactory(public_contact=False, phone="0341/999-77", email="privat@example.org")
    field.field_contacts.all().delete()
    field.field_contacts.create(person=shy, position=1)
    text = "\n".join(pdf_pages(documents.render("plan", plan, variant="")))
    assert shy.last_name not in text and shy.first_name not in text  # no consent, no name
    assert "privat@example.org" not in text and "999-77" not in text
    assert shy.organisation.email in text and shy.organisation.phone in text


def test_measure_pdf_is_one_measure_on_one_or_two_pages():
    plan = build_plan(fields=2, measures_per_field=3, steps_per_measure=6)
    measure = Measure.objects.filter(field__plan=plan).order_by("pk")[1]
    data = documents.render("measure", measure)
    pages = pdf_pages(data)
    assert 1 <= len(pages) <= 2
    text = "\n".join(pages)
    assert measure.title in text
    assert all(step.text in text for step in measure.steps.all())
    others = Measure.objects.filter(field__plan=plan).exclude(pk=measure.pk)
    assert not any(f"Schritt {m.title} /" in text for m in others)
    outline = pdf_outline(data)
    assert [t for t, _, _ in outline] == [f"Maßnahme {measure.code}) {measure.title}"]


def test_field_pdf_has_the_field_and_only_its_measures():
    plan = build_plan(fields=2, measures_per_field=2)
    first, second = plan.fields.order_by("position")
    data = documents.render("field", second)
    text = "\n".join(pdf_pages(data))
    assert second.target_state in text
    assert all(m.title in text for m in second.measures.all())
    assert not any(m.title in text for m in first.measures.all())
    ((title, _, children),) = pdf_outline(data)
    assert title == f"Handlungsfeld ‚{second.title}‘" and len(children) == 2


def test_plan_pdf_lists_substeps_budget_and_roles():
    plan = build_plan(fields=1, measures_per_field=1, steps_per_measure=1)
    measure = Measure.objects.get(field__plan=plan)
    parent = measure.steps.get()
    StepFactory(measure=measure, parent=parent, position=1, text="Unterpunkt eins")
    line = measure.budget_lines.get()
    line.note = "Honorare"
    line.save()
    text = "\n".join(pdf_pages(documents.render("measure", measure)))
    assert "Unterpunkt eins" in text
    assert "Honorare" in text and "1.000,00" in text
    assert "Budget Creative Cities" in text


def test_plan_data_loads_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    plan = build_plan(fields=4, measures_per_field=10, steps_per_measure=3)
    with django_assert_max_num_queries(14):
        html = services.document_html("plan", plan)
    assert html.count('class="measure') == 40


# --- views ----------------------------------------------------------------------------------


def _urls(plan):
    field = plan.fields.order_by("position").first()
    measure = field.measures.order_by("position").first()
    return [
        reverse("actionplan:plan_pdf", kwargs={"plan_slug": plan.slug}),
        reverse("actionplan:field_pdf", kwargs={"plan_slug": plan.slug, "field_slug": field.slug}),
        reverse(
            "actionplan:measure_pdf",
            kwargs={"plan_slug": plan.slug, "field_slug": field.slug, "measure_slug": measure.slug},
        ),
    ]


def test_pdf_urls_are_the_documented_paths():
    plan = build_plan(fields=1, measures_per_field=1, slug="leipzig")
    assert _urls(plan) == [
        "/plaene/leipzig/pdf/",
        "/plaene/leipzig/handlungsfelder/handlungsfeld-1/pdf/",
        "/plaene/leipzig/handlungsfelder/handlungsfeld-1/massnahmen/massnahme-1/pdf/",
    ]


def test_draft_pdfs_are_404_for_anonymous_and_users_but_served_to_staff(user, staff_client):
    # staff_client is the ``client`` fixture logged in: anonymous and user need their own.
    anonymous, member = Client(), Client()
    member.force_login(user)
    plan = build_plan(fields=1, measures_per_field=1, status=Plan.Status.DRAFT)
    with mock.patch.object(rendering, "write_pdf", return_value=b"%PDF-fake") as write:
        for url in _urls(plan):
            assert anonymous.get(url).status_code == 404
            assert member.get(url).status_code == 404
        assert write.call_count == 0
        for url in _urls(plan):
            response = staff_client.get(url)
            assert response.status_code == 200
            assert response["Content-Type"] == "application/pdf"
            assert response["Cache-Control"] == "private, no-store"
            assert "entwurf" in response["Content-Disposition"]
        assert write.call_count == 3


def test_published_pdf_is_served_to_anonymous(client):
    plan = build_plan(fields=1, measures_per_field=1)
    response = client.get(_urls(plan)[0])
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert f'filename="{plan.slug}.pdf"' in response["Content-Disposition"]


def test_unknown_field_or_measure_is_404(client):
    plan = build_plan(fields=1, measures_per_field=1)
    url = reverse("actionplan:field_pdf", kwargs={"plan_slug": plan.slug, "field_slug": "nope"})
    assert client.get(url).status_code == 404
    # A field of another plan is not reachable through this one. Its own slug: the factory's
    # sequence could name it „Handlungsfeld 1“ like this plan's field (order-dependent flake).
    other = FieldOfActionFactory(slug="feld-eines-anderen-plans")
    url = reverse("actionplan:field_pdf", kwargs={"plan_slug": plan.slug, "field_slug": other.slug})
    assert client.get(url).status_code == 404


# --- cache ----------------------------------------------------------------------------------


def test_repeat_download_is_served_from_cache_until_a_step_changes(client):
    plan = build_plan(fields=1, measures_per_field=2)
    url = _urls(plan)[0]
    with mock.patch.object(rendering, "write_pdf", wraps=rendering.write_pdf) as write:
        first = client.get(url)
        second = client.get(url)
        assert write.call_count == 1
        assert first.content == second.content

        step = Step.objects.filter(measure__field__plan=plan).first()
        step.text = "Geänderter Schritt"
        step.save()
        third = client.get(url)
        assert write.call_count == 2
        assert "Geänderter Schritt" in "\n".join(pdf_pages(third.content))


def test_a_process_waits_for_the_render_another_one_holds_the_lock_for(private_cache):
    plan = build_plan(fields=1, measures_per_field=1)
    request = services.DocumentRequest.build(plan)
    private_cache.set(request.cache_key + ":rendering", "other-process")

    def other_process_finishes():
        private_cache.set(request.cache_key, b"%PDF-from-the-other-process")
        private_cache.delete(request.cache_key + ":rendering")

    timer = threading.Timer(0.3, other_process_finishes)
    timer.start()
    with mock.patch.object(rendering, "write_pdf") as write:
        data = services.get_or_render(request)
    timer.join()
    assert data == b"%PDF-from-the-other-process"
    assert write.call_count == 0


def test_cache_key_separates_draft_language_variant_and_target():
    plan = build_plan(fields=1, measures_per_field=1)
    field = plan.fields.get()
    base = services.DocumentRequest.build(plan)
    keys = {
        base.cache_key,
        services.DocumentRequest(plan, draft=True).cache_key,
        services.DocumentRequest(plan, language="en").cache_key,
        services.DocumentRequest(plan, variant="").cache_key,
        services.DocumentRequest.build(plan, field=field).cache_key,
    }
    assert len(keys) == 5
    assert services.DocumentRequest.build(plan).cache_key == base.cache_key


def test_export_command_writes_the_pdf(tmp_path):
    plan = build_plan(fields=1, measures_per_field=2)
    target = tmp_path / "plan.pdf"
    call_command("export_plan_pdf", plan.slug, "-o", str(target), "--variant", "plain")
    assert target.read_bytes().startswith(b"%PDF-")
    assert "Maßnahme 1.2" in "\n".join(pdf_pages(target.read_bytes()))


def test_export_command_rejects_unknown_plan():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No plan"):
        call_command("export_plan_pdf", "gibt-es-nicht")


# --- content_changed_at (the cache key) -----------------------------------------------------


def _stamp(plan):
    return Plan.objects.values_list("content_changed_at", flat=True).get(pk=plan.pk)


def _changes(plan, action):
    Plan.objects.filter(pk=plan.pk).update(content_changed_at=None)
    action()
    return _stamp(plan) is not None


def test_content_changed_at_moves_with_every_child_save_and_delete():
    plan = build_plan(fields=1, measures_per_field=2, steps_per_measure=2)
    other = build_plan(fields=1, measures_per_field=1)
    measure = Measure.objects.filter(field__plan=plan).first()
    step = measure.steps.first()
    group = measure.target_groups.first()
    person = plan.fields.get().field_contacts.get().person
    line = measure.budget_lines.get()

    assert _changes(plan, lambda: plan.save())
    assert _changes(plan, lambda: plan.save(update_fields=["title"]))
    assert _changes(plan, lambda: step.save())
    assert _changes(plan, lambda: StepFactory(measure=measure, parent=step, position=1))
    assert _changes(plan, lambda: measure.schedule.first().save())
    assert _changes(plan, lambda: measure.responsibilities.first().save())
    assert _changes(plan, lambda: line.save())
    assert _changes(plan, lambda: plan.fields.get().baseline_findings.first().delete())
    assert _changes(plan, lambda: measure.target_groups.remove(group))
    assert _changes(plan, lambda: group.measures.add(measure))
    assert _changes(plan, lambda: measure.related_measures.add(measure.field.measures.last()))
    assert _changes(plan, lambda: setattr(person, "phone", "1") or person.save())
    assert _changes(plan, lambda: person.organisation.save())
    assert _changes(plan, lambda: line.category.save())
    assert _changes(plan, lambda: step.delete())
    assert _changes(plan, lambda: measure.delete())
    # Changes elsewhere leave this plan alone.
    other_step = Step.objects.filter(measure__field__plan=other).first()
    assert not _changes(plan, lambda: other_step.save())


def test_deleting_a_measure_touches_its_plan_once():
    plan = build_plan(fields=1, measures_per_field=1, steps_per_measure=30)
    measure = Measure.objects.get(field__plan=plan)
    Plan.objects.filter(pk=plan.pk).update(content_changed_at=None)
    with mock.patch("actionplan.signals._touch_for", wraps=signals._touch_for) as touch:
        measure.delete()
    assert touch.call_count == 1
    assert _stamp(plan) is not None


def test_plan_touch_covers_bulk_writes():
    plan = build_plan(fields=1, measures_per_field=1)
    measure = Measure.objects.get(field__plan=plan)
    Plan.objects.filter(pk=plan.pk).update(content_changed_at=None)
    Step.objects.bulk_create([Step(measure=measure, position=50, text="still")])
    assert _stamp(plan) is None  # bulk_create sends no signal …
    assert signals.plan_touch(plan) == 1  # … so bulk paths call plan_touch
    assert _stamp(plan) is not None


# --- how organisations, people and roles read -----------------------------------------------


def test_organisation_label_names_an_outside_parent_but_not_the_city():
    city = OrganisationFactory(
        name="Stadt Halle", short_name="", kind=Organisation.Kind.CITY_ADMINISTRATION
    )
    office = OrganisationFactory(name="Kulturamt", short_name="KA", parent=city)
    company = OrganisationFactory(
        name="Aufbauwerk GmbH", short_name="AW", kind=Organisation.Kind.COMPANY
    )
    desk = OrganisationFactory(name="Kontaktstelle", short_name="", parent=company)
    plain = OrganisationFactory(name="Verein", short_name="", parent=desk)
    assert plans.organisation_label(office) == "Kulturamt"
    assert plans.organisation_label(desk) == "Kontaktstelle (AW)"
    assert plans.organisation_label(plain) == "Verein (Kontaktstelle)"
    assert plans.organisation_label(city) == "Stadt Halle"
    assert plans.abbreviations([desk, office, None]) == [
        ("AW", "Aufbauwerk GmbH"),
        ("KA", "Kulturamt"),
    ]


def test_responsibilities_group_by_role_with_person_and_organisation():
    measure = MeasureFactory()
    office = OrganisationFactory(name="Dezernat Kultur")
    other = OrganisationFactory(name="Amt B")
    tutor = PersonFactory(
        salutation="frau", first_name="", last_name="Milev", function="", organisation=office
    )
    rows = [
        (Responsibility.Role.LEAD, other, None, "Einrichtung"),
        (Responsibility.Role.TUTOR, None, tutor, ""),
        (Responsibility.Role.SUPPORT, office, None, "gemeinsam"),
        (Responsibility.Role.SUPPORT, other, None, "gemeinsam"),
    ]
    for position, (role, org, person, note) in enumerate(rows, 1):
        ResponsibilityFactory(
            measure=measure,
            position=position,
            role=role,
            organisation=org,
            person=person,
            note=note,
        )
    with translation.override("de"):
        groups = plans.responsibility_groups(
            measure.responsibilities.select_related("organisation", "person__organisation")
        )
    assert [(g.heading, g.show_heading) for g in groups] == [
        ("Federführung", True),
        ("Tutorin/Tutor", True),
        ("Unterstützung", True),
    ]
    assert [(i.parties, i.note) for i in groups[1].items] == [
        (["Frau Milev / Dezernat Kultur"], "")
    ]
    assert [(i.parties, i.note) for i in groups[2].items] == [
        (["Dezernat Kultur", "Amt B"], "gemeinsam")
    ]
    text = squash("\n".join(pdf_pages(documents.render("measure", measure, variant=""))))
    assert squash("Tutorin/Tutor Frau Milev / Dezernat Kultur") in text
    assert squash("Unterstützung Dezernat Kultur, Amt B: gemeinsam") in text


def test_a_lone_responsible_group_has_no_heading():
    measure = MeasureFactory()
    ResponsibilityFactory(measure=measure, position=1, role=Responsibility.Role.RESPONSIBLE)
    ResponsibilityFactory(measure=measure, position=2, role=Responsibility.Role.RESPONSIBLE)
    (group,) = plans.responsibility_groups(measure.responsibilities.all())
    assert not group.show_heading and len(group.items) == 2


def test_each_document_explains_only_the_abbreviations_it_prints():
    plan = build_plan(fields=1, measures_per_field=1)
    plan.project_lead = PersonFactory(
        organisation=OrganisationFactory(name="Projektbüro", short_name="PB")
    )
    plan.save()
    field = plan.fields.get()
    measure = field.measures.get()
    responsible = measure.responsibilities.get().organisation
    whole = dict(plans.load_plan(plan.pk).abbreviations)
    single = dict(plans.load_plan(plan.pk, field_pk=field.pk, measure_pk=measure.pk).abbreviations)
    assert whole["PB"] == "Projektbüro" and "PB" not in single
    assert single == {responsible.short_name: responsible.name}


def test_render_refuses_a_kind_that_does_not_fit_the_object_and_unknown_kinds():
    plan = build_plan(fields=1, measures_per_field=1)
    with mock.patch.object(rendering, "write_pdf") as write:
        with pytest.raises(ValueError, match="not a 'field' document"):
            documents.render("field", plan)
        with pytest.raises(ValueError, match="Unknown PDF variant"):
            documents.render("plan", plan, variant="pdf/x-99")
    assert write.call_count == 0
    with pytest.raises(ValueError, match="Unknown document kind"):
        kinds.get("brochure")
