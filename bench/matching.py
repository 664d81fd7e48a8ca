"""Family support matching at scale: ranking one request among 5,000 providers, and the
month's batch of 1,000 requests against 2,000 providers.

Run with `.venv/bin/python bench/matching.py` (about a minute). It builds a fresh SQLite
database in a temporary folder (or uses DATABASE_URL when set), runs `migrate`, and generates one
town's members with a fixed seed: providers with homes scattered over a 12 km square, one to
three weekly slots, experience, pets or smoking at home for some, training hours, a monthly
capacity and some accepted assignments this month (load, busy times); requesters with one or two
children, some needing a home without pets or smoking. Then:

1. ``familysupport.matching.rank`` for one request among all 5,000 providers, once to warm up
   and then ``BENCH_REPEAT`` times (default 20): median, p95 and the SQL statements of one call;
2. ``familysupport.matching.propose_month`` for 1,000 open requests of the month against the
   first 2,000 providers, ``BENCH_BATCH_REPEAT`` times (default 3): median and the proposal's size.

Targets (issue 8): under 100 ms and under 5 s.
"""

import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["DEBUG"] = "false"
os.environ["LOG_LEVEL"] = "WARNING"
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from wagtail.models import Page, Site  # noqa: E402

from familysupport import matching  # noqa: E402
from familysupport.models import (  # noqa: E402
    Activity,
    Assignment,
    Availability,
    Child,
    HelpRequest,
    Member,
)

