"""Settings shared by every environment.

Every deploy-time value is read from the environment (django-environ) with a
documented default; `.env.example` lists them all. `dev.py`, `production.py` and
`test.py` start from here.
"""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

import environ

from cms.addresses import local_base_url
from cms.queues import build_rq_queues

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

env = environ.Env()
# A local .env is convenient on a laptop; production passes real variables.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Absolute base of the public site: xAPI activity ids, certificate links, QR
# codes, e-mails, Open Badges, gate answers and data exports are built from it
# (cms/addresses.py), so it must not depend on the request's Host. Required in
# production; elsewhere it follows the address `make demo`/`make run` serve on
# (HOST and PORT, which the Makefile passes).
SERVE_HOST = env("HOST", default="127.0.0.1")
SERVE_PORT = env.int("PORT", default=8000)
SITE_BASE_URL = (
    env("SITE_BASE_URL", default="") or local_base_url(SERVE_HOST, SERVE_PORT)
).rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_BASE_URL
WAGTAIL_SITE_NAME = env("SITE_NAME", default="Atelier")

INSTALLED_APPS = [
    "accounts",
    "cms",
    "courses",
    "courses.packages",
    "learning",
    "learning.xapi",
    "learning.certificates",
    "learning.compliance",
    "learning.launches",
    "learning.lti",
    "learning.scorm",
    "csp",  # Content-Security-Policy (cms/csp.py)
    "ninja",  # the API docs at /api/v1/docs with local static files, no CDN
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_rq",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # On the content origin's host, package files and nothing else: before the
    # session, CSRF and the site's CSP (learning/launches/origin.py).
    "learning.launches.origin.ContentOriginMiddleware",
    # Outermost after security: every answer, cached pages and static files
    # included, gets its Content-Security-Policy (cms/csp.py).
    "cms.csp.SiteCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # An LTI launch's own session cookie, where the site's is absent (framed by
    # an LMS): learning/lti/session.py.
    "learning.lti.session.LtiCookieMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the language is known: content generation, Wagtail site, anonymous
    # page cache (cms/middleware.py).
    "cms.middleware.ContentCacheMiddleware",
    # A job that cannot be queued (Redis down): the 503 page (cms/outages.py).
    "cms.outages.ServiceUnavailableMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The LMS context of an LTI-launched request: xAPI context, grades, framing.
    "learning.lti.session.LtiContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "cms.urls"

# Content-Security-Policy (django-csp): strict on the site's pages, the admin's
# paths get the inline code they need (cms/csp.py), the LRS its own sandbox.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'self'"],
        # Video blocks embed players from their platforms (Canal-U, PeerTube...).
        "frame-src": ["https:"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
# No Gravatar in the admin: it would send a hash of every staff e-mail address to
# a third party (and load images over plain http).
WAGTAIL_GRAVATAR_PROVIDER_URL = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cms.context_processors.settings",  # Wagtail's, memoised
            ],
        },
    },
]

WSGI_APPLICATION = "cms.wsgi.application"

