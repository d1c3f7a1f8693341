"""One settings module, read from the environment.

Nothing set: DEBUG on, SQLite under var/, Celery tasks run in-process, email to var/mail.
PRODUCTION=true: DEBUG off, SECRET_KEY, ALLOWED_HOSTS and AUDIT_HMAC_KEY required, every
hardening on.
DATABASE_URL=postgres://...: PostgreSQL through psycopg 3.
CELERY_BROKER_URL=redis://...: a real broker, worker and beat.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# The SQLite file, email folder and collected static files. VAR_DIR moves them (CI's newcomer
# check runs in a throwaway folder).
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

PRODUCTION = env.bool("PRODUCTION", default=False)
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise environ.ImproperlyConfigured("DEBUG cannot be on when PRODUCTION=true")

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    # Development only: a fixed key is fine because nothing real is ever stored with it.
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-not-secret-" + "x" * 40)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

# The audit trail's hash chain is keyed (HMAC-SHA256) with this, so someone holding only the
# database password cannot rewrite records and recompute the chain. Keep it out of the database
# and its backups; changing it makes every keyed record fail `verify_audit`.
if PRODUCTION:
    AUDIT_HMAC_KEY = env.str("AUDIT_HMAC_KEY")
    if len(AUDIT_HMAC_KEY) < 32:
        raise environ.ImproperlyConfigured("AUDIT_HMAC_KEY must be 32 or more random characters")
else:
    AUDIT_HMAC_KEY = env.str("AUDIT_HMAC_KEY", default="dev-only-audit-key-not-secret-" + "x" * 20)
# Records written before the chain was keyed carry plain SHA-256 hashes. Set this to the id of
# the last of them (0 if there were none) and verify_audit refuses any unkeyed record after it,
# so a whole trail rewritten without the key cannot pass as an old unkeyed one. Production will
# not start without it (and `check --deploy` fails without it).
AUDIT_LAST_UNKEYED_ID = env.int("AUDIT_LAST_UNKEYED_ID", default=None)
if PRODUCTION and AUDIT_LAST_UNKEYED_ID is None:
    raise environ.ImproperlyConfigured(
        "Set AUDIT_LAST_UNKEYED_ID: 0 for a new service, or the id of the last audit record "
        "written before the trail was keyed (manage.py verify_audit prints it). Without it, a "
        "trail rewritten without the audit key would pass verify_audit."
    )
# Each audit chain's head (count, last id, last hash), signed with AUDIT_HMAC_KEY, is written to
# the log stream every few minutes (safeguarding.audit.anchor) and, if this is set, appended to
# this file: keep it where the database's owner cannot rewrite it (another machine, an
# append-only volume). `manage.py verify_audit` reads it to find records deleted from the end.
AUDIT_ANCHOR_FILE = env.str("AUDIT_ANCHOR_FILE", default="")
# Chains written to within this long are anchored on each run of the anchoring job (every 5
# minutes); every chain is anchored once a day whatever.
AUDIT_ANCHOR_LOOKBACK = timedelta(minutes=env.int("AUDIT_ANCHOR_LOOKBACK_MINUTES", default=15))

# Links in emails (invitations, password resets, notifications) are built from this.
SITE_URL = (
    env.str("SITE_URL") if PRODUCTION else env.str("SITE_URL", default="http://127.0.0.1:8000")
).rstrip("/")
PRODUCT_NAME = "Safeguarding Record"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "axes",
    "crispy_forms",
    "crispy_forms_gds",
    "django_filters",
    "django_celery_beat",
    "safeguarding",
    "guidance",
    "incidents",
    "cases",
    "notifications",
    "stats",
    "terms",
    "records",
    "sso",
]

MIDDLEWARE = [
    "safeguarding.middleware.RequestIdMiddleware",
    "safeguarding.middleware.AllowedMethodsMiddleware",
    "safeguarding.middleware.RefuseMultipartMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "safeguarding.unsaved.RememberWhoIsSignedInMiddleware",
    "safeguarding.middleware.AbsoluteSessionLimitMiddleware",
    "sso.middleware.RecheckWithProviderMiddleware",
    "safeguarding.middleware.TwoFactorRequiredMiddleware",
    "safeguarding.middleware.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "safeguarding.errors.NotFoundPageMiddleware",
]

ROOT_URLCONF = "safeguarding.project_urls"
WSGI_APPLICATION = "safeguarding.wsgi.application"

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
                "safeguarding.context_processors.product",
                "notifications.context_processors.unread",
                "notifications.context_processors.delivery_warnings",
                "guidance.sign_in_reminder.briefing_reminder",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Each web or worker process keeps its database connection for this long instead of opening one
# per request (a new PostgreSQL connection costs a process fork on the server, several ms of
# CPU); checked before reuse, so a restarted database costs one failed-over request, not errors.
# 0 opens one per request, e.g. behind a transaction-pooling PgBouncer (docs/scaling.md).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "safeguarding.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the person and their roles in one query.
    "safeguarding.backends.PasswordBackend",
    # Only loads the person of a session signed in with a school account; never authenticates
    # through django.contrib.auth.authenticate() (sso/oidc.py).
    "sso.oidc.SchoolSignInBackend",
]
# Argon2id at OWASP's parameters (safeguarding/hashers.py); a hash stored any other way (Django's
# default Argon2 parameters, PBKDF2) is stored again with these at the person's next sign-in.
PASSWORD_HASHERS = [
    "safeguarding.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
CSRF_FAILURE_VIEW = "safeguarding.errors.csrf_failure"
LOGIN_URL = "safeguarding:login"
LOGIN_REDIRECT_URL = "safeguarding:home"
LOGOUT_REDIRECT_URL = "safeguarding:login"
PASSWORD_RESET_TIMEOUT = 60 * 60  # one hour
# Reset emails: at most this many an hour for one address, and from one client (a whole school
# may share one address, so it is higher); over it, the same page and no email.
PASSWORD_RESET_WINDOW = timedelta(hours=1)
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=3)
PASSWORD_RESET_LIMIT_PER_CLIENT = env.int("PASSWORD_RESET_LIMIT_PER_CLIENT", default=20)

# Sessions: 30 minutes idle, 12 hours absolute (AbsoluteSessionLimitMiddleware).
# One UPDATE per page rather than a transaction around it (safeguarding/sessions.py).
SESSION_ENGINE = "safeguarding.sessions"
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_LIMIT = timedelta(hours=12)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# Lockout by username: a whole school often shares one IP address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes warns that username-only lockout ignores IP rotation. That is the point: locking by IP
# would lock out every member of staff behind a school's single NAT address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_FORM_FIELD = "username"
# Failures count against the account the typed address resolves to, however it was spelt, or
# against the address's canonical form if it has none. axes stores only a keyed hash of that
# (auth_views.lockout_username), never the typed text: people type passwords in the email box.
AXES_USERNAME_CALLABLE = "safeguarding.auth_views.lockout_username"
# axes also copies the posted form into each attempt: the typed address is masked there too.
AXES_SENSITIVE_PARAMETERS = ["username", "email"]
# Sign-ins and sign-outs are on the audit trail; axes' own log would keep addresses in clear.
AXES_DISABLE_ACCESS_LOG = True
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "safeguarding.auth_views.locked_out"
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

OTP_TOTP_ISSUER = PRODUCT_NAME
# Passkeys and security keys as a second factor (django-otp-webauthn), never instead of signing
# in. They belong to the site's host name (WebAuthn refuses IP addresses: use localhost locally).
# On a developer's machine (http://127.0.0.1:8000) they work at http://localhost:8000.
_WEBAUTHN_ORIGIN = (
    SITE_URL if SITE_URL.startswith("https://") else SITE_URL.replace("127.0.0.1", "localhost")
)
OTP_WEBAUTHN_RP_ID = urlsplit(_WEBAUTHN_ORIGIN).hostname
OTP_WEBAUTHN_RP_NAME = PRODUCT_NAME
OTP_WEBAUTHN_ALLOWED_ORIGINS = [_WEBAUTHN_ORIGIN]
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

# Signing in with a school's Microsoft or Google account (sso/, mozilla-django-oidc). Each school
# or trust has its own app registration (sso.models.SignInProvider); these are the issuers its ID
# tokens must come from ({tenant} is the school's Directory (tenant) ID).
SSO_ISSUERS = {
    "microsoft": "https://login.microsoftonline.com/{tenant}/v2.0",
    "google": "https://accounts.google.com",
}
OIDC_AUTHENTICATION_CALLBACK_URL = "sso:callback"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
# A session signed in with a school account asks the provider again (no page, prompt=none) after
# this long, so an account switched off there cannot go on here beyond the 30-minute idle limit.
SSO_RECHECK_SECONDS = env.int("SSO_RECHECK_SECONDS", default=15 * 60)
if SSO_RECHECK_SECONDS >= SESSION_COOKIE_AGE:
    raise environ.ImproperlyConfigured("SSO_RECHECK_SECONDS must be less than the idle limit")

# No imagery, ever: any multipart body is refused before Django parses it.
DATA_UPLOAD_MAX_NUMBER_FILES = 0
DATA_UPLOAD_MAX_MEMORY_SIZE = 512 * 1024
FILE_UPLOAD_HANDLERS: list[str] = []

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Email: a folder under var/ by default, SMTP when EMAIL_URL is set. In production a real
# mail server is required: DSL alerts sent to a test mailbox (Mailpit and the like) or a folder
# would count as sent while nobody reads them.
MAIL_CATCHER_HOSTS = frozenset({"mailpit", "mailhog", "mailcatcher", "maildev", "smtp4dev"})
MAIL_CATCHER_PORT = 1025
EMAIL_URL = env.str("EMAIL_URL", default="").strip()
if PRODUCTION and not EMAIL_URL:
    raise environ.ImproperlyConfigured(
        "Set EMAIL_URL to a real mail server (smtp+tls://user:password@host:587): alerts to"
        " safeguarding leads are sent by email"
    )
EMAIL_CONFIG = environ.Env.email_url_config(EMAIL_URL or "filemail://")
if PRODUCTION and (
    EMAIL_CONFIG["EMAIL_BACKEND"] != "django.core.mail.backends.smtp.EmailBackend"
    or str(EMAIL_CONFIG.get("EMAIL_HOST", "")).lower() in MAIL_CATCHER_HOSTS
    or EMAIL_CONFIG.get("EMAIL_PORT") == MAIL_CATCHER_PORT
):
    raise environ.ImproperlyConfigured(
        "EMAIL_URL points at a test mailbox or a folder, where nobody reads alerts to"
        " safeguarding leads: set it to a real mail server"
    )
if EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend":
    EMAIL_CONFIG["EMAIL_FILE_PATH"] = str(VAR_DIR / "mail")
vars().update(EMAIL_CONFIG)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="no-reply@safeguarding.invalid")

# Celery: in-process unless a broker is configured.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
# A task whose worker process dies is given back to the broker and run again; the send task
# then finds its row's claim lapsed (or waits for it to) and sends it.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# No task runs longer than this (one email is cut off after 20 s; the rest only write rows).
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_TASK_TIME_LIMIT = 120
# A task finishing after the broker connection dropped is left to finish (cancelling it mid-
# send would risk a second copy); its message may run again, which sends nothing twice.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Each worker also takes tasks addressed to it alone: its watchdog's (notifications/
# worker_steps.py).
CELERY_WORKER_DIRECT = True
# A Redis that refuses or hangs must never hold a staff member's request (publishing happens
# off the request thread anyway: notifications/publisher.py).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
    "max_retries": 1,
    # An unacknowledged task goes back on the queue after this long (its worker was killed):
    # longer than any task may run (CELERY_TASK_TIME_LIMIT) plus the longest retry countdown
    # (a send task waiting out another sender's 30-second lease), so a slow task is never run
    # twice at once. The outbox relay resends killed workers' rows much sooner than this.
    "visibility_timeout": 600,
}
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
# Alerts about concerns (and the relay and escalations that send them) have their own queue and
# worker, so that nothing urgent waits behind summaries or reminders. Send tasks are put on the
# queue of their row's kind (notifications.models.ALERT_KINDS).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "notifications.tasks.relay_pending": {"queue": "alerts"},
    "notifications.tasks.escalate_unacknowledged": {"queue": "alerts"},
}
# One beat at a time (a lock in Redis), watched (a heartbeat), caught up after a pause.
CELERY_BEAT_SCHEDULER = "notifications.beat:SingleBeat"
CELERY_BEAT_SCHEDULE: dict = {
    # The outbox relay: publishes whatever is due and not yet on its way (the broker was down,
    # a retry is due, a worker died mid-send). Cheap when there is nothing to do.
    "notifications-relay-pending": {
        "task": "notifications.tasks.relay_pending",
        "schedule": 10.0,
    },
    "notifications-escalate-unacknowledged": {
        "task": "notifications.tasks.escalate_unacknowledged",
        "schedule": 60.0,
    },
    "notifications-remind-tasks": {
        "task": "notifications.tasks.remind_tasks",
        "schedule": 15 * 60.0,
    },
    "notifications-daily-digests": {
        "task": "notifications.tasks.send_daily_digests",
        "schedule": 15 * 60.0,
    },
    # Staff who have not read the current staff briefing: one line a week (guidance/).
    "notifications-briefing-reminders": {
        "task": "notifications.tasks.send_briefing_reminders",
        "schedule": 60 * 60.0,
    },
    # The statistics summary: recount the school-months whose cases changed (stats/summary.py).
    "stats-catch-up-summary": {
        "task": "stats.tasks.catch_up_summary",
        "schedule": 60.0,
    },
    # The audit chains' heads, signed, to the log stream and AUDIT_ANCHOR_FILE.
    "safeguarding-anchor-audit-heads": {
        "task": "safeguarding.tasks.anchor_audit_heads",
        "schedule": 5 * 60.0,
    },
    "safeguarding-anchor-every-audit-head": {
        "task": "safeguarding.tasks.anchor_audit_heads",
        "schedule": 24 * 60 * 60.0,
        "kwargs": {"every_chain": True},
    },
    # Files to send, transfers not accepted, reviews and subject access requests due.
    "records-chase": {
        "task": "records.chase",
        "schedule": 15 * 60.0,
    },
    # An export's encrypted archive is kept a day at most when it is not sent.
    "records-purge-unsent-archives": {
        "task": "records.purge_unsent_archives",
        "schedule": 60.0 * 60,
    },
    # Disposed files' old row versions, search keys and statistics cleared from storage (needs
    # the tables' owner: otherwise `manage.py clear_disposed_storage` as the owner, nightly).
    "records-clear-disposed-storage": {
        "task": "records.clear_disposed_storage",
        "schedule": 6 * 60 * 60.0,
    },
    # Sessions past their expiry (one may hold a form's text rescued at a timeout).
    "safeguarding-clear-expired-sessions": {
        "task": "safeguarding.tasks.clear_expired_sessions",
        "schedule": 60.0 * 60,
    },
    # Unfinished reports are kept seven days, then deleted.
    "incidents-purge-expired-drafts": {
        "task": "incidents.purge_expired_drafts",
        "schedule": 60.0 * 60,
    },
}

# Content Security Policy: no inline scripts, no data: images, nothing framed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if PRODUCTION:
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Container health checks ask over plain http from inside the container.
    SECURE_REDIRECT_EXEMPT = [r"^health/"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    # Only behind a proxy that strips a client's own X-Forwarded-Proto.
    if env.bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

VAR_DIR.mkdir(parents=True, exist_ok=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "safeguarding.middleware.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's request logger would print request bodies' paths with query strings;
        # ours never holds pupil details, but keep Django's noisy 4xx warnings out.
        "django.request": {"level": "ERROR"},
        # Both log routine steps at INFO; keep the console for what matters.
        "axes": {"level": "WARNING"},
        # Signed audit chain heads: an operator keeps these lines (see README, Production).
        "safeguarding.audit.anchor": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
