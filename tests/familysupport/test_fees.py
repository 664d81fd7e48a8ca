"""The fee rules, table-driven: one row per case a centre's fee page explains.

Default rules (``FeeRules()``): weekday daytime 7:00–19:00 at 800 円/h, otherwise 900 円/h,
60 min minimum, then 30 min units; siblings 50 %; cancellation 0 % the day before, 50 % the day.
"""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from familysupport import fees
from familysupport.models import FeeRules

TOKYO = ZoneInfo("Asia/Tokyo")


def at(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=TOKYO)


def default_rules():
    return FeeRules()


def custom_rules(**changes):
    values = {
        "daytime_starts": datetime.time(8, 0),
        "daytime_ends": datetime.time(18, 0),
        "daytime_rate": 700,
        "extra_rate": 1000,
        "minimum_minutes": 60,
        "unit_minutes": 15,
        "sibling_percent": 50,
        "cancel_day_before_percent": 10,
        "cancel_same_day_percent": 100,
    }
    values.update(changes)
    return SimpleNamespace(**values)


# (case, start, end, children, transport, meals) →
# (minutes, billed, daytime min, extra min, daytime 円, extra 円, siblings 円, fee, total)
CASES = [
    (
        "weekday daytime 1 h",
        "2026-06-10T10:00",
        "2026-06-10T11:00",
        1,
        0,
        0,
        (60, 60, 60, 0, 800, 0, 0, 800, 800),
    ),
    (
        "30 min billed as the 60 min minimum",
        "2026-06-10T10:00",
        "2026-06-10T10:30",
        1,
        0,
        0,
        (30, 60, 60, 0, 800, 0, 0, 800, 800),
    ),
    (
        "1 h 10 min rounded up to 1 h 30 min",
        "2026-06-10T10:00",
        "2026-06-10T11:10",
        1,
        0,
        0,
        (70, 90, 90, 0, 1200, 0, 0, 1200, 1200),
    ),
    (
        "exactly 1 h 30 min is not rounded",
        "2026-06-10T10:00",
        "2026-06-10T11:30",
        1,
        0,
        0,
        (90, 90, 90, 0, 1200, 0, 0, 1200, 1200),
    ),
    (
        "weekday 18:30-19:30 crosses into the evening band",
        "2026-06-10T18:30",
        "2026-06-10T19:30",
        1,
        0,
        0,
        (60, 60, 30, 30, 400, 450, 0, 850, 850),
    ),
    (
        "early morning 6:30-7:30 crosses into daytime",
        "2026-06-10T06:30",
        "2026-06-10T07:30",
        1,
        0,
        0,
        (60, 60, 30, 30, 400, 450, 0, 850, 850),
    ),
    (
        "rounding minutes go to the band the activity ended in",
        "2026-06-10T18:20",
        "2026-06-10T19:30",
        1,
        0,
        0,
        (70, 90, 40, 50, 533, 750, 0, 1283, 1283),
    ),
    (
        "Saturday daytime",
        "2026-06-13T10:00",
        "2026-06-13T11:00",
        1,
        0,
        0,
        (60, 60, 0, 60, 0, 900, 0, 900, 900),
    ),
    (
        "national holiday (2026-11-03 文化の日)",
        "2026-11-03T10:00",
        "2026-11-03T11:00",
        1,
        0,
        0,
        (60, 60, 0, 60, 0, 900, 0, 900, 900),
    ),
    (
        "年末年始: 12/30 on a Wednesday",
        "2026-12-30T10:00",
        "2026-12-30T11:00",
        1,
        0,
        0,
        (60, 60, 0, 60, 0, 900, 0, 900, 900),
    ),
    (
        "年末年始: 1/3 on a Monday",
        "2028-01-03T10:00",
        "2028-01-03T11:00",
        1,
        0,
        0,
        (60, 60, 0, 60, 0, 900, 0, 900, 900),
    ),
    (
        "1/4 (Tuesday) is an ordinary weekday",
        "2028-01-04T10:00",
        "2028-01-04T11:00",
        1,
        0,
        0,
        (60, 60, 60, 0, 800, 0, 0, 800, 800),
    ),
    (
        "12/28 (Monday) is an ordinary weekday",
        "2026-12-28T10:00",
        "2026-12-28T11:00",
        1,
        0,
        0,
        (60, 60, 60, 0, 800, 0, 0, 800, 800),
    ),
    (
        "across midnight, Friday night into Saturday",
        "2026-06-12T23:00",
        "2026-06-13T01:00",
        1,
        0,
        0,
        (120, 120, 0, 120, 0, 1800, 0, 1800, 1800),
    ),
    (
        "across midnight into a weekday morning",
        "2026-06-09T23:30",
        "2026-06-10T07:30",
        1,
        0,
        0,
        (480, 480, 30, 450, 400, 6750, 0, 7150, 7150),
    ),
    (
        "two children",
        "2026-06-10T10:00",
        "2026-06-10T11:00",
        2,
        0,
        0,
        (60, 60, 60, 0, 800, 0, 400, 1200, 1200),
    ),
    (
        "three children",
        "2026-06-10T10:00",
        "2026-06-10T11:00",
        3,
        0,
        0,
        (60, 60, 60, 0, 800, 0, 800, 1600, 1600),
    ),
    (
        "transport and meals at cost",
        "2026-06-10T10:00",
        "2026-06-10T11:00",
        1,
        420,
        350,
        (60, 60, 60, 0, 800, 0, 0, 800, 1570),
    ),
]