# SQLite is the embedded default; DATABASE_URL selects PostgreSQL in production.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves requests in threads: writers must queue, not
    # fail with "database is locked". WAL lets readers run beside the writer;
    # IMMEDIATE takes the write lock when a transaction begins, where SQLite
    # waits for it (a deferred transaction that reads, then writes, fails at
    # once instead: its lock cannot be upgraded while another writer holds it);
    # the busy timeout is how long a writer waits (seconds).
    # https://docs.djangoproject.com/en/5.2/ref/databases/#database-is-locked-errors
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=30),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: French is the default (served at /), English under /en/.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# Slugs from titles are transliterated ("Données" -> "donnees"): addresses stay
# readable when copied (no /donn%C3%A9es/) and course folders export them.
# Pages that already have an accented slug keep it and still route.
WAGTAIL_ALLOW_UNICODE_SLUGS = False
TIME_ZONE = env("TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True

STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
STATIC_URL = "/static/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "/media/"
# Django serves MEDIA_ROOT itself (cms/urls.py): only in the embedded default
# (dev.py), where no web server stands in front; always with DEBUG on.
SERVE_MEDIA = False
# Private files (certificate PDFs, exports, kept HDF5 uploads) live outside
# MEDIA_ROOT, where the web server never looks; only permission-checking views
# send them (cms/storage.py).
PRIVATE_ROOT = env.path("PRIVATE_ROOT", default=BASE_DIR / "var" / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "cms.storage.PrivateStorage"},  # at PRIVATE_ROOT
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Days an export (certificate ZIP, learning records) is kept before its file is
# deleted by the hourly cleanup (learning/retention.py, `manage.py
# delete_expired_exports`).
EXPORT_RETENTION_DAYS = env.int("EXPORT_RETENTION_DAYS", default=7)

# Uploads are bounded: the editor needs many fields, not large request bodies.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
WAGTAILDOCS_EXTENSIONS = [
    "csv",
    "h5",
    "hdf5",
    "odt",
    "ods",
    "pdf",
    "txt",
    "xlsx",
    "zip",
]
WAGTAILDOCS_MAX_UPLOAD_SIZE = env.int(
    "DOCUMENT_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024
)
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env.int(
    "IMAGE_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024
)

# Wagtail's database backend given only words (cms/search.py).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "cms.search"}}

# EMAIL_URL: consolemail:// (default), smtp+tls://user:password@host:587, ...
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Atelier <atelier@localhost>")

# Background jobs: queued in Redis with REDIS_URL (run `make worker`), else run
# synchronously in-process (see cms/queues.py).
REDIS_URL = env("REDIS_URL", default="")
RQ_QUEUES = build_rq_queues(REDIS_URL)

# Without Redis (the embedded default) the cache is a folder, not per-process
# memory: a course imported or published from another process (manage.py, the
# admin) must still reach the web server's page caches (cms/caching.py).
# With Redis, an outage degrades to uncached pages (cms/cache.py), and a page
# never waits more than a second or two for an unreachable server.
CACHES = {
    "default": (
        {
            "BACKEND": "cms.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env.path("CACHE_DIR", default=BASE_DIR / "var" / "cache"),
            # Django culls a third of the entries at random past MAX_ENTRIES
            # (default 300), the content generation counters included.
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    )
}

# Sessions read from the cache (Redis in production), written through to the
# database: no session query per request, nothing lost if the cache is flushed.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Wagtail logs every page save and background task at INFO: too chatty for
    # imports and tests.
    "loggers": {
        name: {"level": "WARNING"}
        for name in ("wagtail", "django_tasks", "modelsearch")
    },
}

# Course files: where the demo course folders live, and the per-file size cap.
COURSE_CONTENT_DIR = BASE_DIR / "content" / "courses"
COURSE_FILE_MAX_BYTES = 1024 * 1024

# ---------------------------------------------------------------------------
# Accounts (owned by accounts/): django-allauth, institutional SSO, throttling.
# https://docs.allauth.org/en/latest/account/configuration.html
# ---------------------------------------------------------------------------
from accounts.oidc import openid_connect_apps  # noqa: E402

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
# Log in with the e-mail address or the username; both are asked at sign-up.
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# A local account is usable only once its e-mail address is confirmed.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
# One address per person, changed through a verified swap.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{WAGTAIL_SITE_NAME}] "
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# One log-in for everyone (cms/urls.py redirects the admin log-in pages here):
# the Wagtail admin sends people to allauth's page, with its verification,
# throttling and SSO, and has no password reset of its own.
WAGTAILADMIN_LOGIN_URL = LOGIN_URL
WAGTAIL_PASSWORD_RESET_ENABLED = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_BASE_URL.startswith("https") else "http"
# Throttling (cache-backed, per IP and per login key): failed log-ins are
# refused with a form error once the budget is spent. Other actions keep
# allauth's defaults.
ACCOUNT_RATE_LIMITS = {
    "login": env("ACCOUNT_RATE_LIMIT_LOGIN", default="30/m/ip"),
    "login_failed": env("ACCOUNT_RATE_LIMIT_LOGIN_FAILED", default="10/m/ip,5/5m/key"),
    "signup": env("ACCOUNT_RATE_LIMIT_SIGNUP", default="20/m/ip"),
    "reset_password": "20/m/ip,5/m/key",
}
# Behind a reverse proxy every request comes from the proxy's address: say how
# many proxies append to X-Forwarded-For so throttling sees the client's IP.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# SSO accounts need no e-mail confirmation: the identity provider vouches for
# the address (its `email_verified` claim marks it verified).
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_STORE_TOKENS = False
OIDC_PROVIDER_NAME = env("OIDC_PROVIDER_NAME", default="")
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "APPS": openid_connect_apps(
            name=OIDC_PROVIDER_NAME,
            issuer_url=env("OIDC_ISSUER_URL", default=""),
            client_id=env("OIDC_CLIENT_ID", default=""),
            client_secret=env("OIDC_CLIENT_SECRET", default=""),
            token_auth_method=env("OIDC_TOKEN_AUTH_METHOD", default=""),
            email_authentication=env.bool("OIDC_EMAIL_AUTHENTICATION", default=True),
            trust_email=env.bool("OIDC_TRUST_EMAIL", default=False),
        )
    }
}
# The claim (of the ID token or userinfo) naming the person's unit, by its code
# or name, e.g. "ou" or "supannEntiteAffectation": at each SSO log-in the person
# becomes a member of the units it names (learning/compliance/placement.py).
# Empty: people choose their unit and its managers confirm it.
OIDC_UNIT_CLAIM = env("OIDC_UNIT_CLAIM", default="")
# ----------------------------- end of accounts -----------------------------

