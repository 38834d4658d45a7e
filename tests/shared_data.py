"""Data built once per module instead of once per test.

A module-scoped fixture runs outside any test, so the autouse fixtures of tests/conftest.py
(German, plain static files, the fast hasher, a private in-memory cache, a folder of its own for
uploads and media) do not apply to it. ``per_test_settings()`` gives it the same; ``module_data()``
adds an open transaction that is rolled back when the module is done, so every test still runs
in a savepoint of its own and sees the data as the fixture left it:

    @pytest.fixture(scope="module")
    def leipzig_pk(django_db_setup, django_db_blocker):
        with module_data(django_db_blocker):
            call_command("load_demo_data", stdout=io.StringIO())
            yield Plan.objects.get(slug="leipzig-2011").pk

Only for modules in which every test uses the data (a test that does not ask for it would still
see it) and none is transactional (``django_db(transaction=True)`` empties the tables).
"""

import contextlib
import sqlite3
import tempfile
import uuid
from pathlib import Path

from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.utils import translation

PLAIN_STATIC_STORAGE = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def private_cache_settings(name: str) -> dict:
    """settings.CACHES with an in-memory cache nobody else uses."""
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"tests-{name}",
        }
    }


@contextlib.contextmanager
def per_test_settings():
    """What tests/conftest.py gives each test, for code that runs outside one."""
    from django.conf import settings

    with tempfile.TemporaryDirectory(prefix="planwerk-module-") as folder:
        with (
            override_settings(
                STORAGES={**settings.STORAGES, "staticfiles": PLAIN_STATIC_STORAGE},
                PASSWORD_HASHERS=FAST_PASSWORD_HASHERS,
                CACHES=private_cache_settings(f"module-{uuid.uuid4().hex}"),
                MEDIA_ROOT=Path(folder) / "media",
                PLANWERK_IMPORT_UPLOAD_DIR=Path(folder) / "import-uploads",
            ),
            translation.override("de"),
        ):
            cache.clear()
            yield


@contextlib.contextmanager
def module_data(django_db_blocker):
    """Database access and the test settings for a module-scoped fixture; everything written
    inside is rolled back at the end."""
    with django_db_blocker.unblock(), per_test_settings(), transaction.atomic():
        yield
        transaction.set_rollback(True)


def sqlite_file_copy(path: Path) -> str:
    """A copy of the (in-memory) SQLite test database in a file that child processes can open,
    with everything committed so far (the sqlite3 backup API: the migrated tables without a
    ``migrate`` of their own). For transactional tests: a backup waits for an open transaction
    of the same connection forever. Returns its DATABASE_URL."""
    from django.db import connection

    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    return f"sqlite:///{path}"
