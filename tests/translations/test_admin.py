"""The admin side of translations: German and English side by side on every form of a
translated model, the status of the English texts with “Übersetzung geprüft”, and the start
page's counts of untranslated texts per plan."""

import re

import pytest
from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from access.models import Membership
from actionplan import models as ap
from campaigns import models as cp
from tests.actionplan.admin_support import change_form_data
from tests.factories import UserFactory, build_plan
from translations import registry, selectors
from translations.admin import TranslatedFieldsMixin, english_rows

pytestmark = pytest.mark.django_db


def _flat(fieldsets):
    names = []
    for _name, options in fieldsets:
        for entry in options["fields"]:
            names += list(entry) if isinstance(entry, list | tuple) else [entry]
    return names


def _rows(fieldsets):
    return [
        tuple(entry) if isinstance(entry, list | tuple) else (entry,)
        for _name, options in fieldsets
        for entry in options["fields"]
    ]


def _inlines_of_translated_models():
    for model_admin in admin.site._registry.values():
        for inline in model_admin.inlines:
            if registry.fields_of(inline.model):
                yield inline(model_admin.model, admin.site)


def _admins():
    registered = [
        (label, admin.site._registry[model])
        for label, model in zip(registry.FIELDS, registry.models(), strict=True)
        if model in admin.site._registry
    ]
    inlines = [
        (f"{i.parent_model._meta.label} › {i.model._meta.label}", i)
        for i in _inlines_of_translated_models()
    ]
    return registered + inlines


def test_every_translated_model_has_an_admin_or_an_inline():
    inlines = {i.model for i in _inlines_of_translated_models()}
    assert {m for m in registry.models() if m not in admin.site._registry} - inlines == set()


@pytest.mark.parametrize(
    "where, model_admin", _admins(), ids=[where for where, _admin in _admins()]
)
def test_every_admin_shows_german_and_english_side_by_side(where, model_admin, rf=None):
    user = UserFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().get("/")
    request.user = user
    assert isinstance(model_admin, TranslatedFieldsMixin), where
    fieldsets = model_admin.get_fieldsets(request, None)
    rows = _rows(fieldsets)
    names = _flat(fieldsets)
    shown = [f for f in registry.fields_of(model_admin.model) if f in names]
    assert shown, where
    for field in shown:
        english = registry.english(field)
        assert (field, english) in rows, (where, field, rows)
        assert names.count(english) == 1
    # the form has both fields, labelled in German
    form = (
        model_admin.get_form(request, None, fields=None)
        if not isinstance(model_admin, InlineModelAdmin)
        else model_admin.get_formset(request, None).form
    )
    with translation.override("de"):
        for field in shown:
            german = str(form.base_fields[field].label)
            english = str(form.base_fields[registry.english(field)].label)
            assert english.endswith(" (englisch)"), (where, english)
            assert english.removesuffix(" (englisch)").lower() == german.lower(), (where, german)


def test_english_rows_pairs_and_keeps_the_other_fields_in_order():
    rows = english_rows(
        cp.Campaign,
        [("title", "slug"), ("motto", "slogan"), "title_en", "languages", ("reach", "x")],
    )
    assert rows == [
        ("title", "title_en"),
        "slug",
        ("motto", "motto_en"),
        ("slogan", "slogan_en"),
        "languages",
        ("reach", "x"),
    ]


@pytest.fixture
def plan(db):
    Group.objects.get_or_create(name="Redaktion")
    return build_plan(fields=1, measures_per_field=2, steps_per_measure=1)


@pytest.fixture
def coordinator(plan):
    user = UserFactory(is_staff=True)
    Membership.objects.create(user=user, plan=plan, role=Membership.Role.COORDINATOR)
    return user


