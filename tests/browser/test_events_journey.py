"""A parent on a phone finds events for a 1〜2歳 child and adds one to their calendar."""

import re

from icalendar import Calendar
from playwright.sync_api import expect


def test_parent_filters_events_by_age_and_downloads_one_to_a_calendar(phone):
    phone.goto("/chiiki/")
    phone.get_by_role("link", name=re.compile("地域のイベント")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("地域のイベント")

    phone.get_by_label("ライフステージ").select_option(label="1〜2歳")
    phone.get_by_role("button", name="絞り込む").click()
    expect(phone).to_have_url(re.compile(r"stage=age-1-2"))
    items = phone.locator(".item-list .item")
    expect(items.first).to_be_visible()
    assert items.count() >= 1

    title = items.first.locator(".item__title").inner_text()
    items.first.locator(".item__title").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(title)
    expect(phone.get_by_role("list", name="対象").get_by_role("link", name="1〜2歳")).to_be_visible()

    with phone.expect_download() as download_info:
        phone.get_by_role("link", name=re.compile("カレンダーに追加")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    calendar = Calendar.from_ical(open(download.path(), "rb").read())
    events = [component for component in calendar.walk("VEVENT")]
    assert len(events) == 1
    assert str(events[0]["SUMMARY"]) == title


def test_event_calendar_month_view_works_on_a_phone(phone):
    phone.goto("/chiiki/event/")
    phone.get_by_role("link", name="カレンダーで見る").click()
    expect(phone.locator("table caption")).to_contain_text("年")
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
