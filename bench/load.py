"""Load benchmark: the demo town served by gunicorn, measured with wrk, then a mixed load.

Run with `.venv/bin/python bench/load.py` (about five minutes with the defaults). What it does:

1. Builds a fresh database with the production settings (a temporary SQLite file, or a dedicated
   PostgreSQL database ``kosodate_bench`` when ``DATABASE_URL`` points at PostgreSQL; Redis as the
   cache when ``REDIS_URL`` is set), then ``migrate``, ``collectstatic`` and ``load_demo``.
2. Starts gunicorn (2 sync workers, 1 thread each) on a free local port.
3. Runs ``wrk -t2 -c16 -d<BENCH_SECONDS>s --latency`` against a trivial view (``/robots.txt``), the
   home page and one page of every type, each twice: *cached* (plain anonymous requests, which the
   whole-page cache may answer) and *uncached* (with a ``sessionid`` cookie, which bypasses it).
   Each row gives requests/s, p50 and p99 latency, and its ratio to the trivial view's requests/s
   in the same mode: how much the page costs beyond the middleware stack.
4. Weighs each page (HTML bytes, raw and gzip) and the home page with the CSS and JS it links,
   against the issue's budget of 150 KB transferred.
5. Sends a mixed load ("under load nothing breaks") from 16 client threads: pages, searches,
   reader-feedback posts without a token and sign-in attempts with wrong passwords, and checks
   that nothing answered 5xx and that the rate limits answered 429 (with a Japanese page).

It exits non-zero after printing everything when wrk saw a non-2xx/3xx answer or a socket error,
the mixed load saw a 5xx or a connection error, no 429 appeared or a 429 page is not Japanese, the
server logged an error, or the home page is over budget.
"""

import base64
import gzip
import http.client
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path
from urllib.parse import quote, urlencode, urljoin, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = VENV_BIN / "python"
GUNICORN = VENV_BIN / "gunicorn"

SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
WRK_THREADS = 2
WRK_CONNECTIONS = 16
GUNICORN_WORKERS = 2
MIXED_REQUESTS = int(os.environ.get("BENCH_MIXED_REQUESTS", "10000"))
MIXED_THREADS = 16
MIXED_SEED = 10
UNCACHED_COOKIE = "sessionid=bench-uncached"
PG_BENCH_DATABASE = "kosodate_bench"
HOME_BUDGET_BYTES = 150 * 1024
HOST = "127.0.0.1"

SEARCH_QUERIES = ["保育園", "保育園 入園", "ほいくえん", "保育園　一時保育", "認可 保育園", "保育園 空き"]
SIGN_IN_NAMES = ["demo-parent", "demo-npo", "bench-no-such-user"]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
LOG_RECORD = re.compile(r"^(\d{4}-\d\d-\d\d |\[\d{4}-\d\d-\d\d )")
ERROR_LINE = re.compile(r"^\S+ \S+ (?:ERROR|CRITICAL) |^\[[^]]+\] \[\d+\] \[(?:ERROR|CRITICAL)\]")


class BenchError(Exception):
    """A step that cannot go on: printed, then the script exits non-zero."""


def progress(message):
    """Steps go to stderr, so stdout holds only the figures (flushed first, to keep the order)."""
    sys.stdout.flush()
    print(f"… {message}", file=sys.stderr, flush=True)


# Tools and database --------------------------------------------------------------------------


def may_install():
    """The apt-get prefix this user may use ([] for root, sudo -n), or None."""
    if os.geteuid() == 0:
        return []
    sudo = shutil.which("sudo")
    if sudo and subprocess.run([sudo, "-n", "true"], capture_output=True).returncode == 0:
        return [sudo, "-n"]
    return None


