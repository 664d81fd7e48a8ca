"""Settings shared by every run mode.

Every value that differs between the embedded default (``make run``) and the scale-out set
comes from the environment through the one schema below; each has a safe embedded default,
except the secrets, which ``production.py`` requires.
"""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    SECRET_KEY=(str, ""),
    ALLOWED_HOSTS=(list, ["localhost", "127.0.0.1", "[::1]"]),
    CSRF_TRUSTED_ORIGINS=(list, []),
    DATABASE_URL=(str, f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
    DATABASE_CONN_MAX_AGE=(int, 0),
    REDIS_URL=(str, ""),
    SEARCH_URL=(str, ""),
    SEARCH_INDEX_PREFIX=(str, "kosodate_"),
    EMAIL_URL=(str, "consolemail://"),
    DEFAULT_FROM_EMAIL=(str, "子育てねっと <noreply@localhost>"),
    TASKS_BACKEND=(str, "immediate"),
    MEDIA_ROOT=(str, str(BASE_DIR / "media")),
    MEDIA_URL=(str, "/media/"),
    S3_BUCKET=(str, ""),
    S3_ENDPOINT_URL=(str, ""),
    S3_REGION=(str, ""),
    S3_ACCESS_KEY_ID=(str, ""),
    S3_SECRET_ACCESS_KEY=(str, ""),
    STATIC_ROOT=(str, str(BASE_DIR / "static_collected")),
    WAGTAILADMIN_BASE_URL=(str, "http://127.0.0.1:8000"),
    LOG_LEVEL=(str, "INFO"),
    SECURE_SSL_REDIRECT=(bool, True),
    SECURE_HSTS_SECONDS=(int, 60 * 60 * 24 * 365),
    PAGE_CACHE_ENABLED=(bool, True),
    PAGE_CACHE_SECONDS=(int, 600),
    FRAGMENT_CACHE_ENABLED=(bool, True),
    FRONTEND_CACHE_URL=(str, ""),
    CONSULT_ENCRYPTION_KEYS=(list, []),
)

DEBUG = env("DEBUG")
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")

# Applications ---------------------------------------------------------------------------

DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

THIRD_PARTY_APPS = [
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.frontend_cache",
    "wagtail.contrib.sitemaps",
    "wagtail.api.v2",
    "rest_framework",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "wagtail_localize",
    "wagtail_localize.locales",
    "modelcluster",
    "taggit",
    "django_comments_xtd",
    "django_comments",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "allauth",
    "allauth.account",
    "allauth.mfa",
]

LOCAL_APPS = [
    "accounts",
    "home",
    "portal_pages",
    "community",
    "consult",
    "familysupport",
    "search",
]

INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "home.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "home.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Data -----------------------------------------------------------------------------------

DATABASES = {"default": env.db_url("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env("DATABASE_CONN_MAX_AGE")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers (django-axes counting failed sign-ins from two workers) otherwise fail at
    # once with "database is locked" when a read transaction upgrades to a write; IMMEDIATE waits.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kosodate",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "kosodate",
            # Whole pages, shared fragments and each town's generation share it: Django's default
            # of 300 entries would make a town of a few hundred pages evict its own generation.
            "OPTIONS": {"MAX_ENTRIES": 3000},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Whole-page cache for anonymous visitors (home/page_cache.py), in the default cache.
PAGE_CACHE_ENABLED = env("PAGE_CACHE_ENABLED")
PAGE_CACHE_SECONDS = env("PAGE_CACHE_SECONDS")
FRAGMENT_CACHE_ENABLED = env("FRAGMENT_CACHE_ENABLED")

# A front-end cache (Varnish or any proxy that accepts HTTP PURGE) in front of the web nodes is
# purged page by page on publish when FRONTEND_CACHE_URL is set; off by default.
FRONTEND_CACHE_URL = env("FRONTEND_CACHE_URL")
if FRONTEND_CACHE_URL:
    WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": FRONTEND_CACHE_URL,
        }
    }

TASKS_BACKEND = env("TASKS_BACKEND")
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[TASKS_BACKEND]
    }
}

