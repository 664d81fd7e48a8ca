"""Search at scale: indexing throughput and query latency with 10,000 and 100,000 Japanese pages.

Run with `.venv/bin/python bench/search_latency.py` (both sizes on SQLite and PostgreSQL: about
40 minutes on a 2-core machine), or `--quick` for a smoke run on 1,000 pages (about 3 minutes).
For each database it builds a throwaway database (a temporary SQLite file; a PostgreSQL database
``kosodate_bench_search`` created on the server of ``BENCH_POSTGRES_URL``, by default
``postgres://postgres@127.0.0.1:5432/postgres``, and dropped after), runs ``migrate``, creates one
municipality, then for each size, smallest first:

1. adds generated Japanese pages (``home.StandardPage``, 200–600 characters of childcare text)
   under a hundred category pages of the municipality's sections, with ``bulk_create`` and
   materialised paths computed here (``add_child`` one page at a time would take hours);
2. indexes the new pages through the search backend (``search.backends``), 1,000 at a time, as
   ``update_index`` does, and prints pages per second;
3. runs a fixed list of queries of every kind (common and rare words, two words, hiragana
   readings, one kanji, a sentence, no hit) through ``search.service.search`` as the search page
   does (after freezing what the process has loaded, as a server process does: config/startup.py), each once to warm up and then ``--repeat`` times (fewer when a query has taken
   ``--budget`` seconds), and prints p50, p95 and max over all runs, and for the slowest queries
   how many SQL statements they ran and the slowest of them (``--explain`` adds its plan);
4. times the autocomplete (``search.service.complete``) on a list of prefixes a parent types
   (a kana or two, a half-typed reading, the start of a word in kanji), each ``--repeat`` times.

On SQLite at the largest size it then runs ``manage.py update_index`` once and reports how long
it took and what progress it showed. Each database runs in its own process (Django is set up
once per process); this script starts them and prints the table at the end. ``--keep`` leaves
the databases in place to look into a slow query (drop ``kosodate_bench_search`` afterwards).
"""

import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_BENCH_DATABASE = "kosodate_bench_search"
TARGET_P95_MS = 100.0
CATEGORIES_PER_SECTION = 20
INDEX_CHUNK = 1000
CREATE_CHUNK = 1000
SEED = 20261125
# update_index prints one dot per chunk indexed; the dot of "home.StandardPage" is not one.
PROGRESS_DOT = re.compile(rb"\.(?![A-Za-z0-9_])")

# The queries: every kind a parent types. (kind, query)
QUERIES = [
    ("common", "保育園"),
    ("common", "児童手当"),
    ("common", "予防接種"),
    ("common", "子育てひろば"),
    ("common", "一時保育"),
    ("common", "離乳食"),
    ("common", "健診"),
    ("common", "幼稚園"),
    ("common", "公園"),
    ("common", "申込み"),
    ("two words", "保育園 申込み"),
    ("two words", "児童手当 申請"),
    ("two words", "予防接種 日程"),
    ("two words", "一時保育 料金"),
    ("two words", "北町 保育園"),
    ("two words", "子育てひろば　東町"),
    ("three words", "桜ヶ丘 児童館 工作"),
    ("reading", "じどうてあて"),
    ("reading", "ほいくえん"),
    ("reading", "よぼうせっしゅ"),
    ("reading", "りにゅうしょく"),
    ("reading", "いちじほいく"),
    ("katakana", "ベビーカー"),
    ("synonym", "ファミサポ"),
    ("variant", "こども 医療費"),
    ("variant", "申し込み"),
    ("compound unit", "母子手帳"),
    ("width", "ＤＶ 相談"),
    ("rare", "医療的ケア児"),
    ("rare", "多胎児"),
    ("rare", "言語聴覚士"),
    ("rare", "ヤングケアラー"),
    ("one kanji", "歯"),
    ("one kanji", "熱"),
    ("number", "3歳"),
    ("number", "4月 説明会"),
    ("sentence", "保育園の入園申込みに必要な書類を教えてください"),
    ("no hit", "ロケット打ち上げ"),
    ("no hit", "量子コンピュータ"),
    ("no hit", "xyzzy"),
]

