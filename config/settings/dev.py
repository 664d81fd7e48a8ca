"""The embedded default: ``make run`` on one machine, SQLite, no other service."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY") or "dev-only-insecure-key-never-used-in-production"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])
