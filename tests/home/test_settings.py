"""Settings come from the environment through one schema; production refuses unsafe starts."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRINT = (
    "import json, django; from django.conf import settings as s; "
    "print(json.dumps({'db': s.DATABASES['default']['ENGINE'], 'name': str(s.DATABASES['default']['NAME']), "
    "'cache': s.CACHES['default']['BACKEND'], 'session': s.SESSION_ENGINE, "
    "'search': s.WAGTAILSEARCH_BACKENDS['default']['BACKEND'], 'search_url': s.SEARCH_URL, 'email': s.EMAIL_BACKEND, "
    "'media': s.STORAGES['default']['BACKEND'], 'tasks': s.TASKS['default']['BACKEND'], "
    "'lang': s.LANGUAGE_CODE, 'tz': s.TIME_ZONE, 'languages': [c for c, _ in s.LANGUAGES], "
    "'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS}))"
)

CLEAN_ENV = {
    key: value
    for key, value in os.environ.items()
    if key
    not in {
        "DATABASE_URL",
        "REDIS_URL",
        "SEARCH_URL",
        "EMAIL_URL",
        "SECRET_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
        "S3_BUCKET",
        "TASKS_BACKEND",
        "DJANGO_SETTINGS_MODULE",
        "CONSULT_ENCRYPTION_KEYS",
    }
}


def run(module, code, **env):
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**CLEAN_ENV, "DJANGO_SETTINGS_MODULE": module, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_of(module, **env):
    result = run(module, PRINT, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_default_needs_no_other_service():
    values = settings_of("config.settings.dev")
    assert values["db"] == "django.db.backends.sqlite3"
    assert values["name"].endswith("db.sqlite3")
    assert values["cache"].endswith("LocMemCache")
    assert values["search"] == "search.backends"
    assert values["search_url"] == ""
    assert values["email"].endswith("console.EmailBackend")
    assert values["media"].endswith("FileSystemStorage")
    assert values["tasks"].endswith("ImmediateBackend")
    assert values["debug"] is True


def test_japanese_first_in_tokyo_with_english_available():
    values = settings_of("config.settings.dev")
    assert values["lang"] == "ja"
    assert values["tz"] == "Asia/Tokyo"
    assert values["languages"] == ["ja", "en"]


def test_scale_out_services_come_from_the_environment():
    values = settings_of(
        "config.settings.dev",
        DATABASE_URL="postgres://kosodate:pw@db.internal:5432/kosodate",
        REDIS_URL="redis://cache.internal:6379/0",
        SEARCH_URL="http://search.internal:9200",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.internal:587",
        S3_BUCKET="kosodate-media",
        TASKS_BACKEND="database",
    )
    assert values["db"] == "django.db.backends.postgresql"
    assert values["name"] == "kosodate"
    assert values["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert values["session"] == "django.contrib.sessions.backends.cache"
    assert values["search"] == "search.backends"
    assert values["search_url"] == "http://search.internal:9200"
    assert values["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["media"] == "storages.backends.s3.S3Storage"
    assert values["tasks"] == "django_tasks_db.DatabaseBackend"


def test_production_refuses_to_start_without_secret_key():
    result = run("config.settings.production", "print('started')")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "started" not in result.stdout


def test_production_refuses_to_start_without_consultation_keys():
    result = run("config.settings.production", "print('started')", SECRET_KEY="k" * 50)
    assert result.returncode != 0
    assert "CONSULT_ENCRYPTION_KEYS is not set" in result.stderr
    assert "started" not in result.stdout


def test_production_passes_the_deployment_checks():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **CLEAN_ENV,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": "k" * 20 + "Zq8#vL2!pR7@xN4$mT9^wB6&cH3*jF5(dS1)gY0",
            "ALLOWED_HOSTS": "mitaka.example.jp",
            "CONSULT_ENCRYPTION_KEYS": "fhXUGfr0bTp8XTq1NpsdEGXFzOlJXH3BnfoHcItNrS0=",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_content_locales_are_japanese_by_default_and_english(db):
    from wagtail.models import Locale

    assert Locale.get_default().language_code == "ja"
    assert set(Locale.objects.values_list("language_code", flat=True)) == {"ja", "en"}
