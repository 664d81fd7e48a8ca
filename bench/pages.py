"""Public pages of the demo town: queries per page and server time, in-process.

Run with `make bench` (or `.venv/bin/python bench/pages.py`). It builds a fresh SQLite database
in a temporary folder (or uses DATABASE_URL when set), loads the demo town, adds N notices (and N
plain pages under 地域情報) to show that a page's queries do not grow with the amount of content,
then renders each page REPEAT times through Django's test client (the whole-page cache off)
and prints the figures: once in full (the fragment cache off too: what the first visitor after a
publish costs) and once with the shared fragments warm (what every later uncached visitor, a
signed-in parent for one, costs).
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["DEBUG"] = "false"
os.environ["LOG_LEVEL"] = "WARNING"
# Pages rendered for real: the whole-page cache, measured by bench/load.py, would answer them all.
os.environ["PAGE_CACHE_ENABLED"] = "false"
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp()
os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp())

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from home.demo import load_demo  # noqa: E402
from home.models import StandardPage  # noqa: E402
from portal_pages.models import ArticlePage, EventPage, FacilityPage, NoticePage, ServicePage  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "50"))
EXTRA_PAGES = int(os.environ.get("BENCH_PAGES", "200"))


def measure(client, path):
    client.get(path, HTTP_HOST="localhost")  # warm Wagtail's per-process caches first
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_HOST="localhost")
    query_count = len(queries)
    assert response.status_code == 200, (path, response.status_code)
    timings = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        client.get(path, HTTP_HOST="localhost")
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return (
        query_count,
        statistics.median(timings),
        timings[int(len(timings) * 0.95) - 1],
        len(response.content),
    )


def main():
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    town, _users = load_demo()
    client = Client()
    first = {
        model.__name__: model.objects.live().order_by("path").first().url
        for model in (NoticePage, ServicePage, EventPage, FacilityPage, ArticlePage)
    }
    paths = [
        "/",
        "/chiiki/",
        "/stage/age-1-2/",
        "/gyosei/oshirase/",
        "/chiiki/event/?stage=age-1-2",
        "/chiiki/event/calendar/",
        "/chiiki/shisetsu/",
        "/chiiki/kiji/",
        *first.values(),
        "/feeds/events.ics",
        "/feeds/notices.rss",
        "/opendata/facilities.csv",
        "/api/v2/pages/?type=portal_pages.EventPage&fields=*",
        "/search/?q=保育園",
        "/healthz",
    ]

    settings.FRAGMENT_CACHE_ENABLED = False
    before = {path: measure(client, path)[0] for path in paths}
    regional = town.sections["regional"]
    notices = town.index("municipal", "NoticeIndexPage")
    for n in range(EXTRA_PAGES):
        page = StandardPage(title=f"地域の記事 {n}", lead="公園と子育てひろばの紹介")
        regional.add_child(instance=page)
        page.save_revision().publish()
        notice = NoticePage(title=f"お知らせ {n}", slug=f"bench-{n}", lead="健診日程のお知らせです。")
        notices.add_child(instance=notice)
        notice.save_revision().publish()

    print(f"Kosodate Net page benchmark — {connection.vendor}, {REPEAT} requests per page, in-process")
    print(
        "full = every fragment rendered (FRAGMENT_CACHE_ENABLED off); warm = the town's shared "
        "fragments (bodies, lists, header, footer) already kept"
    )
    print(
        f"{'page':<56}{'queries':>9}{'after +' + str(EXTRA_PAGES):>12}{'full p50':>10}{'full p95':>10}"
        f"{'warm q':>8}{'warm p50':>10}{'warm p95':>10}{'KB':>7}"
    )
    for path in paths:
        settings.FRAGMENT_CACHE_ENABLED = False
        queries, p50, p95, size = measure(client, path)
        settings.FRAGMENT_CACHE_ENABLED = True
        warm_queries, warm_p50, warm_p95, _size = measure(client, path)
        print(
            f"{path:<56}{before[path]:>9}{queries:>12}{p50:>10.1f}{p95:>10.1f}"
            f"{warm_queries:>8}{warm_p50:>10.1f}{warm_p95:>10.1f}{size / 1024:>7.1f}"
        )


if __name__ == "__main__":
    main()
