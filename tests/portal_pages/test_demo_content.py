"""The demo town's two portals: enough realistic Japanese pages of every type, loaded once.

Loading the demo takes seconds, so the module loads it once inside a transaction that is rolled
back at the end; each test still runs in its own savepoint and leaves nothing behind.
"""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page, ReferenceIndex, Revision, Site
from wagtail.search.models import IndexEntry

from home.models import MunicipalitySettings
from home.municipality import create_municipality
from portal_pages.choices import EventState
from portal_pages.demo import load_portal_demo
from portal_pages.demo_data.dates import DemoCalendar
from portal_pages.models import ArticlePage, EventPage, FacilityPage, NoticePage, ServicePage

from . import factories

HOST = "localhost"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
MINIMUM = {NoticePage: 10, ServicePage: 8, EventPage: 12, FacilityPage: 8, ArticlePage: 6}


def load():
    call_command("load_demo", "--allow-production", stdout=io.StringIO())


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def town(demo, db):
    return create_municipality("ひなた市", HOST, short_name="ひなた", is_default=True)


def demo_pages(model=None):
    site = Site.objects.get(hostname=HOST)
    models = [model] if model else list(MINIMUM)
    pages = []
    for each in models:
        pages += list(each.objects.descendant_of(site.root_page).order_by("path"))
    return pages


def body_text(page):
    return str(page.body)


def test_demo_adds_at_least_forty_pages_of_every_portal_type(town):
    for model, minimum in MINIMUM.items():
        assert len(demo_pages(model)) >= minimum, model.__name__
    assert len(demo_pages()) >= 40


def test_every_demo_page_has_a_japanese_title_lead_and_body_without_placeholder_text(town):
    for page in demo_pages():
        assert JAPANESE.search(page.title), page.slug
        assert JAPANESE.search(page.lead), page.slug
        assert len(page.body) > 0, page.slug
        text = f"{page.title} {page.lead} {body_text(page)}"
        assert "lorem" not in text.lower(), page.slug
        assert "テスト" not in text, page.slug
        assert page.slug.isascii(), page.slug
        assert page.life_stages.exists(), page.slug


def test_services_fill_all_six_sections(town):
    for service in demo_pages(ServicePage):
        labels = [str(label) for label, _text in service.sections()]
        assert labels == ["対象", "内容", "金額", "申請方法", "必要なもの", "問い合わせ先"], service.title


def test_notices_are_live_with_varied_past_dates_except_one_scheduled(town, client):
    notices = demo_pages(NoticePage)
    live = [notice for notice in notices if notice.live]
    assert len(live) >= 10
    now = timezone.now()
    assert all(notice.first_published_at < now for notice in live)
    assert len({notice.first_published_at.date() for notice in live}) >= 8
    assert all(notice.department for notice in live)
    assert len({notice.category for notice in live}) >= 5

    scheduled = [notice for notice in notices if not notice.live]
    assert len(scheduled) == 1
    assert scheduled[0].go_live_at > now
    response = client.get(scheduled[0].url, HTTP_HOST=HOST)
    assert response.status_code == 404


def test_events_spread_over_coming_months_with_past_and_closed_ones(town):
    now = timezone.now()
    events = demo_pages(EventPage)
    future_months = {(event.start.year, event.start.month) for event in events if event.start > now}
    assert len(future_months) >= 3
    states = [event.state_at(now) for event in events]
    assert states.count(EventState.ENDED) >= 2
    assert EventState.CLOSED in states
    assert max(event.start for event in events) <= now + datetime.timedelta(days=125)
    sections = {event.get_parent().get_parent().specific.section for event in events}
    assert sections == {"municipal", "regional"}
    assert any(event.venue_id for event in events) and any(event.venue_text for event in events)


def test_event_times_are_daytime_in_tokyo(town):
    for event in demo_pages(EventPage):
        start = timezone.localtime(event.start)
        assert str(start.tzinfo) == "Asia/Tokyo"
        assert 9 <= start.hour <= 17, event.title
        assert not DemoCalendar.is_closed(start.date()), event.title
        assert event.end > event.start