def ensure_wrk():
    """Debian's wrk, installed with apt-get when missing and this user may."""
    found = shutil.which("wrk") or ("/usr/bin/wrk" if Path("/usr/bin/wrk").exists() else None)
    if found:
        return found
    prefix = may_install()
    if prefix is None:
        raise BenchError(
            "wrk is not installed and this user cannot install it (not root, no passwordless sudo). "
            "Install it with: sudo apt-get install -y wrk"
        )
    progress("wrk is missing: installing it with apt-get")
    apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*prefix, "apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, capture_output=True, env=apt_env).returncode != 0:
        subprocess.run([*prefix, "apt-get", "update", "-q"], capture_output=True, env=apt_env)
        result = subprocess.run(install, capture_output=True, text=True, env=apt_env)
        if result.returncode != 0:
            raise BenchError(f"wrk could not be installed with apt-get:\n{result.stderr.strip()}")
    found = shutil.which("wrk")
    if not found:
        raise BenchError("apt-get reported success but wrk is still not on PATH.")
    return found


def redact(url):
    """A URL without its password, for the header."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


def is_postgres(url):
    return urlsplit(url).scheme in ("postgres", "postgresql", "pgsql", "postgis")


def create_postgres_database(url):
    """Create a fresh ``kosodate_bench`` database next to ``url``'s; returns its URL and version."""
    import psycopg

    admin_url = urlunsplit(urlsplit(url)._replace(scheme="postgresql"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{PG_BENCH_DATABASE}"')
        connection.execute(f'CREATE DATABASE "{PG_BENCH_DATABASE}"')
        version = connection.execute("SHOW server_version").fetchone()[0]
    return urlunsplit(urlsplit(url)._replace(path=f"/{PG_BENCH_DATABASE}")), version


def drop_postgres_database(url):
    import psycopg

    admin_url = urlunsplit(urlsplit(url)._replace(scheme="postgresql"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{PG_BENCH_DATABASE}" WITH (FORCE)')


@dataclass
class Backend:
    env: dict
    database: str
    cache: str
    notes: list = field(default_factory=list)
    postgres_url: str = ""


def prepare_backend(workdir):
    """The server's environment: production settings on a fresh database, temporary files."""
    caller = os.environ
    env = {key: value for key, value in caller.items() if key not in ("GUNICORN_CMD_ARGS", "PYTHONPATH")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(48),  # 64 characters
        CONSULT_ENCRYPTION_KEYS=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        ALLOWED_HOSTS="localhost,127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DEBUG="false",
        LOG_LEVEL="WARNING",
        MEDIA_ROOT=str(workdir / "media"),
        STATIC_ROOT=str(workdir / "static"),
    )
    notes = []
    caller_database = caller.get("DATABASE_URL", "")
    if caller_database and is_postgres(caller_database):
        bench_url, version = create_postgres_database(caller_database)
        env["DATABASE_URL"] = bench_url
        database = f"PostgreSQL {version}, {redact(bench_url)} (created for this run, dropped after)"
        postgres_url = caller_database
    else:
        if caller_database:
            notes.append(f"DATABASE_URL={redact(caller_database)} is not PostgreSQL: ignored")
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
        database = f"SQLite {sqlite_version()}, a temporary file"
        postgres_url = ""
    database += f", DATABASE_CONN_MAX_AGE={env.get('DATABASE_CONN_MAX_AGE', '0')}"
    if caller.get("REDIS_URL"):
        cache = f"Redis, {redact(caller['REDIS_URL'])} (shared by both workers)"
    else:
        cache = "local memory (one per gunicorn worker)"
    return Backend(env=env, database=database, cache=cache, notes=notes, postgres_url=postgres_url)


def sqlite_version():
    import sqlite3

    return sqlite3.sqlite_version


def manage(env, *args):
    """Run one manage.py command, swallowing its output unless it fails."""
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


FIND_PAGES = """
import json
from urllib.parse import urlsplit
from portal_pages.models import ArticlePage, EventPage, FacilityPage, NoticePage, ServicePage
found = {}
for model in (NoticePage, ServicePage, EventPage, FacilityPage, ArticlePage):
    page = model.objects.live().order_by("path").first()
    if page is not None and page.url:
        found[model.__name__] = {"path": urlsplit(page.url).path, "id": page.pk}
print("BENCH_PAGES=" + json.dumps(found))
"""


def find_content_pages(env):
    """The first live page of each content type, as {type name: {"path", "id"}}."""
    output = manage(env, "shell", "-c", FIND_PAGES)
    for line in output.splitlines():
        if line.startswith("BENCH_PAGES="):
            pages = json.loads(line.removeprefix("BENCH_PAGES="))
            missing = {"NoticePage", "ServicePage", "EventPage", "FacilityPage", "ArticlePage"} - set(pages)
            if missing:
                raise BenchError(f"load_demo made no live page of: {', '.join(sorted(missing))}")
            return pages
    raise BenchError(f"could not read the demo pages from manage.py shell:\n{output}")


# Server --------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn in its own session, stopped with SIGTERM (then SIGKILL) on exit."""

    def __init__(self, env, workdir):
        self.env = env
        self.port = free_port()
        self.log_path = workdir / "gunicorn.log"
        self.args = [
            str(GUNICORN),
            "--workers",
            str(GUNICORN_WORKERS),
            "--threads",
            "1",
            "--bind",
            f"{HOST}:{self.port}",
            "--access-logfile",
            "/dev/null",
            "config.wsgi:application",
        ]
        self.process = None

    @property
    def base(self):
        return f"http://{HOST}:{self.port}"

    def __enter__(self):
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            self.args,
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited at start-up:\n{self.log_tail()}")
            try:
                if fetch(self.base, "/healthz").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.25)
        raise BenchError(f"gunicorn did not answer /healthz within 60 s:\n{self.log_tail()}")

    def __exit__(self, *exc_info):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def log_text(self):
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def log_tail(self, lines=40):
        return "\n".join(self.log_text().splitlines()[-lines:])

    def first_error(self):
        """The first record logged at ERROR or above, with its traceback."""
        lines = self.log_text().splitlines()
        starts = [n for n, line in enumerate(lines) if ERROR_LINE.search(line)]
        if not starts:
            return ""
        record = [lines[starts[0]]]
        for line in lines[starts[0] + 1 :]:
            if LOG_RECORD.match(line):
                break
            record.append(line)
        return "\n".join(record)

    def error_count(self):
        """Records logged at ERROR or above, by Django (``… ERROR django.request …``) or gunicorn."""
        return sum(1 for line in self.log_text().splitlines() if ERROR_LINE.search(line))


@dataclass
class Answer:
    status: int
    headers: object
    body: bytes


def fetch(base, path, headers=None):
    """One GET with urllib; 4xx/5xx are answers too, not exceptions."""
    request = urllib.request.Request(base + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers, error.read())


def page_cache_state(base):
    """Whether repeated anonymous GETs of the home page are served from the page cache.

    With a local-memory cache each worker has its own, so a hit may take a few requests.
    """
    markers = set()
    for _ in range(4 * GUNICORN_WORKERS):
        marker = fetch(base, "/").headers.get("X-Page-Cache")
        if marker == "hit":
            return "on (repeated anonymous GETs of / answer X-Page-Cache: hit)"
        markers.add(marker)
    if markers - {None}:
        return f"no hit seen (X-Page-Cache: {', '.join(sorted(markers - {None}))})"
    return "off (no X-Page-Cache header: cached and uncached rows measure the same thing)"


def warm_up(base, path, headers):
    """A few concurrent GETs, so every worker has loaded its code and (cached mode) stored the page."""
    with ThreadPoolExecutor(max_workers=2 * GUNICORN_WORKERS) as pool:
        list(pool.map(lambda _: fetch(base, path, headers), range(4 * GUNICORN_WORKERS)))


# wrk -----------------------------------------------------------------------------------------


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx_3xx: int
    socket_errors: dict
    output: str

    @property
    def socket_error_count(self):
        return sum(self.socket_errors.values())


TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def parse_wrk(output):
    """Requests/sec, the 50% and 99% latencies, non-2xx/3xx count and socket errors of one run."""

    def latency(percent):
        match = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.MULTILINE)
        if not match:
            raise BenchError(f"wrk printed no {percent}% latency:\n{output}")
        return float(match.group(1)) * TIME_UNITS_MS[match.group(2)]

    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    if not rate or not total:
        raise BenchError(f"could not read wrk's output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    socket_errors = dict.fromkeys(("connect", "read", "write", "timeout"), 0)
    if errors:
        socket_errors = dict(zip(socket_errors, map(int, errors.groups()), strict=True))
    return WrkResult(
        requests_per_second=float(rate.group(1)),
        p50_ms=latency(50),
        p99_ms=latency(99),
        requests=int(total.group(1)),
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=socket_errors,
        output=output,
    )


def wrk_command(wrk, url, uncached):
    command = [wrk, f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{SECONDS}s", "--latency"]
    if uncached:
        command += ["-H", f"Cookie: {UNCACHED_COOKIE}"]
    return [*command, url]


def run_wrk(wrk, url, uncached):
    result = subprocess.run(wrk_command(wrk, url, uncached), capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"wrk failed on {url}:\n{result.stdout}{result.stderr}")
    return parse_wrk(result.stdout)


@dataclass
class Target:
    label: str
    path: str


def content_targets(pages):
    return [
        Target("home", "/"),
        Target("section", "/chiiki/"),
        Target("life stage", "/stage/age-1-2/"),
        Target("notice index", "/gyosei/oshirase/"),
        Target("notice", pages["NoticePage"]["path"]),
        Target("service", pages["ServicePage"]["path"]),
        Target("event", pages["EventPage"]["path"]),
        Target("facility", pages["FacilityPage"]["path"]),
        Target("article", pages["ArticlePage"]["path"]),
        Target("event calendar", "/chiiki/event/calendar/"),
        Target("RSS notices", "/feeds/notices.rss"),
        Target("iCal events", "/feeds/events.ics"),
    ]


def trivial_target(base, notes):
    """``/robots.txt`` through the full middleware stack, or ``/healthz`` (said so) while it is missing."""
    status = fetch(base, "/robots.txt").status
    if status == 200:
        return Target("trivial", "/robots.txt")
    notes.append(
        f"/robots.txt answered {status}: the trivial view is /healthz instead, which a middleware "
        "answers before the rest of the stack (ratios are against that)"
    )
    return Target("trivial", "/healthz")


def measure_pages(wrk, base, targets, problems):
    """One wrk run per target and mode; returns rows of (target, mode, WrkResult)."""
    rows = []
    for target in targets:
        for mode in ("cached", "uncached"):
            progress(f"wrk {mode:<8} {target.path}")
            path = quote(target.path, safe="/?=&%")
            warm_up(base, path, {"Cookie": UNCACHED_COOKIE} if mode == "uncached" else {})
            result = run_wrk(wrk, base + path, uncached=mode == "uncached")
            rows.append((target, mode, result))
            if result.non_2xx_3xx:
                problems.append(f"{target.path} ({mode}): {result.non_2xx_3xx} non-2xx/3xx responses")
            if result.socket_error_count:
                problems.append(f"{target.path} ({mode}): socket errors {result.socket_errors}")
    return rows


def print_page_table(rows):
    trivial = {mode: result.requests_per_second for target, mode, result in rows if target.label == "trivial"}
    print()
    print(
        f"Pages — wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{SECONDS}s, "
        f"ratio = requests/s ÷ the trivial view's requests/s in the same mode"
    )
    header = f"{'page':<16}{'path':<44}{'mode':<10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>7}{'non-2xx':>9}{'socket err':>12}"
    print(header)
    print("-" * len(header))
    for target, mode, result in rows:
        ratio = result.requests_per_second / trivial[mode] if trivial.get(mode) else 0.0
        path = target.path if len(target.path) <= 42 else target.path[:41] + "…"
        print(
            f"{target.label:<16}{path:<44}{mode:<10}{result.requests_per_second:>9.1f}"
            f"{result.p50_ms:>9.1f}{result.p99_ms:>9.1f}{ratio:>7.2f}{result.non_2xx_3xx:>9}"
            f"{result.socket_error_count:>12}"
        )


# Weight --------------------------------------------------------------------------------------


class AssetLinks(HTMLParser):
    """The stylesheets and scripts a page links."""

    def __init__(self):
        super().__init__()
        self.assets = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        rel = (attributes.get("rel") or "").lower().split()
        if tag == "link" and "stylesheet" in rel and attributes.get("href"):
            self.assets.append(attributes["href"])
        elif tag == "script" and attributes.get("src"):
            self.assets.append(attributes["src"])


def gzip_size(data):
    return len(gzip.compress(data))


def print_weights(base, targets, problems):
    print()
    print("Weight — bytes as served (raw) and gzip-compressed by Python's gzip module (level 9)")
    header = f"{'page':<16}{'path':<44}{'raw KB':>9}{'gzip KB':>9}"
    print(header)
    print("-" * len(header))
    home_html = b""
    for target in targets:
        answer = fetch(base, quote(target.path, safe="/?=&%"))
        if target.path == "/":
            home_html = answer.body
        path = target.path if len(target.path) <= 42 else target.path[:41] + "…"
        print(
            f"{target.label:<16}{path:<44}{len(answer.body) / 1024:>9.1f}{gzip_size(answer.body) / 1024:>9.1f}"
        )

    parser = AssetLinks()
    parser.feed(home_html.decode("utf-8", errors="replace"))
    print()
    print("Home page with the CSS and JS it links")
    print(f"  {'HTML /':<60}{len(home_html) / 1024:>9.1f}{gzip_size(home_html) / 1024:>9.1f}")
    total_raw, total_gzip = len(home_html), gzip_size(home_html)
    for href in parser.assets:
        url = urljoin(base + "/", href)
        if urlsplit(url).netloc != urlsplit(base).netloc:
            problems.append(f"the home page links an asset on another host: {href}")
            continue
        parts = urlsplit(url)
        answer = fetch(base, parts.path + (f"?{parts.query}" if parts.query else ""))
        if answer.status != 200:
            problems.append(f"the home page links {href}, which answers {answer.status}")
        total_raw += len(answer.body)
        total_gzip += gzip_size(answer.body)
        print(f"  {href:<60}{len(answer.body) / 1024:>9.1f}{gzip_size(answer.body) / 1024:>9.1f}")
    verdict = "within" if total_gzip <= HOME_BUDGET_BYTES else "OVER"
    print(
        f"  {'total (' + str(len(parser.assets)) + ' linked files)':<60}{total_raw / 1024:>9.1f}"
        f"{total_gzip / 1024:>9.1f}   {verdict} the 150 KB budget (gzip)"
    )
    if total_gzip > HOME_BUDGET_BYTES:
        problems.append(f"home HTML+CSS+JS is {total_gzip / 1024:.1f} KB gzip, over the 150 KB budget")


# Mixed load ----------------------------------------------------------------------------------


@dataclass
class Call:
    kind: str
    method: str
    path: str
    body: dict | None = None
    cookie: str = ""


@dataclass
class Outcome:
    kind: str
    path: str
    status: int
    body: bytes = b""
    error: str = ""


def mixed_calls(page_paths, feedback_ids):
    """MIXED_REQUESTS calls (10,000 by default) in a fixed shuffled order: 70% pages, 10% each search, feedback, sign-in.

    One page call in ten carries a session cookie, as a signed-in member's would, so the page
    cache does not answer it and the database works while sign-ins write their failures.
    """
    rng = random.Random(MIXED_SEED)
    share = MIXED_REQUESTS // 10
    calls = []
    for n in range(MIXED_REQUESTS - 3 * share):
        cookie = UNCACHED_COOKIE if n % 10 == 9 else ""
        calls.append(Call("page", "GET", rng.choice(page_paths), cookie=cookie))
    for _ in range(share):
        query = urlencode({"q": rng.choice(SEARCH_QUERIES)})
        calls.append(Call("search", "GET", f"/search/?{query}"))
    for _ in range(share):
        calls.append(Call("feedback", "POST", f"/feedback/{rng.choice(feedback_ids)}/", {"rating": "useful"}))
    for n in range(share):
        body = {"username": SIGN_IN_NAMES[n % len(SIGN_IN_NAMES)], "password": f"wrong-{n}"}
        calls.append(Call("sign-in", "POST", "/admin/login/", body))
    rng.shuffle(calls)
    return calls


class MixedClient:
    """One keep-alive connection per client thread, and its CSRF token for the sign-in form."""

    CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')

    def __init__(self, port):
        self.connection = http.client.HTTPConnection(HOST, port, timeout=60)
        self.csrf = None

    def send(self, method, path, body=None, headers=None):
        encoded = urlencode(body).encode() if body is not None else None
        headers = dict(headers or {})
        if encoded is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, quote(path, safe="/?=&%+"), body=encoded, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise
        if response.will_close:
            self.connection.close()
        return response, data

    def sign_in_form(self):
        """The csrftoken cookie and form token, so wrong passwords reach the rate limit."""
        if self.csrf is None:
            response, data = self.send("GET", "/admin/login/")
            cookie = re.search(r"csrftoken=([^;]+)", " ".join(response.headers.get_all("Set-Cookie") or []))
            form_token = self.CSRF_FIELD.search(data)
            self.csrf = (cookie.group(1), form_token.group(1).decode()) if cookie and form_token else ("", "")
        return self.csrf

    def perform(self, call):
        headers = {"Cookie": call.cookie} if call.cookie else {}
        body = call.body
        if call.kind == "sign-in":
            cookie, token = self.sign_in_form()
            if cookie:
                headers["Cookie"] = f"csrftoken={cookie}"
                body = {**body, "csrfmiddlewaretoken": token}
        response, data = self.send(call.method, call.path, body, headers)
        return response.status, data


def run_mixed(port, calls):
    local = threading.local()

    def perform(call):
        if not hasattr(local, "client"):
            local.client = MixedClient(port)
        try:
            status, data = local.client.perform(call)
        except (OSError, http.client.HTTPException) as error:
            return Outcome(call.kind, call.path, 0, error=f"{type(error).__name__}: {error}")
        keep = data if status == 429 or status >= 500 else b""
        return Outcome(call.kind, call.path, status, keep)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=MIXED_THREADS) as pool:
        outcomes = list(pool.map(perform, calls))
    return outcomes, time.monotonic() - started


def visible_text(body):
    """The readable text of an HTML page, for the 429 sample."""
    text = body.decode("utf-8", errors="replace")
    text = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", " ", text)
    text = re.sub(r"(?s)<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def print_mixed(outcomes, elapsed, problems):
    by_kind = defaultdict(Counter)
    for outcome in outcomes:
        by_kind[outcome.kind][outcome.status] += 1
    statuses = sorted({status for counts in by_kind.values() for status in counts})
    print()
    print(
        f"Mixed load — {len(outcomes)} requests from {MIXED_THREADS} threads in {elapsed:.1f} s "
        f"({len(outcomes) / elapsed:.0f} requests/s); status 0 = connection error"
    )
    print(
        "  pages 70% (one in ten with a session cookie, so uncached), search 10%, "
        "feedback posts without a token 10%, sign-ins with wrong passwords 10%"
    )
    header = f"{'kind':<10}{'requests':>9}" + "".join(f"{status:>7}" for status in statuses)
    print(header)
    print("-" * len(header))
    total = Counter()
    for kind in ("page", "search", "feedback", "sign-in"):
        counts = by_kind[kind]
        total.update(counts)
        print(f"{kind:<10}{sum(counts.values()):>9}" + "".join(f"{counts[status]:>7}" for status in statuses))
    print(f"{'all':<10}{sum(total.values()):>9}" + "".join(f"{total[status]:>7}" for status in statuses))
    classes = Counter()
    for status, count in total.items():
        classes["error" if status == 0 else f"{status // 100}xx"] += count
    print(
        "by class: " + ", ".join(f"{name} {classes[name]}" for name in ("2xx", "3xx", "4xx", "5xx", "error"))
    )

    failures = [outcome for outcome in outcomes if outcome.status == 0 or outcome.status >= 500]
    if failures:
        problems.append(f"mixed load: {len(failures)} requests answered 5xx or failed to connect")
        grouped = Counter((outcome.kind, outcome.status, outcome.error) for outcome in failures)
        samples = {(outcome.kind, outcome.status, outcome.error): outcome for outcome in failures}
        for key, count in grouped.most_common():
            outcome = samples[key]
            detail = outcome.error or visible_text(outcome.body)[:120]
            print(f"  {count} × {outcome.kind} {outcome.status}, e.g. {outcome.path}: {detail}")

    limited = {}
    for outcome in outcomes:
        if outcome.status == 429 and outcome.kind not in limited:
            limited[outcome.kind] = outcome
    if not limited:
        problems.append("mixed load: no 429 at all — the rate limits did not answer")
    for kind, outcome in limited.items():
        text = visible_text(outcome.body)
        language = "Japanese" if JAPANESE.search(text) else "NOT Japanese"
        if not JAPANESE.search(text):
            problems.append(f"mixed load: the {kind} 429 page is not in Japanese")
        print(f"429 sample ({kind}, {language}): {text[:240]}")


# Report --------------------------------------------------------------------------------------


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def version_of(tool, *args):
    result = subprocess.run([tool, *args], capture_output=True, text=True)
    return (
        (result.stdout or result.stderr).strip().splitlines()[0] if (result.stdout or result.stderr) else "?"
    )


def print_header(backend, server, wrk, page_cache, notes):
    packages = ", ".join(f"{name} {metadata.version(name)}" for name in ("Django", "wagtail", "gunicorn"))
    print("Kosodate Net load benchmark (bench/load.py)")
    print(f"date:       {datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(f"machine:    {len(os.sched_getaffinity(0))} CPUs (nproc), {cpu_model()}, {platform.platform()}")
    print(f"python:     {platform.python_version()}; {packages}")
    print(f"database:   {backend.database}")
    print(f"cache:      {backend.cache}")
    print(f"page cache: {page_cache}")
    print(f"server:     {' '.join(Path(arg).name if arg == str(GUNICORN) else arg for arg in server.args)}")
    print("            config.settings.production, DEBUG=false, demo town from load_demo")
    print(f"load:       {version_of(wrk, '--version')}; {' '.join(wrk_command('wrk', '<url>', False)[1:-1])}")
    print(f"            uncached = the same with the header 'Cookie: {UNCACHED_COOKIE}'")
    print(f"run as:     {' '.join([Path(sys.executable).name, *sys.argv])} (BENCH_SECONDS={SECONDS})")
    for note in notes:
        print(f"note:       {note}")


def main():
    started = time.monotonic()
    problems = []
    postgres_url = ""
    try:
        wrk = ensure_wrk()
        with tempfile.TemporaryDirectory(prefix="kosodate-bench-") as tmp:
            workdir = Path(tmp)
            progress("preparing the database")
            backend = prepare_backend(workdir)
            postgres_url = backend.postgres_url
            progress("manage.py migrate")
            manage(backend.env, "migrate", "--noinput")
            progress("manage.py collectstatic")
            manage(backend.env, "collectstatic", "--noinput")
            progress("manage.py load_demo")
            manage(backend.env, "load_demo", "--allow-production")
            pages = find_content_pages(backend.env)
            progress("starting gunicorn")
            with Server(backend.env, workdir) as server:
                notes = list(backend.notes)
                targets = [trivial_target(server.base, notes), *content_targets(pages)]
                page_cache = page_cache_state(server.base)
                print_header(backend, server, wrk, page_cache, notes)
                sys.stdout.flush()
                rows = measure_pages(wrk, server.base, targets, problems)
                print_page_table(rows)
                print_weights(server.base, targets[1:], problems)
                progress(f"mixed load: {MIXED_REQUESTS} requests")
                page_paths = [target.path for target in targets[1:]] + ["/chiiki/event/?stage=age-1-2"]
                feedback_ids = [page["id"] for page in pages.values()]
                outcomes, elapsed = run_mixed(server.port, mixed_calls(page_paths, feedback_ids))
                print_mixed(outcomes, elapsed, problems)
                errors = server.error_count()
                if errors:
                    problems.append(f"the server logged {errors} errors")
                    print("\nThe server's first logged error:")
                    print(server.first_error())
    except BenchError as error:
        problems.append(str(error))
    finally:
        if postgres_url:
            drop_postgres_database(postgres_url)

    print()
    print(f"Finished in {time.monotonic() - started:.0f} s.")
    if problems:
        print("FAILED:")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print(
        "OK: no non-2xx/3xx or socket errors under wrk, no 5xx in the mixed load, rate limits answered 429."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
