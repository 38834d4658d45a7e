"""The crawl of tests/actionplan/test_views.py over the Leipzig demo data: a database with the
demo plan and one draft only, without the plans test_views.py builds once for all its tests."""

from io import StringIO

import pytest
from django.core.management import call_command

from actionplan import models as ap
from tests.actionplan.public_data import build_rich_plan
from tests.actionplan.test_views import _assert_crawl_finds_only, _crawl, _measures

pytestmark = pytest.mark.django_db


def test_crawl_of_the_leipzig_demo_data_with_a_draft_beside_it(client):
    call_command("load_demo_data", stdout=StringIO())
    leipzig = ap.Plan.objects.get()
    draft = build_rich_plan(slug="entwurf", status=ap.Plan.Status.DRAFT)
    _measures(draft)[0].related_measures.add(_measures(leipzig)[0])
    seen = _crawl(client)
    _assert_crawl_finds_only(seen, leipzig, [draft])
    legal = {"/impressum/", "/datenschutz/", "/barrierefreiheit/"}  # in every footer (legal/)
    assert legal <= set(seen)
    search = "/suche/"  # the search page, linked from the header on phones
    assert search in seen
    plan_pages = [
        url
        for url in seen
        if not url.startswith("/kontakte/") and url not in legal and url != search
    ]
    # index, plan, fields, measures, list, timeline, progress dashboard, the (empty) campaign list,
    # the plan's indicator index and its three demo indicators (indicators app)
    assert len(plan_pages) == 1 + 1 + 5 + 10 + 3 + 1 + 1 + 3
    indicators = [url for url in plan_pages if "/indikatoren/" in url]
    assert len(indicators) == 1 + leipzig.indicators.count() == 4
    assert "/kontakte/" in seen  # the directory, linked from every page (tests/contacts)