def _change(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def test_measure_form_shows_both_languages_with_german_labels(client, plan, coordinator):
    measure = ap.Measure.objects.filter(field__plan=plan).first()
    client.force_login(coordinator)
    with translation.override("de"):
        response = client.get(_change(measure), HTTP_ACCEPT_LANGUAGE="de")
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<label[^>]*for="id_title"[^>]*>Titel:</label>', html)
    assert re.search(r'<label[^>]*for="id_title_en"[^>]*>Titel \(englisch\):</label>', html)
    assert 'class="form-row field-title field-title_en"' in html
    assert 'name="steps-0-text_en"' in html and 'name="schedule-0-label_en"' in html
    assert "css/admin-translations.css" in html


def test_status_lists_missing_outdated_and_machine_texts_and_confirm_clears_them(
    client, plan, coordinator
):
    measure = ap.Measure.objects.filter(field__plan=plan).first()
    measure.title_en = "Measure"
    measure.description = "Beschreibung"
    measure.description_en = "Description"
    measure._machine_translated = {"description"}
    measure.save()
    measure.title = "Maßnahme geändert"
    measure.save()
    assert selectors.statuses(measure) == {"title": "outdated", "description": "machine"}
    client.force_login(coordinator)
    with translation.override("de"):
        html = client.get(_change(measure), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Englische Fassung" in html
    assert "englische Fassung möglicherweise veraltet" in html
    assert "maschinell übersetzt, ungeprüft" in html
    confirm = reverse("admin:actionplan_measure_translation_confirm", args=[measure.pk])
    assert f'formaction="{confirm}"' in html and "Übersetzung geprüft" in html
    # no machine translator is configured: no such button
    assert "translation/machine" not in html

    assert client.get(confirm).status_code == 405
    versions = measure.history.count()
    response = client.post(confirm)
    assert response.status_code == 302 and response.url == _change(measure)
    measure.refresh_from_db()
    assert selectors.statuses(measure) == {"title": "current", "description": "current"}
    assert measure.history.count() == versions + 1
    assert measure.history.first().history_change_reason == "Übersetzung geprüft"


def test_status_names_missing_english_and_a_reader_gets_no_button(client, plan):
    measure = ap.Measure.objects.filter(field__plan=plan).first()
    measure.title_en = "Measure"
    measure.save()
    measure.title = "Neu"
    measure.save()
    reader = UserFactory(is_staff=True)
    Membership.objects.create(user=reader, plan=plan, role=Membership.Role.READER)
    client.force_login(reader)
    with translation.override("de"):
        html = client.get(_change(measure), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "englische Fassung möglicherweise veraltet" in html
    assert "Übersetzung geprüft" not in html
    confirm = reverse("admin:actionplan_measure_translation_confirm", args=[measure.pk])
    assert client.post(confirm).status_code == 403
    measure.refresh_from_db()
    assert selectors.field_status(measure, "title") == "outdated"


def test_plan_field_and_campaign_pages_show_the_status(client, plan, coordinator):
    client.force_login(coordinator)
    field = plan.fields.first()
    for obj in (plan, field):
        with translation.override("de"):
            html = client.get(_change(obj), HTTP_ACCEPT_LANGUAGE="de").content.decode()
        assert "Englische Fassung" in html and "keine englische Fassung" in html, obj
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    campaign = cp.Campaign.objects.create(title="Kampagne", slug="kampagne", region="Altmark")
    with translation.override("de"):
        html = client.get(_change(campaign), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "keine englische Fassung" in html


def test_english_only_edit_through_the_form_is_saved(client, plan, coordinator):
    measure = ap.Measure.objects.filter(field__plan=plan).first()
    client.force_login(coordinator)
    response = client.get(_change(measure))
    data = change_form_data(response)
    data["title_en"] = "Contact point"
    data["steps-0-text_en"] = "First step"
    response = client.post(_change(measure), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    measure.refresh_from_db()
    assert measure.title_en == "Contact point"
    assert measure.steps.get().text_en == "First step"
    assert selectors.field_status(measure, "title") == "current"


# --- the coordinator's start page ------------------------------------------------------------


def test_plan_translation_counts_in_one_query(plan, django_assert_num_queries):
    from translations.selectors import plan_translation_counts, plans_translation_counts

    measure = ap.Measure.objects.filter(field__plan=plan).first()
    other = build_plan(fields=1, measures_per_field=1, steps_per_measure=1, slug="anderer")
    with django_assert_num_queries(1):
        before = plans_translation_counts([plan, other])
    counts = before[0]
    assert counts.plan == plan and counts.outdated == counts.machine == 0
    assert counts.missing == counts.texts > 0
    # one text translated, one outdated, one machine-translated
    measure.title_en = "Measure"
    measure.save()
    step = measure.steps.first()
    step.text_en = "Step"
    step.save()
    step.text = "Schritt geändert"
    step.save()
    field = plan.fields.first()
    field.title_en = "Field"
    field._machine_translated = {"title"}
    field.save()
    build_plan(fields=2, measures_per_field=3, steps_per_measure=2, slug="dritter")
    with django_assert_num_queries(1):
        after = plan_translation_counts(plan)
    assert after.texts == counts.texts
    assert (after.missing, after.outdated, after.machine) == (counts.missing - 3, 1, 1)
    assert after.open == counts.missing - 1
    assert plans_translation_counts([]) == []


def test_start_page_counts_untranslated_texts_per_coordinated_plan(client, plan, coordinator):
    from translations.selectors import plan_translation_counts

    counts = plan_translation_counts(plan)
    client.force_login(coordinator)
    with translation.override("de"):
        response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="de")
    assert [c.plan for c in response.context["translation_counts"]] == [plan]
    page = response.content.decode()
    assert 'id="wb-translations"' in page
    assert f"Keine englische Fassung: <strong>{counts.missing}</strong>" in page
    assert f"von {counts.texts} Texten auf Deutsch" in page
