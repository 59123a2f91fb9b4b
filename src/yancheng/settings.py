"""Yancheng settings: one file, driven by environment variables (see .env.example).

`YANCHENG_ENV` selects the defaults: ``production`` (the default: secure cookies,
HSTS, TOTP required, DEBUG off), ``development`` and ``demo`` (local HTTP, TOTP may be
switched off with YANCHENG_TOTP_REQUIRED=false) and ``test``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent


def _load_dotenv(path: Path) -> None:
    """Read KEY=VALUE lines of a .env file; the real environment always wins."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


_load_dotenv(Path(os.environ.get("YANCHENG_ENV_FILE", str(Path.cwd() / ".env"))))


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


YANCHENG_ENV = env("YANCHENG_ENV", "production") or "production"
if YANCHENG_ENV not in {"production", "development", "demo", "test"}:
    raise ImproperlyConfigured(f"YANCHENG_ENV must be production, development, demo or test, not {YANCHENG_ENV!r}")
IS_PRODUCTION = YANCHENG_ENV == "production"

# Everything the running system writes (SQLite database, uploads, keys) lives here,
# outside the source tree and outside any web root.
DATA_DIR = Path(env("YANCHENG_DATA_DIR", str(Path.cwd() / "var")) or "var").resolve()

SECRET_KEY = env("YANCHENG_SECRET_KEY") or ""
if not SECRET_KEY:
    if IS_PRODUCTION:
        raise ImproperlyConfigured("YANCHENG_SECRET_KEY must be set in production (50+ random characters).")
    SECRET_KEY = "insecure-development-key-" + "x" * 40  # never used in production

DEBUG = env_bool("YANCHENG_DEBUG", YANCHENG_ENV == "development")
ALLOWED_HOSTS = [h.strip() for h in (env("YANCHENG_ALLOWED_HOSTS", "") or "").split(",") if h.strip()]
if not IS_PRODUCTION:
    ALLOWED_HOSTS += ["127.0.0.1", "localhost", "testserver", "[::1]"]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in (env("YANCHENG_CSRF_TRUSTED_ORIGINS", "") or "").split(",") if o.strip()]

# --- city configuration -------------------------------------------------------------
YANCHENG_CITY_CODE = env("YANCHENG_CITY_CODE", "430400") or "430400"
YANCHENG_CITY_NAME = env("YANCHENG_CITY_NAME", "衡阳市") or "衡阳市"
# The 印发机关 in the 版记 of circulated notices (GB/T 9704-2012 §7.4.2).
YANCHENG_DOCUMENT_ISSUER = env("YANCHENG_DOCUMENT_ISSUER", "") or f"{YANCHENG_CITY_NAME}人民政府办公室"
YANCHENG_SITE_NAME = env("YANCHENG_SITE_NAME", "雁城政企协同平台") or "雁城政企协同平台"
# The same names for the English interface.
YANCHENG_CITY_NAME_EN = env("YANCHENG_CITY_NAME_EN", "Hengyang") or "Hengyang"
YANCHENG_SITE_NAME_EN = env("YANCHENG_SITE_NAME_EN", "Yancheng Government–Enterprise Platform") or "Yancheng"
# Shown as a banner on every page when the database holds demo data.
YANCHENG_DEMO_BANNER = env_bool("YANCHENG_DEMO_BANNER", YANCHENG_ENV in {"demo", "development"})

