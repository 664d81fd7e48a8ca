import datetime
import zoneinfo

import feedparser
import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar
from wagtail.models import PageViewRestriction

from portal_pages.models import EventPage

from . import factories

pytestmark = pytest.mark.django_db

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def get(client, town, url):
    return client.get(url, HTTP_HOST=town.site.hostname)


def at_ten_tokyo(days_ahead):
    day = timezone.localdate() + datetime.timedelta(days=days_ahead)
    return datetime.datetime.combine(day, datetime.time(10, 0), TOKYO)


def parsed_calendar(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def summaries(response):
    return {str(event["SUMMARY"]) for event in parsed_calendar(response).walk("VEVENT")}


def draft_event(town, title):
    index = town.index("regional", "EventIndexPage")
    start = at_ten_tokyo(5)
    page = EventPage(
        title=title, slug="draft", live=False, start=start, end=start + datetime.timedelta(hours=1)
    )
    index.add_child(instance=page)
    page.save_revision()
    return page


# iCal ---------------------------------------------------------------------------------------


def test_site_calendar_has_the_rfc5545_properties_and_japanese_text(client, town_a):
    start = at_ten_tokyo(10)
    page = factories.event(
        town_a,
        "親子リトミック",
        start=start,
        end=start + datetime.timedelta(hours=1, minutes=30),
        lead="音楽に合わせて親子で体を動かします。",
        venue_text="ひなた市民センター 2階 和室",
    )

    cal = parsed_calendar(get(client, town_a, "/feeds/events.ics"))

    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"])
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["X-WR-CALNAME"]) == "みたか子育てねっと イベント"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == f"event-{page.pk}@mitaka.example.jp"
    assert event.decoded("DTSTAMP").utcoffset() == datetime.timedelta(0)
    assert event["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTSTART").hour == 10
    assert event.decoded("DTSTART").astimezone(datetime.UTC).hour == 1
    assert event.decoded("DTEND") == start + datetime.timedelta(hours=1, minutes=30)
    assert str(event["SUMMARY"]) == "親子リトミック"
    assert str(event["LOCATION"]) == "ひなた市民センター 2階 和室"
    assert str(event["DESCRIPTION"]).startswith("音楽に合わせて親子で体を動かします。")
    assert str(event["URL"]) == page.full_url
    assert page.full_url.startswith("http://mitaka.example.jp/")


def test_event_at_a_facility_is_located_by_its_name_and_address(client, town_a):
    hall = factories.facility(town_a, "中央児童館", kind="jidokan", address="東京都三鷹市下連雀一丁目1番1号")
    factories.event(town_a, "児童館まつり", venue=hall, venue_text="")

    (event,) = parsed_calendar(get(client, town_a, "/feeds/events.ics")).walk("VEVENT")

    assert str(event["LOCATION"]) == "中央児童館（東京都三鷹市下連雀一丁目1番1号）"


def test_site_calendar_leaves_out_other_towns_drafts_private_and_long_ended_events(client, town_a, town_b):
    factories.event(town_a, "三鷹の読み聞かせ")
    factories.event(town_a, "先週の親子ヨガ", days_ahead=-7)
    factories.event(town_a, "春のお花見会", days_ahead=-90)
    factories.event(town_b, "立川の親子体操")
    draft_event(town_a, "下書きの講座")
    private = factories.event(town_a, "会員限定の講座")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)

    assert summaries(get(client, town_a, "/feeds/events.ics")) == {"三鷹の読み聞かせ", "先週の親子ヨガ"}
    assert summaries(get(client, town_b, "/feeds/events.ics")) == {"立川の親子体操"}


def test_stage_calendar_has_only_that_stages_events(client, town_a, town_b):
    factories.event(town_a, "1〜2歳のリトミック", stages=["age-1-2"])
    factories.event(town_a, "両親学級", stages=["pregnancy"])
    factories.event(town_a, "ことばの相談会", stages=["age-1-2", "age-3-5"])
    factories.event(town_b, "立川の1〜2歳ひろば", stages=["age-1-2"])

    response = get(client, town_a, "/feeds/events/age-1-2.ics")

    assert summaries(response) == {"1〜2歳のリトミック", "ことばの相談会"}
    assert str(parsed_calendar(response)["X-WR-CALNAME"]) == "みたか子育てねっと イベント（1〜2歳）"


def test_unknown_stage_calendar_is_not_found(client, town_a):
    assert get(client, town_a, "/feeds/events/age-99.ics").status_code == 404


def test_event_file_is_an_attachment_with_that_one_event(client, town_a):
    factories.event(town_a, "ほかのイベント")
    page = factories.event(town_a, "離乳食教室")

    response = get(client, town_a, f"/feeds/event/{page.pk}.ics")

    assert response["Content-Disposition"] == f'attachment; filename="event-{page.pk}.ics"'
    assert summaries(response) == {"離乳食教室"}


