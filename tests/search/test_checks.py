"""The database check planwerk.W101: the search's LOWER() must fold umlauts (search/checks.py)."""

import uuid

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from search.checks import check_case_folding, folds_umlauts

pytestmark = pytest.mark.django_db


def test_this_test_database_folds_umlauts_and_the_check_is_quiet():
    assert check_case_folding(databases=["default"]) == []
    call_command("check", "--database", "default", "--fail-level", "WARNING")


def test_without_databases_the_check_asks_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert check_case_folding(databases=None) == []


@pytest.fixture
def c_locale_database():
    """A PostgreSQL database created as with ``initdb --no-locale`` (LC_CTYPE C)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite folds in Python (search.lookups)")
    params = {**connection.get_connection_params(), "dbname": "postgres"}
    name = f"planwerk_ctype_c_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(
            f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
        )
    try:
        with psycopg.connect(**{**params, "dbname": name}) as database:
            yield database
    finally:
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")


def test_a_database_without_locale_does_not_fold_and_the_check_warns(
    c_locale_database, monkeypatch
):
    with c_locale_database.cursor() as cursor:
        assert folds_umlauts(cursor) is False

    monkeypatch.setattr(connection, "cursor", c_locale_database.cursor)
    (warning,) = check_case_folding(databases=["default"])
    assert warning.id == "planwerk.W101"
    assert "Umlaute" in warning.msg
    assert "--locale=de_DE.UTF-8" in warning.hint
