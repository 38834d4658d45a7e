"""The single ``website`` of a campaign becomes its first labelled web address, and back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("campaigns", "0002_version")]
AFTER = [("campaigns", "0003_campaign_completeness")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_website_moves_to_a_labelled_link_and_back():
    try:
        apps = _migrate(BEFORE)
        Campaign = apps.get_model("campaigns", "Campaign")
        Campaign.objects.create(
            title="Stadt der Städte",
            slug="stadt-der-staedte",
            region="Metropole Ruhr",
            website="https://www.metropole.ruhr",
        )
        Campaign.objects.create(title="Altmark", slug="altmark", region="Altmark")

        apps = _migrate(AFTER)
        link = apps.get_model("campaigns", "CampaignLink").objects.get()
        assert (link.campaign.slug, link.label, link.url, link.position) == (
            "stadt-der-staedte",
            "Website",
            "https://www.metropole.ruhr",
            1,
        )

        apps = _migrate(BEFORE)
        websites = dict(
            apps.get_model("campaigns", "Campaign").objects.values_list("slug", "website")
        )
        assert websites == {"stadt-der-staedte": "https://www.metropole.ruhr", "altmark": ""}
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