def test_facilities_have_town_addresses_and_nearby_coordinates(town):
    facilities = demo_pages(FacilityPage)
    for facility in facilities:
        assert facility.address.startswith("東京都ひなた市"), facility.title
        assert re.fullmatch(r"\d{3}-\d{4}", facility.postal_code)
        assert re.fullmatch(r"0422-\d{2}-\d{4}", facility.phone)
        assert facility.opening_hours and facility.closed_days
        assert abs(float(facility.latitude) - 35.70) < 0.05
        assert abs(float(facility.longitude) - 139.56) < 0.05
    assert len({facility.kind for facility in facilities}) >= 8


def test_articles_are_by_the_reporter_and_the_npo_with_tags_and_illustrations(town):
    articles = demo_pages(ArticlePage)
    reporters = {article.reporter.username for article in articles}
    assert reporters == {"demo-reporter", "demo-npo"}
    for article in articles:
        assert article.owner == article.reporter
        assert article.tags.exists(), article.title
        assert article.interview_date and article.interview_date < timezone.localdate()
        assert article.workshop
        assert len([block for block in article.body if block.block_type == "paragraph"]) >= 2
    images = {
        block.value["image"] for article in articles for block in article.body if block.block_type == "image"
    }
    assert len(images) >= 3
    collection = MunicipalitySettings.objects.get(site__hostname=HOST).collection
    assert all(image.collection == collection for image in images)


def test_every_demo_page_renders_for_an_anonymous_visitor(town, client):
    pages = [page for page in demo_pages() if page.live]
    for page in pages:
        response = client.get(page.url, HTTP_HOST=HOST)
        assert response.status_code == 200, page.url
        assert page.title in response.content.decode()
    for index in {page.get_parent().specific for page in pages}:
        response = client.get(index.url, HTTP_HOST=HOST)
        assert response.status_code == 200, index.url


def test_one_to_two_year_olds_page_lists_a_service_an_event_and_a_facility(town, client):
    response = client.get("/stage/age-1-2/", HTTP_HOST=HOST)
    html = response.content.decode()
    assert response.status_code == 200
    for model in (ServicePage, EventPage, FacilityPage):
        titles = [
            page.title for page in demo_pages(model) if page.life_stages.filter(slug="age-1-2").exists()
        ]
        assert any(title in html for title in titles), model.__name__


def test_demo_pages_are_indexed_for_search_and_references(town):
    pages = demo_pages()
    indexed = set(IndexEntry.objects.values_list("object_id", flat=True))
    assert all(str(page.pk) in indexed for page in pages)
    venue = FacilityPage.objects.get(slug="hoken-center")
    assert ReferenceIndex.get_references_to(venue).exists()


def test_pages_made_after_the_demo_are_still_indexed(town):
    notice = factories.notice(town, "年末年始の休日診療のお知らせ", stages=["age-0"], slug="kyujitsu-shinryo")
    assert IndexEntry.objects.filter(object_id=str(notice.pk)).exists()


def test_loading_again_creates_nothing_and_changes_nothing(town):
    def snapshot():
        pages = Page.objects.order_by("pk").values_list(
            "pk", "latest_revision_id", "first_published_at", "live"
        )
        return list(pages), Revision.objects.count(), get_image_model().objects.count()

    before = snapshot()
    load()
    assert snapshot() == before
    assert load_portal_demo(town) == []


def test_calendar_names_the_fiscal_year_and_the_new_year_closing_in_japanese():
    winter = DemoCalendar(datetime.date(2027, 1, 2))
    assert winter.nendo() == "令和8年度"
    assert winter.nendo(1) == "令和9年度"
    assert winter.year_end == (datetime.date(2026, 12, 29), datetime.date(2027, 1, 3))
    spring = DemoCalendar(datetime.date(2027, 4, 1))
    assert spring.nendo() == "令和9年度"
    assert spring.ymd(spring.day(2, weekday=5)) == "令和9年4月3日（土）"
    assert DemoCalendar(datetime.date(2019, 5, 1)).nendo() == "令和元年度"


def test_calendar_moves_events_out_of_the_new_year_closing_and_holidays():
    december = DemoCalendar(datetime.date(2026, 12, 20))
    assert december.day(9, weekday=1) == datetime.date(2027, 1, 5)
    assert december.day(12) == datetime.date(2027, 1, 4)
    assert DemoCalendar(datetime.date(2026, 11, 1)).day(2) == datetime.date(2026, 11, 4)
