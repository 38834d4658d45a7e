"""The start page (“Meine Arbeit”): what each role finds on it, that every link on it opens for
that role, that the model list hides inline-only rows and unusable entries, and that its
queries do not grow with the number of measures."""

import re

import pytest
from django.urls import reverse

from actionplan import models as ap
from actionplan.services import measure_set_state
from tests.factories import MeasureFactory
from tests.workbench.conftest import complete, days, login

pytestmark = pytest.mark.django_db

INDEX = "/admin/"
INLINE_ONLY = ("step", "scheduleentry", "responsibility", "budgetline", "baselinefinding")


def text(response):
    return response.content.decode()


def links(html):
    return sorted({h.replace("&amp;", "&") for h in re.findall(r'href="(/[^"]*)"', html)})


# --- the model list ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["editor", "coordinator", "reader", "superuser"])
def test_index_lists_no_inline_only_model_and_every_link_opens(client, world, name):
    login(client, world, name)
    response = client.get(INDEX)
    assert response.status_code == 200
    html = text(response)
    for model in INLINE_ONLY:
        assert f"/admin/actionplan/{model}/" not in html

    followed = links(html)
    assert any("/admin/actionplan/measure/" in url for url in followed)
    refused = {}
    for url in followed:
        if url.startswith("/static/"):
            continue
        status = client.get(url).status_code
        if status in (403, 404) or status >= 500:
            refused[url] = status
    assert refused == {}


def test_editor_sees_no_settings_markets_or_api_tokens(client, world):
    html = text(login(client, world, "editor").get(INDEX))
    for url in (
        "/admin/campaigns/market/",
        "/admin/api/apitoken/",
        "/admin/actionplan/targetgroup/",
        "/admin/actionplan/budgetcategory/",
        "/admin/actionplan/fundingsource/",
        "/admin/access/membership/",
        "/importe/plan/leipzig/arbeitsmappe.xlsx",
    ):
        assert url not in html
    assert "app-einstellungen" not in html


def test_coordinator_finds_the_vocabularies_under_settings(client, world):
    html = text(login(client, world, "coordinator").get(INDEX))
    settings_block = html[html.index("app-einstellungen") :]
    for url in (
        "/admin/actionplan/targetgroup/",
        "/admin/actionplan/budgetcategory/",
        "/admin/actionplan/fundingsource/",
        "/admin/campaigns/market/",
    ):
        assert url in settings_block
    assert "Einstellungen" in html
    assert "Zielmärkte" in settings_block


def test_superuser_sees_readable_german_app_names(client, world):
    html = text(login(client, world, "superuser").get(INDEX))
    assert "Anmeldeschutz" in html and "Hintergrundaufgaben" in html
    assert ">Axes<" not in html and "Tasks Database Backend" not in html


def test_navigation_sidebar_hides_inline_only_models(client, world):
    html = text(login(client, world, "coordinator").get("/admin/actionplan/measure/"))
    sidebar = html[html.index('id="nav-sidebar"') :]
    assert "/admin/actionplan/measure/" in sidebar
    for model in INLINE_ONLY:
        assert f"/admin/actionplan/{model}/" not in sidebar


def test_inline_only_admins_keep_their_urls(client, world):
    step = ap.Step.objects.create(measure=world["published"], position=1, text="Ein Schritt")
    login(client, world, "coordinator")
    assert client.get(f"/admin/actionplan/step/{step.pk}/change/").status_code == 200
    assert client.get(f"/admin/actionplan/step/{step.pk}/history/").status_code == 200


def test_staff_account_without_role_gets_the_login_page(client, world):
    response = login(client, world, "staff").get(INDEX)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- what each role finds --------------------------------------------------------------------


def test_editor_start_page_shows_own_measures_by_state_comment_and_milestones(client, world):
    response = login(client, world, "editor").get(INDEX)
    html = text(response)
    assert "Meine Arbeit" in html
    # sent back, with the coordinator's comment
    sent_back = html[html.index("Zurückgegeben an Sie") :]
    assert "Stadtteilfeste" in sent_back[:2000]
    assert "Bitte den Zeitplan prüfen." in html
    # own measures, grouped by publication state, with next milestone
    groups = [g.label for g in response.context["my_measures"]]
    assert groups == ["Entwurf", "in Prüfung", "veröffentlicht"]
    mine = html[html.index("Meine Maßnahmen") :]
    assert "Kreativquartier" in mine and "Kulturpass" in mine
    assert days(10).strftime("%d.%m.%Y") in mine
    assert "Gründerzentrum" not in html  # another organisation's
    # milestones: due in 10 days, overdue since 40 days
    milestones = response.context["milestones"]
    assert [e.measure.title for e in milestones.due] == ["Kulturpass"]
    assert [e.measure.title for e in milestones.overdue] == ["Stadtteilfeste"]
    assert "Überfällig" in html and "Fällig in den nächsten 30 Tagen" in html


