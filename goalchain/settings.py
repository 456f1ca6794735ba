"""Goal Chain settings: environment variables only, with embedded defaults.

With nothing set the app runs on a SQLite file, Celery on a folder broker and
email to the console, so `make run` needs no other server. Production sets
DATABASE_URL, REDIS_URL, SECRET_KEY, EMAIL_URL and ALLOWED_HOSTS (see README).
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
import redis
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from goalchain.db import check_pooled_connection
from goalchain.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.getenv("GOALCHAIN_VAR_DIR", BASE_DIR / "var"))


DEBUG = env_bool("DEBUG")
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Where the admin lives; staff only. Moving it off the well-known path spares it most bots.
ADMIN_URL = env_str("ADMIN_URL", "admin/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "goals",
    "workshops",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Members of an organisation that requires two-factor sign-in turn it on first.
    "accounts.middleware.TwoFactorRequiredMiddleware",
    # Last: it turns a sign-in that axes refused into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "goalchain.urls"
WSGI_APPLICATION = "goalchain.wsgi.application"
ASGI_APPLICATION = "goalchain.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "goals.context_processors.notifications",
            ],
            # Every page and email writes numbers one way: {{ value|amount }}.
            "builtins": ["goals.templatetags.wording"],
        },
    },
    # The chain page's tree: thousands of cards, which Jinja2 draws about ten times faster.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "APP_DIRS": True,  # goals/jinja2/
        "OPTIONS": {"environment": "goalchain.jinja.environment"},
    },
]

# Threads of each web process for the requests that are not event streams
# (goalchain/serving.py). Each holds at most one database connection at a time.
WEB_THREADS = env_int("WEB_THREADS", 8)
if WEB_THREADS < 1:
    raise ImproperlyConfigured("WEB_THREADS must be 1 or more.")

# Database: PostgreSQL from DATABASE_URL, else a SQLite file beside the code.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # A pool per process: under ASGI every request runs in a thread of its own, and
        # persistent per-thread connections would exhaust the server's connection slots.
        # Each connection is checked as it leaves the pool (goalchain/db.py): after a restart the
        # dead ones are replaced instead of failing the requests that would get them.
        # Queries bound on the server, so that one run often on a connection is prepared and
        # planned once (planning was most of the database's time for a goal's detail).
        # Planned once for good: left to choose, PostgreSQL planned a goal list's query again
        # on every run, as the plan for its own ids always looked cheaper than the shared one.
        # Options given in DATABASE_URL come after, so they can set it otherwise.
        _prepare = env_str("DB_PREPARE_THRESHOLD") or "5"
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        _options.update(
            server_side_binding=True,
            prepare_threshold=None if _prepare.lower() == "off" else int(_prepare),
            options=f"-c plan_cache_mode=force_generic_plan {_options.get('options', '')}".strip(),
        )
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": env_int("DB_POOL_MIN_SIZE", 1),
            "max_size": env_int("DB_POOL_MAX_SIZE", WEB_THREADS),
            "timeout": env_int("DB_POOL_TIMEOUT", 20),
            "check": check_pooled_connection,
        }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "goalchain.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "goals.User"
# Axes refuses sign-ins while an account is locked out at an address; then ModelBackend,
# plus the unread notification count loaded with the signed-in user.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "goals.backends.UserBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
# Password reset links (accounts/password_reset.py), each limit over an hour: asked per email
# typed and per client address (the page says to wait), sent per account (the task).
PASSWORD_RESET_PER_EMAIL = env_int("PASSWORD_RESET_PER_EMAIL", 3)
PASSWORD_RESET_PER_ADDRESS = env_int("PASSWORD_RESET_PER_ADDRESS", 20)
PASSWORD_RESET_PER_ACCOUNT = env_int("PASSWORD_RESET_PER_ACCOUNT", 3)

# Login throttling: 5 failures for one account from one address lock that pair out for a
# cool-off; a success resets the count. The address is REMOTE_ADDR, which uvicorn sets
# from X-Forwarded-For only when the connection comes from an address in FORWARDED_ALLOW_IPS
# (--proxy-headers; docker-compose.yml trusts its proxy's fixed address, nothing else).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "goals.lockout.username"
AXES_LOCKOUT_CALLABLE = "goals.lockout.response"

# Single sign-on with an OpenID Connect provider (accounts/sso.py, mozilla-django-oidc). On
# when OIDC_ISSUER and OIDC_CLIENT_ID are set; the provider's endpoints come from its discovery
# document (<issuer>/.well-known/openid-configuration). The redirect URI to register at the
# provider is <SITE_URL>/sso/callback/. OIDC_ALLOWED_DOMAINS (comma list) limits the emails
# that may sign in this way; empty allows any.
OIDC_ISSUER = env_str("OIDC_ISSUER").strip()
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID").strip()
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
OIDC_ALLOWED_DOMAINS = [domain.lower() for domain in env_list("OIDC_ALLOWED_DOMAINS")]
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME").strip() or "single sign-on"
OIDC_RP_SCOPES = env_str("OIDC_SCOPES").strip() or "openid email profile"
OIDC_RP_SIGN_ALGO = env_str("OIDC_SIGN_ALGO").strip() or "RS256"
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_TIMEOUT = 10
# client_secret_basic: the client authentication every provider must accept by default.
OIDC_TOKEN_USE_BASIC_AUTH = True
OIDC_AUTHENTICATION_CALLBACK_URL = "sso-callback"
AUTHENTICATION_BACKENDS.append("accounts.sso.SSOBackend")
# The lockout counts password guesses; the provider guards its own sign-in.
AXES_WHITELIST_CALLABLE = "accounts.sso.is_sso_callback"

# Two-factor sign-in (accounts/two_factor.py, django-otp): authenticator apps list the
# account under this name. A wrong code makes the next try wait 1, 2, 4, 8… seconds.
OTP_TOTP_ISSUER = "Goal Chain"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Without a collectstatic manifest (tests, a fresh checkout) static URLs stay unhashed.
WHITENOISE_MANIFEST_STRICT = False
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "goalchain.storage.StaticStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Redis, when configured, carries Celery, the cache and the workshops' live updates.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Connections kept across requests (goalchain/cache.py), so a command that finds
            # its connection dropped (Redis restarted) is retried once on a new one.
            "BACKEND": "goalchain.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"retry_on_error": [redis.ConnectionError]},
        }
    }
else:
    # In process: room for each goal's cached JSON of a few large chains (the default of 300
    # entries would evict a chain while it is being cached goal by goal).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

# Answers kept per token (goals/api/fast_reads.py) need a cache every process shares.
FAST_READS = bool(REDIS_URL)

CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if not REDIS_URL:
    _queue_dir = VAR_DIR / "celery-queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    _control_dir = VAR_DIR / "celery-control"
    _control_dir.mkdir(parents=True, exist_ok=True)
    # Without control_folder kombu writes its exchange tables to ./control in the cwd.
    # The worker takes one message per look at the folder, once a second by default: each
    # email the demo queues would hold a new invitation back by another second.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "polling_interval": 0.1,
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_queue_dir),
        "store_processed": False,
        "control_folder": str(_control_dir),
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER")
# Beat keeps its schedule state here, with or without Redis.
VAR_DIR.mkdir(parents=True, exist_ok=True)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Integrations (webhooks, chat hooks, metric sources) send only to public addresses unless
# this is on: for a server whose hooks stay inside its own network (goalchain/outbound.py).
INTEGRATIONS_ALLOW_PRIVATE_NETWORKS = env_bool("INTEGRATIONS_ALLOW_PRIVATE_NETWORKS")
# How long a webhook's receiver may take to answer before the attempt counts as failed.
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)


def _mailer(url: str) -> dict[str, object]:
    """EMAIL_URL: smtp://user:password@host:587?tls=1, smtps://…, console:, file:///path."""
    parsed = urlparse(url)
    if parsed.scheme in {"smtp", "smtps"}:
        query = parse_qs(parsed.query)
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": parsed.hostname or "localhost",
                "port": parsed.port or (465 if parsed.scheme == "smtps" else 25),
                "username": unquote(parsed.username or ""),
                "password": unquote(parsed.password or ""),
                "use_ssl": parsed.scheme == "smtps",
                "use_tls": query.get("tls", ["0"])[0] in {"1", "true"},
                "timeout": 10,
            },
        }
    if parsed.scheme == "file":
        return {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": parsed.path or str(VAR_DIR / "mail")},
        }
    if parsed.scheme in {"console", ""}:
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parsed.scheme == "locmem":
        return {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    raise ImproperlyConfigured(f"EMAIL_URL has an unknown scheme: {parsed.scheme!r}")


MAILERS = {"default": _mailer(env_str("EMAIL_URL", "console:"))}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Goal Chain <goalchain@localhost>")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Personal API tokens (accounts/models.py): `Authorization: Token <key>`.
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "goals.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "goals.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["goalchain.renderers.JSONRenderer"],
    # The API speaks JSON only (the pages are Django views with their own forms): a form
    # or multipart body gets 415, and the schema documents JSON bodies alone.
    "DEFAULT_PARSER_CLASSES": ["goalchain.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Goal Chain API",
    "DESCRIPTION": "Build and keep alive the chain of goals from product vision to sprint goal.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set, shared by every field that uses it.
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "goals.models.Level",
        "CadenceEnum": "goals.models.Cadence",
        "OrgRoleEnum": "goals.models.OrgRole",
        "ProductRoleEnum": "goals.models.ProductRole",
        "HookKindEnum": "goals.models.HookKind",
        # Organisation and product members alike: a member, or someone invited.
        "MemberStatusEnum": [("active", "active"), ("pending", "pending")],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "goals.api.errors.document_errors",
    ],
}

# Security. Scripts only from our own static files: no inline script anywhere.
# urlize links a bare www.… address over HTTPS (Django's default from 2028).
URLIZE_ASSUME_HTTPS = True

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers and container health checks probe over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000)
# Nothing uploads files; one that came anyway would spill to disk past this size.
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