INSTALLED_APPS = [
    "yancheng.core.admin_site.YanchengAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "csp",
    "yancheng.core",
    "yancheng.core.audit",
    "yancheng.core.attachments",
    "yancheng.core.notifications",
    "yancheng.cases",
    "yancheng.projects",
    "yancheng.inspections",
    "yancheng.petitions",
    "yancheng.safety",
    "yancheng.chains",
    "yancheng.dashboard",
    "yancheng.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "yancheng.core.middleware.InputGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "yancheng.core.middleware.ChineseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "yancheng.core.security.middleware.SessionLifetimeMiddleware",
    "yancheng.core.security.middleware.SecondFactorMiddleware",
    "yancheng.core.security.middleware.PasswordExpiryMiddleware",
    "yancheng.core.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "yancheng.core.middleware.MethodNotAllowedPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yancheng.urls"
WSGI_APPLICATION = "yancheng.wsgi.application"
ASGI_APPLICATION = "yancheng.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "yancheng.core.context_processors.site",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'yancheng.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("YANCHENG_DB_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL with synchronous=FULL: an acknowledged commit survives a power loss.
    # IMMEDIATE transactions take the write lock up front, so two writers queue
    # instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- authentication and sessions (SPEC §12, security-checklist §1–2) --------------------
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "yancheng.core.security.validators.UserAttributeSimilarityValidator"},
    {"NAME": "yancheng.core.security.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "yancheng.core.security.validators.CommonPasswordValidator"},
    {"NAME": "yancheng.core.security.validators.NumericPasswordValidator"},
    {"NAME": "yancheng.core.security.validators.CharacterClassValidator"},
    {"NAME": "yancheng.core.security.validators.ContextWordValidator"},
    {"NAME": "yancheng.core.security.validators.MaximumLengthValidator"},
    {"NAME": "yancheng.core.security.validators.PasswordHistoryValidator"},
]
YANCHENG_PASSWORD_MAX_AGE_DAYS = env_int("YANCHENG_PASSWORD_MAX_AGE_DAYS", 90)
# How many recent passwords (the current one included) may not be used again; their hashes
# are kept in core.PasswordHistory, pruned to this many per user.
YANCHENG_PASSWORD_HISTORY = max(1, env_int("YANCHENG_PASSWORD_HISTORY", 5))

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "yancheng.core.backends.PasswordOnlyBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Our page (templates/registration/locked_out.html, HTTP 429) for every locked-out attempt.
AXES_LOCKOUT_CALLABLE = "yancheng.core.security.views.login.axes_lockout_response"
AXES_IPWARE_PROXY_COUNT = env_int("YANCHENG_PROXY_COUNT", 0)
AXES_VERBOSE = False
# One row per failed login (username, address, time) in the database: the spraying budget
# and the per-account slowdown below count these, the same for every worker.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Password spraying (core/security/throttle.py): past this many failed logins from one
# address, across accounts, within the window, that address gets 429 until its failures
# age out, and the security administrators are told (once per window).
YANCHENG_LOGIN_IP_FAILURE_LIMIT = max(1, env_int("YANCHENG_LOGIN_IP_FAILURE_LIMIT", 10))
YANCHENG_LOGIN_IP_WINDOW_MINUTES = max(1, env_int("YANCHENG_LOGIN_IP_WINDOW_MINUTES", 15))
# A slower answer per account, across addresses: after this many failures for one username
# in the window, each attempt waits base × 2^(failures − after) seconds, at most the maximum,
# before its password is checked. Both callables are dotted paths (failures → seconds; sleep).
YANCHENG_LOGIN_SLOWDOWN_AFTER = max(0, env_int("YANCHENG_LOGIN_SLOWDOWN_AFTER", 3))
YANCHENG_LOGIN_SLOWDOWN_BASE_SECONDS = float(env("YANCHENG_LOGIN_SLOWDOWN_BASE_SECONDS", "1") or "1")
YANCHENG_LOGIN_SLOWDOWN_MAX_SECONDS = float(env("YANCHENG_LOGIN_SLOWDOWN_MAX_SECONDS", "10") or "10")
YANCHENG_LOGIN_DELAY_FUNCTION = "yancheng.core.security.throttle.progressive_delay"
YANCHENG_LOGIN_SLEEP = "time.sleep"

SESSION_COOKIE_AGE = 30 * 60  # idle timeout, renewed on every request
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
YANCHENG_SESSION_ABSOLUTE_SECONDS = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# The CSRF failure page in the site's frame (templates/403_csrf.html).
CSRF_FAILURE_VIEW = "yancheng.core.views.csrf_failure"
# TOTP second factor for staff and administrator roles. On by default; the demo turns it
# off with this clearly named switch so a visitor can log in with the printed passwords.
YANCHENG_TOTP_REQUIRED = env_bool("YANCHENG_TOTP_REQUIRED", True)
OTP_TOTP_ISSUER = YANCHENG_SITE_NAME