def test_editor_start_page_links_the_plan_but_not_its_workbook(client, world):
    html = text(login(client, world, "editor").get(INDEX))
    assert reverse("actionplan:plan_detail", kwargs={"plan_slug": "leipzig"}) in html
    assert reverse("actionplan:plan_pdf", kwargs={"plan_slug": "leipzig"}) in html
    assert "/arbeitsmappe" not in html


def test_coordinator_start_page_shows_queue_changes_quality_and_plan_links(client, world):
    response = login(client, world, "coordinator").get(INDEX)
    html = text(response)
    queue = response.context["review_queue"]
    assert [m.title for m in queue] == ["Kreativquartier"]
    compare = reverse("admin:actionplan_measure_history_compare", args=[world["in_review"].pk])
    assert compare in html
    compare_url = next(u for u in links(html) if u.startswith(compare))
    assert "old=" in compare_url and "new=" in compare_url
    assert client.get(compare_url).status_code == 200
    # recent changes: the send-back with its reason
    recent = html[html.index("Letzte Änderungen") :]
    assert "Stadtteilfeste" in recent
    # the quality check: the foreign measure has no lead, the one in review no budget line,
    # the one sent back is overdue (tests/workbench/test_quality_check.py)
    (report,) = response.context["quality_reports"]
    assert report.measure_count == 3
    assert "Vor dem Veröffentlichen prüfen" in html
    # the plan's public page, PDF, workbook export and import
    for name, kwargs in (
        ("actionplan:plan_detail", {}),
        ("actionplan:plan_pdf", {}),
        ("imports:plan_workbook_export", {"file_format": "xlsx"}),
        ("imports:plan_workbook_import", {}),
    ):
        assert reverse(name, kwargs={"plan_slug": "leipzig", **kwargs}) in html
    # a coordinator without an editor role has no “my measures”
    assert "my_measures" not in response.context


def test_reader_start_page_has_plan_links_and_no_work_lists(client, world):
    response = login(client, world, "reader").get(INDEX)
    assert response.status_code == 200
    assert "review_queue" not in response.context and "my_measures" not in response.context
    assert reverse("actionplan:plan_detail", kwargs={"plan_slug": "leipzig"}) in text(response)


def test_pending_changes_of_published_measures_on_both_start_pages(client, world):
    """An editor's change to a published measure: the coordinator's queue links to the
    comparison; once sent back, the editor sees it with the comment."""
    from actionplan.models import Measure
    from reviews.services import pending_change_save, pending_change_send_back
    from reviews.state import measure_state

    editor, coordinator = world["users"]["editor"], world["users"]["coordinator"]
    published = Measure.objects.get(title="Kulturpass")
    base = measure_state(published)
    proposed = {**base, "description": "Neu: Kulturpass auch für Azubis."}
    pending = pending_change_save(
        measure=published,
        acting_user=editor,
        base=base,
        base_version=published.version,
        proposed=proposed,
        submit=True,
    )
    client.force_login(editor)
    html = text(client.get(INDEX))
    assert "Ihre Änderungen an veröffentlichten Maßnahmen" in html
    assert "Kulturpass" in html

    client.force_login(coordinator)
    response = client.get(INDEX)
    assert [c.pk for c in response.context["pending_for_review"]] == [pending.pk]
    assert pending.get_review_url() in text(response)

    pending_change_send_back(
        pending=pending, acting_user=coordinator, comment="Bitte die Zielgruppe nennen."
    )
    client.force_login(editor)
    response = client.get(INDEX)
    assert [c.pk for c in response.context["pending_sent_back"]] == [pending.pk]
    assert "Bitte die Zielgruppe nennen." in text(response)
    assert response.context["my_pending"] == []


# --- query counts ------------------------------------------------------------------------------


def more_measures(world, count):
    for i in range(count):
        measure = MeasureFactory(field=world["field"], title=f"Weitere {i}", state="draft")
        complete(measure, world["kulturamt"], lead=bool(i % 2), budget=False, due=days(i - 3))
        measure_set_state(measure=measure, state="review", acting_user=world["users"]["editor"])


@pytest.mark.parametrize(
    ("name", "queries"),
    # coordinators: + 1 for the untranslated texts per plan (translations.selectors)
    [("editor", 16), ("coordinator", 20), ("superuser", 18)],
)
def test_start_page_queries_do_not_grow_with_the_measures(
    client, world, name, queries, django_assert_num_queries
):
    login(client, world, name)
    client.get(INDEX)  # content types and other per-process caches
    with django_assert_num_queries(queries):
        assert client.get(INDEX).status_code == 200
    more_measures(world, 6)
    with django_assert_num_queries(queries):
        assert client.get(INDEX).status_code == 200
