import pytest
from django.db import connection
from django.utils import translation

from tests.factories import StaffUserFactory, UserFactory
from tests.shared_data import FAST_PASSWORD_HASHERS, PLAIN_STATIC_STORAGE, private_cache_settings

LONG_MARKERS = ("slow", "browser")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Long modules first: a module with a test marked ``slow`` or ``browser`` moves, whole, to
    the front, so the parallel workers (``--dist worksteal``) end on short tests and neither
    waits for a long one the other started last. The modules stay together (their module-scoped
    fixtures are built once) and keep their order otherwise; pytest-django then sorts the tests
    (database, transactional, no database) with a stable sort that keeps this order within each
    group. Runs before pytest-django's hook (tryfirst)."""
    long_modules = {
        item.path for item in items if any(item.get_closest_marker(m) for m in LONG_MARKERS)
    }
    items.sort(key=lambda item: item.path not in long_modules)
    skip_second_passes(items)


def skip_second_passes(items):
    """Tests marked ``single_pass`` check what the browser or the PDF renderer makes of a page
    (layout, axe-core, CSP, fonts, page breaks); the database only feeds them the same data.
    ``make test`` runs them in its SQLite pass and skips them, with the reason, on PostgreSQL,
    where the same pages and queries are covered by the tests through Django's test client.
    Skipped here, at collection, so the skipped modules start no browser and build no data."""
    if connection.vendor == "sqlite":
        return
    for item in items:
        marker = item.get_closest_marker("single_pass")
        if marker is not None:
            why = marker.args[0] if marker.args else marker.kwargs.get("reason", "")
            item.add_marker(
                pytest.mark.skip(reason=f"runs once, in the SQLite pass: {why}".rstrip(": "))
            )


@pytest.fixture
def staff_user(db):
    return StaffUserFactory(username="staff")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Templates use {% static %}; the manifest storage needs collectstatic, tests do not."""
    settings.STORAGES = {**settings.STORAGES, "staticfiles": PLAIN_STATIC_STORAGE}


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """The default hasher costs ~1.8 s per test that creates a user."""
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def german_language():
    """Every test starts in German: reverse() follows the active language, and a previous test
    (or a request to an /en/ URL) may have left English active in this thread."""
    with translation.override("de"):
        yield


@pytest.fixture(autouse=True)
def private_cache(settings):
    """An in-memory cache per test: no test sees another's (or a developer's) cached pages/PDFs."""
    from django.core.cache import cache

    settings.CACHES = private_cache_settings(str(id(settings)))
    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture(autouse=True)
def import_upload_dir(settings, tmp_path):
    """Previewed import uploads go to a folder of the test's own (and must be gone after)."""
    settings.PLANWERK_IMPORT_UPLOAD_DIR = tmp_path / "import-uploads"
    return settings.PLANWERK_IMPORT_UPLOAD_DIR


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Generated files (PDF exports) go to a folder of the test's own, not to the checkout's
    var/media that parallel test workers and the development server share."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