# What a parent has typed so far when the autocomplete asks (search.service.complete): a kana or
# two, a reading half typed, the start of a word in kanji, a whole word, nothing known.
PREFIXES = [
    "ほ", "ほい", "ほいく", "保育", "保育園", "じどう", "児童", "よぼう", "予防接", "子育て",
    "一時", "り", "りにゅう", "ファミ", "こども", "歯", "ケア", "xyz",
]  # fmt: skip

# Generated text ------------------------------------------------------------------------------

DISTRICTS = [
    "本町", "中央", "北町", "南町", "東町", "西町", "桜ヶ丘", "緑が丘", "若葉台", "旭町",
    "栄町", "青葉", "富士見", "松原", "梅が丘", "柳町", "川端", "新田", "港町", "山手",
    "明神", "八幡", "大原", "小山", "清水", "宮前", "高砂", "日の出", "浜田", "鶴見",
]  # fmt: skip
# Ordered from the words most pages use to the least: drawn with Zipf-like weights.
TOPICS = [
    "保育園", "子育て支援", "健診", "児童手当", "予防接種", "子育てひろば", "一時保育", "幼稚園",
    "学童保育", "離乳食", "母子健康手帳", "児童館", "子ども医療費助成", "病児保育", "妊婦健診",
    "ファミリー・サポート・センター", "延長保育", "認定こども園", "産後ケア", "発達相談",
    "新生児訪問", "歯科健診", "読み聞かせ", "ベビーマッサージ", "出産育児一時金", "児童扶養手当",
    "ひとり親家庭", "就学援助", "食物アレルギー", "放課後子ども教室", "育児休業", "保育料",
    "乳幼児健診", "家庭訪問", "親子教室", "絵本", "水遊び", "公園", "図書館", "プール",
    "DV相談", "虐待防止", "子育て相談", "入園説明会", "転入手続き", "ベビーカー", "授乳室",
    "おむつ", "夜間救急", "小児科",
]  # fmt: skip
# Words few pages use: a page gets one of them 3% of the time (each about 0.2% of pages).
RARE = [
    "医療的ケア児", "多胎児", "言語聴覚士", "里親", "ヤングケアラー", "ベビーシッター",
    "きょうだい児", "在宅育児手当", "産前産後ヘルパー", "未熟児養育医療", "病後児保育",
    "ペアレントトレーニング", "フッ化物洗口", "乳幼児揺さぶられ症候群", "ショートステイ",
]  # fmt: skip
FACILITY_KINDS = ["保育園", "幼稚園", "児童館", "小学校", "公民館", "保健センター", "子育てひろば"]
OFFICES = ["子育て支援課", "保育課", "健康推進課", "こども家庭センター", "教育委員会", "市民課"]
ITEMS = ["母子健康手帳", "バスタオル", "着替え", "飲み物", "筆記用具", "健康保険証", "印鑑"]
ACTIVITIES = ["工作", "手遊び", "リトミック", "体操", "お話し会", "身体測定", "離乳食の試食"]
AGES = ["生後2か月から", "生後6か月から1歳まで", "1歳6か月", "3歳", "就学前", "小学生", "中学生まで"]

TITLES = [
    "{t}のご案内",
    "{d}の{t}について",
    "令和{y}年度 {t}の申込み",
    "{f}からのお知らせ",
    "{t}（{d}地区）",
    "{t}と{t2}のよくある質問",
    "{m}月の{t}の日程",
    "{t}を利用するには",
]
SENTENCES = [
    "{d}の{f}では、{t}を行っています。",
    "{t}の申請は、{o}の窓口またはオンラインで受け付けています。",
    "対象は{a}のお子さんと保護者の方です。",
    "令和{y}年{m}月{day}日から{t2}の受付を始めます。",
    "定員は{n}名で、申込みが多い場合は抽選となります。",
    "費用は{fee}円です。{t}と{t2}を同じ日に利用することもできます。",
    "詳しくは{o}（電話 0422-{n}-{n4}）までお問い合わせください。",
    "{d}地区では、{t}の説明会を{m}月{day}日の午前{h}時から{f}で開きます。",
    "持ち物は{i}と{i2}です。",
    "{t}は、保護者の仕事や病気などで家庭での保育が難しいときに利用できます。",
    "当日は{act}や{act2}をして過ごします。予約は不要です。",
    "{t}について分からないことがあれば、気軽に{o}へご相談ください。",
    "雨の日は{f}の室内で{act}を行います。",
    "{t}の結果は、後日郵送でお知らせします。",
    "{a}のお子さんがいる家庭には、{t}の案内を送ります。",
    "受付時間は平日の午前{h}時から午後5時までです。",
]
RARE_SENTENCES = [
    "{r}についての相談も受け付けています。",
    "{r}の支援については、{o}が個別にご案内します。",
]


