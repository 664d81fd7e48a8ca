"""The first-reply deadline in a town's business days (開庁日).

Saturdays, Sundays and Japanese public holidays (``jpholiday``: national holidays and
substitute holidays, kept up to date by its maintainers) are not counted, nor, where the town
closes then, 年末年始 (29 December to 3 January).
"""

from datetime import datetime, time, timedelta

import jpholiday
from django.utils import timezone


def is_business_day(day, *, closed_year_end=True):
    if day.weekday() >= 5 or jpholiday.is_holiday(day):
        return False
    if closed_year_end and ((day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)):
        return False
    return True


def add_business_days(start, days, *, closed_year_end=True):
    """The end of the ``days``-th business day after ``start`` (an aware datetime), in local time.

    A consultation received on a business day counts from the next one: received Friday with
    3 days it is due at the end of Wednesday (Thursday after a Monday holiday).
    """
    day = timezone.localtime(start).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_business_day(day, closed_year_end=closed_year_end):
            counted += 1
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))
