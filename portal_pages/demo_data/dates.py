"""Dates of the demo, relative to the day it is loaded, written the way a 市役所 writes them."""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")
WEEKDAYS = "月火水木金土日"
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
# National holidays on a fixed date; the demo never schedules a class or a checkup on them.
FIXED_HOLIDAYS = {(1, 1), (2, 11), (2, 23), (4, 29), (5, 3), (5, 4), (5, 5), (8, 11), (11, 3), (11, 23)}


def reiwa(year):
    number = year - 2018
    return f"令和{'元' if number == 1 else number}年"


@dataclass(frozen=True)
class DemoCalendar:
    today: datetime.date

    def day(self, days, weekday=None):
        """The date ``days`` from today, moved forward to ``weekday`` (MON … SUN) when given.

        A date on which the town's offices are closed moves on by a week (by a day without a
        weekday), so no event falls on New Year's Day or in the 年末年始 closing.
        """
        date = self.today + datetime.timedelta(days=days)
        if weekday is not None:
            date += datetime.timedelta(days=(weekday - date.weekday()) % 7)
        while self.is_closed(date):
            date += datetime.timedelta(days=1 if weekday is None else 7)
        return date

    @staticmethod
    def is_closed(date):
        new_year = (date.month == 12 and date.day >= 29) or (date.month == 1 and date.day <= 3)
        return new_year or (date.month, date.day) in FIXED_HOLIDAYS

    def at(self, date, hhmm):
        hour, minute = (int(part) for part in hhmm.split(":"))
        return datetime.datetime.combine(date, datetime.time(hour, minute), tzinfo=TOKYO)

    def ago(self, days, hhmm="09:00"):
        return self.at(self.today - datetime.timedelta(days=days), hhmm)

    @staticmethod
    def md(date):
        """「12月3日（木）」"""
        return f"{date.month}月{date.day}日（{WEEKDAYS[date.weekday()]}）"

    @classmethod
    def ymd(cls, date):
        """「令和8年12月3日（木）」"""
        return f"{reiwa(date.year)}{cls.md(date)}"

    @property
    def fiscal_year(self):
        """The 年度 (April to March) today belongs to, as a Western year."""
        return self.today.year if self.today.month >= 4 else self.today.year - 1

    def nendo(self, offset=0):
        """「令和8年度」; ``offset=1`` is next 年度."""
        return f"{reiwa(self.fiscal_year + offset)}度"

    @property
    def year_end(self):
        """First and last day of the coming (or current) 年末年始 closing, 12月29日〜1月3日."""
        year = self.today.year - 1 if self.today.month == 1 and self.today.day <= 3 else self.today.year
        return datetime.date(year, 12, 29), datetime.date(year + 1, 1, 3)