def zipf_weights(count, exponent=1.0):
    return [1 / (rank + 1) ** exponent for rank in range(count)]


class TextGenerator:
    """Realistic childcare pages: a few words in most pages, many in some, a few in very few."""

    def __init__(self, seed):
        self.random = random.Random(seed)
        self.topic_weights = zipf_weights(len(TOPICS))
        self.district_weights = zipf_weights(len(DISTRICTS), 0.7)

    def fill(self, template, topic):
        r = self.random
        return template.format(
            t=topic,
            t2=r.choices(TOPICS, self.topic_weights)[0],
            d=r.choices(DISTRICTS, self.district_weights)[0],
            f=r.choice(DISTRICTS) + r.choice(FACILITY_KINDS),
            o=r.choice(OFFICES),
            i=r.choice(ITEMS),
            i2=r.choice(ITEMS),
            act=r.choice(ACTIVITIES),
            act2=r.choice(ACTIVITIES),
            a=r.choice(AGES),
            r=r.choice(RARE),
            y=r.randint(5, 8),
            m=r.randint(1, 12),
            day=r.randint(1, 28),
            h=r.randint(8, 11),
            n=r.randint(10, 99),
            n4=r.randint(1000, 9999),
            fee=f"{r.randint(1, 30) * 100:,}",
        )

    def page(self):
        """(title, lead, body HTML) of one page; the body has 200–600 characters of text."""
        r = self.random
        topic = r.choices(TOPICS, self.topic_weights)[0]
        title = self.fill(r.choice(TITLES), topic)
        lead = self.fill(r.choice(SENTENCES), topic)
        target = r.randint(200, 600)
        paragraphs, paragraph, length = [], [], 0
        while length < target:
            template = r.choice(RARE_SENTENCES) if r.random() < 0.03 else r.choice(SENTENCES)
            sentence = self.fill(template, topic)
            paragraph.append(sentence)
            length += len(sentence)
            if len(paragraph) >= r.randint(2, 4):
                paragraphs.append("".join(paragraph))
                paragraph = []
        if paragraph:
            paragraphs.append("".join(paragraph))
        heading = r.choice(["申込み方法", "対象", "日時と場所", "問い合わせ", f"{topic}について"])
        body = f"<h2>{heading}</h2>" + "".join(f"<p>{text}</p>" for text in paragraphs)
        return title[:255], lead[:200], body


# The parent process: one worker per database, then the table --------------------------------


def progress(message):
    print(f"[{datetime.now(UTC):%H:%M:%S} UTC] {message}", file=sys.stderr, flush=True)


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def postgres_admin(url):
    import psycopg

    return psycopg.connect(urlunsplit(urlsplit(url)._replace(scheme="postgresql")), autocommit=True)


def create_postgres_database():
    with postgres_admin(POSTGRES_URL) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{PG_BENCH_DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{PG_BENCH_DATABASE}"')
    return urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{PG_BENCH_DATABASE}"))


def drop_postgres_database():
    with postgres_admin(POSTGRES_URL) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{PG_BENCH_DATABASE}" WITH (FORCE)')


def worker_env(database_url, workdir):
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DEBUG="false",
        LOG_LEVEL="WARNING",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(workdir / "media"),
        STATIC_ROOT=str(workdir / "static"),
        PYTHONUNBUFFERED="1",
    )
    return env


