"""Planwerk settings, read from the environment with defaults that run on a laptop."""

import datetime
import json
import os
import re
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_HASHES
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PLANWERK_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

# "production" (the default) or "development": a laptop, `make run`, `make test` and pytest.
# Development relaxes what only works behind HTTPS (SSL redirect, secure cookies, HSTS) and may
# generate a secret key; production refuses to start without DJANGO_SECRET_KEY.
PLANWERK_ENV = os.environ.get("PLANWERK_ENV", "production").strip().lower()
if PLANWERK_ENV not in {"production", "development"}:
    raise ImproperlyConfigured("PLANWERK_ENV must be 'production' or 'development'.")
LOCAL = DEBUG or PLANWERK_ENV == "development"

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not LOCAL:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set (or PLANWERK_ENV=development on a laptop)."
        )
    # A per-checkout key for local use; production sets DJANGO_SECRET_KEY.
    _key_file = VAR_DIR / "secret_key"
    try:
        SECRET_KEY = _key_file.read_text().strip()
    except FileNotFoundError:
        from django.core.management.utils import get_random_secret_key

        SECRET_KEY = get_random_secret_key()
        try:
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            _key_file.touch(mode=0o600)
            _key_file.write_text(SECRET_KEY)
        except OSError:
            pass

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "config.apps.PlanwerkAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "simple_history",
    "import_export",
    "django_tasks",
    "config.apps.PlanwerkTasksDatabaseConfig",
    "config.apps.PlanwerkAxesConfig",
    "contacts",
    "access",
    "actionplan",
    "documents",
    "progress",
    "campaigns",
    "imports",
    "history",
    "workers",
    "health",
    "feeds",
    "opendata",
    "reminders",
    "versions",
    "search",
    "reviews",
    "notifications",
    "legal",
    "workbench",
    "embeds",
    "backups",
    "indicators",
    "attachments",
    "council",
    "adminsortable2",
    "rest_framework",
    "drf_spectacular",
    "corsheaders",
    "api",
    "reports",
    "funding",
    "translations",
]

