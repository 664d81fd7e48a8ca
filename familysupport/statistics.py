"""The centre's figures: monthly statements and summaries, and the statistics for the municipality.

Every function here is a few grouped (aggregate) queries whatever the number of reports; rows
are folded in Python. An activity belongs to the month (and the fiscal year, 4月〜3月) in which
it started, in Asia/Tokyo time. Only the current version of a report counts (never a
superseded one); the statistics and the back office's statements count approved reports only,
as the centre's official figures, while a member's own statement also lists those still waiting.
"""

import datetime
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Activity, ActivityReport, Member

TOKYO = ZoneInfo("Asia/Tokyo")
AMOUNTS = ("fee", "transport_cost", "meal_cost", "total")


# Periods --------------------------------------------------------------------------------------


def fiscal_year_of(day):
    """The fiscal year (年度) of ``day``: April to March, named for the year it starts in."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_months(fiscal_year):
    """The first days of the twelve months of ``fiscal_year``, April first."""
    return [datetime.date(fiscal_year + (m > 12), (m - 1) % 12 + 1, 1) for m in range(4, 16)]


def _midnight(day):
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=TOKYO)


def month_bounds(year, month):
    first = datetime.date(year, month, 1)
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return _midnight(first), _midnight(following)


def fiscal_year_bounds(fiscal_year):
    return _midnight(datetime.date(fiscal_year, 4, 1)), _midnight(datetime.date(fiscal_year + 1, 4, 1))


def _month_of(value):
    if isinstance(value, datetime.datetime):
        value = value.astimezone(TOKYO).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def _duration():
    return ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField())


def _minutes(duration):
    return int(duration.total_seconds() // 60) if duration else 0


def hours(minutes):
    return round(minutes / 60, 1)


# Statements -----------------------------------------------------------------------------------


def _month_reports(year, month):
    start, end = month_bounds(year, month)
    return (
        ActivityReport.objects.exclude(status=ActivityReport.Status.SUPERSEDED)
        .filter(started_at__gte=start, started_at__lt=end)
        .order_by("started_at", "pk")
    )


def _statement(reports, year, month):
    rows = list(reports)
    approved = [row for row in rows if row.status == ActivityReport.Status.APPROVED]
    waiting = [row for row in rows if row.status != ActivityReport.Status.APPROVED]
    return {
        "month": datetime.date(year, month, 1),
        "reports": rows,
        "approved": {key: sum(getattr(row, key) for row in approved) for key in AMOUNTS},
        "waiting": {key: sum(getattr(row, key) for row in waiting) for key in AMOUNTS},
        "approved_count": len(approved),
        "waiting_count": len(waiting),
    }


def requester_statement(member, year, month):
    """A requester's monthly statement (one query): what they owe each provider."""
    reports = _month_reports(year, month).filter(assignment__request__requester=member)
    return _statement(reports.select_related("assignment__provider"), year, month)


def provider_summary(member, year, month):
    """A provider's monthly summary (one query): what they are owed."""
    reports = _month_reports(year, month).filter(assignment__provider=member)
    return _statement(reports.select_related("assignment__request__requester"), year, month)


def _per_member(site, year, month, member_path):
    reports = _month_reports(year, month).filter(assignment__request__site=site)
    rows = (
        reports.values(member_id=F(f"{member_path}_id"))
        .annotate(
            count=Count("pk", filter=Q(status=ActivityReport.Status.APPROVED)),
            waiting=Count("pk", filter=~Q(status=ActivityReport.Status.APPROVED)),
            **{key: Sum(key, filter=Q(status=ActivityReport.Status.APPROVED), default=0) for key in AMOUNTS},
        )
        .order_by()
    )
    rows = list(rows)
    members = Member.objects.in_bulk([row["member_id"] for row in rows])
    for row in rows:
        row["member"] = members.get(row["member_id"])
    rows.sort(key=lambda row: (row["member"].number if row["member"] else "", row["member_id"]))
    totals = {key: sum(row[key] for row in rows) for key in (*AMOUNTS, "count", "waiting")}
    return {"month": datetime.date(year, month, 1), "rows": rows, "totals": totals}


def town_statements(site, year, month):
    """Per requester: approved activities and amounts of the month (two queries)."""
    return _per_member(site, year, month, "assignment__request__requester")


def town_provider_summaries(site, year, month):
    """Per provider: approved activities and amounts of the month (two queries)."""
    return _per_member(site, year, month, "assignment__provider")


# Statistics for the municipality --------------------------------------------------------------


def _activity_rows(site, start, end):
    """Approved reports grouped by month, activity and cancellation: one query."""
    return (
        ActivityReport.objects.filter(
            assignment__request__site=site,
            status=ActivityReport.Status.APPROVED,
            started_at__gte=start,
            started_at__lt=end,
        )
        .annotate(month=TruncMonth("started_at", tzinfo=TOKYO))
        .values("month", "activity", "cancelled")
        .annotate(n=Count("pk"), duration=Sum(_duration()), **{key: Sum(key) for key in AMOUNTS})
        .order_by()
    )


def _empty():
    return {"activities": 0, "cancelled": 0, "minutes": 0, **{key: 0 for key in AMOUNTS}}


