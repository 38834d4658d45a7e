import datetime
import json

import pytest
from django.urls import reverse

from access.models import Membership
from council import oparl, services
from council.models import Consultation, CouncilPaper
from council.selectors import papers_of
from council.tasks import refresh_council_papers
from tests.factories import MeasureFactory, PlanFactory, StaffUserFactory, UserFactory

from .conftest import SYSTEM

pytestmark = pytest.mark.django_db

BASE = SYSTEM.rsplit("/", 1)[0]


@pytest.fixture
def measure():
    plan = PlanFactory(region="Leipzig", status="published")
    return MeasureFactory(field__plan=plan, state="published", title="Kreativwirtschaft")


@pytest.fixture
def paper(measure):
    return CouncilPaper.objects.create(measure=measure, reference="DS-V/1234", title="wie erfasst")


def test_resolve_finds_the_paper_by_reference_on_the_second_page(endpoint):
    resolved = oparl.resolve(SYSTEM, reference="DS-V/1234", region="Leipzig")

    assert resolved.oparl_id == f"{BASE}/bodies/0001/papers/1234"
    assert resolved.title == "Aktionsplan Creative Cities (Beispiel aus dem Testfixture)"
    assert resolved.date == datetime.date(2011, 4, 20)
    assert resolved.body == "Stadt Leipzig"
    assert [(c.date, c.committee, c.result) for c in resolved.consultations] == [
        (datetime.date(2011, 5, 3), "Fachausschuss Wirtschaft und Arbeit", "zur Kenntnis genommen"),
        (datetime.date(2011, 5, 18), "Ratsversammlung", "beschlossen"),
    ]
    assert f"{BASE}/bodies/0001/papers?page=2" in endpoint.requested


def test_resolve_reports_a_reference_the_endpoint_does_not_know(endpoint):
    with pytest.raises(oparl.OParlError, match="DS-V/9999"):
        oparl.resolve(SYSTEM, reference="DS-V/9999", region="Leipzig")


def test_refresh_takes_over_paper_and_consultations_then_writes_nothing_more(endpoint, paper):
    assert services.council_paper_refresh(paper=paper) is True

    paper.refresh_from_db()
    assert paper.title == "Aktionsplan Creative Cities (Beispiel aus dem Testfixture)"
    assert paper.date == datetime.date(2011, 4, 20)
    assert paper.body == "Stadt Leipzig"
    assert paper.oparl_id.endswith("/papers/1234")
    assert paper.url.startswith("https://ratsinformation.leipzig.de/")
    assert paper.last_error == "" and paper.last_checked_at is not None
    assert list(paper.consultations.values_list("committee", "result")) == [
        ("Fachausschuss Wirtschaft und Arbeit", "zur Kenntnis genommen"),
        ("Ratsversammlung", "beschlossen"),
    ]
    histories = (paper.history.count(), Consultation.history.count())

    # a second refresh reads the paper by its id and changes nothing
    endpoint.requested.clear()
    assert services.council_paper_refresh(paper=paper) is True
    assert endpoint.requested[0] == paper.oparl_id
    assert (paper.history.count(), Consultation.history.count()) == histories


@pytest.mark.parametrize(
    "failure",
    [
        oparl.OParlError("https://ratsinformation.leipzig.de/... not reachable: timed out"),
        oparl.OParlError("HTTP 500 from https://ratsinformation.leipzig.de/"),
        b"<html>Wartungsarbeiten</html>",
    ],
    ids=["timeout", "http-500", "bad-json"],
)
def test_a_failing_endpoint_keeps_the_stored_paper_and_says_so(endpoint, paper, failure):
    services.council_paper_refresh(paper=paper)  # resolved once
    paper.refresh_from_db()
    before = (paper.title, paper.date, paper.oparl_id, list(paper.consultations.values_list()))
    endpoint.fail = failure

    assert services.council_paper_refresh(paper=paper) is False

    paper.refresh_from_db()
    assert (
        paper.title,
        paper.date,
        paper.oparl_id,
        list(paper.consultations.values_list()),
    ) == before
    assert paper.last_error
    assert paper.last_checked_at is not None


