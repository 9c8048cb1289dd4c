"""One settings module, driven by SHEQU_* environment variables (see docs/operations.md)."""

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"SHEQU_{name}", default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    return default if value in (None, "") else int(value)


DATA_DIR = Path(env("DATA_DIR", str(Path.cwd() / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    """Take the key from the environment, else keep one in the data directory (mode 0600)."""
    key = env("SECRET_KEY")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "csp",
    "django_prometheus",  # request latency and status metrics (see core.metrics)
    "ninja",  # serves Swagger UI from local static files (no CDN; CSP allows only 'self')
    "shequ.core",
    "shequ.org",
    "shequ.people",
    "shequ.cases",
    "shequ.duties",
    "shequ.workforce",
    "shequ.facilities",
    "shequ.participation",
    "shequ.ledgers",
    "shequ.services",
    "shequ.teams",
    "shequ.finance",
    "shequ.archives",
    "shequ.reportforms",
    "shequ.assessment",
]
# Later modules append themselves here; the kernel discovers their urls, api and nav.
INSTALLED_APPS += [a for a in (env("EXTRA_APPS", "") or "").split(",") if a]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "shequ.core.middleware.RequestContextMiddleware",
    "shequ.core.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shequ.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "shequ.core.middleware.SecondFactorMiddleware",
    "shequ.core.replica.ReplicaMiddleware",
    "shequ.core.metrics.DatabaseTimeMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "shequ.urls"
WSGI_APPLICATION = "shequ.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shequ.core.context.shell",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "shequ.sqlite3",
            # Kept open between requests, as PostgreSQL's are: a new SQLite connection reads the
            # schema and runs the PRAGMAs below, and starts with an empty page cache (about 5 ms
            # of CPU, half of an Open311 POST).
            "CONN_MAX_AGE": 60,
            # WAL lets pages read while an import writes; IMMEDIATE avoids lock upgrades mid-transaction.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                # A 64 MB page cache keeps the index B-trees of a 100,000-row import in memory.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;",
            },
            "TEST": {"NAME": DATA_DIR / "test.sqlite3"} if env_bool("TEST_SQLITE_FILE", False) else {},
        }
    }
# A PostgreSQL streaming replica for reads that tolerate a few seconds of lag (core.replica).
REPLICA_URL = env("DATABASE_REPLICA_URL")
if REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(REPLICA_URL, conn_max_age=60, conn_health_checks=True),
        "TEST": {"MIRROR": "default"},
    }
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 3
    DATABASE_ROUTERS = ["shequ.core.replica.ReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 10)
REPLICA_STICKY_SECONDS = env_int("REPLICA_STICKY_SECONDS", 15)  # read-your-writes after a write
# URL names (regular expressions) whose GETs may read from the replica.
REPLICA_READ_VIEWS = [
    r"^core:home$",
    r"(dashboard|indicator|report|stats|overview|export|xlsx|figures|chart|trend|league)",
    r"^open311:",
    r"(^|:)public",
]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE) serve PostgreSQL; SQLite builds the same index without the extra
# columns, which is what it should do, so its warning about them says nothing useful.
SILENCED_SYSTEM_CHECKS = [] if DATABASE_URL else ["models.W040"]

# --- auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
WORK_HOURS = env("WORK_HOURS", "09:00-12:00,13:30-17:30")  # working periods for deadlines (Asia/Shanghai)
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
# Sign-in throttling (shequ.core.accounts): failures per account from one address range, and per
# address range over all accounts; the range is the client's /32 (IPv4) or /64 (IPv6).
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCK_MINUTES = env_int("LOGIN_LOCK_MINUTES", 15)
LOGIN_ADDRESS_MAX_FAILURES = env_int("LOGIN_ADDRESS_MAX_FAILURES", 50)
LOGIN_IPV4_PREFIX = env_int("LOGIN_IPV4_PREFIX", 32)
LOGIN_IPV6_PREFIX = env_int("LOGIN_IPV6_PREFIX", 64)
API_TOKEN_HOURS = env_int("API_TOKEN_HOURS", 12)
TOTP_ISSUER = env("TOTP_ISSUER", "shequ")

# --- security headers ------------------------------------------------------------------------
SECURE_SSL = env_bool("SECURE_SSL", False)  # set behind TLS: secure cookies, HSTS, redirects
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_SSL_REDIRECT = SECURE_SSL
SECURE_HSTS_SECONDS = 31536000 if SECURE_SSL else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_SSL else None
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load-balancer probes speak plain HTTP
# Behind nginx: take the client address from X-Forwarded-For (set it only when a proxy is in front).
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