# ---------------------------------------------------------------------------
# Learning Record Store (owned by learning/xapi/): the xAPI HTTP API at /xapi/
# and forwarding to external LRSs. See README "Learning Record Store".
# ---------------------------------------------------------------------------
# Largest request body the LRS accepts (413 above it), attachments included.
XAPI_MAX_REQUEST_BYTES = env.int("XAPI_MAX_REQUEST_BYTES", default=5 * 1024 * 1024)
# Statements per GET page when the client asks for none (or limit=0) and at most.
XAPI_STATEMENTS_PAGE_SIZE = env.int("XAPI_STATEMENTS_PAGE_SIZE", default=100)
XAPI_STATEMENTS_MAX_PAGE_SIZE = env.int("XAPI_STATEMENTS_MAX_PAGE_SIZE", default=500)
# X-Experience-API-Consistent-Through lags this many seconds behind the query:
# a transaction may commit a statement a little after its `stored` time.
XAPI_CONSISTENCY_MARGIN = env.float("XAPI_CONSISTENCY_MARGIN", default=1.0)
# Forwarding: socket timeout per request to a destination (seconds), the first
# retry delay (doubled after each failure, capped), and failures before pausing.
XAPI_FORWARD_TIMEOUT = env.float("XAPI_FORWARD_TIMEOUT", default=10.0)
XAPI_FORWARD_BACKOFF = env.float("XAPI_FORWARD_BACKOFF", default=30.0)
XAPI_FORWARD_MAX_BACKOFF = env.float("XAPI_FORWARD_MAX_BACKOFF", default=3600.0)
XAPI_FORWARD_MAX_FAILURES = env.int("XAPI_FORWARD_MAX_FAILURES", default=10)
# How a batch is sent: a dotted path to a class with `send(destination, statements)`.
XAPI_FORWARD_BACKEND = env(
    "XAPI_FORWARD_BACKEND", default="learning.xapi.forwarding.TinCanBackend"
)
# -------------------------- end of Learning Record Store --------------------------

