"""Statistics of ねっと相談 for the municipality: how many, about what, how fast answered.

Counts cover the cases received in the last ``months`` calendar months (this month included),
live cases and the ``ArchivedConsultation`` rows left by purged ones alike, so a purge does not
change them. Nothing in the result is text, a 相談番号 or a person.

"""

from collections import Counter
from datetime import date, datetime, time
from statistics import mean, median

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .models import ArchivedConsultation, Category, ChildAge, Consultation
from .retention import first_reply_hours


def month_starts(months, today):
    """The first days of the last ``months`` months up to ``today``'s, oldest first."""
    index = today.year * 12 + today.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 1)]


def _hours(value):
    return round(value, 1) if value is not None else None


def summary(site, months=12, now=None):
    now = now or timezone.now()
    firsts = month_starts(months, timezone.localtime(now).date())
    start = timezone.make_aware(datetime.combine(firsts[0], time.min))

    live = Consultation.objects.filter(site=site, created_at__gte=start, created_at__lte=now)
    archived = ArchivedConsultation.objects.filter(site=site, month__gte=firsts[0], month__lte=firsts[-1])

    # One grouped query per source; every count below is summed from these rows in Python.
    live_groups = (
        live.annotate(month=TruncMonth("created_at"))
        .values("category", "child_age", "urgent", "month")
        .annotate(n=Count("pk"), escalated=Count("pk", filter=Q(escalated_at__isnull=False)))
        .order_by()
    )
    archived_groups = (
        archived.values("category", "child_age", "urgent", "month")
        .annotate(n=Count("pk"), escalated=Count("pk", filter=Q(escalated=True)))
        .order_by()
    )

    by_category, by_age, by_month = Counter(), Counter(), Counter()
    total = urgent = 0
    escalated = 0
    for row in [*live_groups, *archived_groups]:
        month = row["month"]
        if isinstance(month, datetime):
            month = timezone.localtime(month).date() if timezone.is_aware(month) else month.date()
        total += row["n"]
        urgent += row["n"] if row["urgent"] else 0
        escalated += row["escalated"]
        by_category[row["category"]] += row["n"]
        by_age[row["child_age"]] += row["n"]
        by_month[month.replace(day=1)] += row["n"]

    replies = list(
        live.filter(first_replied_at__isnull=False).values_list("created_at", "first_replied_at", "due_at")
    )
    hours = [first_reply_hours(created, replied) for created, replied, _due in replies]
    archived_replies = list(
        archived.filter(first_reply_hours__isnull=False).values_list("first_reply_hours", "replied_in_time")
    )
    hours += [value for value, _in_time in archived_replies]
    in_time = sum(1 for _created, replied, due in replies if replied <= due)
    in_time += sum(1 for _hours, on_time in archived_replies if on_time)

    return {
        "total": total,
        "urgent": urgent,
        "escalated": escalated,
        "by_category": [(str(label), by_category[value]) for value, label in Category.choices],
        "by_age": [(str(label), by_age[value]) for value, label in ChildAge.choices],
        "by_month": [(first, by_month[first]) for first in firsts],
        "first_reply": {
            "answered": len(hours),
            "median_hours": _hours(median(hours)) if hours else None,
            "mean_hours": _hours(mean(hours)) if hours else None,
            "within_deadline_pct": round(100 * in_time / len(hours), 1) if hours else None,
        },
    }