if IS_PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("YANCHENG_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("YANCHENG_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- security headers: CSP, Permissions-Policy, __Host- cookies (docs/security.md "Headers") --
# Scripts and styles come only from our own static files, or from an inline block that
# carries this request's nonce ({{ request.csp_nonce }}). No inline event handlers, no
# javascript: URLs, no style="" attributes: templates are checked by
# tests/security/test_headers.py and the browser tests fail on any violation.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "script-src-attr": [NONE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [NONE],
        # data: for the QR codes and for the icons inside Swagger UI's stylesheet.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if YANCHENG_CSP_REPORT_URI := (env("YANCHENG_CSP_REPORT_URI", "") or ""):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = [YANCHENG_CSP_REPORT_URI]
# The platform uses no device feature: the inspector scans a supervision code with the
# phone's own camera app, which opens /i/<token>/ (no getUserMedia in our pages).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
if IS_PRODUCTION:  # the only settings with Secure cookies (above)
    # __Host- cookies are accepted by browsers only with Secure, Path=/ and no Domain, so
    # a sibling subdomain cannot plant or overwrite them (ASVS 5.0-3.3.3).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# --- internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static files and uploads ---------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads are stored here, never under a URL: they are served only by a permission-checked view.
YANCHENG_ATTACHMENT_ROOT = Path(env("YANCHENG_ATTACHMENT_ROOT", str(DATA_DIR / "attachments")) or "")
YANCHENG_ATTACHMENT_MAX_BYTES = env_int("YANCHENG_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- audit trail (SPEC §2.4) -------------------------------------------------------------
# The checkpoint signing key lives outside the database: a file path or the key itself.
YANCHENG_AUDIT_KEY_FILE = env("YANCHENG_AUDIT_KEY_FILE", str(DATA_DIR / "keys" / "audit-checkpoint.key"))
YANCHENG_AUDIT_KEY = env("YANCHENG_AUDIT_KEY", "")
YANCHENG_AUDIT_CHECKPOINT_EVERY = env_int("YANCHENG_AUDIT_CHECKPOINT_EVERY", 1000)
YANCHENG_AUDIT_RETENTION_DAYS = max(184, env_int("YANCHENG_AUDIT_RETENTION_DAYS", 184))
YANCHENG_AUDIT_DEPLOYMENT_ID = env("YANCHENG_AUDIT_DEPLOYMENT_ID", f"yancheng-{YANCHENG_CITY_CODE}") or "yancheng"
# PostgreSQL: the archive's own login (a member of yancheng_audit_archiver), same database as
# DATABASE_URL; only `yancheng audit archive` uses it. Empty: the archive refuses unless its
# login may take the archiver role (docs/operations.md, "Database roles").
YANCHENG_AUDIT_ARCHIVE_DATABASE_URL = env("YANCHENG_AUDIT_ARCHIVE_DATABASE_URL", "") or ""
# The chain's tail (docs/audit.md, "Anchors"): a checkpoint at least this often while records
# arrive (the worker's periodic job) and at every shutdown of the web server and the worker.
YANCHENG_AUDIT_CHECKPOINT_SECONDS = max(10, env_int("YANCHENG_AUDIT_CHECKPOINT_SECONDS", 60))
# Records past the newest checkpoint older than this are reported by `yancheng audit verify`.
YANCHENG_AUDIT_UNANCHORED_GRACE_SECONDS = env_int(
    "YANCHENG_AUDIT_UNANCHORED_GRACE_SECONDS", 2 * YANCHENG_AUDIT_CHECKPOINT_SECONDS
)
# Every checkpoint is also appended here (one JSON line, O_APPEND, fsync): put it on another
# volume than the database, ideally append-only (chattr +a) or a remote mount. Empty: off
# (the test suite's default; each anchor test sets its own file).
YANCHENG_AUDIT_ANCHOR_FILE = env(
    "YANCHENG_AUDIT_ANCHOR_FILE", "" if YANCHENG_ENV == "test" else str(DATA_DIR / "anchors" / "audit-anchors.jsonl")
) or ""
# Optional witness: every checkpoint is also POSTed here in the background (a 企业微信/钉钉
# group robot URL, or any HTTPS endpoint that keeps what it receives).
YANCHENG_AUDIT_WITNESS_URL = env("YANCHENG_AUDIT_WITNESS_URL", "") or ""

# --- encrypted personal data (SPEC §12, docs/security.md) -----------------------------------
# The keys of the field encryption (phones now, petitioners' data next) live in this file,
# outside the database and its dumps; created (0600) on first use outside production,
# required in production (`python manage.py field_keys init`). Keep the name ending in
# _KEYS_FILE: `yancheng backup` takes every such file with it.
YANCHENG_FIELD_KEYS_FILE = env("YANCHENG_FIELD_KEYS_FILE", str(DATA_DIR / "keys" / "field-keys.json")) or ""
# aes-256-gcm (default) or sm4-gcm (商用密码, for installations assessed under 密评). A change
# takes effect with the next `field_keys rotate`; `field_keys reencrypt` moves old values.
YANCHENG_FIELD_CIPHER = env("YANCHENG_FIELD_CIPHER", "aes-256-gcm") or "aes-256-gcm"

# --- background tasks ------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env("YANCHENG_TASK_BACKEND", "django_tasks_db.DatabaseBackend")
        or "django_tasks_db.DatabaseBackend",
    }
}