@pytest.mark.parametrize(
    ("start", "end", "children", "transport", "meals", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in CASES],
)
def test_fee_with_default_rules(start, end, children, transport, meals, expected):
    fee = fees.compute(
        default_rules(), at(start), at(end), children=children, transport=transport, meals=meals
    )
    got = (
        fee.minutes,
        fee.billed_minutes,
        fee.daytime_minutes,
        fee.extra_minutes,
        fee.daytime_amount,
        fee.extra_amount,
        fee.sibling_amount,
        fee.fee,
        fee.total,
    )
    assert got == expected
    assert fee.daytime_minutes + fee.extra_minutes == fee.billed_minutes


@pytest.mark.parametrize(
    ("rules", "start", "end", "children", "expected_billed", "expected_fee"),
    [
        pytest.param(custom_rules(), "2026-06-10T10:00", "2026-06-10T11:10", 1, 75, 875, id="15 min unit"),
        pytest.param(
            custom_rules(), "2026-06-10T10:00", "2026-06-10T11:01", 1, 75, 875, id="one minute over"
        ),
        pytest.param(
            custom_rules(), "2026-06-10T07:30", "2026-06-10T08:30", 1, 60, 850, id="custom band 8:00"
        ),
        pytest.param(
            custom_rules(), "2026-06-10T17:30", "2026-06-10T18:10", 1, 60, 850, id="minimum in evening"
        ),
        pytest.param(
            custom_rules(minimum_minutes=120, unit_minutes=60),
            "2026-06-10T10:00",
            "2026-06-10T12:01",
            1,
            180,
            2100,
            id="2 h minimum then hours",
        ),
        pytest.param(
            custom_rules(sibling_percent=30),
            "2026-06-10T10:00",
            "2026-06-10T11:00",
            3,
            60,
            700 + 2 * 210,
            id="30 %",
        ),
        pytest.param(
            custom_rules(daytime_rate=1001),
            "2026-06-10T10:00",
            "2026-06-10T11:10",
            1,
            75,
            1251,
            id="yen rounded down",
        ),
    ],
)
def test_fee_with_custom_rules(rules, start, end, children, expected_billed, expected_fee):
    fee = fees.compute(rules, at(start), at(end), children=children)
    assert (fee.billed_minutes, fee.fee) == (expected_billed, expected_fee)


@pytest.mark.parametrize(
    ("rules", "cancelled_at", "children", "expected_percent", "expected_charge"),
    [
        pytest.param(default_rules(), "2026-06-09T23:59", 1, 0, 0, id="day before, default 0 %"),
        pytest.param(default_rules(), "2026-06-10T00:00", 1, 50, 600, id="same day just after midnight"),
        pytest.param(default_rules(), "2026-06-10T09:30", 2, 50, 900, id="same day, two children"),
        pytest.param(default_rules(), "2026-06-10T11:00", 1, 50, 600, id="after the start"),
        pytest.param(custom_rules(), "2026-06-01T12:00", 1, 10, 105, id="custom day before"),
        pytest.param(custom_rules(), "2026-06-10T08:00", 1, 100, 1050, id="custom same day"),
    ],
)
def test_cancellation_charge(rules, cancelled_at, children, expected_percent, expected_charge):
    fee = fees.cancellation_charge(
        rules, at("2026-06-10T10:00"), at("2026-06-10T11:30"), at(cancelled_at), children=children
    )
    assert fee.cancelled
    assert fee.cancel_percent == expected_percent
    assert (fee.fee, fee.total) == (expected_charge, expected_charge)
    assert fee.booked_fee >= fee.fee


def test_cancellation_day_is_the_tokyo_date():
    """15:30 UTC on 9 June is 00:30 on 10 June in Tokyo: the same day."""
    utc = datetime.UTC
    fee = fees.cancellation_charge(
        default_rules(),
        at("2026-06-10T10:00"),
        at("2026-06-10T11:00"),
        datetime.datetime(2026, 6, 9, 15, 30, tzinfo=utc),
    )
    assert fee.cancel_percent == 50


def test_times_in_another_zone_are_read_in_tokyo():
    """10:00 UTC is 19:00 in Tokyo: the evening band."""
    utc = datetime.UTC
    fee = fees.compute(
        default_rules(),
        datetime.datetime(2026, 6, 10, 10, tzinfo=utc),
        datetime.datetime(2026, 6, 10, 11, tzinfo=utc),
    )
    assert (fee.daytime_minutes, fee.extra_minutes) == (0, 60)


def test_breakdown_is_json_ready():
    import json

    fee = fees.compute(default_rules(), at("2026-06-10T18:30"), at("2026-06-10T19:30"), children=2)
    data = json.loads(json.dumps(fee.as_dict()))
    assert data["fee"] == fee.fee and data["rounding_band"] == "extra"


def test_end_before_start_is_an_error():
    with pytest.raises(ValueError):
        fees.compute(default_rules(), at("2026-06-10T11:00"), at("2026-06-10T10:00"))