def test_the_admin_shows_the_failure(endpoint, paper, client):
    endpoint.fail = oparl.OParlError("HTTP 500 from the endpoint")
    services.council_paper_refresh(paper=paper)
    client.force_login(StaffUserFactory())

    page = client.get(reverse("admin:council_councilpaper_change", args=[paper.pk]))
    listing = client.get(reverse("admin:actionplan_measure_change", args=[paper.measure_id]))

    assert "HTTP 500 from the endpoint" in page.content.decode()
    assert "HTTP 500 from the endpoint" in listing.content.decode()


def test_without_an_endpoint_nothing_is_asked(endpoint, paper, settings):
    settings.PLANWERK_OPARL_ENDPOINTS = {"Dresden": SYSTEM}
    assert services.council_paper_refresh(paper=paper) is False
    assert endpoint.requested == []
    paper.refresh_from_db()
    assert paper.last_checked_at is None


def test_the_background_task_refreshes_the_given_papers(endpoint, paper):
    result = refresh_council_papers.call([paper.pk])
    assert result == {"refreshed": 1, "failed": 0}
    assert paper.consultations.count() == 2


def test_the_client_stays_on_the_configured_host(endpoint):
    client = oparl.Client(SYSTEM)
    for url in ("https://evil.example/oparl/system", "http://ratsinformation.leipzig.de/x", 42):
        with pytest.raises(oparl.OParlError):
            client.get(url)
    with pytest.raises(oparl.OParlError):
        oparl.Client("file:///etc/passwd")
    assert endpoint.requested == []


def test_a_redirect_to_another_host_is_refused():
    import urllib.request

    handler = oparl._SameHostRedirects()
    request = urllib.request.Request(SYSTEM)
    with pytest.raises(oparl.OParlError, match="another host"):
        handler.redirect_request(request, None, 302, "Found", {}, "https://evil.example/x")
    same = handler.redirect_request(request, None, 302, "Found", {}, f"{BASE}/system2")
    assert same.full_url == f"{BASE}/system2"


def test_the_transport_refuses_an_answer_over_the_size_limit(monkeypatch):
    class Answer:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self, size):
            return b"x" * size

    class Opener:
        def open(self, request, timeout):
            assert timeout == 3
            return Answer()

    monkeypatch.setattr("urllib.request.build_opener", lambda *handlers: Opener())
    with pytest.raises(oparl.OParlError, match="larger than 100"):
        oparl.transport(SYSTEM, timeout=3, max_bytes=100)


# --- pages ---------------------------------------------------------------------------------------


def test_the_public_measure_page_shows_the_decisions(endpoint, paper, client):
    services.council_paper_refresh(paper=paper)

    html = client.get(paper.measure.get_absolute_url()).content.decode()

    assert "Beschlüsse" in html
    assert "DS-V/1234" in html
    assert "Ratsversammlung" in html and "beschlossen" in html
    assert "18.05.2011" in html


def test_papers_of_a_draft_measure_stay_hidden(measure):
    draft = MeasureFactory(field=measure.field, state="draft")
    CouncilPaper.objects.create(measure=draft, reference="DS-V/1")
    CouncilPaper.objects.create(plan=measure.field.plan, reference="DS-V/2")
    staff = UserFactory(is_staff=True)
    member = UserFactory(is_staff=True)
    Membership.objects.create(user=member, plan=measure.field.plan, role="reader")

    assert papers_of(draft, None) == [] and papers_of(draft, staff) == []
    assert [p.reference for p in papers_of(draft, member)] == ["DS-V/1"]
    assert [p.reference for p in papers_of(measure.field.plan, None)] == ["DS-V/2"]


def test_fixture_files_are_oparl_shaped():
    from .conftest import FIXTURES

    paper = json.loads((FIXTURES / "papers-2.json").read_text())["data"][0]
    assert paper["type"] == "https://schema.oparl.org/1.0/Paper"
    assert {c["type"] for c in paper["consultation"]} == {
        "https://schema.oparl.org/1.0/Consultation"
    }
