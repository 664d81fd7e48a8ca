"""Statistics for the municipality: counts by category, age and month, and reply times."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consult.models import ArchivedConsultation, Category, ChildAge, Consultation
from consult.statistics import summary

NOW = timezone.make_aware(datetime(2025, 6, 15, 12, 0))


def at(*args):
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def case():
    """``case(town, created, **fields)``: a consultation record received at ``created``."""
    count = 0

    def make(town, created, **fields):
        nonlocal count
        count += 1
        values = {
            "category": "parenting",
            "child_age": "0",
            "reply_channel": "check",
            "due_at": created + timedelta(days=3),
            **fields,
        }
        made = Consultation.objects.create(
            site=town.site, number=f"9999-{count:04d}", passphrase_hash="x", nickname="ゆうこ", **values
        )
        Consultation.objects.filter(pk=made.pk).update(created_at=created)
        return made

    return make


def test_counts_by_category_age_and_month(town_a, town_b, case):
    case(town_a, at(2025, 6, 10, 9), category="food", child_age="0", urgent=True)
    case(town_a, at(2025, 6, 1, 0, 0), category="food", child_age="1")
    case(town_a, at(2025, 4, 20, 15), category="family", child_age="3-5", urgent=True, escalated_at=NOW)
    case(town_a, at(2024, 7, 1, 0, 0), category="parenting", child_age="unsaid")  # first day of window
    case(town_a, at(2024, 6, 30, 23, 59), category="other")  # a day too old
    case(town_a, at(2025, 6, 16, 9), category="other")  # after ``now``
    case(town_b, at(2025, 6, 2, 9), category="other")  # another town
    ArchivedConsultation.objects.create(
        site=town_a.site, month=date(2025, 1, 1), category="food", child_age="0", urgent=True
    )

    stats = summary(town_a.site, now=NOW)

    assert (stats["total"], stats["urgent"], stats["escalated"]) == (5, 3, 1)
    assert [label for label, _n in stats["by_category"]] == [str(label) for label in Category.labels]
    assert dict(stats["by_category"]) == {
        "発育・発達": 0,
        "食事・離乳食": 3,
        "育児の不安・しつけ": 1,
        "保育園・幼稚園": 0,
        "家族のこと": 1,
        "その他": 0,
    }
    assert [label for label, _n in stats["by_age"]] == [str(label) for label in ChildAge.labels]
    assert dict(stats["by_age"])["0歳"] == 2
    assert dict(stats["by_age"])["3〜5歳"] == 1
    assert dict(stats["by_age"])["答えない"] == 1
    months = stats["by_month"]
    assert [first for first, _n in months] == [date(2024, 7 + i, 1) for i in range(6)] + [
        date(2025, 1 + i, 1) for i in range(6)
    ]
    assert dict(months) == {first: 0 for first, _n in months} | {
        date(2024, 7, 1): 1,
        date(2025, 1, 1): 1,
        date(2025, 4, 1): 1,
        date(2025, 6, 1): 2,
    }


def test_a_shorter_window_has_its_months_even_when_empty(town_a, case):
    case(town_a, at(2025, 4, 30, 23, 30))
    case(town_a, at(2025, 2, 1, 9))

    stats = summary(town_a.site, months=3, now=NOW)

    assert stats["by_month"] == [(date(2025, 4, 1), 1), (date(2025, 5, 1), 0), (date(2025, 6, 1), 0)]
    assert stats["total"] == 1


def test_reply_times(town_a, case):
    received = at(2025, 6, 2, 9)
    for hours in (2, 10, 30):
        case(
            town_a,
            received,
            first_replied_at=received + timedelta(hours=hours),
            due_at=received + timedelta(hours=24),
        )
    case(town_a, received)  # not answered yet
    ArchivedConsultation.objects.create(
        site=town_a.site,
        month=date(2025, 3, 1),
        category="food",
        child_age="0",
        first_reply_hours=4,
        replied_in_time=True,
    )
    ArchivedConsultation.objects.create(
        site=town_a.site, month=date(2025, 3, 1), category="food", child_age="0"
    )

    assert summary(town_a.site, now=NOW)["first_reply"] == {
        "answered": 4,
        "median_hours": 7.0,
        "mean_hours": 11.5,
        "within_deadline_pct": 75.0,
    }


def test_no_cases_gives_zeros_and_no_times(town_a):
    stats = summary(town_a.site, now=NOW)
    assert stats["total"] == 0
    assert len(stats["by_month"]) == 12
    assert stats["first_reply"] == {
        "answered": 0,
        "median_hours": None,
        "mean_hours": None,
        "within_deadline_pct": None,
    }


def test_nothing_personal_in_the_result(town_a, case):
    made = case(town_a, at(2025, 6, 2, 9), first_replied_at=at(2025, 6, 2, 12))
    text = repr(summary(town_a.site, now=NOW))
    assert made.number not in text
    assert "ゆうこ" not in text


def count_queries(site):
    with CaptureQueriesContext(connection) as queries:
        summary(site, now=NOW)
    return len(queries)


def test_query_count_does_not_grow_with_cases(town_a, case):
    def add(n):
        for i in range(n):
            received = at(2025, 1 + i % 6, 1 + i % 14, 9)
            case(
                town_a,
                received,
                category=Category.values[i % len(Category.values)],
                child_age=ChildAge.values[i % len(ChildAge.values)],
                first_replied_at=received + timedelta(hours=i + 1),
            )
            ArchivedConsultation.objects.create(
                site=town_a.site,
                month=date(2024, 8 + i % 5, 1),
                category="food",
                child_age="0",
                first_reply_hours=i,
            )

    add(5)
    few = count_queries(town_a.site)
    add(25)
    many = count_queries(town_a.site)
    assert summary(town_a.site, now=NOW)["total"] == 60
    assert few == many <= 6