def test_event_file_is_not_found_for_another_town_a_draft_or_a_private_event(client, town_a, town_b):
    other_town = factories.event(town_b, "立川の親子体操")
    draft = draft_event(town_a, "下書きの講座")
    private = factories.event(town_a, "会員限定の講座")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    notice = factories.notice(town_a)

    for page in (other_town, draft, private, notice):
        assert get(client, town_a, f"/feeds/event/{page.pk}.ics").status_code == 404, page.title


def test_event_page_links_to_its_calendar_file(client, town_a):
    page = factories.event(town_a, "親子リトミック")

    html = get(client, town_a, page.url).content.decode()

    assert f'href="/feeds/event/{page.pk}.ics"' in html
    assert "カレンダーに追加" in html


# Notices ------------------------------------------------------------------------------------


def notices_in_order(town, titles):
    pages = []
    for hours_ago, title in enumerate(titles):
        page = factories.notice(town, title, category="health")
        page.first_published_at = timezone.now() - datetime.timedelta(hours=len(titles) - hours_ago)
        page.save(update_fields=["first_published_at"])
        pages.append(page)
    return pages


@pytest.mark.parametrize(
    ("url", "content_type"),
    [("/feeds/notices.rss", "application/rss+xml"), ("/feeds/notices.atom", "application/atom+xml")],
)
def test_notice_feeds_list_the_towns_notices_newest_first_with_absolute_links(
    client, town_a, town_b, url, content_type
):
    older, newer = notices_in_order(town_a, ["乳幼児健診の日程変更", "保育園入園申し込みのお知らせ"])
    factories.notice(town_b, "立川市からのお知らせ")

    response = get(client, town_a, url)
    feed = feedparser.parse(response.content)

    assert response["Content-Type"].startswith(content_type)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "みたか子育てねっと お知らせ"
    assert feed.feed.link == "http://mitaka.example.jp/"
    assert [entry.title for entry in feed.entries] == [newer.title, older.title]
    assert [entry.link for entry in feed.entries] == [newer.full_url, older.full_url]
    assert newer.full_url.startswith("http://mitaka.example.jp/")
    assert feed.entries[0].summary == newer.lead
    assert [tag.term for tag in feed.entries[0].tags] == ["健診・予防接種"]
    assert feed.entries[0].published_parsed is not None


def test_notice_feed_leaves_out_drafts_and_private_notices(client, town_a):
    factories.notice(town_a, "公開中のお知らせ")
    private = factories.notice(town_a, "職員向けのお知らせ")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    unpublished = factories.notice(town_a, "取り下げたお知らせ")
    unpublished.unpublish()

    feed = feedparser.parse(get(client, town_a, "/feeds/notices.rss").content)

    assert [entry.title for entry in feed.entries] == ["公開中のお知らせ"]


def test_notice_feed_keeps_the_latest_thirty(client, town_a):
    pages = notices_in_order(town_a, [f"お知らせ{number}" for number in range(31)])

    feed = feedparser.parse(get(client, town_a, "/feeds/notices.atom").content)

    assert len(feed.entries) == 30
    assert pages[0].title not in {entry.title for entry in feed.entries}


# Month calendar -----------------------------------------------------------------------------


def tokyo(year, month, day, hour=10, minute=0):
    start = datetime.datetime(year, month, day, hour, minute, tzinfo=TOKYO)
    return {"start": start, "end": start + datetime.timedelta(hours=1)}


def calendar_page(client, town, path, status=200):
    response = get(client, town, town.index("regional", "EventIndexPage").url + path)
    assert response.status_code == status
    return BeautifulSoup(response.content, "html.parser")


def day_cell(soup, iso_date):
    return soup.find("time", datetime=iso_date).find_parent("td")


def titles(soup):
    """The event titles in the grid (each link reads "10:00 title")."""
    return {link.get_text(" ", strip=True).split(" ", 1)[1] for link in soup.select(".calendar__events a")}


def test_month_calendar_shows_an_event_on_its_day_as_a_link_with_its_time(client, town_a):
    page = factories.event(town_a, "クリスマス親子会", **tokyo(2030, 12, 24, hour=10))

    soup = calendar_page(client, town_a, "calendar/2030/12/")

    assert soup.select_one("table.calendar caption").get_text() == "2030年12月"
    assert [th.get_text() for th in soup.select("table.calendar thead th")] == list("日月火水木金土")
    (link,) = day_cell(soup, "2030-12-24").select(".calendar__events a")
    assert link["href"] == page.relative_url(town_a.site)
    assert link.get_text(" ", strip=True) == "10:00 クリスマス親子会"
    assert titles(soup) == {"クリスマス親子会"}


def test_month_calendar_places_events_by_tokyo_date_and_leaves_out_other_indexes_and_drafts(client, town_a):
    factories.event(town_a, "年越しの集い", **tokyo(2030, 12, 31, hour=23))
    factories.event(town_a, "新年の集い", **tokyo(2031, 1, 1, hour=0, minute=30))
    factories.event(town_a, "市の健診", section="municipal", **tokyo(2030, 12, 10))
    draft_event(town_a, "下書きの講座")

    december = calendar_page(client, town_a, "calendar/2030/12/")
    january = calendar_page(client, town_a, "calendar/2031/1/")

    assert titles(december) == {"年越しの集い"}
    assert titles(january) == {"新年の集い"}
    assert day_cell(january, "2031-01-01").select(".calendar__events a")