def _add(totals, row):
    if row["cancelled"]:
        totals["cancelled"] += row["n"]
    else:
        totals["activities"] += row["n"]
        totals["minutes"] += _minutes(row["duration"])
    for key in AMOUNTS:
        totals[key] += row[key] or 0


def _finish(totals):
    totals["hours"] = hours(totals["minutes"])
    return totals


def summary(site, fiscal_year):
    """The fiscal year's figures: by month, by activity, members by type (three queries)."""
    start, end = fiscal_year_bounds(fiscal_year)
    months = fiscal_months(fiscal_year)
    by_month = {first: _empty() for first in months}
    by_activity = defaultdict(_empty)
    year = _empty()
    for row in _activity_rows(site, start, end):
        _add(by_month[_month_of(row["month"])], row)
        _add(by_activity[row["activity"]], row)
        _add(year, row)

    members = Member.objects.filter(site=site)
    current = Counter(
        {
            row["kind"]: row["n"]
            for row in members.filter(status=Member.Status.APPROVED)
            .values("kind")
            .annotate(n=Count("pk"))
            .order_by()
        }
    )
    joined = Counter()
    joined_by_month = defaultdict(Counter)
    new_rows = (
        members.filter(status=Member.Status.APPROVED, decided_at__gte=start, decided_at__lt=end)
        .annotate(month=TruncMonth("decided_at", tzinfo=TOKYO))
        .values("month", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in new_rows:
        joined[row["kind"]] += row["n"]
        joined_by_month[_month_of(row["month"])][row["kind"]] += row["n"]

    return {
        "fiscal_year": fiscal_year,
        "months": [
            {"month": first, **_finish(by_month[first]), "new_members": sum(joined_by_month[first].values())}
            for first in months
        ],
        "activities": [
            {"activity": value, "label": str(label), **_finish(by_activity[value])}
            for value, label in Activity.choices
        ],
        "members": [
            {"kind": value, "label": str(label), "current": current[value], "joined": joined[value]}
            for value, label in Member.Kind.choices
        ],
        "members_total": {"current": sum(current.values()), "joined": sum(joined.values())},
        "year": _finish(year),
    }


def fiscal_years(site, last, count=3):
    """Totals of the ``count`` fiscal years up to ``last``, oldest first (one query)."""
    first = last - count + 1
    start, _end = fiscal_year_bounds(first)
    _start, end = fiscal_year_bounds(last)
    years = {year: _empty() for year in range(first, last + 1)}
    for row in _activity_rows(site, start, end):
        _add(years[fiscal_year_of(_month_of(row["month"]))], row)
    return [{"fiscal_year": year, **_finish(totals)} for year, totals in years.items()]


# Export ---------------------------------------------------------------------------------------


def _amount_columns():
    return [_("報酬（円）"), _("交通費（円）"), _("食事・おやつ代（円）"), _("合計（円）")]


def export_tables(data, years=None):
    """The statistics as titled tables ``(title, header, rows)`` for CSV and Excel alike."""
    label = _("%(year)s年度") % {"year": data["fiscal_year"]}
    months = [
        [
            _("%(year)s年%(month)s月") % {"year": row["month"].year, "month": row["month"].month},
            row["activities"],
            row["cancelled"],
            row["hours"],
            *(row[key] for key in AMOUNTS),
            row["new_members"],
        ]
        for row in data["months"]
    ]
    year = data["year"]
    months.append(
        [
            _("%(label)s 計") % {"label": label},
            year["activities"],
            year["cancelled"],
            year["hours"],
            *(year[key] for key in AMOUNTS),
            data["members_total"]["joined"],
        ]
    )
    tables = [
        (
            _("月別（%(label)s）") % {"label": label},
            [
                _("年月"),
                _("活動件数"),
                _("取り消し件数"),
                _("活動時間（時間）"),
                *_amount_columns(),
                _("新しい会員"),
            ],
            months,
        ),
        (
            _("援助の内容別（%(label)s）") % {"label": label},
            [_("援助の内容"), _("活動件数"), _("取り消し件数"), _("活動時間（時間）"), *_amount_columns()],
            [
                [
                    row["label"],
                    row["activities"],
                    row["cancelled"],
                    row["hours"],
                    *(row[key] for key in AMOUNTS),
                ]
                for row in data["activities"]
            ],
        ),
        (
            _("会員の種類別"),
            [_("会員の種類"), _("会員数（現在）"), _("%(label)sの新しい会員") % {"label": label}],
            [[row["label"], row["current"], row["joined"]] for row in data["members"]]
            + [[_("計"), data["members_total"]["current"], data["members_total"]["joined"]]],
        ),
    ]
    if years:
        tables.append(
            (
                _("年度別"),
                [_("年度"), _("活動件数"), _("取り消し件数"), _("活動時間（時間）"), *_amount_columns()],
                [
                    [
                        _("%(year)s年度") % {"year": row["fiscal_year"]},
                        row["activities"],
                        row["cancelled"],
                        row["hours"],
                        *(row[key] for key in AMOUNTS),
                    ]
                    for row in years
                ],
            )
        )
    return tables
