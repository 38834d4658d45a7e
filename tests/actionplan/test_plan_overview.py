"""The plan page's overview table, built from plain rows (selectors.overview_measures)."""

import datetime
import html
import re

import pytest
from django.core.cache import cache
from django.db.models.signals import post_init
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from actionplan import models as ap
from actionplan.templatetags.planwerk_public import _measure_urls
from tests.actionplan.public_data import build_rich_plan
from tests.factories import OrganisationFactory, PersonFactory, StaffUserFactory, build_plan
from tests.shared_data import module_data
from versions.services import plan_version_publish

pytestmark = pytest.mark.django_db

Role = ap.Responsibility.Role


@pytest.fixture(scope="module")
def plan_pk(django_db_setup, django_db_blocker):
    """Built once for the module (~0.5 s), rolled back at its end (tests/shared_data.py)."""
    with module_data(django_db_blocker):
        yield build_rich_plan(slug="leipzig").pk


@pytest.fixture
def plan(plan_pk, db):
    """Read again for each test: one test's changes to the instance never reach another."""
    return ap.Plan.objects.get(pk=plan_pk)


def _rows(content: bytes) -> dict[str, dict[str, str]]:
    """Overview rows by measure title: the link and the text of each labelled cell."""
    rows = {}
    for row in re.findall(r'<tr><td class="overview__code".*?</tr>', content.decode()):
        link = re.search(r'<a href="([^"]*)"[^>]*>(.*?)</a>', row)
        title = re.sub(r'<span class="overview__inline-code">.*?</span>', "", link.group(2))
        # an English reader's German fallback: <span lang="de">…</span> and its note (issue 21)
        title = re.sub(r"<[^>]+>", "", re.sub(r' <span class="in-german">.*?</span>', "", title))
        cells = dict(re.findall(r'data-label="([^"]*)">(.*?)</td>', row))
        rows[html.unescape(title)] = {"url": html.unescape(link.group(1)), **cells}
    return rows


def _measure(plan, position=1, field_position=1):
    return ap.Measure.objects.get(
        field__plan=plan, field__position=field_position, position=position
    )


def _responsible(measure, *parties):
    measure.responsibilities.all().delete()
    for position, (role, organisation, person) in enumerate(parties, 1):
        ap.Responsibility.objects.create(
            measure=measure,
            position=position,
            role=role,
            organisation=organisation,
            person=person,
        )


def test_overview_lead_column_names_leads_first_then_those_responsible_then_the_first(plan):
    city = OrganisationFactory(name="Stadt Beispiel")
    office = OrganisationFactory(name="Kulturamt", parent=city)
    club = OrganisationFactory(name="Verein")
    named = PersonFactory(
        salutation="frau", first_name="Anna", last_name="Ober", public_contact=True, function=""
    )
    clerk = PersonFactory(
        first_name="Max", last_name="Geheim", function="Sachbearbeiter", public_contact=False
    )
    nameless = PersonFactory(
        first_name="Eva",
        last_name="Verborgen",
        function="",
        organisation=None,
        public_contact=False,
    )
    leads, responsible, first = _measure(plan, 1), _measure(plan, 2), _measure(plan, 1, 2)
    _responsible(
        leads,
        (Role.SUPPORT, club, None),
        (Role.LEAD, office, named),
        (Role.RESPONSIBLE, club, None),
        (Role.LEAD, None, clerk),
    )
    _responsible(responsible, (Role.TUTOR, club, None), (Role.RESPONSIBLE, office, None))
    _responsible(first, (Role.SUPPORT, None, nameless), (Role.TUTOR, club, None))

    rows = _rows(Client().get(plan.get_absolute_url()).content)

    # consent: the name with the salutation, else the function; never the name without consent
    assert (
        rows[leads.title]["Federführung"]
        == "Frau Anna Ober (Stadt Beispiel, Kulturamt); Sachbearbeiter"
    )
    assert rows[responsible.title]["Federführung"] == "Stadt Beispiel, Kulturamt"
    assert rows[first.title]["Federführung"] == "—"
    assert "Verborgen" not in Client().get(plan.get_absolute_url()).content.decode()


