"""A database check (``manage.py check --database default``): the search folds case with
``LOWER`` on PostgreSQL (``search.lookups``), which folds umlauts only under a UTF-8
``LC_CTYPE``. A database created with ``--no-locale`` (ctype C) lowercases ASCII letters only:
"ökolog" would not find "Ökologische Landwirtschaft"."""

from django.core.checks import Tags, Warning, register
from django.db import connections

PROBE = "SELECT LOWER('ÄÖÜ') = 'äöü'"


def folds_umlauts(cursor) -> bool:
    cursor.execute(PROBE)
    return bool(cursor.fetchone()[0])


@register(Tags.database)
def check_case_folding(databases=None, **kwargs):
    problems = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor == "sqlite":
            continue  # folded in Python (search.lookups)
        with connection.cursor() as cursor:
            if folds_umlauts(cursor):
                continue
        problems.append(
            Warning(
                f"Die Datenbank „{alias}“ faltet Umlaute nicht (LOWER('Ö') ≠ 'ö'): die Suche "
                "findet „Ökologie“ nicht unter „ökologie“. / The database does not fold umlauts.",
                hint=(
                    "Create it with a UTF-8 locale, e.g. createdb -E UTF8 --locale=de_DE.UTF-8 "
                    "--template=template0 planwerk (or C.UTF-8); see docs/production.md."
                ),
                id="planwerk.W101",
            )
        )
    return problems