def run_database(database, args, workdir):
    """Run the worker for one database; returns its results (a dict) or raises."""
    if database == "sqlite":
        url = f"sqlite:///{workdir / 'search.sqlite3'}"
    else:
        url = create_postgres_database()
    result_file = workdir / f"{database}.json"
    command = [
        sys.executable,
        __file__,
        "--worker",
        "--sizes",
        ",".join(str(size) for size in args.sizes),
        "--repeat",
        str(args.repeat),
        "--budget",
        str(args.budget),
        "--result-file",
        str(result_file),
    ]
    if args.explain:
        command.append("--explain")
    if database == "sqlite" and not args.skip_update_index:
        command.append("--update-index")
    try:
        subprocess.run(command, cwd=ROOT, env=worker_env(url, workdir), check=True)
        return json.loads(result_file.read_text())
    finally:
        if database == "postgres" and not args.keep:
            drop_postgres_database()


def print_report(results, args, started):
    print()
    print("Kosodate Net search latency (bench/search_latency.py)")
    print(f"date:      {datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(f"machine:   {len(os.sched_getaffinity(0))} CPUs (nproc), {cpu_model()}, {platform.platform()}")
    packages = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("Django", "wagtail", "modelsearch", "SudachiPy")
    )
    print(f"python:    {platform.python_version()}; {packages}")
    for result in results:
        print(f"{result['database']:<10} {result['version']}")
    print("searched:  search.service.search(site, query, page=1, per_page=10), as the search page does")
    print(
        f"queries:   {len(QUERIES)} queries, each run once to warm up then {args.repeat} times; a query whose "
        f"runs pass {args.budget:g} s is run no more (a warm-up over {args.budget:g} s is its one sample); "
        "each query weighs the same in the percentiles"
    )
    print(
        "columns:   wall-clock ms of one search; cpu = CPU time of the benchmark's own process (on SQLite the "
        "whole search, on PostgreSQL without the server's); load = 1-minute load average after the row. "
        "SQL time below is time inside cursor.execute (on SQLite, work done while rows are fetched counts as Python)"
    )
    print(f"run as:    {' '.join([Path(sys.executable).name, *sys.argv])}")
    print()
    header = (
        f"{'database':<10}{'pages':>9}{'index pages/s':>15}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
        f"{'cpu p50':>9}{'cpu p95':>9}{'runs':>6}{'load':>6}  {'p95 < ' + str(int(TARGET_P95_MS)) + ' ms'}"
    )
    print(header)
    print("-" * len(header))
    for result in results:
        for row in result["sizes"]:
            verdict = "yes" if row["p95_ms"] < TARGET_P95_MS else "NO"
            print(
                f"{result['database']:<10}{row['pages']:>9,}{row['index_rate']:>15,.0f}"
                f"{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}{row['max_ms']:>9.1f}"
                f"{row['cpu_p50_ms']:>9.1f}{row['cpu_p95_ms']:>9.1f}{row['timed_runs']:>6}{row['load'][0]:>6.1f}"
                f"  {verdict}"
            )
    for result in results:
        for row in result["sizes"]:
            print()
            print(
                f"{result['database']}, {row['pages']:,} pages — the five slowest queries (median of the timed runs)"
            )
            for slow in row["slowest"]:
                split = slow["breakdown"]
                top = "; ".join(f"{ms:.1f} {label}" for ms, label in split["top"])
                print(
                    f"  {slow['median_ms']:>8.1f} ms  max {slow['max_ms']:>7.1f}  {slow['hits']:>7,} hits  "
                    f"{slow['kind']:<13} {slow['query']}"
                )
                print(
                    f"  {'':>8}     {split['statements']} SQL statements, {split['sql_ms']:.1f} ms in the "
                    f"database, {split['total_ms'] - split['sql_ms']:.1f} ms in Python; slowest: {top}"
                )
                for line in split["plan"]:
                    print(f"  {'':>8}     | {line}")
            print(
                f"  autocomplete (search.service.complete, {len(PREFIXES)} prefixes, {args.repeat} runs each): "
                f"p50 {row['complete_p50_ms']:.1f} ms, p95 {row['complete_p95_ms']:.1f} ms, "
                f"max {row['complete_max_ms']:.1f} ms"
            )
            cold = sorted(row["queries"], key=lambda item: item["first_ms"], reverse=True)[:3]
            print(
                "  first (cold) runs, slowest: "
                + "; ".join(f"{item['query']} {item['first_ms']:.0f} ms" for item in cold)
            )
    for result in results:
        update = result.get("update_index")
        if update:
            print()
            print(f"manage.py update_index on {result['database']}, {update['pages']:,} pages")
            print(
                f"  exit code {update['returncode']}, {update['seconds']:.0f} s, peak memory {update['rss_mb']:.0f} MB"
            )
            print(
                f"  progress: first output after {update['first_output_s']:.1f} s, first dot after "
                f"{update['first_dot_s']:.1f} s, {update['dots']} dots (one per {INDEX_CHUNK} objects), "
                f"longest silence {update['longest_silence_s']:.1f} s"
            )
            for line in update["tail"]:
                print(f"  | {line}")
    print()
    print(f"total time: {time.monotonic() - started:.0f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="10000,100000", help="page counts, comma-separated")
    parser.add_argument("--databases", default="sqlite,postgres", help="sqlite, postgres or both")
    parser.add_argument("--quick", action="store_true", help="a smoke run on 1,000 pages")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each query")
    parser.add_argument(
        "--budget", type=float, default=10.0, help="seconds after which a slow query is not run again"
    )
    parser.add_argument("--explain", action="store_true", help="print the plan of each slow query's SQL")
    parser.add_argument("--skip-update-index", action="store_true", help="do not run manage.py update_index")
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases afterwards (to look into a slow query)"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--update-index", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.sizes = [1000] if args.quick else sorted({int(size) for size in args.sizes.split(",") if size})
    if args.worker:
        return worker(args)
    databases = [name.strip() for name in args.databases.split(",") if name.strip()]
    unknown = set(databases) - {"sqlite", "postgres"}
    if unknown:
        parser.error(f"unknown database: {', '.join(sorted(unknown))}")
    started = time.monotonic()
    results = []
    workdir = Path(tempfile.mkdtemp(prefix="kosodate-search-bench-"))
    try:
        for database in databases:
            progress(f"{database}: sizes {', '.join(f'{size:,}' for size in args.sizes)}")
            results.append(run_database(database, args, workdir))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print_report(results, args, started)
    if args.keep:
        print(f"kept: {workdir / 'search.sqlite3'}; PostgreSQL database {PG_BENCH_DATABASE}")
    return 0


# The worker: one database, set up once -------------------------------------------------------


def worker(args):
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from home.municipality import create_municipality

    town = create_municipality("ベンチ町", "bench.example.jp", short_name="ベンチ")
    bench = Bench(town, connection)
    result = {
        "database": "sqlite" if connection.vendor == "sqlite" else "postgres",
        "version": bench.database_version(),
        "sizes": [],
    }
    for size in args.sizes:
        result["sizes"].append(bench.grow_and_measure(size, args.repeat, args.budget, args.explain))
    if args.update_index:
        result["update_index"] = run_update_index(bench.page_count())
    Path(args.result_file).write_text(json.dumps(result, ensure_ascii=False))
    return 0


class Bench:
    def __init__(self, town, connection):
        from django.contrib.contenttypes.models import ContentType

        from home.models import StandardPage

        self.town = town
        self.connection = connection
        self.generator = TextGenerator(SEED)
        self.content_type = ContentType.objects.get_for_model(StandardPage)
        self.categories = self.make_categories()
        self.next_step = {category.pk: 1 for category in self.categories}
        self.created = 0

    def database_version(self):
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "sqlite":
                cursor.execute("SELECT sqlite_version()")
                return f"SQLite {cursor.fetchone()[0]}, a temporary file"
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
            cursor.execute("SHOW shared_buffers")
            buffers = cursor.fetchone()[0]
            cursor.execute("SHOW work_mem")
            work_mem = cursor.fetchone()[0]
        return (
            f"PostgreSQL {version} on 127.0.0.1, shared_buffers={buffers}, work_mem={work_mem}, "
            f"database {PG_BENCH_DATABASE} (created for the run, dropped after)"
        )

    def make_categories(self):
        """Category pages under every section (the private one too, so ``public()`` excludes some)."""
        from home.models import StandardPage

        categories = []
        for key, section in self.town.sections.items():
            count = 1 if key == "workshop" else CATEGORIES_PER_SECTION
            for n in range(count):
                page = StandardPage(title=f"{section.title}の案内 {n + 1}", slug=f"bench-category-{n + 1}")
                section.add_child(instance=page)
                categories.append(page)
        return categories

    def page_count(self):
        from wagtail.models import Page

        return Page.objects.count()

    def add_pages(self, count):
        """``count`` more live StandardPages, spread over the categories; returns their ids."""
        from django.db import transaction
        from django.db.models import F
        from django.utils import timezone
        from wagtail.models import Page

        from home.models import StandardPage

        ids = []
        now = timezone.now()
        for start in range(0, count, CREATE_CHUNK):
            pages, specifics, per_parent = [], [], {}
            for _ in range(min(CREATE_CHUNK, count - start)):
                parent = self.categories[self.created % len(self.categories)]
                step = self.next_step[parent.pk]
                self.next_step[parent.pk] += 1
                per_parent[parent.pk] = per_parent.get(parent.pk, 0) + 1
                self.created += 1
                title, lead, body = self.generator.page()
                slug = f"p{self.created}"
                pages.append(
                    Page(
                        path=Page._get_path(parent.path, parent.depth + 1, step),
                        depth=parent.depth + 1,
                        numchild=0,
                        title=title,
                        draft_title=title,
                        slug=slug,
                        url_path=f"{parent.url_path}{slug}/",
                        content_type=self.content_type,
                        locale_id=parent.locale_id,
                        live=True,
                        has_unpublished_changes=False,
                        first_published_at=now,
                        last_published_at=now,
                    )
                )
                specifics.append((lead, body))
            with transaction.atomic():
                Page.objects.bulk_create(pages)
                with self.connection.cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {StandardPage._meta.db_table} (page_ptr_id, lead, body) VALUES (%s, %s, %s)",
                        [(page.pk, lead, body) for page, (lead, body) in zip(pages, specifics, strict=True)],
                    )
                for parent_pk, added in per_parent.items():
                    Page.objects.filter(pk=parent_pk).update(numchild=F("numchild") + added)
            ids.extend(page.pk for page in pages)
        return ids

    def index(self, ids):
        """Index the pages ``ids`` through the backend, ``INDEX_CHUNK`` at a time, as update_index does."""
        from modelsearch.backends import get_search_backend

        from home.models import StandardPage

        index = get_search_backend().get_index_for_model(StandardPage)
        for start in range(0, len(ids), INDEX_CHUNK):
            chunk = ids[start : start + INDEX_CHUNK]
            pages = list(StandardPage.objects.filter(pk__in=chunk).order_by("pk"))
            index.add_items(StandardPage, pages)

    def analyse(self):
        """PostgreSQL's statistics, as autovacuum would have them on a running site."""
        if self.connection.vendor == "postgresql":
            with self.connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")

    def grow_and_measure(self, size, repeat, budget, explain):
        from django.db import reset_queries
        from wagtail.models import Page

        from config.startup import settle
        from home.models import StandardPage
        from home.page_cache import invalidate_site

        missing = size - self.created
        progress(f"{self.connection.vendor}: adding {missing:,} pages (to {size:,})")
        started = time.perf_counter()
        ids = self.add_pages(missing)
        create_seconds = time.perf_counter() - started
        progress(f"{self.connection.vendor}: created in {create_seconds:.1f} s; indexing")
        started = time.perf_counter()
        self.index(ids)
        index_seconds = time.perf_counter() - started
        progress(
            f"{self.connection.vendor}: indexed {len(ids):,} pages in {index_seconds:.1f} s "
            f"({len(ids) / index_seconds:,.0f} pages/s)"
        )
        self.analyse()
        # The pages were added with bulk_create, which publishes nothing: renew the town's
        # generation as a publish would, so no ranking cached at the smaller size is reused.
        invalidate_site(self.town.site.pk)
        reset_queries()
        assert StandardPage.objects.filter(live=True).count() >= size
        # As a server process does before its first request (config/wsgi.py): what is loaded
        # is frozen, so no full garbage collection walks it in the middle of a timed search.
        settle()
        timings = self.time_queries(repeat, budget)
        completions = self.time_completions(repeat)
        samples = sorted(ms for row in timings for ms in weighted(row["runs_ms"], repeat))
        cpu_samples = sorted(ms for row in timings for ms in weighted(row["cpu_ms"], repeat))
        slowest = sorted(timings, key=lambda row: row["median_ms"], reverse=True)[:5]
        for row in slowest:
            row["breakdown"] = self.statements(row["query"], explain)
        row = {
            "pages": size,
            "all_pages": Page.objects.count(),
            "created_seconds": create_seconds,
            "indexed": len(ids),
            "index_seconds": index_seconds,
            "index_rate": len(ids) / index_seconds,
            "p50_ms": percentile(samples, 50),
            "p95_ms": percentile(samples, 95),
            "max_ms": samples[-1],
            "cpu_p50_ms": percentile(cpu_samples, 50) if cpu_samples else 0.0,
            "cpu_p95_ms": percentile(cpu_samples, 95) if cpu_samples else 0.0,
            "timed_runs": sum(len(row["runs_ms"]) for row in timings),
            "cached_p95_ms": percentile(sorted(row["cached_ms"] for row in timings), 95),
            "complete_p50_ms": percentile(completions, 50),
            "complete_p95_ms": percentile(completions, 95),
            "complete_max_ms": completions[-1],
            "load": os.getloadavg(),
            "slowest": slowest,
            "queries": timings,
        }
        progress(
            f"{self.connection.vendor}, {size:,} pages: p50 {row['p50_ms']:.1f} ms, p95 {row['p95_ms']:.1f} ms, "
            f"max {row['max_ms']:.1f} ms; repeated (cached ranking) p95 {row['cached_p95_ms']:.1f} ms; "
            f"autocomplete p50 {row['complete_p50_ms']:.1f} ms, p95 {row['complete_p95_ms']:.1f} ms"
        )
        return row

    def time_queries(self, repeat, budget):
        """Each query once to warm up, then ``repeat`` times, or fewer once it has taken ``budget`` s."""
        timings = []
        for kind, query in QUERIES:
            started = time.perf_counter()
            hits = self.search(query)  # warm-up: analyser, synonyms, caches, the database's pages
            first = (time.perf_counter() - started) * 1000
            spent = first / 1000
            runs, cpu = [], []
            if spent > budget:
                runs, cpu = [first], [None]  # too slow to repeat: its warm-up is its sample
            while len(runs) < repeat and not (runs and spent > budget):
                started, started_cpu = time.perf_counter(), time.process_time()
                self.search(query)
                elapsed = time.perf_counter() - started
                runs.append(elapsed * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
                spent += elapsed
            self.search(query, cached=True)
            started = time.perf_counter()
            self.search(query, cached=True)
            cached_ms = (time.perf_counter() - started) * 1000
            timings.append(
                {
                    "kind": kind,
                    "query": query,
                    "hits": hits,
                    "cached_ms": cached_ms,
                    "first_ms": first,
                    "runs_ms": runs,
                    "cpu_ms": [ms for ms in cpu if ms is not None],
                    "median_ms": statistics.median(runs),
                    "max_ms": max(runs),
                }
            )
        return timings

    def time_completions(self, repeat):
        """Each prefix once to warm up, then ``repeat`` times: sorted ms of every timed run."""
        from search import service

        samples = []
        for prefix in PREFIXES:
            service.complete(self.town.site, prefix)
            for _run in range(repeat):
                started = time.perf_counter()
                service.complete(self.town.site, prefix)
                samples.append((time.perf_counter() - started) * 1000)
        return sorted(samples)

    def search(self, query, cached=False):
        """One public search as the search page runs it; returns the number of hits.

        The service caches a query's ranked matches until the town next publishes; the timed
        runs switch that off (each run ranks afresh, the cost of a query nobody asked before),
        and ``cached=True`` times the repeat of a popular query separately.
        """
        from search import service

        saved = service.MATCHES_CACHE_SECONDS
        service.MATCHES_CACHE_SECONDS = saved if cached else 0
        try:
            return service.search(self.town.site, query, page=1, per_page=10).total
        finally:
            service.MATCHES_CACHE_SECONDS = saved

    def statements(self, query, explain):
        """Each SQL statement one search runs, with its time, and the plan of the slowest."""
        recorded = []

        def record(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                recorded.append(((time.perf_counter() - started) * 1000, sql, params, many))

        started = time.perf_counter()
        with self.connection.execute_wrapper(record):
            self.search(query)
        total = (time.perf_counter() - started) * 1000
        sql_ms = sum(ms for ms, *_rest in recorded)
        slowest = sorted(recorded, key=lambda item: item[0], reverse=True)[:3]
        found = {
            "total_ms": total,
            "statements": len(recorded),
            "sql_ms": sql_ms,
            "top": [(ms, statement_label(sql)) for ms, sql, _params, _many in slowest],
            "plan": [],
        }
        if explain and slowest and not slowest[0][3]:
            _ms, sql, params, _many = slowest[0]
            found["plan"] = [f"SQL: {self.interpolate(sql, params)[:4000]}", *self.plan(sql, params)]
        return found

    def interpolate(self, sql, params):
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                return cursor.mogrify(sql, params)
        return sql % tuple(repr(param) for param in params or ())

    def plan(self, sql, params):
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "sqlite":
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                levels, lines = {0: -1}, []
                for node, parent, _unused, detail in cursor.fetchall():
                    levels[node] = levels.get(parent, -1) + 1
                    lines.append(f"{'  ' * levels[node]}{detail}")
                return lines
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            return [row[0] for row in cursor.fetchall()]


def statement_label(sql):
    """What an SQL statement of a search is, in a few words."""
    text = " ".join(sql.split())
    if "bm25(" in text or "ts_rank(" in text:
        return "rank (ids of one page of hits)"
    if text.startswith("SELECT COUNT(*) FROM wagtailsearch_indexentry"):
        return "count of hits"
    if "SUBSTR" in text.upper() and "GROUP BY" in text:
        return "facet: section"
    if "content_type" in text and "GROUP BY" in text and "django_content_type" in text:
        return "facet: type"
    if "life_stage" in text and "GROUP BY" in text:
        return "facet: life stage"
    return text[:70]


def weighted(runs, repeat):
    """A query's runs repeated to ``repeat`` values, so a query timed fewer times counts the same."""
    return [runs[index % len(runs)] for index in range(repeat)] if runs else []


def percentile(sorted_values, percent):
    """Nearest-rank percentile of an already sorted list."""
    rank = max(1, -(-len(sorted_values) * percent // 100))
    return sorted_values[int(rank) - 1]


def run_update_index(pages):
    """``manage.py update_index`` as a person would run it: its output, timing and memory."""
    import resource

    progress(f"manage.py update_index on {pages:,} pages")
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "update_index"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=os.environ.copy(),
    )
    first_output = first_dot = None
    last_output = started
    longest_silence = 0.0
    dots = 0
    text = bytearray()
    while True:
        chunk = process.stdout.read1(4096)
        if not chunk:
            break
        now = time.monotonic()
        longest_silence = max(longest_silence, now - last_output)
        last_output = now
        if first_output is None:
            first_output = now - started
        found = len(PROGRESS_DOT.findall(chunk))
        if first_dot is None and found:
            first_dot = now - started
        dots += found
        text.extend(chunk)
    returncode = process.wait()
    seconds = time.monotonic() - started
    longest_silence = max(longest_silence, time.monotonic() - last_output)
    lines = text.decode(errors="replace").splitlines()
    progress(f"update_index: exit {returncode} after {seconds:.0f} s")
    return {
        "pages": pages,
        "returncode": returncode,
        "seconds": seconds,
        "first_output_s": first_output or 0.0,
        "first_dot_s": first_dot or 0.0,
        "dots": dots,
        "longest_silence_s": longest_silence,
        "rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "tail": [line.rstrip() for line in lines if line.strip()][-12:],
    }


if __name__ == "__main__":
    sys.exit(main())