MAP_TILE_URL = env("MAP_TILE_URL", "")  # e.g. an intranet tile server; empty: polygons on a plain canvas
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", "")
_tile_hosts = []
if MAP_TILE_URL:
    from urllib.parse import urlsplit

    _tile = urlsplit(MAP_TILE_URL.replace("{s}", "*"))
    _tile_hosts = [f"{_tile.scheme}://{_tile.netloc}"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *_tile_hosts],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from the app directories; collectstatic is optional
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"

# --- personal-data protection ---------------------------------------------------------------
FIELD_KEYS = env(
    "FIELD_KEYS"
)  # "kid:base64key,kid:base64key" (first is active); else DATA_DIR/field_keys.json
FIELD_KEY_FILE = DATA_DIR / "field_keys.json"

# django-filter's empty choice ("---------" by default) in every list's drop-downs.
FILTERS_EMPTY_CHOICE_LABEL = _("全部")

# --- imports --------------------------------------------------------------------------------
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MB", 40) * 1024 * 1024  # one uploaded workbook (200,000 rows: ~30 MB)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000)
# A file of more rows than this is read and checked in a second process while its earlier rows are
# written (core.readahead); 0 reads every file in the importing process.
IMPORT_READ_AHEAD_ROWS = env_int("IMPORT_READ_AHEAD_ROWS", 5000)
# A batch still "导入中" this long after its commit began was left by a process that died (see
# core.importing.recover_interrupted): past the broker's redelivery (TASK_VISIBILITY_SECONDS).
IMPORT_STALE_SECONDS = env_int("IMPORT_STALE_SECONDS", 2400)
# JSON bodies (e.g. visit photos sent as base64 through the API); uploaded files are not counted.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("UPLOAD_MAX_MB", 30) * 1024 * 1024

# --- background work ------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task is acknowledged when it has finished, not when it was taken: a worker that dies mid-task
# (kill -9, out of memory, a lost machine) leaves it to be delivered again to another worker. Every
# task is written to be run twice safely (an import commit checks the batch under a lock and is
# one transaction: the second run finishes it or finds it done).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a dead worker holds back no queued tasks but its own
# Redis hands an unacknowledged task to another worker after this long (the whole worker gone).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("TASK_VISIBILITY_SECONDS", 1800)}
CELERY_BEAT_SCHEDULER = "shequ.core.beat:LockedScheduler"  # one beat even if two are started
# Periodic work (run `celery -A shequ beat` beside the worker). Without a broker the same sweeps run
# on read, at most once per CASE_SWEEP_SECONDS, when a to-do list or the home page is opened.
CASE_SWEEP_SECONDS = env_int("CASE_SWEEP_SECONDS", 300)
CELERY_BEAT_SCHEDULE = {
    "case-deadlines": {"task": "shequ.cases.tasks.sweep_deadlines", "schedule": float(CASE_SWEEP_SECONDS)},
    "admission-reviews": {"task": "shequ.duties.tasks.sweep", "schedule": float(CASE_SWEEP_SECONDS)},
    "contract-expiry": {
        "task": "shequ.workforce.tasks.sweep_contracts",
        "schedule": float(CASE_SWEEP_SECONDS),
    },
    # Electronic archives: each stored file's fixity and format re-checked once a day.
    "archive-fixity": {"task": "shequ.archives.tasks.verify_files", "schedule": 3600.0},
    # Import batches left "导入中" by a process that died mid-commit are given back as ready.
    "interrupted-imports": {"task": "shequ.core.recover_imports", "schedule": float(CASE_SWEEP_SECONDS)},
    # Archive loans due soon or overdue: the approver and the archive staff told, once per loan and state.
    "archive-loans": {"task": "shequ.archives.tasks.remind_loans", "schedule": 3600.0},
}
# Days before an archive loan's due date that its approver and the archive staff are reminded.
ARCHIVE_LOAN_REMIND_DAYS = env_int("ARCHIVE_LOAN_REMIND_DAYS", 3)