# An .xlsx import of more rows than this runs as a background task with a progress bar
# (core/kit/import_jobs.py); a smaller one runs in the request.
YANCHENG_IMPORT_BACKGROUND_ROWS = env_int("YANCHENG_IMPORT_BACKGROUND_ROWS", 1000)

# --- email and logging ---------------------------------------------------------------------
EMAIL_BACKEND = env("YANCHENG_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("YANCHENG_FROM_EMAIL", "yancheng@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("YANCHENG_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- notifications (docs/notifications.md) ---------------------------------------------
# Absolute links in email, group-robot and SMS messages.
YANCHENG_SITE_URL = (env("YANCHENG_SITE_URL", "") or "").rstrip("/")
YANCHENG_SMS_BACKEND = env("YANCHENG_SMS_BACKEND", "") or "yancheng.core.notifications.channels.LoggingSmsBackend"
YANCHENG_WEBHOOK_ALLOW_HTTP = env_bool("YANCHENG_WEBHOOK_ALLOW_HTTP", False)

# --- inspections (docs/inspections.md) ---------------------------------------------------
# Key of the digests that record which visits an enterprise has rated (never who rated
# what). Set it once and never rotate it: SECRET_KEY may rotate, and with it (the
# fallback) every visit already rated could be rated again.
YANCHENG_RATING_RECEIPT_KEY = env("YANCHENG_RATING_RECEIPT_KEY", "") or ""
# A Chinese font for the PNG poster of the supervision code (.ttf/.otf/.ttc); empty: the
# usual Debian paths of fonts-noto-cjk. The SVG and PDF posters need none.
YANCHENG_POSTER_FONT = env("YANCHENG_POSTER_FONT", "") or ""

NINJA_PAGINATION_PER_PAGE = 50
# The dashboard's figures are kept this many seconds per user and filter (the page says
# when they were taken and offers a refresh): at province scale they take seconds to count,
# and a dispatch meeting opens the same view again and again. 0 counts on every request.
# The cache is each web worker's own memory unless CACHES names a shared one.
YANCHENG_DASHBOARD_CACHE_SECONDS = max(0, env_int("YANCHENG_DASHBOARD_CACHE_SECONDS",
                                                  0 if YANCHENG_ENV == "test" else 300))
# Requests per caller and minute on the API; with several app servers configure a shared
# cache (CACHES) or each process counts on its own.
YANCHENG_API_RATE = env("YANCHENG_API_RATE", "600/m") or "600/m"
YANCHENG_ATTACHMENT_MAX_PER_OBJECT = env_int("YANCHENG_ATTACHMENT_MAX_PER_OBJECT", 50)

# Outside production the app serves static files straight from the source tree.
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