# ---------------------------------------------------------------------------
# Certificates (owned by learning/certificates/): signing key, verification
# throttling. See README "Certificates" and learning/certificates/signing.py.
# ---------------------------------------------------------------------------
# Ed25519 private key: a PKCS#8 PEM or the base64 of its 32 raw bytes. Required in
# production; empty elsewhere: a dev key is derived from SECRET_KEY (HKDF).
CERTIFICATE_SIGNING_KEY = env("CERTIFICATE_SIGNING_KEY", default="")
# Public keys of retired signing keys (base64, 32 raw bytes), comma-separated:
# certificates they signed still verify, and the JWKS keeps publishing them.
CERTIFICATE_RETIRED_PUBLIC_KEYS = env.list(
    "CERTIFICATE_RETIRED_PUBLIC_KEYS", default=[]
)
# Public verification requests per client IP: "<count>/<seconds>" (0/60: no limit).
CERTIFICATE_VERIFY_RATE_LIMIT = env("CERTIFICATE_VERIFY_RATE_LIMIT", default="30/60")
# WeasyPrint logs every rendering step at INFO, fontTools its subsetting.
LOGGING["loggers"].update(
    {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")}
)
# This worker class warms WeasyPrint up once and runs certificate issuance in
# its own process (other jobs are forked as usual): learning/certificates/worker.py.
RQ = {"WORKER_CLASS": "learning.certificates.worker.Worker"}
# When the sweep issues the certificates that completed enrolments still wait for
# (a lost job): a cron expression, in UTC, for `manage.py rqcron cms.cron`.
CERTIFICATE_SWEEP_CRON = env("CERTIFICATE_SWEEP_CRON", default="*/15 * * * *")
# ----------------------------- end of certificates -----------------------------

# ---------------------------------------------------------------------------
# Training compliance (owned by learning/compliance/): dashboards at
# /compliance/, reminders, the access-gate API at /api/v1/compliance/.
# See README "Compliance".
# ---------------------------------------------------------------------------
# Hour (UTC, 0-23: RQ cron schedules in UTC) of the daily reminder job run by `manage.py rqcron
# cms.cron` (started by `make worker`).
COMPLIANCE_REMINDER_HOUR = env.int("COMPLIANCE_REMINDER_HOUR", default=7)
# Without a scheduler (the embedded default, no REDIS_URL), the first request
# after that hour runs the day's reminder job once its response has been sent
# (learning/compliance/schedule.py).
COMPLIANCE_REMINDERS_IN_PROCESS = env.bool(
    "COMPLIANCE_REMINDERS_IN_PROCESS", default=not REDIS_URL
)
# Weekday of the managers' digest (0 = Monday).
COMPLIANCE_DIGEST_WEEKDAY = env.int("COMPLIANCE_DIGEST_WEEKDAY", default=0)
# People per page in the dashboard's person list.
COMPLIANCE_PAGE_SIZE = env.int("COMPLIANCE_PAGE_SIZE", default=50)
# Days the gate API's call log is kept (it names people); 0 keeps it for ever.
COMPLIANCE_GATE_LOG_DAYS = env.int("COMPLIANCE_GATE_LOG_DAYS", default=365)
# Gate API calls refused for want of a valid token, per client address:
# "<count>/<seconds>"; past it 429 until the window ends (0/60: no limit). Each
# address and window is one log row (learning/compliance/refusals.py).
COMPLIANCE_GATE_REFUSED_RATE_LIMIT = env(
    "COMPLIANCE_GATE_REFUSED_RATE_LIMIT", default="30/60"
)
# ------------------------------ end of compliance ------------------------------

# ---------------------------------------------------------------------------
# HDF5 files of learners and trainers (owned by courses/hdf5/): every file is
# opened in a short-lived child process with hard limits (courses/hdf5/sandbox.py).
# See README "HDF5 files: limits".
# ---------------------------------------------------------------------------
HDF5_UPLOAD_MAX_BYTES = env.int("HDF5_UPLOAD_MAX_MB", default=50) * 1024 * 1024
# The child: address space (RLIMIT_AS), CPU seconds (RLIMIT_CPU), wall-clock
# seconds before it is killed, and the size of the JSON reply it may send.
HDF5_SANDBOX_MEMORY_BYTES = env.int("HDF5_SANDBOX_MEMORY_MB", default=512) * 1024 * 1024
HDF5_SANDBOX_CPU_SECONDS = env.int("HDF5_SANDBOX_CPU_SECONDS", default=10)
HDF5_SANDBOX_WALL_SECONDS = env.float("HDF5_SANDBOX_WALL_SECONDS", default=20.0)
HDF5_SANDBOX_RESULT_BYTES = 4 * 1024 * 1024
# Children running at once on this machine (flock slots under HDF5_SANDBOX_DIR),
# and how long a request waits for a slot before "try again in a minute".
HDF5_SANDBOX_SLOTS = env.int("HDF5_SANDBOX_SLOTS", default=2)
HDF5_SANDBOX_QUEUE_SECONDS = env.float("HDF5_SANDBOX_QUEUE_SECONDS", default=10.0)
HDF5_SANDBOX_DIR = env.path(
    "HDF5_SANDBOX_DIR", default=BASE_DIR / "var" / "hdf5-sandbox"
)
# "forkserver" (a warm, never-used interpreter forks each child) or "spawn"
# (a fresh interpreter per file, ~0.5 s more each).
HDF5_SANDBOX_START_METHOD = env("HDF5_SANDBOX_START_METHOD", default="forkserver")
# Inside the child: objects walked, group depth, seconds of walking, memory one
# read may take (variable-length data, a decompressed chunk), values a question's
# mean/min/max/sum may read.
HDF5_MAX_OBJECTS = env.int("HDF5_MAX_OBJECTS", default=2000)
HDF5_MAX_DEPTH = env.int("HDF5_MAX_DEPTH", default=32)
HDF5_TIME_BUDGET = env.float("HDF5_TIME_BUDGET", default=5.0)
HDF5_READ_BYTES = env.int("HDF5_READ_MB", default=16) * 1024 * 1024
HDF5_REDUCE_MAX_VALUES = env.int("HDF5_REDUCE_MAX_VALUES", default=20_000_000)
# --------------------------------- end of HDF5 ---------------------------------

# Packaged e-learning (courses/packages, learning/launches). Package files are
# served only on PACKAGE_CONTENT_ORIGIN, another host than the site's (empty:
# the site's loopback twin, 127.0.0.1 <-> localhost, same port; required in
# production when packages are used: add its host to ALLOWED_HOSTS).
PACKAGE_CONTENT_ORIGIN = env("PACKAGE_CONTENT_ORIGIN", default="").rstrip("/")
PACKAGE_MAX_UPLOAD_BYTES = env.int("PACKAGE_MAX_UPLOAD_MB", default=200) * 1024 * 1024
PACKAGE_MAX_FILES = env.int("PACKAGE_MAX_FILES", default=5000)
PACKAGE_MAX_FILE_BYTES = env.int("PACKAGE_MAX_FILE_MB", default=200) * 1024 * 1024
PACKAGE_MAX_TOTAL_BYTES = env.int("PACKAGE_MAX_TOTAL_MB", default=1024) * 1024 * 1024
PACKAGE_MAX_RATIO = env.int("PACKAGE_MAX_RATIO", default=200)
# The child process that extracts and reads a zip (courses/hdf5/sandbox.py).
PACKAGE_SANDBOX_CPU_SECONDS = env.int("PACKAGE_SANDBOX_CPU_SECONDS", default=60)
PACKAGE_SANDBOX_WALL_SECONDS = env.float("PACKAGE_SANDBOX_WALL_SECONDS", default=120.0)
# A launch token opens its session once, within this many seconds; the
# session's files are served for PACKAGE_SESSION_HOURS.
PACKAGE_LAUNCH_TOKEN_SECONDS = env.int("PACKAGE_LAUNCH_TOKEN_SECONDS", default=120)
PACKAGE_SESSION_HOURS = env.int("PACKAGE_SESSION_HOURS", default=8)
# The SCORM player's commits (learning/scorm): the CMI data of one SCO, as JSON.
SCORM_MAX_COMMIT_BYTES = env.int("SCORM_MAX_COMMIT_KB", default=1024) * 1024
# ---------------------------------------------------------------------------
# LTI 1.3 Advantage tool (owned by learning/lti/): launches from Moodle, Canvas,
# Open edX; deep linking, grades back to the LMS, dynamic registration.
# See README "LTI: Atelier inside an LMS".
# ---------------------------------------------------------------------------
# The tool's RSA private key (PEM, 2048 bits or more). Production needs it for
# LTI (LTI stays off without it); elsewhere a key is derived from SECRET_KEY.
LTI_TOOL_PRIVATE_KEY = env("LTI_TOOL_PRIVATE_KEY", default="")
LTI_DERIVE_DEV_KEY = True
# The cookie of the session a launch opens inside the LMS's frame, and its life.
LTI_SESSION_COOKIE_NAME = "atelier_lti"
LTI_SESSION_SECONDS = env.int("LTI_SESSION_HOURS", default=8) * 3600
# Seconds before a request to a platform (keys, tokens, grades) gives up.
LTI_HTTP_TIMEOUT = env.float("LTI_HTTP_TIMEOUT", default=10.0)
# Scores the platform did not take: first retry delay (doubled each time, capped).
LTI_SCORE_BACKOFF = env.float("LTI_SCORE_BACKOFF", default=30.0)
LTI_SCORE_MAX_BACKOFF = env.float("LTI_SCORE_MAX_BACKOFF", default=3600.0)
# Days a dynamic-registration URL made in the admin stays usable (once).
LTI_REGISTRATION_DAYS = env.int("LTI_REGISTRATION_DAYS", default=7)
# ---------------------------------- end of LTI ----------------------------------