MIDDLEWARE = [
    # First: every response and log line carries the request's id (config/observability.py).
    "config.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Repeated anonymous requests for a public plan page end here (actionplan/public_cache.py):
    # below the security headers, above sessions, locale and the view.
    "actionplan.public_cache.PublicPageMiddleware",
    # Before anything that may answer early (CommonMiddleware): CORS headers on /api/ only.
    "corsheaders.middleware.CorsMiddleware",
    # Below WhiteNoise (which serves static files precompressed) and above everything that
    # writes the body; compresses anonymous responses only (BREACH, see the class).
    "config.middleware.AnonymousGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "config.middleware.CookielessAuthenticationMiddleware",
    "config.middleware.PrivateForSignedInUsersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

# --- two-factor authentication (issue 19; twofactor/) -------------------------------------------
# TOTP apps with recovery codes (django-otp). OTPMiddleware right after the authentication
# middleware; the gate below it sends a signed-in person who still owes a code (or must enrol)
# to the second step before any other page (twofactor/middleware.py).
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
INSTALLED_APPS += ["twofactor"]
_auth_index = MIDDLEWARE.index("config.middleware.CookielessAuthenticationMiddleware")
MIDDLEWARE[_auth_index + 1 : _auth_index + 1] = [
    "django_otp.middleware.OTPMiddleware",
    "twofactor.middleware.SecondFactorMiddleware",
]
# Coordinators and superusers must set up a second factor before they may work; on by default
# in production. Everybody else may set one up.
PLANWERK_2FA_REQUIRED = env_bool("PLANWERK_2FA_REQUIRED", PLANWERK_ENV == "production")
# A session signed in through SSO counts as verified while PLANWERK_OIDC_TRUST_MFA is on (set
# with the other SSO settings below; sso/ then puts "planwerk_sso" into the session).
# The name an authenticator app shows next to the account.
OTP_TOTP_ISSUER = os.environ.get("PLANWERK_2FA_ISSUER", "Planwerk")
# --- end two-factor authentication ----------------------------------------------------------------

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'planwerk.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        # A kept connection the server dropped (restart, pg_terminate_backend, a proxy's idle
        # timeout) is found and replaced before a request uses it, instead of costing a 500.
        conn_health_checks=True,
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: it refuses locked-out credentials before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates in European form (“6 December 2026”): config/formats/en/formats.py
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", VAR_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("PLANWERK_MANIFEST_STATIC", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
    # Generated documents (background PDF exports). Several app servers need one shared
    # store, e.g. PLANWERK_DOCUMENTS_STORAGE=storages.backends.s3.S3Storage with its options
    # as JSON in PLANWERK_DOCUMENTS_STORAGE_OPTIONS (django-storages).
    "documents": {
        "BACKEND": os.environ.get(
            "PLANWERK_DOCUMENTS_STORAGE", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": json.loads(os.environ.get("PLANWERK_DOCUMENTS_STORAGE_OPTIONS") or "{}"),
    },
    # Documents attached to plans, fields, measures and campaigns (attachments/). Never served
    # from a public URL: the download view checks the rules (default: under MEDIA_ROOT).
    "attachments": {
        "BACKEND": os.environ.get(
            "PLANWERK_ATTACHMENTS_STORAGE", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": json.loads(os.environ.get("PLANWERK_ATTACHMENTS_STORAGE_OPTIONS") or "{}"),
    },
}
MEDIA_ROOT = VAR_DIR / "media"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("PLANWERK_CACHE_DIR", str(VAR_DIR / "cache")),
        "TIMEOUT": 60 * 60 * 24 * 7,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}

# --- shared cache for several app servers (issue 9) ----------------------------------------------
# REDIS_URL (e.g. redis://cache.internal:6379/0) puts the cache in Redis, shared by every app
# server and worker: a page or PDF rendered on one machine is a hit on all of them. Without it
# each machine keeps its own file cache above. The prefix lets several installations (or test
# runs) share one Redis server without seeing each other's keys.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
# Redis is a cache, not a dependency (config/cache.py): while it cannot be reached, pages are
# served uncached and a warning is logged; PLANWERK_CACHE_RETRY_SECONDS later Redis is tried
# again. The API's rate limits ("throttle") count in each process's memory meanwhile.
PLANWERK_CACHE_RETRY_SECONDS = float(os.environ.get("PLANWERK_CACHE_RETRY_SECONDS", "30"))
if REDIS_URL:
    _redis_cache = {
        "BACKEND": "config.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "TIMEOUT": 60 * 60 * 24 * 7,
        "KEY_PREFIX": os.environ.get("PLANWERK_CACHE_KEY_PREFIX", "planwerk"),
    }
    CACHES = {
        "default": _redis_cache,
        "throttle": {**_redis_cache, "OPTIONS": {"LOCAL_FALLBACK": True}},
    }
# --- end shared cache -----------------------------------------------------------------------------

TASKS = {
    "default": {
        "BACKEND": os.environ.get("PLANWERK_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- task workers on several machines (issue 9; workers/, manage.py task_worker) ----------------
# Each worker records a heartbeat; a running job whose worker has been silent for STALE seconds
# goes back to the queue (at most MAX_ATTEMPTS runs in all); a job running longer than TIMEOUT
# is stopped and marked failed.
PLANWERK_TASK_HEARTBEAT_SECONDS = float(os.environ.get("PLANWERK_TASK_HEARTBEAT_SECONDS", "10"))
PLANWERK_TASK_STALE_SECONDS = float(os.environ.get("PLANWERK_TASK_STALE_SECONDS", "60"))
PLANWERK_TASK_MAX_ATTEMPTS = int(os.environ.get("PLANWERK_TASK_MAX_ATTEMPTS", "3"))
PLANWERK_TASK_TIMEOUT_SECONDS = float(os.environ.get("PLANWERK_TASK_TIMEOUT_SECONDS", "900"))
# /health/ reports the queue as failing when a job has waited longer than this (health/).
PLANWERK_HEALTH_QUEUE_MAX_WAIT_SECONDS = float(
    os.environ.get("PLANWERK_HEALTH_QUEUE_MAX_WAIT_SECONDS", "600")
)
# --- end task workers -----------------------------------------------------------------------------

LOGIN_URL = "admin:login"

# --- HTTPS, cookies and security headers --------------------------------------------------------
# Production defaults are strict; each can be relaxed by its variable (e.g. a plain-HTTP hop).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not LOCAL)
# A load balancer asks for /health/ over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
# e.g. HTTP_X_FORWARDED_PROTO: the proxy sets X-Forwarded-Proto: https (and strips the client's).
_proxy_ssl_header = os.environ.get("DJANGO_PROXY_SSL_HEADER", "").strip()
SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https") if _proxy_ssl_header else None
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if LOCAL else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
# Preloading binds the whole domain and its subdomains to HTTPS in browsers for months, and is
# hard to undo: it is the site owner's decision (DJANGO_HSTS_PRELOAD=1), not a default, so
# check --deploy's reminder about it (security.W021) is silenced while it is off.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not LOCAL)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# Only the admin posts forms, and it reads the token from the form, never from JavaScript.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# django-csp: no inline scripts or styles anywhere, the admin included.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # One style attribute outside our templates: django-simple-history's
        # object_history_list.html has <p class="paginator" style="border-top: 0"> (not in a
        # block, so not overridable without copying the template). 'unsafe-hashes' with its
        # hash allows exactly that value; any other style attribute stays blocked.
        "style-src-attr": [UNSAFE_HASHES, "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- embeds (issue 18; embeds/) -------------------------------------------------------------------
# The sites that may show a plan's or a measure's embed in an <iframe> (CSP frame-ancestors of the
# embed views only), separated by commas or spaces, e.g. "https://www.leipzig.de
# https://*.leipzig.de". Empty (the default): nobody may, and every page refuses to be framed.
PLANWERK_EMBED_FRAME_ANCESTORS = (
    os.environ.get("PLANWERK_EMBED_FRAME_ANCESTORS", "").replace(",", " ").split()
)
_HOST_SOURCE = r"(https?://)?(\*\.)?[A-Za-z0-9.-]+(:[0-9]+|:\*)?|'self'|https:|\*"
for _source in PLANWERK_EMBED_FRAME_ANCESTORS:
    if not re.fullmatch(_HOST_SOURCE, _source):
        raise ImproperlyConfigured(
            f"PLANWERK_EMBED_FRAME_ANCESTORS: {_source!r} is not a host source such as "
            "https://www.example.org or https://*.example.org."
        )
# --- end embeds -----------------------------------------------------------------------------------

# django-permissions-policy: nothing here needs a camera, a location or a payment.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "usb": [],
}

# --- login throttling (django-axes) ---------------------------------------------------------------
# After AXES_FAILURE_LIMIT failures for one user name, or from one address, further attempts are
# refused (HTTP 429) for the cool-off time, whether the account exists or not.
AXES_FAILURE_LIMIT = int(os.environ.get("PLANWERK_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=int(os.environ.get("PLANWERK_LOGIN_COOLOFF_MINUTES", "15"))
)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client address: REMOTE_ADDR, or only the header a trusted proxy sets (e.g.
# HTTP_X_FORWARDED_FOR). Its last entry is the address the proxy itself saw; addresses a client
# sends are further left and never used. PLANWERK_CLIENT_IP_PROXY_COUNT: how many more trusted
# proxies (a CDN, a load balancer) append themselves in front of the one next to Planwerk.
_client_ip_header = os.environ.get("PLANWERK_CLIENT_IP_HEADER", "").strip()
AXES_IPWARE_META_PRECEDENCE_ORDER = (_client_ip_header or "REMOTE_ADDR",)
AXES_IPWARE_PROXY_ORDER = "left-most"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("PLANWERK_CLIENT_IP_PROXY_COUNT", "0"))
# Longer chains than expected are normal (a client may send its own header); take the entry
# the count points to instead of giving up on the address.
IPWARE_STRICT = False

# Every line names the request it belongs to (config/observability.py); PLANWERK_LOG_JSON=1
# writes one JSON object per line for a log shipper.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.observability.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "config.observability.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if env_bool("PLANWERK_LOG_JSON", False) else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# Error reports to Sentry (or GlitchTip) only when a DSN is configured; nothing is sent otherwise.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "").strip()
if SENTRY_DSN:
    from config.observability import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "development" if LOCAL else "production"),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
IMPORT_EXPORT_USE_TRANSACTIONS = True

# Uploads (spreadsheet imports): refused above this size before anything parses them.
PLANWERK_UPLOAD_MAX_BYTES = int(float(os.environ.get("PLANWERK_UPLOAD_MAX_MB", "5")) * 1024 * 1024)
# The size handler skips a file over the limit while it streams in (no disk, no memory);
# Django's own handlers keep small files in memory and spool larger ones to disk.
FILE_UPLOAD_HANDLERS = [
    "imports.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = min(PLANWERK_UPLOAD_MAX_BYTES, 2_621_440)
# Attached documents (attachments/): at most this size each (default 20 MB).
PLANWERK_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("PLANWERK_ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024))
)
# Council papers (council/): OParl endpoints by the plan's city/region, as JSON, e.g.
# {"Leipzig": "https://ratsinformation.leipzig.de/allris_leipzig_public/oparl/system"}.
# Without an entry for a plan's region its papers are kept as entered (docs/configuration.md).
PLANWERK_OPARL_ENDPOINTS = json.loads(os.environ.get("PLANWERK_OPARL_ENDPOINTS") or "{}")
PLANWERK_OPARL_TIMEOUT_SECONDS = float(os.environ.get("PLANWERK_OPARL_TIMEOUT_SECONDS", "10"))
PLANWERK_OPARL_MAX_BYTES = int(os.environ.get("PLANWERK_OPARL_MAX_BYTES", str(5 * 1024 * 1024)))
# How many pages of a body's paper list a search for a reference reads at most.
PLANWERK_OPARL_MAX_PAGES = int(os.environ.get("PLANWERK_OPARL_MAX_PAGES", "20"))
# Non-file form fields only (the confirm form, admin forms); files are bounded above.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Previewed uploads wait here for confirmation; older ones are purged.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "imports.storage.ImportUploadStorage"
PLANWERK_IMPORT_UPLOAD_DIR = Path(
    os.environ.get("PLANWERK_IMPORT_UPLOAD_DIR", VAR_DIR / "import-uploads")
)
PLANWERK_IMPORT_UPLOAD_MAX_AGE = 60 * 60
# JSON documents (campaign document, whole-plan document) are scanned before they are parsed:
# deeper nesting, more values in all, longer texts are refused with their line and column.
PLANWERK_IMPORT_MAX_DEPTH = int(os.environ.get("PLANWERK_IMPORT_MAX_DEPTH", "32"))
PLANWERK_IMPORT_MAX_ITEMS = int(os.environ.get("PLANWERK_IMPORT_MAX_ITEMS", "200000"))
PLANWERK_IMPORT_MAX_TEXT = int(os.environ.get("PLANWERK_IMPORT_MAX_TEXT", "100000"))
# Finished import jobs (their row counts and messages) are kept this long, then purged; the
# audit log keeps who imported what for good.
# The progress page names an open measure whose status was last reported longer ago than this.
PLANWERK_STALE_STATUS_DAYS = int(os.environ.get("PLANWERK_STALE_STATUS_DAYS", "365"))
PLANWERK_IMPORT_JOB_KEEP_DAYS = int(os.environ.get("PLANWERK_IMPORT_JOB_KEEP_DAYS", "30"))
# Generated documents (background PDF exports) that a newer state of the data replaced, failed
# jobs, and files no export names are deleted this long after they were made
# (manage.py purge_documents, docs/systemd/planwerk-purge.timer).
PLANWERK_DOCUMENT_RETENTION = datetime.timedelta(
    days=int(os.environ.get("PLANWERK_DOCUMENT_RETENTION_DAYS", "7"))
)
# Files with more rows than this are previewed and imported by the background worker.
PLANWERK_IMPORT_INLINE_MAX_ROWS = int(os.environ.get("PLANWERK_IMPORT_INLINE_MAX_ROWS", "300"))
# Bounds on an uploaded workbook (imports/limits.py), checked while it is read: bytes after
# decompression (all ZIP members together, counted as they come out, whatever a header says),
# rows of all sheets, columns of a row, characters of a cell, files in the archive.
PLANWERK_IMPORT_MAX_DECOMPRESSED_BYTES = int(
    float(os.environ.get("PLANWERK_IMPORT_MAX_DECOMPRESSED_MB", "50")) * 1024 * 1024
)
PLANWERK_IMPORT_MAX_ROWS = int(os.environ.get("PLANWERK_IMPORT_MAX_ROWS", "100000"))
PLANWERK_IMPORT_MAX_COLUMNS = int(os.environ.get("PLANWERK_IMPORT_MAX_COLUMNS", "100"))
PLANWERK_IMPORT_MAX_CELL_CHARS = int(os.environ.get("PLANWERK_IMPORT_MAX_CELL_CHARS", "32767"))
PLANWERK_IMPORT_MAX_MEMBERS = int(os.environ.get("PLANWERK_IMPORT_MAX_MEMBERS", "100"))
# Documents with more measures go to the worker: ~0.1 s CPU per measure plus ~0.7 s keeps an
# inline render near 2 s in a warm web worker (docs/benchmarks.md, PDF-Export).
PLANWERK_PDF_INLINE_MAX_MEASURES = int(os.environ.get("PLANWERK_PDF_INLINE_MAX_MEASURES", "20"))
# Plans with more measures render chapter by chapter (each field of action its own document,
# joined with pikepdf): memory does not grow with the plan, every chapter is kept in the
# chapter cache (documents/parts.py), so an edit lays out one chapter again, and a background
# export hands its chapters to the task workers as jobs of their own (PLANWERK_PDF_CHAPTER_JOBS);
# without jobs, the chapters render in this many child processes (docs/benchmarks.md).
PLANWERK_PDF_CHAPTER_MIN_MEASURES = int(os.environ.get("PLANWERK_PDF_CHAPTER_MIN_MEASURES", "20"))
PLANWERK_PDF_CHAPTER_PROCESSES = int(os.environ.get("PLANWERK_PDF_CHAPTER_PROCESSES", "2"))
PLANWERK_PDF_CHAPTER_JOBS = env_bool("PLANWERK_PDF_CHAPTER_JOBS", True)

# --- feeds and reminders (issue 12) --------------------------------------------------------------
# The site's public address: links in e-mails (reminders, opt-out) and the host part of feed UIDs.
PLANWERK_BASE_URL = os.environ.get("PLANWERK_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Outgoing mail (reminders). Django's SMTP backend; DJANGO_EMAIL_BACKEND may name another, e.g.
# django.core.mail.backends.console.EmailBackend on a laptop.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("DJANGO_EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "planwerk@localhost")
# Named on the admin's sign-in page to accounts without a membership (besides their plan's
# coordination); empty: the first of ADMINS, else nobody.
PLANWERK_SUPPORT_EMAIL = os.environ.get("PLANWERK_SUPPORT_EMAIL", "")
# Reminders list milestones due within this many days, and the overdue ones.
PLANWERK_REMINDER_DAYS_AHEAD = int(os.environ.get("PLANWERK_REMINDER_DAYS_AHEAD", "30"))
# --- end feeds and reminders ----------------------------------------------------------------------
# --- read API (issue 12; api/) ----------------------------------------------------------------
# Read-only, versioned under /api/v1/. Anonymous clients see published content; a personal token
# (api.ApiToken, created in the admin) or a session reads what the user's roles show.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Read-only views (GET, HEAD, OPTIONS); what each user sees comes from access.rules.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.AnonClientThrottle",
        "api.throttling.TokenUserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("PLANWERK_API_ANON_RATE", "60/min"),
        "user": os.environ.get("PLANWERK_API_USER_RATE", "600/min"),
        # wrong, expired or revoked tokens per client address (api/throttling.py)
        "token_failure": os.environ.get("PLANWERK_API_TOKEN_FAILURE_RATE", "10/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Planwerk API",
    "DESCRIPTION": (
        "Read-only access to published action plans, their fields of action and measures, "
        "campaigns, organisations and consenting contact persons. Drafts only with a personal "
        "token of a member (header `Authorization: Token <key>`)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "DatePrecisionEnum": "actionplan.schedule.Precision",
        # plans and campaigns share draft/published/archived
        "PublicationStatusEnum": "actionplan.models.Plan.Status",
        "MeasureStatusEnum": "actionplan.models.Measure.Status",
        "MeasureStateEnum": "actionplan.models.Measure.State",
        "ChannelStatusEnum": "campaigns.models.Channel.Status",
        "ResponsibilityRoleEnum": "actionplan.models.Responsibility.Role",
        "PartnerRoleEnum": "campaigns.models.CampaignPartner.Role",
    },
}
# CORS for reading: any origin may GET the API, without cookies (a token goes in a header).
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "accept-language", "authorization", "if-none-match"]
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After"]
# --- end read API -------------------------------------------------------------------------------

# Open data (opendata/dcat.py): the publisher's ID in the DCAT-AP.de contributor register
# (e.g. "http://dcat-ap.de/def/contributors/stadtLeipzig"), given by the state's portal.
OPENDATA_CONTRIBUTOR_ID = os.environ.get("PLANWERK_OPENDATA_CONTRIBUTOR_ID", "")

# Machine-translation assist (issue 21; translations/machine.py), off unless configured: a
# translator class of your own by dotted path, or DeepL's API by its authentication key.
PLANWERK_MACHINE_TRANSLATOR = os.environ.get("PLANWERK_MACHINE_TRANSLATOR", "")
PLANWERK_DEEPL_AUTH_KEY = os.environ.get("PLANWERK_DEEPL_AUTH_KEY", "")
PLANWERK_DEEPL_TARGET_LANG = os.environ.get("PLANWERK_DEEPL_TARGET_LANG", "EN-US")

# --- single sign-on (issue 19; sso/) --------------------------------------------------------------
# OpenID Connect with the city's identity provider (Keycloak, ADFS, Entra ID), off unless
# configured: PLANWERK_OIDC_ISSUER (endpoints from its discovery document) or the endpoints
# OIDC_OP_*, and always the client's OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET. Existing
# accounts are found by e-mail address; roles come only from memberships (sso/backends.py).
INSTALLED_APPS += ["sso"]
PLANWERK_OIDC_ISSUER = os.environ.get("PLANWERK_OIDC_ISSUER", "").strip().rstrip("/")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "").strip()
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "").strip()
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "").strip()
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "").strip()
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "").strip()
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "").strip()
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "").strip() or "RS256"
OIDC_RP_SCOPES = os.environ.get("PLANWERK_OIDC_SCOPES", "openid email profile")
OIDC_USE_PKCE = env_bool("PLANWERK_OIDC_USE_PKCE", True)
OIDC_TIMEOUT = 10
# A new account for an unknown e-mail address (plain, without any role); off: only invited
# or otherwise existing accounts may sign in.
PLANWERK_OIDC_CREATE_USERS = env_bool("PLANWERK_OIDC_CREATE_USERS", False)
# The provider enforces a second factor: a sign-in by SSO counts as passing Planwerk's (the
# session then holds "planwerk_sso": True, read by the two-factor middleware).
PLANWERK_OIDC_TRUST_MFA = env_bool("PLANWERK_OIDC_TRUST_MFA", True)
# The button's text; empty: “Mit dem Konto der Stadt anmelden” (translated).
PLANWERK_OIDC_LABEL = os.environ.get("PLANWERK_OIDC_LABEL", "").strip()
_oidc_endpoints = [OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_TOKEN_ENDPOINT, OIDC_OP_JWKS_ENDPOINT]
PLANWERK_OIDC_ENABLED = bool(
    OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET and (PLANWERK_OIDC_ISSUER or all(_oidc_endpoints))
)
_oidc_any = [PLANWERK_OIDC_ISSUER, OIDC_RP_CLIENT_ID, OIDC_RP_CLIENT_SECRET, *_oidc_endpoints]
if any(_oidc_any) and not PLANWERK_OIDC_ENABLED:
    raise ImproperlyConfigured(
        "Single sign-on needs OIDC_RP_CLIENT_ID, OIDC_RP_CLIENT_SECRET and either "
        "PLANWERK_OIDC_ISSUER or OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_TOKEN_ENDPOINT and "
        "OIDC_OP_JWKS_ENDPOINT (docs/production.md, Single sign-on)."
    )
if PLANWERK_OIDC_ENABLED:
    # after django-axes (a locked-out address stays locked) and beside the password sign-in
    AUTHENTICATION_BACKENDS.append("sso.backends.PlanwerkOIDCBackend")
    # The button is a link, but a browser may treat the redirect to the provider as part of a
    # form's navigation: its host may be a form's destination.
    _oidc_origin = re.match(
        r"https?://[^/]+", OIDC_OP_AUTHORIZATION_ENDPOINT or PLANWERK_OIDC_ISSUER
    )
    if _oidc_origin:
        CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(_oidc_origin.group(0))
# --- end single sign-on ---------------------------------------------------------------------------
