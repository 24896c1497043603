"""Django settings, read from the environment (see .env.example for every variable).

With nothing set the project runs on embedded defaults: DEBUG on, SQLite in var/, a broker on
the filesystem and a database-backed cache, so `make run` works on a bare machine. With
DATABASE_URL and REDIS_URL set it runs on PostgreSQL and Redis. With DEBUG off the process
refuses to start unless the production secrets are given.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any, NoReturn

import django_stubs_ext
import environ
from cryptography.fernet import Fernet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from playtomic_monitor.demo_run import demo_env_read

# Lets admin and querysets be written with generic parameters at run time (ModelAdmin[Club]).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# What the process was given, before .env adds its defaults (see PLAYTOMIC_BASE_URL).
_PROCESS_ENVIRONMENT = frozenset(os.environ)
env_file = BASE_DIR / ".env"
if env_file.exists():
    environ.Env.read_env(env_file)

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=True)


def _refuse(problem: str) -> NoReturn:
    """Stop with one line naming the variable: a production start must not limp along."""
    sys.stderr.write(f"Configuration error: {problem}\n")
    raise SystemExit(1)


def _require(name: str) -> None:
    if not env.str(name, default=""):
        _refuse(f"{name} must be set when DEBUG is off.")


def _fernet_keys(raw: str) -> list[str]:
    """FIELD_ENCRYPTION_KEYS, each comma-separated entry checked now rather than at the first
    secret written: a stray comma or a typo must not start a server that then fails (or, with
    no usable key, falls back to a key file of its own)."""
    if not raw.strip():
        return []
    keys = [key.strip() for key in raw.split(",")]
    for position, key in enumerate(keys, start=1):
        where = f"FIELD_ENCRYPTION_KEYS entry {position} of {len(keys)}"
        if not key:
            _refuse(f"{where} is empty.")
        try:
            Fernet(key.encode())
        except ValueError:  # bad base64 (binascii.Error) or not 32 bytes
            _refuse(f"{where} is not a Fernet key (manage.py generate_encryption_key makes one).")
    return keys


def _throttle_rate(rate: str, name: str) -> str:
    """A DRF rate such as "120/minute", checked now: DRF would only fail on a request."""
    number, _, period = rate.partition("/")
    if not (number.isdigit() and period[:1] in {"s", "m", "h", "d"}):
        _refuse(f"{name} must look like 120/minute (a number per second, minute, hour or day).")
    return rate


if not DEBUG:
    for _name in ("SECRET_KEY", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEYS"):
        _require(_name)

# The development key is only ever used with DEBUG on (enforced above).
SECRET_KEY = env.str(
    "SECRET_KEY", default="django-insecure-development-only-key-never-used-in-production"
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = [o for o in env.list("CSRF_TRUSTED_ORIGINS", default=[]) if o]
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "playtomic_monitor",
    "accounts",
    "groups",
    "clubs",
    "availability",
    "booking",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page's language: the one chosen with the switcher (a cookie), else the browser's.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A view that meets an unreachable Redis (cache, broker) answers the 503 page, not a 500.
    "playtomic_monitor.middleware.ServiceUnavailableMiddleware",
    # Last, as django-axes asks: it turns a login refused for lockout into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "playtomic_monitor.urls"
WSGI_APPLICATION = "playtomic_monitor.wsgi.application"

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
                "playtomic_monitor.context_processors.demo_history",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    # WAL lets readers proceed while one process writes; IMMEDIATE transactions take the write
    # lock up front so web, worker and beat queue on the busy timeout instead of failing with
    # "database is locked" when a read transaction tries to upgrade to a write.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env.str("SQLITE_PATH", default="") or str(VAR_DIR / "db.sqlite3"),
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=30000;"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
            # A file (not :memory:) so integration tests can share it with worker subprocesses.
            "TEST": {"NAME": str(VAR_DIR / "test-db.sqlite3")},
        }
    }
DATABASE_IS_SQLITE = DATABASES["default"]["ENGINE"].endswith("sqlite3")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and broker ----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("CACHE_URL", default="") or REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="ptm"),
            # An unreachable Redis fails a request in seconds (a 503), not after the system's
            # TCP connect timeout of minutes.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
else:
    # Shared by every process on the machine (web, worker, beat), unlike locmem, so the rate
    # limiter and the poll locks work across processes on the embedded defaults too.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
        }
    }

# --- Auth ----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# django-axes first: it refuses a locked-out username+address before the password is checked
# (the login page, the admin and the browsable API's login all go through authenticate()).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Reverse proxies in front of the app that append to X-Forwarded-For. 0: the client address is
# REMOTE_ADDR and the header is ignored, so nobody can pick an address to dodge a limit.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
# Per username *and* address: one attacker cannot lock a member out from everywhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "playtomic_monitor.authentication.client_address"
# No start-up banner in the output of every manage.py command; failures are still logged.
AXES_VERBOSE = False
# Lazy: settings load before translations; the refusal is worded in the reader's language.
AXES_COOLOFF_MESSAGE = format_lazy(
    gettext_lazy(
        "Too many failed logins for this username from your address. "
        "Try again in {minutes} minutes."
    ),
    minutes=LOGIN_LOCKOUT_MINUTES,
)

LANGUAGE_CODE = "en"
# The languages a page can be read in (docs/i18n.md); the browser's Accept-Language picks one,
# the switcher in the footer overrides it. Dates and numbers follow the language's formats.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our named date formats per language (LOCAL_DATETIME_FORMAT, ...; playtomic_monitor/localtime.py).
FORMAT_MODULE_PATH = ["playtomic_monitor.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security (production) ----------------------------------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Field encryption ----------------------------------------------------------------------
# A dedicated MultiFernet key list, never derived from SECRET_KEY. The first key encrypts, all
# keys decrypt; `manage.py rotate_encryption_keys` re-encrypts every secret under the first.
FIELD_ENCRYPTION_KEYS = _fernet_keys(env.str("FIELD_ENCRYPTION_KEYS", default=""))
# The embedded default's generated key: never with DEBUG off, where the keys above are required.
FIELD_ENCRYPTION_KEY_FILE = VAR_DIR / "field-encryption.key" if DEBUG else None

# --- REST framework -----------------------------------------------------------------------
REST_FRAMEWORK = {
    # Tokens first: the first class names the scheme in the WWW-Authenticate header of a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "playtomic_monitor.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Kept in the default cache (a database table on the embedded defaults, Redis otherwise),
    # so every web process counts together.
    "DEFAULT_THROTTLE_CLASSES": [
        "playtomic_monitor.api.AnonThrottle",
        "playtomic_monitor.api.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": _throttle_rate(
            env.str("API_THROTTLE_ANON_RATE", default="30/minute"), "API_THROTTLE_ANON_RATE"
        ),
        "user": _throttle_rate(
            env.str("API_THROTTLE_USER_RATE", default="120/minute"), "API_THROTTLE_USER_RATE"
        ),
        "playtomic_search": _throttle_rate(
            env.str("API_THROTTLE_SEARCH_RATE", default="10/minute"), "API_THROTTLE_SEARCH_RATE"
        ),
        # Not an API rate, but DRF's throttles count it too (groups.views.join).
        "signup": _throttle_rate(env.str("SIGNUP_RATE", default="20/hour"), "SIGNUP_RATE"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "playtomic_monitor.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Playtomic Monitor API",
    "DESCRIPTION": "Club monitoring, utilization analytics and auto-booking for Playtomic.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Fields named "status" with different choices: each set gets its own name.
    "ENUM_NAME_OVERRIDES": {
        "InviteStatusEnum": "groups.models.Invite.Status",
        "ChannelKindEnum": "notifications.models.Channel.Kind",
        "NotificationKindEnum": "notifications.models.Notification.Kind",
        "SubscriptionSurfaceEnum": "notifications.models.Subscription.Surface",
        "RuleSurfaceEnum": "booking.models.BookingRule.Surface",
    },
}

# --- Celery ---------------------------------------------------------------------------------
# "localhost" only silences kombu's "no hostname" warning; the filesystem transport ignores it.
CELERY_BROKER_URL = REDIS_URL or "filesystem://localhost//"
if not REDIS_URL:
    # kombu's filesystem transport, writing each message whole (playtomic_monitor/broker.py).
    CELERY_BROKER_TRANSPORT = "playtomic_monitor.broker:Transport"
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # How often an idle worker looks into the queue folder (kombu's default is 1 s): a
        # free-court alert crosses the broker twice (event -> alert, notification -> send).
        "polling_interval": env.float("CELERY_BROKER_POLLING_INTERVAL", default=0.1),
    }
else:
    # Redis hands a message fetched but not acknowledged for this many seconds to another
    # worker (every worker sweeps for them every 10 s): that is how a poll whose worker was
    # killed comes back (poll tasks ack late; booking tasks ack on receipt and never come back).
    # One value for the whole broker, so it must outlast every message a live worker holds
    # unacknowledged, or Redis would hand it out twice: a poll until it ends (its hard time
    # limit, CELERY_TASK_TIME_LIMIT) plus a lease (POLL_LEASE_SECONDS), so a redelivered poll
    # never meets its dead predecessor's lock, and, for safety, the booking tasks' 270 s limit.
    # No task uses countdowns or ETAs, which would also wait unacknowledged.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=300),
        "unacked_restore_interval": 10,
        "unacked_restore_throttle": 1,
    }
    # A worker takes a message only when one of its processes is free, so no message waits
    # unacknowledged behind a long task (Redis only; kombu's filesystem transport lacks it).
    CELERY_WORKER_DISABLE_PREFETCH = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=150)
CELERY_TASK_DEFAULT_QUEUE = "poll"
CELERY_TASK_ROUTES = {
    "availability.*": {"queue": "poll"},
    "clubs.*": {"queue": "poll"},
    "booking.*": {"queue": "booking"},
    "notifications.*": {"queue": "notify"},
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Shutdown. Workers run with REMAP_SIGTERM=SIGQUIT (Procfile, compose, systemd units), which
# turns SIGTERM into Celery's cold shutdown: stop consuming, give running tasks this many
# seconds (heartbeats and outbox sweeps end within it), cancel what is left, exit, all within
# 10 s (the rest of a cold shutdown takes up to 7 s on the filesystem broker). A plain SIGTERM
# is a warm shutdown, which waits for every running task, and a booking race sleeps up to a
# minute before its release instant. The remap also makes pool children ignore SIGTERM: a
# signal to the whole process group (honcho, systemd) used to kill them behind the main
# process, which, on the filesystem broker, then waited forever for the task-queue lock a dead
# child held. Cutting tasks short is safe: booking tasks ack early, so a cancelled one is
# never run again; a cancelled race leaves its attempt in flight and the reconciler settles it
# from the account's matches, as for any dead worker; a cancelled poll (polls ack late) goes
# back to Redis and runs again while its message is fresh, its PollRun is failed as
# worker_lost when its lease runs out (POLL_LEASE_SECONDS), and the club is polled again when
# next due.
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = 1.0
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "playtomic_monitor.beat:HeartbeatDatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_QUEUES_ALL = ("poll", "booking", "notify")
HEARTBEAT_MAX_AGE_SECONDS = env.int("HEARTBEAT_MAX_AGE_SECONDS", default=150)
# Dead poll workers (docs/monitoring.md, "When a worker dies"). A poll holds its PollRun and
# its club's poll lock for this many seconds at a time and renews both as it goes, so a killed
# worker's lock lapses by itself and the settle sweep (beat, every minute) fails its run as
# `worker_lost` within a lease and a minute. Longer than a live poll goes without renewing: the
# rate limiter's longest wait (PLAYTOMIC_RATE_MAX_WAIT_SECONDS) plus one request.
POLL_LEASE_SECONDS = env.int("POLL_LEASE_SECONDS", default=90)
if POLL_LEASE_SECONDS < 3:
    _refuse("POLL_LEASE_SECONDS must be at least 3 (a poll renews every third of it).")
# A queued manual fetch no worker has claimed after this long is sent once more, and failed
# as `not_picked_up` after a second wait (its worker died holding it, or none is running).
POLL_QUEUE_WAIT_SECONDS = env.int("POLL_QUEUE_WAIT_SECONDS", default=300)

# --- Playtomic ------------------------------------------------------------------------------
PLAYTOMIC_BASE_URL = env.str("PLAYTOMIC_BASE_URL", default="https://api.app.playtomic.io")
# While `make demo` runs on this VAR_DIR, every process (a `manage.py` command from a second
# shell too) talks to its sandbox: its VAR_DIR/demo.env wins over .env, not over a variable the
# process was started with (playtomic_monitor/demo_run.py).
_DEMO = demo_env_read(VAR_DIR)
if "PLAYTOMIC_BASE_URL" in _DEMO and "PLAYTOMIC_BASE_URL" not in _PROCESS_ENVIRONMENT:
    PLAYTOMIC_BASE_URL = _DEMO["PLAYTOMIC_BASE_URL"]
PLAYTOMIC_USER_AGENT = env.str(
    "PLAYTOMIC_USER_AGENT", default="playtomic-monitor/0.1 (+https://github.com/playtomic-monitor)"
)
PLAYTOMIC_RATE_PER_SECOND = env.float("PLAYTOMIC_RATE_PER_SECOND", default=1.0)
PLAYTOMIC_BOOKING_RATE_PER_SECOND = env.float("PLAYTOMIC_BOOKING_RATE_PER_SECOND", default=10.0)
MONITORING_MIN_FREQUENCY_MINUTES = env.int("MONITORING_MIN_FREQUENCY_MINUTES", default=5)
PLAYTOMIC_READ_TIMEOUT = env.float("PLAYTOMIC_READ_TIMEOUT", default=10.0)
# Longest a poll waits for a slot in the shared rate limiter before giving up.
PLAYTOMIC_RATE_MAX_WAIT_SECONDS = env.float("PLAYTOMIC_RATE_MAX_WAIT_SECONDS", default=60.0)
# Circuit breaker per Playtomic host: open after N failed attempts (retries count) in a row
# within its window, for this long (playtomic_monitor/ratelimit.py).
PLAYTOMIC_BREAKER_THRESHOLD = env.int("PLAYTOMIC_BREAKER_THRESHOLD", default=5)
PLAYTOMIC_BREAKER_RESET_SECONDS = env.int("PLAYTOMIC_BREAKER_RESET_SECONDS", default=60)
# Calls a person waits on in a web request (club search and import, "test login") have their
# own budget, which fails fast (429/503 with Retry-After) rather than hold a web worker: this
# many requests per second, at most this long waiting for a slot, this read timeout and one
# retry at most. Playtomic sees the sum of this budget and the others.
PLAYTOMIC_INTERACTIVE_RATE_PER_SECOND = env.float(
    "PLAYTOMIC_INTERACTIVE_RATE_PER_SECOND", default=2.0
)
PLAYTOMIC_INTERACTIVE_MAX_WAIT_SECONDS = env.float(
    "PLAYTOMIC_INTERACTIVE_MAX_WAIT_SECONDS", default=2.0
)
PLAYTOMIC_INTERACTIVE_READ_TIMEOUT = env.float("PLAYTOMIC_INTERACTIVE_READ_TIMEOUT", default=5.0)
# A club search (same name, place, radius and sport) is answered from the cache this long.
PLAYTOMIC_SEARCH_CACHE_SECONDS = env.int("PLAYTOMIC_SEARCH_CACHE_SECONDS", default=600)
# Booking racer: beat delivers the arm task this long before the release instant T; a delivery
# later than T + EXPIRE is dropped and reported missed; the reconciler judges an unfinished
# attempt dead this long after its deadline; the server's clock is only trusted over ours when
# they disagree by more than CLOCK_TRUST_MS (its Date header has one-second resolution).
BOOKING_ARM_LEAD_SECONDS = env.float("BOOKING_ARM_LEAD_SECONDS", default=60.0)
BOOKING_EXPIRE_AFTER_RELEASE_SECONDS = env.float(
    "BOOKING_EXPIRE_AFTER_RELEASE_SECONDS", default=30.0
)
BOOKING_RECONCILE_GRACE_SECONDS = env.float("BOOKING_RECONCILE_GRACE_SECONDS", default=60.0)
BOOKING_ARRIVAL_MARGIN_MS = env.float("BOOKING_ARRIVAL_MARGIN_MS", default=3.0)
BOOKING_CLOCK_SYNC_SECONDS = env.float("BOOKING_CLOCK_SYNC_SECONDS", default=10.0)
# Who consumes availability's outbox events (availability/outbox.py): each consumer gets a
# delivery row per event of the kinds it wants and its task is sent the event ids on commit.
# Wired here, in the project package, so availability never names a higher app.
AVAILABILITY_EVENT_CONSUMERS: dict[str, dict[str, Any]] = {
    "booking.sniping": {
        "task": "booking.tasks.snipe_freed_slots",
        "queue": "booking",
        "kinds": ["slot_freed"],
    },
    # Free-court alerts for members' subscriptions (notifications/sources/alerts.py).
    "notifications.alerts": {
        "task": "notifications.tasks.alert_subscribers",
        "queue": "notify",
        "kinds": ["slot_freed", "slots_released"],
    },
}
# Called (dotted paths, with attempt_id=) inside the transaction that records an attempt's
# outcome (booked, failed, missed): booking tells higher apps without naming them.
BOOKING_OUTCOME_HOOKS = ["notifications.sources.booking.attempt_outcome_notify"]
# Called (with account_id=, at=) when a Playtomic account's login starts failing.
ACCOUNT_LOGIN_FAILED_HOOKS = ["notifications.sources.accounts.account_login_failed_notify"]
# /health/ checks of higher apps (name -> dotted path of a function returning {"ok": ...}).
HEALTH_CHECKS = {
    "monitoring": "availability.health.monitoring_health",
    "notifications": "notifications.health.delivery_health",
}
# What a group's page shows from higher apps: functions (request=, group=) -> HTML.
GROUP_PAGE_SECTIONS = ["booking.views.group_games_section"]
# The task a club's beat entry runs (clubs owns the schedule, availability the poll).
MONITORING_POLL_TASK = "availability.tasks.poll_club_scheduled"

# --- Notifications (docs/notifications.md) --------------------------------------------------
# A notify worker holds a delivery it is sending for this long; past it the sweep judges the
# worker dead and settles the delivery as unclear (resent only where the receiver can drop a
# repeat by its id). Longer than a send can take (NOTIFY_SEND_TIMEOUT_SECONDS) plus margin.
NOTIFY_SEND_TIMEOUT_SECONDS = env.float("NOTIFY_SEND_TIMEOUT_SECONDS", default=10.0)
NOTIFY_LEASE_SECONDS = env.float("NOTIFY_LEASE_SECONDS", default=60.0)
if NOTIFY_LEASE_SECONDS < 2 * NOTIFY_SEND_TIMEOUT_SECONDS:
    _refuse("NOTIFY_LEASE_SECONDS must be at least twice NOTIFY_SEND_TIMEOUT_SECONDS.")
# A delivery still pending this long after it was handed to the broker is handed over again
# by the sweep (its message was lost with a dead worker, or the broker lost it).
NOTIFY_RELAY_GRACE_SECONDS = env.float("NOTIFY_RELAY_GRACE_SECONDS", default=30.0)
# Waits before each retry of a temporary failure; after the last, the delivery has failed.
NOTIFY_RETRY_BACKOFF_SECONDS = [10, 60, 300, 1800]
# A club's watchers are told when its monitoring has had no successful poll for this long
# (while polls were due), or when this many polls in a row failed.
# Webhooks, push endpoints and apprise URLs go to public addresses only: a member cannot point
# a channel at this server's own network. Allow private addresses for a receiver on the same
# machine or the home network.
NOTIFY_ALLOW_PRIVATE_ADDRESSES = env.bool("NOTIFY_ALLOW_PRIVATE_ADDRESSES", default=False)
NOTIFY_MONITORING_STALE_MINUTES = env.int("NOTIFY_MONITORING_STALE_MINUTES", default=60)
NOTIFY_MONITORING_FAILING_POLLS = env.int("NOTIFY_MONITORING_FAILING_POLLS", default=3)
# The Telegram Bot API (tests point it at a local server).
TELEGRAM_API_URL = env.str("TELEGRAM_API_URL", default="https://api.telegram.org")
# Web Push: VAPID keys (base64url, as `vapid --applicationServerKey` prints them, and the
# private key as PEM or base64url DER). Unset with DEBUG on, a pair is generated once into
# var/vapid-private.pem; with DEBUG off and none set, Web Push channels cannot be added.
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default="")
VAPID_PRIVATE_KEY = env.str("VAPID_PRIVATE_KEY", default="")
VAPID_SUBJECT = env.str("VAPID_SUBJECT", default="mailto:playtomic-monitor@localhost")
VAPID_KEY_FILE = VAR_DIR / "vapid-private.pem" if DEBUG else None

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Below WARNING these log request URLs, which hold notification secrets (a Telegram bot
    # token, an apprise URL, a push endpoint): never, whatever LOG_LEVEL says.
    "loggers": {
        "apprise": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
    },
}

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="playtomic-monitor@localhost")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
