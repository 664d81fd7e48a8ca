"""Search quality on the demo town: recall@10, nDCG@10 and MRR of the judged Japanese queries.

Run with ``.venv/bin/python bench/search_quality.py``. It builds a fresh database (a temporary
SQLite file, or, with ``--database-url``/``DATABASE_URL`` pointing at PostgreSQL, a database
``kosodate_search_quality`` created on that server for the run and dropped after), loads the
demo town, rebuilds the search index, runs every query of ``search/relevance/ja_queries.json``
through ``search.service.search`` and prints the figures overall, per kind and per sub-kind,
a line comparing the "everyone" queries (questions, everyday words, romaji, English, typos) with
issue 11's targets, then every query that left a relevant page out of its first 10 results.

The maths lives in ``bench/relevance.py``; the judged queries and the synonyms they rely on are
described in ``search/relevance/README.md``.
"""

import argparse
import json
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import datetime
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.relevance import QUERIES, K, evaluate, load_queries  # noqa: E402

PG_DATABASE = "kosodate_search_quality"
PACKAGES = ("Django", "wagtail", "modelsearch", "SudachiPy", "sudachidict-core")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Relevance of the site search on the demo town.")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="a PostgreSQL server to run on (a fresh database is created there and dropped after); "
        "default: DATABASE_URL when it is PostgreSQL, else a temporary SQLite file",
    )
    parser.add_argument("--queries", type=Path, default=QUERIES, help="the judged queries (JSON)")
    parser.add_argument("--show", type=int, default=3, help="results shown under each missed query")
    parser.add_argument("--json", type=Path, help="also write the figures and every query's results here")
    return parser.parse_args(argv)


def redact(url):
    parts = urlsplit(url)
    if parts.password:
        parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@"))
    return urlunsplit(parts)


def is_postgres(url):
    return urlsplit(url).scheme in ("postgres", "postgresql", "pgsql", "postgis")


def _admin_url(url):
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql"))