SEED = 20300601
PROVIDERS = int(os.environ.get("BENCH_PROVIDERS", "5000"))
BATCH_PROVIDERS = int(os.environ.get("BENCH_BATCH_PROVIDERS", "2000"))
BATCH_REQUESTS = int(os.environ.get("BENCH_BATCH_REQUESTS", "1000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))
BATCH_REPEAT = int(os.environ.get("BENCH_BATCH_REPEAT", "3"))
MONTH = date(2030, 6, 1)
CENTRE = (35.68, 139.56)
SQUARE_DEGREES = 12 / 111.2
AREAS = ["下連雀", "上連雀", "井の頭", "牟礼", "北野", "新川", "中原", "野崎", "大沢", "深大寺"]
AGES = ["0", "1-2", "3-5", "school"]


def aware(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, clock(hour, minute)))


def place(rng):
    return CENTRE[0] + rng.uniform(-0.5, 0.5) * SQUARE_DEGREES, CENTRE[1] + rng.uniform(
        -0.5, 0.5
    ) * SQUARE_DEGREES


def build(site, rng):
    providers = []
    for n in range(PROVIDERS):
        lat, lng = place(rng)
        providers.append(
            Member(
                site=site,
                kind=Member.Kind.PROVIDER if rng.random() < 0.85 else Member.Kind.BOTH,
                status=Member.Status.APPROVED,
                number=f"P{n:06d}",
                full_name=f"提供 会員{n}",
                phone="090-0000-0000",
                address="三鷹市",
                area=rng.choice(AREAS),
                latitude=lat if rng.random() < 0.9 else None,
                longitude=lng,
                experienced_ages=rng.sample(AGES, rng.randint(0, 4)),
                qualifications=["hoikushi"] if rng.random() < 0.2 else [],
                takes_siblings=rng.random() < 0.6,
                has_pets=rng.random() < 0.2,
                smoking_at_home=rng.random() < 0.05,
                training_hours=rng.choice([0, 6, 12, 24, 30]),
                monthly_capacity=rng.randint(4, 10),
            )
        )
    providers = Member.objects.bulk_create(providers, batch_size=1000)
    slots = []
    for member in providers:
        for weekday in rng.sample(range(7), rng.randint(1, 3)):
            start = rng.choice([7, 8, 9, 13])
            slots.append(
                Availability(
                    member=member,
                    weekday=weekday,
                    starts=clock(start),
                    ends=clock(start + rng.choice([4, 6, 10])),
                )
            )
    Availability.objects.bulk_create(slots, batch_size=2000)

    requesters = []
    for n in range(BATCH_REQUESTS):
        lat, lng = place(rng)
        requesters.append(
            Member(
                site=site,
                kind=Member.Kind.REQUESTER,
                status=Member.Status.APPROVED,
                number=f"R{n:06d}",
                full_name=f"依頼 会員{n}",
                phone="080-0000-0000",
                address="三鷹市",
                area=rng.choice(AREAS),
                latitude=lat,
                longitude=lng,
                needs_no_pets=rng.random() < 0.15,
                needs_no_smoking=rng.random() < 0.3,
            )
        )
    requesters = Member.objects.bulk_create(requesters, batch_size=1000)
    children = []
    for member in requesters:
        for _index in range(1 if rng.random() < 0.75 else 2):
            born = date(rng.randint(2020, 2030), rng.randint(1, 12), 1)
            children.append(Child(member=member, name="子", birth_date=min(born, date(2030, 1, 1))))
    children = Child.objects.bulk_create(children, batch_size=2000)
    by_member = {}
    for child in children:
        by_member.setdefault(child.member_id, []).append(child)

    requests = []
    for member in requesters:
        day = MONTH + timedelta(days=rng.randint(0, 29))
        start = rng.choice([8, 9, 10, 14, 15, 16])
        requests.append(
            HelpRequest(
                site=site,
                requester=member,
                activity=rng.choice(Activity.values[:6]),
                starts_at=aware(day, start),
                ends_at=aware(day, start + rng.choice([1, 2, 3])),
                series=None,
                status=HelpRequest.Status.OPEN,
            )
        )
    requests = HelpRequest.objects.bulk_create(requests, batch_size=1000)
    through = HelpRequest.children.through
    through.objects.bulk_create(
        [
            through(helprequest_id=item.pk, child_id=child.pk)
            for item in requests
            for child in by_member[item.requester_id]
        ],
        batch_size=2000,
    )

    # This month's load: earlier requests already matched, some overlapping the open ones.
    matched = []
    for n in range(3000):
        day = MONTH + timedelta(days=rng.randint(0, 29))
        start = rng.choice([8, 10, 14, 16])
        matched.append(
            HelpRequest(
                site=site,
                requester=requesters[n % len(requesters)],
                activity=Activity.OTHER,
                starts_at=aware(day, start),
                ends_at=aware(day, start + 2),
                status=HelpRequest.Status.MATCHED,
            )
        )
    matched = HelpRequest.objects.bulk_create(matched, batch_size=1000)
    Assignment.objects.bulk_create(
        [
            Assignment(request=item, provider=rng.choice(providers), status=Assignment.Status.ACCEPTED)
            for item in matched
        ],
        batch_size=1000,
    )
    return providers, requests


def main():
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.create(
        hostname="bench.example.jp", root_page=Page.get_first_root_node(), is_default_site=True
    )
    rng = random.Random(SEED)
    providers, requests = build(site, rng)
    built = time.perf_counter() - started

    one = requests[0]
    matching.rank(one)
    with CaptureQueriesContext(connection) as queries:
        found = matching.rank(one)
    timings = []
    for _run in range(REPEAT):
        tick = time.perf_counter()
        matching.rank(one)
        timings.append((time.perf_counter() - tick) * 1000)
    timings.sort()

    batch_providers = Member.objects.filter(pk__in=[member.pk for member in providers[:BATCH_PROVIDERS]])
    batch_timings = []
    for _run in range(BATCH_REPEAT):
        tick = time.perf_counter()
        plan = matching.propose_month(requests, batch_providers)
        batch_timings.append(time.perf_counter() - tick)

    by_provider = {}
    for proposal in plan.proposals:
        by_provider.setdefault(proposal.provider.pk, []).append(proposal.request)
    remaining = {
        member.pk: member.monthly_capacity
        - Assignment.objects.filter(provider=member, request__starts_at__gte=aware(MONTH, 0)).count()
        for member in batch_providers.filter(pk__in=list(by_provider))
    }
    over = sum(1 for pk, items in by_provider.items() if len(items) > remaining[pk])
    overlaps = sum(
        1
        for items in by_provider.values()
        for left in items
        for right in items
        if left.pk < right.pk and left.starts_at < right.ends_at and right.starts_at < left.ends_at
    )

    versions = ", ".join(f"{name} {metadata.version(name)}" for name in ("Django", "numpy", "scipy"))
    print("Kosodate Net — family support matching benchmark (bench/matching.py)")
    print(
        f"  {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}"
    )
    print(f"  Python {platform.python_version()}, {versions}, database {connection.vendor}")
    print(f"  seed {SEED}; data built in {built:.1f} s (migrate included)")
    print()
    print(f"rank(): one request among {PROVIDERS:,} providers, {REPEAT} runs after one warm-up")
    print(
        f"  median {statistics.median(timings):.1f} ms, p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms,"
        f" max {timings[-1]:.1f} ms  (target < 100 ms)"
    )
    print(f"  {len(queries)} SQL statements per call; {len(found)} candidates returned")
    print()
    print(
        f"propose_month(): {len(requests):,} requests x {batch_providers.count():,} providers, {BATCH_REPEAT} runs"
    )
    print(
        f"  median {statistics.median(batch_timings):.2f} s, max {max(batch_timings):.2f} s  (target < 5 s)"
    )
    print(f"  {len(plan.proposals)} proposals, {len(plan.unassigned)} requests left to the advisor")
    print(f"  checked: {over} providers over their remaining capacity, {overlaps} overlapping pairs")


if __name__ == "__main__":
    main()
