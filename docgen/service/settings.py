"""Django settings of the county service.

The database is SQLite in the county's workspace (``service.sqlite3``) unless ``DATABASE_URL`` names
another (PostgreSQL for a county that outgrows one machine). SQLite transactions start IMMEDIATE, so a
request that writes takes the lock before it reads: two clerks numbering documents at the same moment
wait for each other instead of failing.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from csp import constants as csp

from docgen.service import SECRET_KEY_FILE
from docgen.workspace import find_workspace

WORKSPACE = find_workspace()
DATA_DIR = WORKSPACE.root if WORKSPACE else Path(os.environ.get("DOCGEN_SERVICE_DIR", Path.cwd()))


def _secret_key() -> str:
    """The key from the environment, else the one kept in the workspace (``docgen serve`` makes it once);
    without either, a key for this process only (sessions end with it). Importing settings writes nothing."""
    if os.environ.get("DOCGEN_SECRET_KEY"):
        return os.environ["DOCGEN_SECRET_KEY"]
    path = DATA_DIR / SECRET_KEY_FILE
    return path.read_text(encoding="utf-8").strip() if path.is_file() else secrets.token_urlsafe(50)


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("DOCGEN_DEBUG") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("DOCGEN_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "docgen.service.county",
    "docgen.service.web",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "docgen.service.web.privacy.MaskIdsMiddleware",  # a last net: no full ID number leaves in a page by mistake
    "whitenoise.middleware.WhiteNoiseMiddleware",  # the job page's script, from the web processes themselves
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",  # who made each change of a case
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it turns a locked-out sign-in into the lockout page
]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
ROOT_URLCONF = "docgen.service.urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                                 "django.contrib.auth.context_processors.auth",
                                                 "django.contrib.messages.context_processors.messages",
                                                 "csp.context_processors.nonce",
                                                 "docgen.service.web.context.unit"]}}]

SQLITE_PATH = DATA_DIR / "service.sqlite3"
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {"default": {
        "ENGINE": "django.db.backends.sqlite3", "NAME": SQLITE_PATH,
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 30, "init_command": "PRAGMA journal_mode=WAL;"},
        # Tests run against a file too: an in-memory database cannot be shared by concurrent connections.
        "TEST": {"NAME": str(Path(tempfile.gettempdir()) / f"docgen-service-test-{os.getpid()}.sqlite3")},
    }}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Uploaded evidence, by content hash; shared by every web node and worker of the county (a shared path).
EVIDENCE_STORE = Path(os.environ.get("DOCGEN_EVIDENCE_STORE", DATA_DIR / "evidence-store"))
# Background jobs' working folders and results (zip files, reports): shared like the evidence store.
JOB_STORE = Path(os.environ.get("DOCGEN_JOB_STORE", DATA_DIR / "jobs"))
# Uploaded ledgers wait here for their user's confirmation (never in the evidence store), an hour at most.
LEDGER_STAGING = Path(os.environ.get("DOCGEN_LEDGER_STAGING", DATA_DIR / "ledger-staging"))
LEDGER_STAGING_SECONDS = int(os.environ.get("DOCGEN_LEDGER_STAGING_SECONDS", "3600"))
# Job results are deleted this many days after the job ended (the job and its log stay); per unit at most
# JOB_UNIT_QUEUE jobs waiting or running, and results up to JOB_UNIT_QUOTA_BYTES (the oldest go first).
JOB_RESULT_DAYS = int(os.environ.get("DOCGEN_JOB_RESULT_DAYS", "30"))
JOB_UNIT_QUEUE = int(os.environ.get("DOCGEN_JOB_UNIT_QUEUE", "5"))
JOB_UNIT_QUOTA_BYTES = int(os.environ.get("DOCGEN_JOB_UNIT_QUOTA_MB", "5120")) * 1024 * 1024
# A 文号 recorded from paper (history) may be at most this far past its series' last number in the register.
NUMBER_MARGIN = int(os.environ.get("DOCGEN_NUMBER_MARGIN", "20"))
# The service's log (500s with their reference, jobs that failed): a file in the workspace, ID numbers masked.
LOG_DIR = Path(os.environ.get("DOCGEN_LOG_DIR", DATA_DIR / "logs"))
# Django's tasks framework (the django-tasks backport of django.tasks, as Django 6 needs Python 3.12): jobs go
# to the database and `docgen serve` starts a worker beside the web processes; with DOCGEN_REDIS_URL they go to
# RQ on Redis instead, for workers on other machines (`docgen worker` there).
REDIS_URL = os.environ.get("DOCGEN_REDIS_URL", "")
if REDIS_URL:
    INSTALLED_APPS.append("django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 6 * 3600}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A running job whose worker has not been heard of for this long is taken to be dead and is queued again.
JOB_STALE_SECONDS = int(os.environ.get("DOCGEN_JOB_STALE_SECONDS", "60"))
# Uploads go to disk as they arrive, their size counted on the way (docgen.service.web.uploads).
FILE_UPLOAD_HANDLERS = ["docgen.service.web.uploads.LimitedUploadHandler"]
MAX_UPLOAD_BYTES = 30 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # the form fields beside the file

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
WHITENOISE_USE_FINDERS = True  # served from the installed package: no collectstatic step to forget
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Sign-in attempts (django-axes): five wrong passwords for one account from one address lock it there for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "docgen.service.county.door.client_address"  # the person's address, behind a proxy too

# Behind HTTPS (nginx in front): DOCGEN_HTTPS=1 makes cookies Secure, sends HSTS, and takes the scheme from the
# proxy's X-Forwarded-Proto. DOCGEN_PROXY_COUNT: how many proxies in front add to X-Forwarded-For (1 with
# DOCGEN_HTTPS unless set), so addresses in the log and the lock-out key are the person's, not the proxy's.
HTTPS = os.environ.get("DOCGEN_HTTPS") == "1"
PROXY_COUNT = int(os.environ.get("DOCGEN_PROXY_COUNT", "1" if HTTPS else "0"))
if HTTPS:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DOCGEN_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = False  # the county's other sites are not ours to decide for
    CSRF_TRUSTED_ORIGINS = [f"https://{h}" for h in ALLOWED_HOSTS]
# Content-Security-Policy (django-csp; Django 6 has it built in): our own origin only — one script file of ours
# (a job page following its progress) and its requests, the one inline stylesheet by nonce, pictures from us
# (evidence previews) and data: URLs.
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
    "default-src": [csp.NONE], "style-src": [csp.SELF, csp.NONCE], "img-src": [csp.SELF, "data:"],
    "form-action": [csp.SELF], "frame-ancestors": [csp.NONE], "base-uri": [csp.NONE], "script-src": [csp.SELF],
    "connect-src": [csp.SELF],
}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_ids": {"()": "docgen.service.web.privacy.MaskIdsFilter"}},
    "formatters": {"line": {"format": "{asctime} {levelname} {name} [{process}] {message}", "style": "{"}},
    "handlers": {
        "file": {"class": "docgen.service.web.privacy.WorkspaceLogHandler", "filters": ["mask_ids"],
                 "formatter": "line", "level": "INFO"},
        "console": {"class": "logging.StreamHandler", "filters": ["mask_ids"], "formatter": "line",
                    "level": "WARNING"},
    },
    "loggers": {
        "docgen": {"handlers": ["file", "console"], "level": "INFO", "propagate": False},
        # Django's own report of an error is replaced by ours (with the reference the page shows).
        "django.request": {"handlers": [], "level": "CRITICAL", "propagate": False},
        "django.security": {"handlers": ["file"], "level": "WARNING", "propagate": False},
    },
}
