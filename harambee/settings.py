"""Settings, all read from the environment in this one place.

HARAMBEE_ENV=production turns on the secure settings and refuses to start without SECRET_KEY.
DATABASE_URL defaults to the embedded SQLite database under var/.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("HARAMBEE_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


HARAMBEE_ENV = os.environ.get("HARAMBEE_ENV", "development")
PRODUCTION = HARAMBEE_ENV == "production"

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("HARAMBEE_ENV=production needs SECRET_KEY in the environment.")
    # Development only: a fixed, clearly-marked key so sessions survive restarts.
    SECRET_KEY = "django-insecure-harambee-development-key-not-for-production-use-0123456789"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Key for encrypted personal fields; separate from SECRET_KEY so either can rotate.
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")
if not FIELD_ENCRYPTION_KEY and PRODUCTION:
    raise ImproperlyConfigured("HARAMBEE_ENV=production needs FIELD_ENCRYPTION_KEY.")
# Key for the keyed hashes (HMAC) kept beside encrypted fields for exact search.
FIELD_HASH_KEY = os.environ.get("FIELD_HASH_KEY", "")
if not FIELD_HASH_KEY and PRODUCTION:
    raise ImproperlyConfigured("HARAMBEE_ENV=production needs FIELD_HASH_KEY.")

# Privacy (docs/privacy.md): the notice version consents refer to, and how long personal
# fields are kept (days, per "app.model"; PRIVACY_RETENTION_DAYS="network.person=730,...").
PRIVACY_POLICY_VERSION = os.environ.get("PRIVACY_POLICY_VERSION", "2026-1")
PRIVACY_DEFAULT_RETENTION_DAYS = int(os.environ.get("PRIVACY_DEFAULT_RETENTION_DAYS", "1095"))
PRIVACY_RETENTION_DAYS: dict[str, int | None] = {
    label.strip().lower(): (None if days.strip().lower() in {"", "none", "forever"} else int(days))
    for label, _sep, days in (
        item.partition("=") for item in env_list("PRIVACY_RETENTION_DAYS") if "=" in item
    )
}
# Screening batches: names and dates of birth of payees are erased this many days after the
# batch was uploaded (counts, scores and the batch stay). PRIVACY_RETENTION_DAYS overrides it
# per model ("screening.screeningbatch", "screening.screeningresult").
SCREENING_RETENTION_DAYS = int(os.environ.get("SCREENING_RETENTION_DAYS", "90"))
# Statistical disclosure control (harambee/core/disclosure.py).
DISCLOSURE_THRESHOLD = int(os.environ.get("DISCLOSURE_THRESHOLD", "5"))
DISCLOSURE_K = int(os.environ.get("DISCLOSURE_K", "5"))

# Uploads: request bodies and files held in memory, and the largest file any upload accepts
# (validators on every file field; the web server in front should cap the body too).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(5 * 2**20)))
FILE_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("FILE_UPLOAD_MAX_MEMORY_SIZE", str(5 * 2**20)))
UPLOAD_MAX_SIZE = int(os.environ.get("UPLOAD_MAX_SIZE", str(50 * 2**20)))
FILE_UPLOAD_PERMISSIONS = 0o640

# Rate limits: pages' public forms (harambee.core.security.rate_limit) and log-in attempts
# per address, on top of django-axes' lock-out per username and address.
PUBLIC_FORM_RATE = os.environ.get("PUBLIC_FORM_RATE", "10/minute")
LOGIN_RATE = os.environ.get("LOGIN_RATE", "30/minute")

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
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "harambee.core",
    "harambee.privacy",
    "harambee.places",
    "harambee.network",
    "harambee.activities",
    "harambee.funding",
    "harambee.commitments",
    "harambee.feedback",
    "harambee.matching",
    "harambee.screening",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "harambee.core.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "harambee.urls"
WSGI_APPLICATION = "harambee.wsgi.application"

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

VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)  # whitenoise expects STATIC_ROOT to exist
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'harambee.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the background worker write while pages read.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Login attempts: lock a username+address pair after 5 failures for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
NODE_MODULES = PROJECT_DIR / "node_modules"
# Front-end assets come from npm at install time (package.json), never copied into the repo.
STATICFILES_DIRS = [
    ("harambee", BASE_DIR / "static" / "harambee"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
    ("vendor/pico", NODE_MODULES / "@picocss" / "pico" / "css"),
    ("vendor/world-atlas", NODE_MODULES / "world-atlas"),
    ("vendor/topojson-client", NODE_MODULES / "topojson-client" / "dist"),
]
STATICFILES_DIRS = [entry for entry in STATICFILES_DIRS if Path(entry[1]).is_dir()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["harambee.core.api.permissions.RestrictedObjectPermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "harambee.core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "harambee.core.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_ANON_RATE", "120/minute"),
        "user": os.environ.get("API_USER_RATE", "1200/minute"),
        # Intake endpoints (harambee.core.security.IntakeRateThrottle): per token or address.
        "intake": os.environ.get("API_INTAKE_RATE", "600/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Harambee API",
    "DESCRIPTION": "Network, places and, as they land, every other capability of Harambee.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status"; name each choice set after its model's meaning.
    "ENUM_NAME_OVERRIDES": {
        "ImportStatusEnum": "harambee.activities.choices.ImportStatus",
        "ActivityStatusEnum": "harambee.activities.choices.ActivityStatus",
        "RequestStatusEnum": "harambee.network.choices.RequestStatus",
        "WorkplanStatusEnum": "harambee.network.choices.WorkplanStatus",
        "ReportStatusEnum": "harambee.commitments.choices.ReportStatus",
        "IndicatorStatusEnum": "harambee.commitments.choices.IndicatorStatus",
        "ChannelEnum": "harambee.funding.choices.Channel",
        "FeedbackChannelEnum": "harambee.feedback.choices.Channel",
        "AnswerChannelEnum": "harambee.feedback.choices.AnswerChannel",
        "MatchAnswerEnum": "harambee.matching.choices.Answer",
        "StageEnum": "harambee.matching.choices.Stage",
        "ListVersionStatusEnum": "harambee.screening.choices.VersionStatus",
        "ScreeningBatchStatusEnum": "harambee.screening.choices.BatchStatus",
        "PackageKindEnum": "harambee.screening.choices.PackageKind",
        "PayeeSchemaEnum": "harambee.screening.choices.PayeeSchema",
        "SchemaEnum": "harambee.screening.matching.engine.SCHEMAS",
        "AlertStatusEnum": "harambee.screening.choices.AlertStatus",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Feedback: consent wording, disclosure control, retention. Contact fingerprints use the
# platform's FIELD_HASH_KEY (harambee.core.fields.keyed_hash, kind "contact").
# Personal fields of an item are erased FEEDBACK_RETENTION_DAYS after it was closed (open items
# are kept); raw intakes (what a gateway or import sent) FEEDBACK_RAW_RETENTION_DAYS after
# arrival. PRIVACY_RETENTION_DAYS overrides either ("feedback.feedbackitem=...").
FEEDBACK_RETENTION_DAYS = int(os.environ.get("FEEDBACK_RETENTION_DAYS", "730"))
FEEDBACK_RAW_RETENTION_DAYS = int(os.environ.get("FEEDBACK_RAW_RETENTION_DAYS", "180"))
FEEDBACK_PRIVACY_POLICY_VERSION = os.environ.get("FEEDBACK_PRIVACY_POLICY_VERSION", "2025-1")
FEEDBACK_CONSENT_PURPOSE = "To answer this feedback and to improve assistance."
FEEDBACK_SMALL_CELL_THRESHOLD = int(os.environ.get("FEEDBACK_SMALL_CELL_THRESHOLD", "5"))
FEEDBACK_INTAKE_RATE = os.environ.get("FEEDBACK_INTAKE_RATE", "3000/minute")
FEEDBACK_FORM_RATE = os.environ.get("FEEDBACK_FORM_RATE", "10/hour")
FEEDBACK_FORM_MIN_SECONDS = int(os.environ.get("FEEDBACK_FORM_MIN_SECONDS", "3"))
SITE_URL = os.environ.get("SITE_URL", "")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "harambee@localhost")

# Security headers; the strict ones only in production, where HTTPS is in front.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Two-factor log-in (TOTP, django-otp): optional for every user, offered on the profile page.
OTP_TOTP_ISSUER = "Harambee"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