def create_postgres_database(url):
    """A fresh ``kosodate_search_quality`` next to ``url``'s database; its URL and the server version."""
    import psycopg

    with psycopg.connect(_admin_url(url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}"')
        connection.execute(f'CREATE DATABASE "{PG_DATABASE}"')
        version = connection.execute("SHOW server_version").fetchone()[0]
    return urlunsplit(urlsplit(url)._replace(path=f"/{PG_DATABASE}")), version


def drop_postgres_database(url):
    import psycopg

    with psycopg.connect(_admin_url(url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')


def configure(database_url, workdir):
    """Point Django (not yet set up) at a fresh database; return its description and notes."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["DEBUG"] = "false"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["STATIC_ROOT"] = str(workdir / "static")
    # Synonyms and vocabularies are cached; a shared Redis could serve another run's.
    os.environ.pop("REDIS_URL", None)
    notes = []
    if database_url and is_postgres(database_url):
        bench_url, version = create_postgres_database(database_url)
        os.environ["DATABASE_URL"] = bench_url
        return f"PostgreSQL {version}, {redact(bench_url)} (created for this run, dropped after)", notes
    if database_url:
        notes.append(f"{redact(database_url)} is not PostgreSQL: ignored, a fresh SQLite file is used")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    return f"SQLite {sqlite3.sqlite_version}, a temporary file", notes


def build_town():
    """Migrate, load the demo town and (re)build the search index; return the town's site."""
    from django.core.management import call_command

    from home.demo import load_demo

    call_command("migrate", verbosity=0)
    town, _users = load_demo()
    call_command("update_index", verbosity=0)
    return town.site


def judged_slugs_on_site(site, queries):
    """Judged slugs with no live public page on the site, and slugs more than one page uses."""
    from collections import Counter

    from search.service import public_pages

    counts = Counter(public_pages(site).values_list("slug", flat=True))
    judged = {slug for query in queries for slug in query.relevant}
    return sorted(judged - set(counts)), sorted(slug for slug in judged if counts[slug] > 1)


def versions():
    found = []
    for name in PACKAGES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def print_header(database, notes, queries, path, site, elapsed, engine):
    from search.models import synonym_map

    print(
        f"Kosodate Net search quality — {len(queries)} judged queries, first {K} results of search.service.search"
    )
    print(f"date:      {datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(f"machine:   {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"packages:  {versions()}")
    print(f"database:  {database}")
    print(f"engine:    {engine}")
    print(f"synonyms:  {len(synonym_map(site))} terms for {site.site_name}")
    print(f"queries:   {os.path.relpath(path.resolve(), ROOT)}, searched in {elapsed:.2f} s")
    print(f"command:   {' '.join([Path(sys.executable).name, *sys.argv])}")
    for note in notes:
        print(f"note:      {note}")
    print()


def print_groups(report):
    print(f"{'group':<24}{'queries':>8}{f'recall@{K}':>11}{f'nDCG@{K}':>10}{'MRR':>8}")
    for row in report.groups():
        if row.count:
            print(f"{row.name:<24}{row.count:>8}{row.recall:>11.3f}{row.ndcg:>10.3f}{row.mrr:>8.3f}")
    print()


def print_targets(report):
    """One line: the "everyone" queries' recall@10 against issue 11's targets."""
    targets = report.targets()
    if not targets:
        return
    met = all(ok for *_figures, ok in targets)
    parts = [
        f"{name.removeprefix('everyone/')} {recall:.3f} {'≥' if ok else '<'} {target:.2f}"
        for name, recall, target, ok in targets
    ]
    print(f"Issue 11 targets (recall@{K}): {'met' if met else 'NOT met'} — {', '.join(parts)}")
    print()


def _described(query):
    return f"「{query.text}」 {query.kind}/{query.sub}" + (f" (for {query.means})" if query.means else "")


def print_misses(report, titles, show):
    misses = report.misses
    print(
        f"Missed: {len(misses)} of {len(report.outcomes)} queries left a relevant page out of the first {K}"
    )
    for outcome in misses:
        query = outcome.query
        print(
            f"\n{_described(query)}"
            f"  recall {outcome.recall:.2f}  nDCG {outcome.ndcg:.2f}  RR {outcome.rr:.2f}"
        )
        missing = ", ".join(f"{slug} ({query.relevant[slug]})" for slug in outcome.missing)
        print(f"    missing: {missing}")
        if not outcome.ranked:
            print("    got:     nothing")
        for rank, slug in enumerate(outcome.ranked[:show], start=1):
            grade = query.relevant.get(slug, 0)
            print(f"    {'got:' if rank == 1 else '':<8} {rank}. {slug} [{grade}] {titles.get(slug, '')}")


def print_answer_not_first(report, show):
    late = report.answer_not_first
    print(f"\nAnswer not first: {len(late)} more queries found every relevant page but ranked another first")
    for outcome in late:
        query = outcome.query
        got = "  ".join(
            f"{rank}. {slug} [{query.relevant.get(slug, 0)}]"
            for rank, slug in enumerate(outcome.ranked[:show], start=1)
        )
        print(f"{_described(query)}  nDCG {outcome.ndcg:.2f}  got: {got}")


def write_json(path, report, database):
    data = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "database": database,
        "k": report.k,
        "groups": [vars(row) for row in report.groups()],
        "targets": [
            {"group": name, "recall": recall, "target": target, "met": ok}
            for name, recall, target, ok in report.targets()
        ],
        "queries": [
            {
                "query": o.query.text,
                "kind": o.query.kind,
                "sub": o.query.sub,
                "means": o.query.means,
                "recall": o.recall,
                "ndcg": o.ndcg,
                "rr": o.rr,
                "ranked": o.ranked,
                "missing": o.missing,
            }
            for o in report.outcomes
        ],
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def main(argv=None):
    args = parse_args(argv)
    queries = load_queries(args.queries)
    workdir = Path(tempfile.mkdtemp(prefix="kosodate-search-quality-"))
    database, notes = configure(args.database_url, workdir)
    try:
        import django

        django.setup()
        from django.conf import settings

        from search.service import search

        site = build_town()
        absent, shared = judged_slugs_on_site(site, queries)
        if absent:
            print(f"Judged pages missing from the demo town: {', '.join(absent)}", file=sys.stderr)
            return 2
        if shared:
            notes.append(f"slugs used by more than one page (a hit of either counts): {', '.join(shared)}")

        titles = {}

        def ranked_slugs(text):
            hits = search(site, text, per_page=K).hits
            titles.update({hit.page.slug: hit.title for hit in hits})
            return [hit.page.slug for hit in hits]

        start = time.perf_counter()
        report = evaluate(ranked_slugs, queries)
        elapsed = time.perf_counter() - start
        engine = f"Elasticsearch ({redact(settings.SEARCH_URL)})" if settings.SEARCH_URL else "database index"
        print_header(database, notes, queries, args.queries, site, elapsed, engine)
        print_groups(report)
        print_targets(report)
        print_misses(report, titles, args.show)
        print_answer_not_first(report, args.show)
        if args.json:
            write_json(args.json, report, database)
            print(f"\nWrote {args.json}")
        return 0
    finally:
        from django.db import connections

        connections.close_all()
        if is_postgres(os.environ["DATABASE_URL"]):
            drop_postgres_database(args.database_url)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
