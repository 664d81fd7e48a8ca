"""The first-reply deadline counts business days (開庁日): no weekends, holidays or 年末年始."""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from consult.deadlines import add_business_days, is_business_day


def received(*args):
    """An aware moment in Japan time."""
    return timezone.make_aware(datetime(*args))


def due_date(start, days=3, **kwargs):
    due = timezone.localtime(add_business_days(start, days, **kwargs))
    assert (due.hour, due.minute, due.second) == (23, 59, 59)
    return due.date()


@pytest.mark.parametrize(
    ("day", "business"),
    [
        (date(2025, 6, 6), True),  # Friday
        (date(2025, 6, 7), False),  # Saturday
        (date(2025, 6, 8), False),  # Sunday
        (date(2025, 7, 21), False),  # 海の日
        (date(2025, 2, 24), False),  # 振替休日 (天皇誕生日 on a Sunday)
        (date(2025, 5, 6), False),  # 振替休日 after the Golden Week Sunday
        (date(2025, 12, 26), True),  # last Friday before 年末年始
    ],
)
def test_business_days(day, business):
    assert is_business_day(day) is business


def test_year_end_closing_is_a_town_choice():
    assert not is_business_day(date(2025, 12, 29))
    assert is_business_day(date(2025, 12, 29), closed_year_end=False)
    assert not is_business_day(date(2026, 1, 1), closed_year_end=False)  # 元日 stays a holiday


def test_a_midweek_receipt_counts_from_the_next_day():
    assert due_date(received(2025, 6, 3, 10, 0)) == date(2025, 6, 6)  # Tuesday → Friday


def test_a_friday_receipt_skips_the_weekend():
    assert due_date(received(2025, 6, 6, 16, 30)) == date(2025, 6, 11)  # Friday → Wednesday


def test_a_weekend_receipt_counts_from_monday():
    assert due_date(received(2025, 6, 7, 9, 0), days=1) == date(2025, 6, 9)


def test_a_national_holiday_is_skipped():
    assert due_date(received(2025, 7, 18, 12, 0)) == date(2025, 7, 24)  # Monday 21 is 海の日


def test_a_substitute_holiday_is_skipped():
    assert due_date(received(2025, 2, 21, 12, 0)) == date(2025, 2, 27)  # Monday 24 is 振替休日


def test_year_end_on_and_off():
    friday = received(2025, 12, 26, 15, 0)
    assert due_date(friday) == date(2026, 1, 7)  # closed 29 Dec – 3 Jan, then the weekend
    assert due_date(friday, closed_year_end=False) == date(2025, 12, 31)


def test_the_day_of_receipt_is_the_japanese_day():
    # Thursday 15:30 UTC is Friday 00:30 in Tokyo: the count starts after Friday.
    assert due_date(datetime(2025, 6, 5, 15, 30, tzinfo=UTC)) == date(2025, 6, 11)
