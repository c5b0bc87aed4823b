"""Karriere's one settings module.

Everything comes from environment variables; the defaults run locally with nothing installed
(SQLite, in-process cache, mail to the console). Production sets ``DJANGO_DEBUG=false`` and the
variables listed in the README.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Fixed browser policies (no variable changes them), spelled out with their reasons there.
from karriere.browser_policies import (  # noqa: F401 (settings django-csp and middleware read)
    ADMIN_CONTENT_SECURITY_POLICY,
    CONTENT_SECURITY_POLICY,
    PERMISSIONS_POLICY,
)
from karriere.env import env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent

# --- the site: debug, secret key, hosts, addresses ----------------------------------------
DEBUG = env_bool("DJANGO_DEBUG", True)

# Only for local development; production refuses to start with it (see below).
INSECURE_DEV_SECRET_KEY = "django-insecure-karriere-local-development-only"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "").strip() or INSECURE_DEV_SECRET_KEY
if not DEBUG and (SECRET_KEY == INSECURE_DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters when "
        "DJANGO_DEBUG is false."
    )

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Absolute base URL for links in mails, feeds and structured data. Locally it follows the port
# `make run` serves on (PORT), so links keep working on another port.
SITE_URL = (
    os.environ.get("SITE_URL", "").strip() or f"http://127.0.0.1:{env_int('PORT', 8000)}"
).rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "Karriere-Magazin")
# The brand, per site: static paths of the logo (SVG: header, favicon; PNG: mails and JSON-LD,
# where SVG is not accepted), the browser's theme colour; the rest is static/css/site.css.
SITE_LOGO = os.environ.get("SITE_LOGO", "").strip() or "icons/logo.svg"
SITE_LOGO_PNG = os.environ.get("SITE_LOGO_PNG", "").strip() or "icons/icon-512.png"
SITE_THEME_COLOR = os.environ.get("SITE_THEME_COLOR", "").strip() or "#0d4a85"
PUBLISHER_NAME = os.environ.get("PUBLISHER_NAME", "Karriere Verlag GmbH")
# Publisher's Impressum details, printed in transactional mails (§ 5 DDG).
PUBLISHER_IMPRINT = os.environ.get(
    "PUBLISHER_IMPRINT",
    "Karriere Verlag GmbH, Musterstraße 1, 10115 Berlin, "
    "Geschäftsführung: Erika Mustermann, Amtsgericht Berlin HRB 000000",
)
# The privacy notice (a flat page in the admin): linked from every form that takes personal data.
PRIVACY_URL = os.environ.get("PRIVACY_URL", "/datenschutz/")

# --- apps, middleware, URLs, templates ----------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "taggit",
    "ckeditor",
    "ckeditor_uploader",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "anymail",
    "reversion",
    "karriere",
    "articles",
    "comments",
    "newsletter",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the flatpage fallback so flatpages get the headers too (see "Security" below).
    "karriere.middleware.ContentSecurityPolicyMiddleware",
    "karriere.middleware.PermissionsPolicyMiddleware",
    # TRACE refused, NUL bytes out, non-UTF-8 form data refused: before anything reads input.
    "karriere.middleware.InputEdgeMiddleware",
    # Outside the session and locale middleware, whose Vary it takes off shared pages.
    "karriere.middleware.SharedPageVaryMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A view whose database is away answers 503 "Wartung" instead of 500.
    "karriere.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    # django-axes wants to be last: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "karriere.urls"
WSGI_APPLICATION = "karriere.wsgi.application"
ADMIN_URL = os.environ.get("ADMIN_URL", "admin/").strip("/") + "/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "karriere.context_processors.site",
                "articles.context_processors.navigation",
            ],
        },
    },
]

# --- database, cache, background work -----------------------------------------------------
# Database: SQLite in the project folder unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite for a threaded server and a worker writing at once, without "database is locked":
    # WAL (readers never block the writer), IMMEDIATE transactions (a transaction takes the
    # write lock when it begins, so it waits for it instead of failing when it later upgrades),
    # and a generous busy timeout (a writer queues for the lock under load). synchronous=NORMAL
    # is WAL's recommended level: no corruption, only the last commits may be lost on power loss.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("SQLITE_BUSY_TIMEOUT_SECONDS", 30),
        }
    )
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if IS_POSTGRES:
    # JIT compilation pays off for long analytical queries, not for a page's short ones: it
    # tripled the related-articles query on 20,000 articles (planner cost over jit_above_cost).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set, else per-process memory (fine for one process).
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
# Short socket timeouts for every Redis client (cache and view counters): a Redis that hangs
# must cost a request a moment, not a worker (README, "When Redis or the database is down").
REDIS_CLIENT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2}
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's backend, reusing its Redis client and failing soft (karriere/cache.py).
            "BACKEND": "karriere.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "karriere"),
            "OPTIONS": REDIS_CLIENT_OPTIONS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work: Django's Tasks API, queued in the database, run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A worker's claim on a task is a lease: a task still RUNNING after this long is put back in the
# queue (its worker is taken to be dead; karriere/taskqueue.py). Must exceed the longest task.
TASK_LEASE_SECONDS = env_int("TASK_LEASE_SECONDS", 10 * 60)
# A task whose workers died this many times is failed instead of being taken up again.
TASK_MAX_RUNS = env_int("TASK_MAX_RUNS", 3)
# Mails that fail transiently (no connection, timeout, SMTP 4xx) are retried with backoff for
# this long after they were queued; then, like 5xx answers, they are recorded as failed.
MAIL_RETRY_HOURS = env_int("MAIL_RETRY_HOURS", 24)

# --- passwords, language, static and media files ------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German"))]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers and crawlers ask for at the site root (favicon.ico, apple-touch-icon.png),
# served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "public"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploads and renditions go through Django's storage API only, so media can live on
# S3-compatible object storage (README, "Image library": MEDIA_STORAGE_BACKEND/_OPTIONS).
STORAGES = {
    "default": {
        "BACKEND": os.environ.get(
            "MEDIA_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": json.loads(os.environ.get("MEDIA_STORAGE_OPTIONS", "") or "{}"),
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

SITE_ID = 1

# --- e-mail -------------------------------------------------------------------------------
# E-mail: SMTP when EMAIL_HOST is set, else the console (development).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
if EMAIL_HOST:
    # Django's SMTP backend that notes when a message was handed over (karriere/mailbackend.py).
    EMAIL_BACKEND = "karriere.mailbackend.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# An e-mail service through django-anymail instead of SMTP, e.g.
# EMAIL_BACKEND=anymail.backends.postmark.EmailBackend with ANYMAIL_POSTMARK_SERVER_TOKEN=...
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", EMAIL_BACKEND)
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_") and value
}
# The services' tracking webhooks (/anymail/<service>/tracking/) authenticate with HTTP basic
# auth "user:password" (ANYMAIL_WEBHOOK_SECRET) and, where the service signs, its signature.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Karriere-Magazin <redaktion@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- security -----------------------------------------------------------------------------
# Behind a TLS-terminating proxy set DJANGO_SECURE_PROXY_SSL_HEADER=true.
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# The CSRF cookie stays readable by scripts (Django: HttpOnly on it protects nothing, and a
# cached page's form may need to read it).
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# Number of reverse proxies in front of the app that append to X-Forwarded-For (0: trust none).
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)

# Admin login throttling (django-axes, karriere/security.py) per IP and per (username, IP),
# never per username alone: anyone knowing an editor's login could lock them out everywhere.
AUTHENTICATION_BACKENDS = [
    "karriere.security.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5)
LOGIN_COOLOFF_MINUTES = env_int("DJANGO_LOGIN_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "karriere.net.client_ip"
AXES_LOCKOUT_CALLABLE = "karriere.security.lockout_response"
AXES_COOLOFF_MESSAGE = _("Too many failed login attempts. Please try again later.")
# Failed attempts are all we need; no log of every successful login (personal data).
AXES_DISABLE_ACCESS_LOG = True

# Form data above this size is refused, larger uploads are streamed to a temporary file;
# images have ARTICLES_IMAGE_MAX_BYTES, the reverse proxy caps whole bodies (README, "Security").
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is one-way: opt in (DJANGO_SECURE_HSTS_PRELOAD) once all subdomains are HTTPS.
    "security.W021",
    # django-ckeditor bundles CKEditor 4 (out of support): staff-only editor and image-only
    # uploads, article HTML sanitised with nh3 on save (README, "CKEditor 4").
    "ckeditor.W001",
]

# --- logging ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- articles -----------------------------------------------------------------------------
# Largest accepted image upload (hero images, author photos, CKEditor uploads), in bytes.
ARTICLES_IMAGE_MAX_BYTES = env_int("ARTICLES_IMAGE_MAX_BYTES", 10 * 1024 * 1024)
# How long a shareable draft preview link works, in seconds (default 7 days).
ARTICLES_PREVIEW_MAX_AGE = env_int("ARTICLES_PREVIEW_MAX_AGE", 7 * 24 * 3600)
# Search shows (and ranks) at most this many of the newest matching articles.
ARTICLES_SEARCH_MAX_RESULTS = env_int("ARTICLES_SEARCH_MAX_RESULTS", 200)
# Image library: a "Bildnachweise" list at the end of each article, and what readers see where
# an image's licence has expired (a static file path, e.g. "img/bild-nicht-verfuegbar.svg";
# empty: nothing). Expiry warnings go to the Redaktion's addresses plus these (comma-separated).
ARTICLES_IMAGE_CREDITS_LIST = env_bool("ARTICLES_IMAGE_CREDITS_LIST", True)
ARTICLES_IMAGE_EXPIRED_PLACEHOLDER = os.environ.get("ARTICLES_IMAGE_EXPIRED_PLACEHOLDER", "")
ARTICLES_IMAGE_LICENCE_EMAILS = env_list("ARTICLES_IMAGE_LICENCE_EMAILS", [])
# CKEditor uploads: our own upload view (articles.ckeditor) checks every file with Pillow and
# refuses non-images and SVG; these settings keep the package's own paths in line with it.
CKEDITOR_UPLOAD_PATH = "uploads/"
CKEDITOR_ALLOW_NONIMAGE_FILES = False
CKEDITOR_IMAGE_BACKEND = "ckeditor_uploader.backends.PillowBackend"
CKEDITOR_RESTRICT_BY_USER = False
CKEDITOR_BROWSE_SHOW_DIRS = False
# The toolbar offers only what the article sanitizer (articles.text.ALLOWED_TAGS) keeps.
CKEDITOR_CONFIGS = {
    "default": {
        "language": "de",
        "height": 420,
        "width": "100%",
        "toolbar": "Karriere",
        "toolbar_Karriere": [
            ["Format", "Bold", "Italic"],
            ["NumberedList", "BulletedList", "Blockquote"],
            ["Link", "Unlink"],
            ["Image", "Table", "HorizontalRule"],
            ["Undo", "Redo", "RemoveFormat", "Source"],
        ],
        "format_tags": "p;h2;h3;h4",
        "removePlugins": "exportpdf",
        "disallowedContent": "*[on*]; *{*}; script; iframe",
    }
}

# --- comments -----------------------------------------------------------------------------
# Who gets the "new comment awaits approval" mail (comma-separated; empty: nobody).
COMMENTS_MODERATOR_EMAILS = env_list("COMMENTS_MODERATOR_EMAILS", [])
# Signed form timestamp: faster than this is a bot, older than that is a stale page.
COMMENTS_MIN_SUBMIT_SECONDS = env_int("COMMENTS_MIN_SUBMIT_SECONDS", 3)
COMMENTS_MAX_FORM_AGE_SECONDS = env_int("COMMENTS_MAX_FORM_AGE_SECONDS", 2 * 60 * 60)
# A second comment from the same IP or e-mail within this many seconds gets HTTP 429.
COMMENTS_FLOOD_SECONDS = env_int("COMMENTS_FLOOD_SECONDS", 15)
# A comment with this many links or more is held for moderation.
COMMENTS_HOLD_LINK_COUNT = env_int("COMMENTS_HOLD_LINK_COUNT", 2)
# Close comments this many days after publication (0: never).
COMMENTS_CLOSE_AFTER_DAYS = env_int("COMMENTS_CLOSE_AFTER_DAYS", 0)
# Publish at once when name and e-mail already have an approved comment (default: hold all).
COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS = env_bool("COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS", False)
# IP address and user agent are erased after this many days (`manage.py erase_comment_client_data`).
COMMENTS_CLIENT_DATA_RETENTION_DAYS = env_int("COMMENTS_CLIENT_DATA_RETENTION_DAYS", 30)
# Dotted path to a spam checker `check(*, comment) -> "spam" | "pending" | None` (see README).
COMMENTS_SPAM_CHECKER = os.environ.get("COMMENTS_SPAM_CHECKER", "").strip()
# How long an author sees their own pending comment (signed cookie), in seconds.
COMMENTS_PENDING_COOKIE_MAX_AGE = env_int("COMMENTS_PENDING_COOKIE_MAX_AGE", 24 * 60 * 60)
# The signed cookie with the ids of a reader's own pending comments (comments/pending.py). Named
# here, not in the app: the page cache below skips readers who carry it.
COMMENTS_PENDING_COOKIE_NAME = "karriere_eigene_kommentare"

# --- newsletter ---------------------------------------------------------------------------
# Double opt-in: how long a confirmation link works, and when unconfirmed signups are deleted.
NEWSLETTER_CONFIRM_TOKEN_HOURS = env_int("NEWSLETTER_CONFIRM_TOKEN_HOURS", 72)
NEWSLETTER_UNCONFIRMED_DAYS = env_int("NEWSLETTER_UNCONFIRMED_DAYS", 7)
# Abuse limits: confirmation mails per address, and signup/link requests per IP (with backoff).
NEWSLETTER_ADDRESS_MAIL_LIMIT = env_int("NEWSLETTER_ADDRESS_MAIL_LIMIT", 3)
NEWSLETTER_ADDRESS_MAIL_WINDOW_DAYS = env_int("NEWSLETTER_ADDRESS_MAIL_WINDOW_DAYS", 7)
NEWSLETTER_IP_LIMIT = env_int("NEWSLETTER_IP_LIMIT", 10)
NEWSLETTER_IP_WINDOW_MINUTES = env_int("NEWSLETTER_IP_WINDOW_MINUTES", 60)
NEWSLETTER_IP_BACKOFF_MINUTES = env_int("NEWSLETTER_IP_BACKOFF_MINUTES", 15)
# Sender of newsletter mails and the mailbox named in List-Unsubscribe (empty: https link only).
NEWSLETTER_FROM_EMAIL = os.environ.get("NEWSLETTER_FROM_EMAIL", DEFAULT_FROM_EMAIL)
NEWSLETTER_UNSUBSCRIBE_MAILTO = os.environ.get("NEWSLETTER_UNSUBSCRIBE_MAILTO", "").strip()
# Issues: recipients per batch task, mails per minute over all workers (0: no limit), tries of a
# temporarily failing address before it counts as failed, articles "the newest N" fills in, and
# how many addresses a test send may go to.
NEWSLETTER_BATCH_SIZE = env_int("NEWSLETTER_BATCH_SIZE", 500)
NEWSLETTER_MAX_PER_MINUTE = env_int("NEWSLETTER_MAX_PER_MINUTE", 0)
NEWSLETTER_MAX_ATTEMPTS = env_int("NEWSLETTER_MAX_ATTEMPTS", 10)
NEWSLETTER_NEWEST_ARTICLES = env_int("NEWSLETTER_NEWEST_ARTICLES", 5)
NEWSLETTER_TEST_RECIPIENTS_MAX = env_int("NEWSLETTER_TEST_RECIPIENTS_MAX", 5)
# A sending issue whose deliveries did not move for this long is taken up again (a worker died).
NEWSLETTER_STALL_MINUTES = env_int("NEWSLETTER_STALL_MINUTES", 10)
NEWSLETTER_LIST_ID = os.environ.get(
    "NEWSLETTER_LIST_ID", f"newsletter.{urlsplit(SITE_URL).hostname or 'localhost'}"
)

# --- view counting ------------------------------------------------------------------------
# Views are counted by a beacon from the article page (articles/counting.py). With REDIS_URL the
# counts collect in Redis and `flush_view_counts` moves them to the database; without it every
# view is written straight away.
VIEW_COUNT_REDIS_URL = os.environ.get("VIEW_COUNT_REDIS_URL", "").strip() or REDIS_URL
# One view per visitor (keyed hash of IP + user agent, no cookie) and article in this window.
VIEW_COUNT_DEDUPE_SECONDS = env_int("VIEW_COUNT_DEDUPE_SECONDS", 24 * 60 * 60)
# How often the scheduler enqueues the flush from Redis to the database (10-60 s).
VIEW_COUNT_FLUSH_SECONDS = env_int("VIEW_COUNT_FLUSH_SECONDS", 30)
# The flush lock is a lease of this many seconds that the flusher renews as it writes: a
# flusher that dies holds up the next flush at most this long.
VIEW_COUNT_FLUSH_LEASE_SECONDS = env_int("VIEW_COUNT_FLUSH_LEASE_SECONDS", 30)
# "Top-Artikel": the recent list covers this many days; both lists are cached this long.
VIEW_COUNT_TOP_DAYS = env_int("VIEW_COUNT_TOP_DAYS", 30)
VIEW_COUNT_TOP_CACHE_SECONDS = env_int("VIEW_COUNT_TOP_CACHE_SECONDS", 300)

# --- page cache ---------------------------------------------------------------------------
# Anonymous readers get whole pages from the cache (karriere/pagecache.py) until a change
# invalidates a dependency key they show, after this many seconds at the latest, and before
# the next scheduled article goes live.
PAGECACHE_ENABLED = env_bool("PAGECACHE_ENABLED", True)
PAGECACHE_TIMEOUT = env_int("PAGECACHE_TIMEOUT", 300)
# Readers with one of these cookies get a fresh page: a pending Django message, and their own
# comment awaiting moderation (comments/pending.py).
PAGECACHE_BYPASS_COOKIES = ["messages", COMMENTS_PENDING_COOKIE_NAME]

# Parts of pages (comment list, related articles, Top-Artikel, navigation) are cached by
# the dependency keys they show (karriere/fragments.py), so a page rendered after a change
# renders only the parts that changed; kept this many seconds at the latest.
FRAGMENT_CACHE_ENABLED = env_bool("FRAGMENT_CACHE_ENABLED", True)
FRAGMENT_CACHE_TIMEOUT = env_int("FRAGMENT_CACHE_TIMEOUT", 3600)
# Each process also keeps this many fragments in its own memory (saves a round trip to Redis
# per part); served only while the shared version tokens say they are current.
FRAGMENT_CACHE_LOCAL_ENTRIES = env_int("FRAGMENT_CACHE_LOCAL_ENTRIES", 1000)
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "karriere-fragments",
    "TIMEOUT": FRAGMENT_CACHE_TIMEOUT,
    "OPTIONS": {"MAX_ENTRIES": FRAGMENT_CACHE_LOCAL_ENTRIES},
}

# --- shared HTTP caches (Varnish, CDN) -----------------------------------------------------
# Anonymous reader pages are `Cache-Control: public` with these lifetimes (seconds): browsers
# keep a page HTTP_CACHE_MAX_AGE, shared caches HTTP_CACHE_S_MAXAGE (they are purged on every
# change, see PURGE_*), both never past the next scheduled publication.
HTTP_CACHE_MAX_AGE = env_int("HTTP_CACHE_MAX_AGE", 60)
HTTP_CACHE_S_MAXAGE = env_int("HTTP_CACHE_S_MAXAGE", 300)
HTTP_CACHE_STALE_WHILE_REVALIDATE = env_int("HTTP_CACHE_STALE_WHILE_REVALIDATE", 30)
HTTP_CACHE_STALE_IF_ERROR = env_int("HTTP_CACHE_STALE_IF_ERROR", 86400)
# Headers naming what a page shows (its dependency keys): "Surrogate-Key" (Varnish VCL of
# deploy/, Fastly; space-separated) and/or "Cache-Tag" (Cloudflare; comma-separated).
SURROGATE_KEY_HEADERS = env_list("SURROGATE_KEY_HEADERS", ["Surrogate-Key"])
# Purging by key after every change (karriere/purge.py); nothing is purged without these.
PURGE_VARNISH_URLS = env_list("PURGE_VARNISH_URLS", [])
PURGE_CLOUDFLARE_ZONE_ID = os.environ.get("PURGE_CLOUDFLARE_ZONE_ID", "")
PURGE_CLOUDFLARE_API_TOKEN = os.environ.get("PURGE_CLOUDFLARE_API_TOKEN", "")
PURGE_CLOUDFLARE_API_URL = os.environ.get(
    "PURGE_CLOUDFLARE_API_URL", "https://api.cloudflare.com/client/v4"
)
PURGE_TIMEOUT_SECONDS = env_int("PURGE_TIMEOUT_SECONDS", 5)
PURGE_MAX_ATTEMPTS = env_int("PURGE_MAX_ATTEMPTS", 8)

# --- periodic jobs ------------------------------------------------------------------------
# `manage.py run_periodic_jobs` enqueues these tasks for the worker (name: task, seconds).
PERIODIC_JOBS = {
    "erase_comment_client_data": ("comments.tasks.erase_comment_client_data", 3600),
    "purge_unconfirmed_signups": ("newsletter.tasks.purge_unconfirmed", 3600),
    "prune_task_results": ("karriere.tasks.prune_task_results", 24 * 3600),
    "resume_stalled_issues": ("newsletter.tasks.resume_stalled_issues", 300),
    "recover_expired_tasks": ("karriere.tasks.recover_expired_tasks", 60),
    "mail_expiring_image_licences": ("articles.tasks.mail_expiring_image_licences", 7 * 24 * 3600),
}
if VIEW_COUNT_REDIS_URL:
    # Only the Redis store collects counts to move; the database store writes them at once.
    PERIODIC_JOBS["flush_view_counts"] = (
        "articles.tasks.flush_view_counts",
        VIEW_COUNT_FLUSH_SECONDS,
    )
