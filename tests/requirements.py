"""Tests that need system programs or servers skip locally when they are missing, and fail in CI.

`make test` on a laptop without Chromium or poppler-utils skips those tests with a reason that
says what to install; `.ci/run` sets PLANWERK_REQUIRE_BROWSER=1 / PLANWERK_REQUIRE_POPPLER=1 so
the same gap fails the run instead of hiding.
"""

import os
import shutil

import pytest

# Another Chromium build can be named with PLANWERK_CHROMIUM, e.g. /usr/bin/chromium-browser.
CHROMIUM = os.environ.get("PLANWERK_CHROMIUM", "/usr/bin/chromium")


def _required(env_var: str) -> bool:
    return os.environ.get(env_var, "").strip().lower() in {"1", "true", "yes", "on"}


def require_binary(name: str, package: str, env_var: str) -> str:
    """Return the path of program `name`; skip the test if it is missing, or fail if `env_var`=1.

    `name` is a command looked up on PATH, or an absolute path.
    """
    if os.path.isabs(name):
        path = name if os.path.isfile(name) and os.access(name, os.X_OK) else None
    else:
        path = shutil.which(name)
    if path:
        return path
    reason = (
        f"{name} fehlt / is missing – installieren / install: apt-get install {package}"
        f" (CI: {env_var}=1 macht daraus einen Fehler / turns this into a failure)"
    )
    if _required(env_var):
        pytest.fail(f"{env_var}=1, aber {reason}", pytrace=False)
    pytest.skip(reason)


def require_chromium() -> str:
    """Debian's Chromium, driven by Playwright; never a browser downloaded by Playwright."""
    return require_binary(CHROMIUM, "chromium", "PLANWERK_REQUIRE_BROWSER")


def require_poppler() -> dict[str, str]:
    """pdftotext and pdftoppm from poppler-utils, for reading generated PDFs back."""
    return {
        name: require_binary(name, "poppler-utils", "PLANWERK_REQUIRE_POPPLER")
        for name in ("pdftotext", "pdftoppm")
    }


def require_weasyprint():
    """WeasyPrint's module; it loads Pango at import, which Debian ships as libpango-1.0-0."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        reason = (
            f"WeasyPrint lässt sich nicht laden / cannot load ({exc}) – installieren / install: "
            "apt-get install libpango-1.0-0 libpangoft2-1.0-0"
        )
        if _required("PLANWERK_REQUIRE_PDF"):
            pytest.fail(f"PLANWERK_REQUIRE_PDF=1, aber {reason}", pytrace=False)
        pytest.skip(reason)
    return weasyprint


# The Redis server the cache tests use; .ci/run starts one on this address if it can.
REDIS_URL = os.environ.get("PLANWERK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def require_redis() -> str:
    """The URL of a Redis server that answers PING; skip without one, or fail if
    PLANWERK_REQUIRE_REDIS=1."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        reason = (
            f"kein Redis unter / no Redis at {REDIS_URL} ({exc}) – installieren und starten / "
            "install and start: apt-get install redis-server; redis-server --daemonize yes "
            "(CI: PLANWERK_REQUIRE_REDIS=1 macht daraus einen Fehler / turns this into a failure)"
        )
        if _required("PLANWERK_REQUIRE_REDIS"):
            pytest.fail(f"PLANWERK_REQUIRE_REDIS=1, aber {reason}", pytrace=False)
        pytest.skip(reason)
    return REDIS_URL
