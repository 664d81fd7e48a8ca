"""The scale-out set: PostgreSQL, Redis, Elasticsearch, SMTP, object storage, several nodes.

Secrets have no default here: start-up stops with a clear message when one is missing.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = env("DEBUG")

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Production settings need a long random SECRET_KEY in the "
        "environment, for example: "
        "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(64))')"
    )

if not env("CONSULT_ENCRYPTION_KEYS"):
    raise ImproperlyConfigured(
        "CONSULT_ENCRYPTION_KEYS is not set. Consultation text is encrypted at rest with these "
        "Fernet keys (comma-separated, newest first). Make one with: "
        "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env("SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = env("SECURE_HSTS_SECONDS")
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
