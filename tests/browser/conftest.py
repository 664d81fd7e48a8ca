"""Real-browser tests: Playwright driving Debian's chromium against a real server.

The server is what `make run` serves: the dev settings on a fresh SQLite file, migrated and
loaded with the demo town (plus a second town, to prove one town never sees the other). It runs
in its own process, so the browser talks to it exactly as a parent's phone would.

A missing browser fails these tests; they are never skipped.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SECOND_TOWN = ("みなと町", "minato.localhost")
# CI runs these beside the unit tests on two cores; a loaded machine needs more than the defaults.
ACTION_TIMEOUT_MS = 30_000
expect.set_options(timeout=20_000)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )


@pytest.fixture(scope="session")
def site_workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("site")


@pytest.fixture
def site_mail(site_workdir):
    """Read the messages the demo site has sent: ``site_mail()`` → their texts, oldest first."""

    def messages():
        folder = site_workdir / "mail"
        if not folder.exists():
            return []
        return [path.read_text() for path in sorted(folder.iterdir(), key=lambda path: path.stat().st_mtime)]

    return messages


@pytest.fixture(scope="session")
def site_server(site_workdir):
    """Base URL of a running demo site on its own fresh database."""
    workdir = site_workdir
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"),
        "DEBUG": "true",
        "LOG_LEVEL": "WARNING",
        # Mail is written to files, so a journey can open the link a message carries.
        "EMAIL_URL": f"filemail:///{workdir / 'mail'}",  # django-environ drops one slash
    }
    _manage(env, "migrate", "--noinput")
    _manage(env, "load_demo")
    _manage(env, "create_municipality", "--name", SECOND_TOWN[0], "--hostname", SECOND_TOWN[1])

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", "--nothreading", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("the demo site did not start")
            time.sleep(0.3)
    yield base_url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make browser).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        open_context = browser.new_context

        def new_context(**options):
            context = open_context(**options)
            context.set_default_timeout(ACTION_TIMEOUT_MS)
            return context

        browser.new_context = new_context
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, site_server):
    """A parent's phone: 390×844, touch, Japanese."""
    context = browser.new_context(
        base_url=site_server,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop(browser, site_server):
    context = browser.new_context(
        base_url=site_server, viewport={"width": 1280, "height": 900}, locale="ja-JP"
    )
    page = context.new_page()
    yield page
    context.close()
