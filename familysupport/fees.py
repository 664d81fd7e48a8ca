"""The fee (報酬) for an activity, from a municipality's ``FeeRules``. Pure: no database.

``compute`` prices an activity that took place; ``cancellation_charge`` prices one called off.
``rules`` is a ``FeeRules`` (saved or not) or anything with the same attributes.

How the numbers are reached, in order:

1. **Time bands.** Every minute of the activity, in Asia/Tokyo local time, is either in the
   weekday daytime band (Monday–Friday from ``daytime_starts`` to ``daytime_ends``, on a day
   that is neither a national holiday (``jpholiday``) nor 年末年始, 12/29–1/3) at
   ``daytime_rate``, or at ``extra_rate`` (early morning, evening, Saturday, Sunday, holidays,
   年末年始). An activity crossing a band boundary or midnight is split at the boundary.
2. **Billing.** Up to ``minimum_minutes`` is billed as ``minimum_minutes``; beyond it, the time
   is rounded up to whole ``unit_minutes`` (60 min minimum, 30 min unit: 1 h 10 min → 1 h 30 min).
   The minutes added by this rounding are charged at the rate of the band the activity *ended*
   in: they are the continuation of the last minute worked, which keeps the rule short to say
   on the centre's fee page and never charges an early-morning rate for an evening's rounding.
3. **Yen.** Each band's amount is ``minutes × hourly rate / 60`` rounded down to a whole yen
   (fractions of a yen are dropped, in the member's favour); the first child's fee is the sum
   of the bands. Each additional child costs ``sibling_percent`` of the first child's fee,
   again rounded down.
4. **At cost.** Transport and meals are added as spent: ``total = fee + transport + meals``.

Cancellation: called off on an earlier calendar day (Asia/Tokyo) than the booked start →
``cancel_day_before_percent`` of the booked fee; on the day itself (or later) →
``cancel_same_day_percent``. Rounded down to a whole yen.
"""

import datetime
from dataclasses import asdict, dataclass
from zoneinfo import ZoneInfo

import jpholiday

TOKYO = ZoneInfo("Asia/Tokyo")
DAYTIME = "daytime"
EXTRA = "extra"


@dataclass(frozen=True)
class Fee:
    """A priced activity. ``daytime_minutes + extra_minutes == billed_minutes``."""

    minutes: int
    billed_minutes: int
    #: Billed minutes at each rate, the rounding minutes included.
    daytime_minutes: int
    extra_minutes: int
    #: Minutes added by the minimum and the rounding, and the band they were charged in.
    rounding_minutes: int
    rounding_band: str
    daytime_rate: int
    extra_rate: int
    daytime_amount: int
    extra_amount: int
    children: int
    first_child_amount: int
    sibling_percent: int
    sibling_amount: int
    transport: int
    meals: int
    fee: int
    total: int
    cancelled: bool = False
    cancel_percent: int | None = None
    booked_fee: int | None = None

    def as_dict(self):
        """For ``ActivityReport.breakdown`` (JSON)."""
        return asdict(self)


def local(moment):
    """``moment`` in Asia/Tokyo; a naive datetime is taken as Tokyo time already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=TOKYO)
    return moment.astimezone(TOKYO)


def is_year_end(day):
    """年末年始: 29 December to 3 January."""
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def is_weekday_workday(day):
    return day.weekday() < 5 and not jpholiday.is_holiday(day) and not is_year_end(day)


def band_at(rules, moment):
    """The band of the minute starting at ``moment`` (local time)."""
    if is_weekday_workday(moment.date()) and rules.daytime_starts <= moment.time() < rules.daytime_ends:
        return DAYTIME
    return EXTRA


def _next_boundary(rules, moment):
    """The next instant after ``moment`` at which the band may change: a band edge or midnight."""
    day = moment.date()
    candidates = [
        datetime.datetime.combine(day, rules.daytime_starts, tzinfo=TOKYO),
        datetime.datetime.combine(day, rules.daytime_ends, tzinfo=TOKYO),
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=TOKYO),
    ]
    return min(candidate for candidate in candidates if candidate > moment)


def _whole_minutes(moment):
    return local(moment).replace(second=0, microsecond=0)


def split_minutes(rules, started_at, ended_at):
    """Minutes of the activity in each band: ``{DAYTIME: n, EXTRA: m}``."""
    start, end = _whole_minutes(started_at), _whole_minutes(ended_at)
    minutes = {DAYTIME: 0, EXTRA: 0}
    moment = start
    while moment < end:
        until = min(_next_boundary(rules, moment), end)
        minutes[band_at(rules, moment)] += int((until - moment).total_seconds() // 60)
        moment = until
    return minutes


def billed(rules, minutes):
    """The billed minutes: the minimum, then whole units beyond it."""
    minimum, unit = rules.minimum_minutes, max(rules.unit_minutes, 1)
    if minutes <= minimum:
        return minimum
    return minimum + -(-(minutes - minimum) // unit) * unit


def _yen(minutes, hourly_rate):
    return minutes * hourly_rate // 60


def compute(rules, started_at, ended_at, children=1, transport=0, meals=0):
    """The fee of an activity from ``started_at`` to ``ended_at`` for ``children`` children."""
    if ended_at <= started_at:
        raise ValueError("ended_at must be after started_at")
    children = max(int(children), 1)
    by_band = split_minutes(rules, started_at, ended_at)
    minutes = by_band[DAYTIME] + by_band[EXTRA]
    billed_minutes = billed(rules, minutes)
    rounding = billed_minutes - minutes
    last_minute = _whole_minutes(ended_at) - datetime.timedelta(minutes=1)
    rounding_band = band_at(rules, last_minute)
    by_band[rounding_band] += rounding

    daytime_amount = _yen(by_band[DAYTIME], rules.daytime_rate)
    extra_amount = _yen(by_band[EXTRA], rules.extra_rate)
    first_child = daytime_amount + extra_amount
    sibling_amount = (children - 1) * (first_child * rules.sibling_percent // 100)
    fee = first_child + sibling_amount
    return Fee(
        minutes=minutes,
        billed_minutes=billed_minutes,
        daytime_minutes=by_band[DAYTIME],
        extra_minutes=by_band[EXTRA],
        rounding_minutes=rounding,
        rounding_band=rounding_band,
        daytime_rate=rules.daytime_rate,
        extra_rate=rules.extra_rate,
        daytime_amount=daytime_amount,
        extra_amount=extra_amount,
        children=children,
        first_child_amount=first_child,
        sibling_percent=rules.sibling_percent,
        sibling_amount=sibling_amount,
        transport=int(transport),
        meals=int(meals),
        fee=fee,
        total=fee + int(transport) + int(meals),
    )


def cancellation_percent(rules, booked_start, cancelled_at):
    if local(cancelled_at).date() < local(booked_start).date():
        return rules.cancel_day_before_percent
    return rules.cancel_same_day_percent


def cancellation_charge(rules, booked_start, booked_end, cancelled_at, children=1):
    """The charge for an activity booked ``booked_start``–``booked_end``, called off at
    ``cancelled_at``: a percentage of the booked fee (no transport or meals)."""
    booked = compute(rules, booked_start, booked_end, children=children)
    percent = cancellation_percent(rules, booked_start, cancelled_at)
    charge = booked.fee * percent // 100
    return Fee(
        **{
            **asdict(booked),
            "fee": charge,
            "total": charge,
            "cancelled": True,
            "cancel_percent": percent,
            "booked_fee": booked.fee,
        }
    )