# Accounts -------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Usernames exactly as stored (Wagtail's /admin/login/).
    "django.contrib.auth.backends.ModelBackend",
    # E-mail addresses, any case, for the members' sign-in (/accounts/login/) only: it ignores
    # ``username``, so the admin sign-in still takes usernames alone.
    "accounts.backends.EmailBackend",
]
# Sign-in rate limit (django-axes): 5 failures for one account from one address lock that pair
# out for 15 minutes with a 429 page. Every spelling of an account (any case of the e-mail, the
# username) counts as that account (accounts.lockout). Successful sign-ins are not logged.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.lockout.canonical_username"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "account_locked.html"
# The public side signs members in at /accounts/login/; the Wagtail admin keeps its own sign-in.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-allauth: member accounts for parents, and the second factor (TOTP + recovery codes)
# for staff who read consultations. Members sign up and in at /accounts/… with their e-mail;
# staff sign in through Wagtail's /admin/login/ (axes above) and /accounts/two-factor/
# (accounts.views) asks for the code, or sets TOTP up, before the consult inbox opens. Only the
# allauth views these flows need are mounted (accounts/urls.py).
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.MemberSignupForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
# No username: the adapter gives each member a random one, never derived from the e-mail.
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD = "homepage"
# allauth's messages ("signed in as …") name the member by nickname, never the username.
ACCOUNT_USER_DISPLAY = "accounts.models.public_name_of"
# A new member signs in only once the address is confirmed. Staff made in the Wagtail admin
# have no allauth EmailAddress record; allauth refuses a second factor only while an address is
# *unverified*, so their TOTP set-up is unaffected (tests/accounts/test_members.py).
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# Sign-up and password reset say nothing about whether an address has an account; no mail is
# sent to an address that has none.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "【子育てねっと】"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_SIGNUP_REDIRECT_URL = "accounts_me"
# Setting up TOTP asks for the password again when the last check is older than this.
ACCOUNT_REAUTHENTICATION_TIMEOUT = 10 * 60
# Wrong passwords, TOTP or recovery codes count as failed sign-ins: 5 per account in 5 minutes
# and 10 a minute per address. Sign-up and password reset are limited per address (phones on
# one mobile carrier can share one, hence not lower) and reset also per e-mail address.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "10/h/ip",
    "reset_password": "10/h/ip,3/h/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reauthenticate": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "子育てねっと"
# A second factor passed counts for this long (accounts.two_factor); then the code is asked again.
TWO_FACTOR_MAX_AGE = 12 * 60 * 60

# ねっと相談: Fernet keys for consultation text at rest, newest first (consult/crypto.py).
CONSULT_ENCRYPTION_KEYS = env("CONSULT_ENCRYPTION_KEYS")

# Language and time ----------------------------------------------------------------------

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "site" / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# Static files and media -----------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT")
STATICFILES_DIRS = [BASE_DIR / "site" / "static"]
MEDIA_ROOT = env("MEDIA_ROOT")
MEDIA_URL = env("MEDIA_URL")

S3_BUCKET = env("S3_BUCKET")
if S3_BUCKET:
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("S3_ENDPOINT_URL") or None,
            "region_name": env("S3_REGION") or None,
            "access_key": env("S3_ACCESS_KEY_ID") or None,
            "secret_key": env("S3_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# E-mail ---------------------------------------------------------------------------------

globals().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Wagtail --------------------------------------------------------------------------------

WAGTAIL_SITE_NAME = "子育てねっと"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL")
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAIL_ALLOW_UNICODE_SLUGS = True
# Workflow mail goes to the reviewers of the page's own municipality, not to every operator.
WAGTAILADMIN_NOTIFICATION_INCLUDE_SUPERUSERS = False
WAGTAILADMIN_NOTIFICATION_USE_HTML = False

# Search: Japanese analysis (search.analysis) over modelsearch's database index on SQLite or
# PostgreSQL. With SEARCH_URL set, the public search page, its facets and its board threads run
# on Elasticsearch instead (search.elastic), indexed with the same analysis; the autocomplete,
# API v2's ?search= and the admin's own page search stay on the database index.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.backends"}}
SEARCH_URL = env("SEARCH_URL")
SEARCH_INDEX_PREFIX = env("SEARCH_INDEX_PREFIX")

# Comments (django-comments-xtd needs the sites framework) -------------------------------

SITE_ID = 1
COMMENTS_APP = "django_comments_xtd"
COMMENTS_XTD_MODEL = "portal_pages.models.ArticleComment"
COMMENTS_XTD_MAX_THREAD_LEVEL = 2
COMMENTS_XTD_CONFIRM_EMAIL = True
COMMENTS_XTD_SALT = b"kosodate-net-comments"
COMMENTS_XTD_SEND_HTML_EMAIL = False
COMMENTS_XTD_THREADED_EMAILS = False
COMMENTS_XTD_APP_MODEL_OPTIONS = {
    "default": {
        "allow_flagging": False,
        "allow_feedback": False,
        "show_feedback": False,
        "who_can_post": "users",
    },
    "portal_pages.articlepage": {
        "allow_flagging": True,
        "allow_feedback": False,
        "show_feedback": False,
        "who_can_post": "all",
    },
}

# Security defaults shared by every mode ------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "axes": {"level": "ERROR"},
    },
}
