"""The single ``website`` of a campaign becomes its first labelled web address, and back.

The migrations run on an empty database of their own (of the test database's kind), in which
only what ``campaigns`` 0002 depends on is migrated: migrating the shared test database back to
0002 would unapply, and then reapply, every later migration of every app that depends on it
(~50 s of a test run for one data migration).
"""

import contextlib
import copy

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db

BEFORE = [("campaigns", "0002_version")]
AFTER = [("campaigns", "0003_campaign_completeness")]


@contextlib.contextmanager
def _empty_database_as_default():
    """A new, empty database on the test database's server (SQLite: in memory), standing in for
    the default connection until the end of the block, then dropped. The migrations' RunPython
    code writes through the default connection, so it has to be the default one; the test's
    own connection, inside its transaction, is put back untouched."""
    real = connections[DEFAULT_DB_ALIAS]
    settings_dict = copy.deepcopy(real.settings_dict)
    name = None
    if real.vendor == "sqlite":
        settings_dict["NAME"] = ":memory:"
    else:
        name = f"{real.settings_dict['NAME']}_migrations"
        quoted = real.ops.quote_name(name)
        with real._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")
            cursor.execute(f"CREATE DATABASE {quoted}")
        settings_dict["NAME"] = name
    scratch = type(real)(settings_dict, alias=DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = scratch
    try:
        yield scratch
    finally:
        connections[DEFAULT_DB_ALIAS] = real
        scratch.close()
        if name is not None:
            with real._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_website_moves_to_a_labelled_link_and_back():
    with _empty_database_as_default() as scratch:
        assert connections[DEFAULT_DB_ALIAS] is scratch
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