def test_overview_shows_draft_measures_to_members_only(plan, staff_client):
    draft = _measure(plan, 2, 3)
    draft.state = ap.Measure.State.DRAFT
    draft.save()

    public = Client().get(plan.get_absolute_url())
    member = staff_client.get(plan.get_absolute_url())

    assert draft.title not in _rows(public.content)
    assert draft.title in _rows(member.content)
    assert len(_rows(public.content)) == 9
    assert len(_rows(member.content)) == 10
    assert "Gesamtübersicht über 9 Maßnahmen" in public.content.decode()
    assert "Gesamtübersicht über 10 Maßnahmen" in member.content.decode()


def test_overview_escapes_what_editors_typed(plan):
    measure = _measure(plan)
    measure.title = "Kunst & <script>alert(\"x\")</script> 'Kultur'"
    measure.code = "<&"
    measure.save()

    content = Client().get(plan.get_absolute_url()).content.decode()

    assert "<script>" not in content
    assert (
        "Kunst &amp; &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &#x27;Kultur&#x27;"
        in content
    )
    assert '<span class="overview__inline-code">&lt;&amp;) </span>' in content
    assert '<td class="overview__code" data-label="Kürzel">&lt;&amp;</td>' in content


@pytest.mark.parametrize("language", ["de", "en"])
def test_overview_links_every_visible_measure_to_its_page(plan, language):
    with translation.override(language):
        url = plan.get_absolute_url()
        expected = {
            m.title: m.get_absolute_url() for m in ap.Measure.objects.filter(field__plan=plan)
        }

    rows = _rows(Client().get(url).content)

    assert {title: row["url"] for title, row in rows.items()} == expected
    assert all(Client().get(link).status_code == 200 for link in expected.values())


def test_version_page_overview_shows_the_versions_rows_and_links_to_its_pages(plan):
    """The same table on a version's page (versions/views.py): rows from the snapshot, links to
    the version's measure pages."""
    measure = _measure(plan)
    old_title = measure.title
    version = plan_version_publish(
        plan=plan,
        label="Stand Mai 2011",
        date=datetime.date(2011, 5, 1),
        acting_user=StaffUserFactory(),
    )
    measure.title = "Heute anders benannt"
    measure.save()
    kwargs = {"plan_slug": plan.slug, "version_slug": version.slug}

    rows = _rows(Client().get(reverse("versions:version_detail", kwargs=kwargs)).content)

    assert len(rows) == 10
    assert "Heute anders benannt" not in rows
    assert rows[old_title]["url"] == reverse(
        "versions:version_measure",
        kwargs={**kwargs, "field_slug": measure.field.slug, "measure_slug": measure.slug},
    )
    assert rows[old_title]["Federführung"] == "Aufbauwerk leipzig"
    assert rows[old_title]["Zeitplan"] == "ab 03/2011"


def test_overview_measure_url_of_a_slug_urls_cannot_carry_fails_as_reverse_does(plan):
    field = plan.fields.get(position=1)
    with pytest.raises(NoReverseMatch):
        _measure_urls(field)("maßnahme mit leerzeichen")
    measure = field.measures.get(position=1)
    assert _measure_urls(field)(measure.slug) == measure.get_absolute_url()


def test_cold_plan_page_builds_no_model_instance_per_measure():
    """What made the cold page of a large plan slow: thousands of model instances. The overview
    takes plain rows; instances are made for the plan, its fields, their contacts and each
    party once — as many for 100 measures as for 10."""
    made = {}
    for per_field in (5, 50):
        plan = build_plan(fields=2, measures_per_field=per_field, slug=f"plan-{per_field}")
        instances = made[per_field] = []

        def count(sender, instances=instances, **kwargs):
            instances.append(sender)

        cache.clear()
        post_init.connect(count)
        try:
            assert Client().get(plan.get_absolute_url()).status_code == 200
        finally:
            post_init.disconnect(count)
    assert ap.Measure not in made[50]
    assert ap.Responsibility not in made[50]
    assert len(made[50]) == len(made[5])
