"""Django settings, read from the environment.

Every setting a deployment may change comes from an environment variable through the
small typed helpers below, which fail loudly on a malformed value rather than guess.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str) -> str:
    """The variable's value; unset or empty means the default."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("ZHIXING_DEBUG", False)
# A development key is acceptable only while DEBUG is on or for the local demo; a
# deployment sets ZHIXING_SECRET_KEY (checked by `manage.py check --deploy`).
SECRET_KEY = env_str("ZHIXING_SECRET_KEY", "zhixing-insecure-development-key-set-ZHIXING_SECRET_KEY")
ALLOWED_HOSTS = env_list("ZHIXING_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "zhixing.courts",
    "zhixing.cases",
    "zhixing.flow",
    "zhixing.funds",
    "zhixing.credit",
    "zhixing.termination",
    "zhixing.petitions",
    "zhixing.supervision",
    "zhixing.metrics",
    "zhixing.reports",
    "zhixing.dashboard",
    "zhixing.inquiry",
    "zhixing.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "zhixing.security.ContentSecurityPolicyMiddleware",
    # Before sessions, CSRF and every view: an oversized API body is a JSON 413, and NUL,
    # lone surrogates or control characters in any value are a 400 (422 for the API).
    "zhixing.security.BodyLimitMiddleware",
    "zhixing.security.InputTextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "zhixing.security.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "zhixing.urls"

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
            ],
            "builtins": ["zhixing.lib.templatefilters"],
        },
    },
]

WSGI_APPLICATION = "zhixing.wsgi.application"

DATABASE_URL = env_str("DATABASE_URL", "sqlite:///" + str(Path.cwd() / "zhixing.sqlite3"))
try:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("ZHIXING_CONN_MAX_AGE", 0))
    }
except (ValueError, dj_database_url.UnknownSchemeError) as e:
    raise ImproperlyConfigured(
        f"DATABASE_URL must look like sqlite:///path or postgresql://user@host:5432/name, got {DATABASE_URL!r} ({e})"
    ) from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's, reading 16-digit money back exactly (zhixing.backends.sqlite3).
    DATABASES["default"]["ENGINE"] = "zhixing.backends.sqlite3"
    # WAL lets the web server read while an import writes; IMMEDIATE avoids the
    # deadlock-prone upgrade of a read lock to a write lock inside transactions.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
        "transaction_mode": "IMMEDIATE",
    }
    # Tests in memory, named so explicitly: pytest-django recognises the in-memory default
    # only under Django's own engine name and would otherwise give each xdist worker a file
    # named after the path of the real database.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = ":memory:"

AUTH_USER_MODEL = "courts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/login/"
SESSION_COOKIE_AGE = env_int("ZHIXING_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# 执行公开 (zhixing.portal.notify): how verification codes reach a party's phone —
# "console" (the log), "file" (appended to ZHIXING_PORTAL_CODE_FILE), "none" (no code
# step) or the dotted path of a send(phone, message) callable for a court's SMS gateway.
PORTAL_NOTIFIER = env_str("ZHIXING_PORTAL_NOTIFIER", "console")
PORTAL_CODE_FILE = env_str("ZHIXING_PORTAL_CODE_FILE", "")

LANGUAGE_CODE = "zh-hans"
#: ISO dates first, so date inputs show the value they were given (formats/zh_Hans).
FORMAT_MODULE_PATH = ["zhixing.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Only for `collectstatic` behind a separate web server; WhiteNoise serves from the
# finders without it.
STATIC_ROOT = Path(os.environ["ZHIXING_STATIC_ROOT"]) if os.environ.get("ZHIXING_STATIC_ROOT") else None
# Courts run on closed networks: every script is served from an installed package.
# plotly.min.js ships in the plotly wheel, htmx in django-htmx; WhiteNoise serves them
# straight from the finders, so there is no collectstatic step.
STATICFILES_DIRS = [
    ("vendor/plotly", Path(importlib.util.find_spec("plotly").origin).parent / "package_data")
]
STATICFILES_DIRS += [BASE_DIR / "static"]  # the site's own CSS and scripts (src/zhixing/static)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["stderr"], "level": env_str("ZHIXING_LOG_LEVEL", "WARNING")},
}

# The public 失信 search: searches allowed per address a minute (CREDIT-7: no enumeration).
ZHIXING_PUBLIC_SEARCH_PER_MINUTE = env_int("ZHIXING_PUBLIC_SEARCH_PER_MINUTE", 20)

# The command centre: seconds a figure computed before the last write may still be shown
# (marked with its time, and recomputed behind the reader) instead of making the reader
# wait for it (dashboard.cache).
ZHIXING_DASHBOARD_MAX_STALE = env_int("ZHIXING_DASHBOARD_MAX_STALE", 24 * 3600)

# Where the command centre keeps its figures (dashboard.cache): a directory, so that a
# restarted server, and every process of the server, shows them at once instead of
# recomputing them (seconds for a 中院 at a million cases); or "memory" (per process, lost
# on restart). Default: a directory beside a SQLite database file, else memory.
_db = DATABASES["default"]
_sqlite_file = _db["ENGINE"].endswith("sqlite3") and str(_db["NAME"]) not in ("", ":memory:")
ZHIXING_DASHBOARD_CACHE = env_str(
    "ZHIXING_DASHBOARD_CACHE", f"{_db['NAME']}.cache" if _sqlite_file else "memory"
)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "dashboard": (
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "zhixing-dashboard"}
        if ZHIXING_DASHBOARD_CACHE == "memory"
        # Culling lists the directory on every write past MAX_ENTRIES: a court's figures are
        # a few per scope and window, so 20,000 is never reached in practice.
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": ZHIXING_DASHBOARD_CACHE,
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    ),
}