def test_month_calendar_honours_the_life_stage_filter(client, town_a):
    factories.event(town_a, "1〜2歳のリトミック", stages=["age-1-2"], **tokyo(2030, 12, 5))
    factories.event(town_a, "両親学級", stages=["pregnancy"], **tokyo(2030, 12, 6))

    filtered = calendar_page(client, town_a, "calendar/2030/12/?stage=age-1-2")
    unknown = calendar_page(client, town_a, "calendar/2030/12/?stage=nonsense")

    assert titles(filtered) == {"1〜2歳のリトミック"}
    assert filtered.find("a", rel="next")["href"].endswith("calendar/2031/1/?stage=age-1-2")
    assert titles(unknown) == {"1〜2歳のリトミック", "両親学級"}


def test_month_calendar_links_to_the_neighbouring_months_and_the_list(client, town_a):
    index = town_a.index("regional", "EventIndexPage")

    soup = calendar_page(client, town_a, "calendar/2030/1/")

    url = index.relative_url(town_a.site)
    assert soup.find("a", rel="prev")["href"] == f"{url}calendar/2029/12/"
    assert soup.find("a", rel="next")["href"] == f"{url}calendar/2030/2/"
    assert soup.select_one(".calendar-views a")["href"] == url
    assert "この月のイベントはありません。" in soup.get_text()


def test_this_months_calendar_marks_today(client, town_a):
    today = timezone.localdate()

    soup = calendar_page(client, town_a, "calendar/")

    assert soup.select_one("table.calendar caption").get_text() == f"{today.year}年{today.month}月"
    (marked,) = soup.select('td[aria-current="date"]')
    assert marked is day_cell(soup, f"{today:%Y-%m-%d}")
    assert "今日" in marked.get_text()


@pytest.mark.parametrize(
    "path", ["calendar/2030/13/", "calendar/2030/0/", "calendar/1999/12/", "calendar/2030/ab/"]
)
def test_invalid_month_is_not_found(client, town_a, path):
    calendar_page(client, town_a, path, status=404)


def test_event_list_offers_its_calendar_keeping_the_stage(client, town_a):
    index = town_a.index("regional", "EventIndexPage")

    response = get(client, town_a, index.url + "?stage=age-0")

    assert response.context["calendar_url"] == f"{index.relative_url(town_a.site)}calendar/?stage=age-0"


def test_month_calendar_queries_do_not_grow_with_the_number_of_events(client, town_a):
    hall = factories.facility(town_a, "中央子育てひろば")
    path = "calendar/2030/12/"
    for day in range(1, 4):
        factories.event(town_a, f"ひろばの日{day}", stages=["age-0"], venue=hall, **tokyo(2030, 12, day))
    calendar_page(client, town_a, path)

    with CaptureQueriesContext(connection) as three:
        calendar_page(client, town_a, path)
    for day in range(4, 31):
        factories.event(town_a, f"ひろばの日{day}", stages=["age-0"], venue=hall, **tokyo(2030, 12, day))
    calendar_page(client, town_a, path)  # publishing renewed the town's header and footer once
    with CaptureQueriesContext(connection) as thirty:
        soup = calendar_page(client, town_a, path)

    assert len(titles(soup)) == 30
    assert len(thirty) == len(three)


# Kept per generation -------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/feeds/events.ics", "/feeds/notices.rss", "/feeds/notices.atom"])
def test_a_feed_is_built_once_and_renewed_by_the_next_publish(client, town_a, url):
    first = get(client, town_a, url)
    with CaptureQueriesContext(connection) as queries:
        again = get(client, town_a, url)
    assert again.content == first.content and again["Content-Type"] == first["Content-Type"]
    assert not [q for q in queries if "portal_pages_" in q["sql"]], "answered from the kept copy"
    factories.event(town_a, title="新しい親子イベント")
    factories.notice(town_a, title="新しいお知らせ")
    renewed = get(client, town_a, url).content.decode()
    assert "新しい親子イベント" in renewed or "新しいお知らせ" in renewed


def test_each_host_gets_its_own_feed_and_an_unknown_stage_is_still_a_404(client, town_a, town_b):
    factories.event(town_a, title="三鷹のイベント")
    factories.event(town_b, title="立川のイベント")
    assert "三鷹のイベント" in get(client, town_a, "/feeds/events.ics").content.decode()
    other = get(client, town_b, "/feeds/events.ics").content.decode()
    assert "立川のイベント" in other and "三鷹のイベント" not in other
    for _ in range(2):
        response = client.get("/feeds/events/no-such-stage.ics", HTTP_HOST=town_a.site.hostname)
        assert response.status_code == 404