# --- duties (事项清单与准入) ---------------------------------------------------------------------
# Starting values for a district's or street's burden caps and baseline; each is edited on the
# settings page. The baseline is the load field reports describe before the reform (about 200
# ledgers, 25 kinds of stamps, 30+ signboards per community); the caps are shequ's defaults.
DUTY_DEFAULT_CAPS = {
    "ledgers": 20,
    "stamps": 10,
    "signboards": 4,
    "inspections": 12,
    "appraisals": 4,
    "evaluations": 4,
    "meetings": 24,
    "data_reports": 24,
}
DUTY_DEFAULT_BASELINE = {"ledgers": 200, "stamps": 25, "signboards": 30}
# An admitted task still open this many days after its deadline expires with its admission; until
# then it is shown as overdue.
DUTY_TASK_GRACE_DAYS = env_int("DUTY_TASK_GRACE_DAYS", 30)
# The rules refusals and rejections cite (a district may set its own texts here).
DUTY_RULE_ADMISSION = env(
    "DUTY_RULE_ADMISSION",
    "依据《中共中央 国务院关于加强基层治理体系和治理能力现代化建设的意见》关于建立社区工作事项准入制度的要求，"
    "未列入社区工作事项清单、也未经准入审核的事项，社区有权拒绝承接。",
)
DUTY_RULE_NEGATIVE = env("DUTY_RULE_NEGATIVE", "该事项列入社区工作负面清单，不得交由社区承担。")
DUTY_RULE_CERTIFICATE = env(
    "DUTY_RULE_CERTIFICATE",
    "依据民政部等六部门《关于改进和规范基层群众性自治组织出具证明工作的指导意见》（民发〔2020〕94号），"
    "社区只出具证明事项清单内的证明；清单以外的证明事项，社区不予出具。",
)

# --- cases ----------------------------------------------------------------------------------
# A handling unit may return (退单) a misrouted case within this many working hours of dispatch.
CASE_RETURN_LIMIT_HOURS = env_int("CASE_RETURN_LIMIT_HOURS", 8)
CASE_WARN_RATIO = 0.8  # the warning comes when this share of the time limit is used
OPEN311_JURISDICTION = env("OPEN311_JURISDICTION", "shequ")
# Open311 discovery: the production and the test endpoint (empty: this server's /open311/v2/ and
# its sandbox /open311/v2/sandbox/, which checks a POST in full and stores nothing), and a contact.
OPEN311_PRODUCTION_URL = env("OPEN311_PRODUCTION_URL", "")
OPEN311_TEST_URL = env("OPEN311_TEST_URL", "")
OPEN311_CONTACT = env("OPEN311_CONTACT", "")
# Public Open311 GET answers are kept this many seconds per worker process (0: never kept); a write
# in the same process forgets them at once.
OPEN311_CACHE_SECONDS = env_int("OPEN311_CACHE_SECONDS", 5)
# Public intake without an account: requests filed per client IP per hour, and status look-ups
# (number + phone digits) tried per IP per hour; 0 switches a limit off.
CASE_REPORT_PER_HOUR = env_int("CASE_REPORT_PER_HOUR", 10)
CASE_LOOKUP_PER_HOUR = env_int("CASE_LOOKUP_PER_HOUR", 20)

# --- notifications --------------------------------------------------------------------------
NOTIFY_CHANNELS = env("NOTIFY_CHANNELS", "console,email")
NOTIFY_SMS_GATEWAY = env("NOTIFY_SMS_GATEWAY", "")
NOTIFY_WECHAT_GATEWAY = env("NOTIFY_WECHAT_GATEWAY", "")
# The SMS / WeChat template id of each notice code, as JSON: {"case.dispatched": "SMS_1234", …}
# (a code without an entry is sent as its own name).
NOTIFY_TEMPLATE_IDS = json.loads(env("NOTIFY_TEMPLATE_IDS", "") or "{}")
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "shequ@localhost")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)

CACHES = {
    "default": (
        # Parallel test workers share one Redis: each keeps its keys apart (and its database too),
        # and each test run its own, so throttle counters of an earlier run within the hour are not
        # met again.
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": ":".join(
                filter(
                    None,
                    (
                        os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8],
                        os.environ.get("PYTEST_XDIST_WORKER"),
                    ),
                )
            ),
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# SHEQU_LOG_FORMAT=json: one JSON object per line, with the request id of the request it came from.
LOG_FORMAT = env("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "shequ.core.log.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "shequ.core.log.StderrHandler",
            "filters": ["request_id"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
    # The console notification channel writes at INFO: it is the record of who was told what.
    "loggers": {"shequ.notify": {"level": "INFO"}},
}

# --- metrics (core.metrics): /metrics for a bearer token, or straight from these addresses ----------
METRICS_TOKEN = env("METRICS_TOKEN", "")
METRICS_ALLOW = [n for n in env("METRICS_ALLOW", "127.0.0.1/32,::1/128").split(",") if n.strip()]
PROMETHEUS_EXPORT_MIGRATIONS = False

SHEQU_ORG_NAME = env("ORG_NAME", _("社区治理平台"))

NINJA_PAGINATION_MAX_LIMIT = 1000
CSRF_FAILURE_VIEW = "shequ.core.views.csrf_failure"
