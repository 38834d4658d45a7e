"""Case-insensitive matching that also folds non-ASCII letters on SQLite.

SQLite's ``LIKE`` (and so Django's ``icontains``) ignores case for ASCII letters only: "öko"
would not find "Ökologie". ``folded`` lowercases the column with Python's ``str.lower`` on
SQLite (a function registered on every new connection) and with ``LOWER`` elsewhere; the
term is lowercased the same way, then ``contains`` compares.
"""

from django.db.backends.signals import connection_created
from django.db.models import CharField, TextField, Transform

SQLITE_FUNCTION = "planwerk_lower"


class Folded(Transform):
    lookup_name = "folded"
    function = "LOWER"

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function=SQLITE_FUNCTION, **extra_context)


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def register_sqlite_function(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, _lower, deterministic=True)


def install() -> None:
    CharField.register_lookup(Folded)
    TextField.register_lookup(Folded)
    connection_created.connect(register_sqlite_function, dispatch_uid="search-sqlite-lower")
