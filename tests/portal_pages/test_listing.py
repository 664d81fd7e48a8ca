"""Index pages: every filter, bad filter input, pagination and bounded queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal_pages.models import NoticePage

from . import factories

pytestmark = pytest.mark.django_db


def listing(client, town, index, **params):
    response = client.get(index.url, params, HTTP_HOST=town.site.hostname)
    assert response.status_code == 200
    return response


def titles(response):
    return [page.title for page in response.context["items"]]


def test_filter_by_life_stage(client, town_a):
    factories.event(town_a, title="離乳食教室", stages=["age-0"])
    factories.event(town_a, title="親子リトミック", stages=["age-1-2"])
    index = town_a.index("regional", "EventIndexPage")
    assert titles(listing(client, town_a, index, stage="age-1-2")) == ["親子リトミック"]


def test_filter_by_category(client, town_a):
    factories.notice(town_a, title="予防接種の助成", category="health")
    factories.notice(town_a, title="入園申し込み", category="childcare")
    index = town_a.index("municipal", "NoticeIndexPage")
    assert titles(listing(client, town_a, index, category="health")) == ["予防接種の助成"]


def test_filter_facilities_by_kind_and_every_chosen_amenity(client, town_a):
    factories.facility(town_a, title="中央ひろば", kind="hiroba", nursing_room=True, parking=True)
    factories.facility(town_a, title="東ひろば", kind="hiroba", nursing_room=True)
    factories.facility(town_a, title="西児童館", kind="jidokan", nursing_room=True, parking=True)
    index = town_a.index("regional", "FacilityIndexPage")
    response = client.get(
        f"{index.url}?kind=hiroba&amenity=nursing_room&amenity=parking", HTTP_HOST=town_a.site.hostname
    )
    assert titles(response) == ["中央ひろば"]


def test_filter_articles_by_japanese_tag(client, town_a):
    factories.article(town_a, title="雨の日の児童館", tags=["雨の日"])
    factories.article(town_a, title="公園マップ", tags=["公園"])
    index = town_a.index("regional", "ArticleIndexPage")
    tag_slug = factories.ArticlePage.objects.get(title="雨の日の児童館").tags.first().slug
    assert titles(listing(client, town_a, index, tag=tag_slug)) == ["雨の日の児童館"]


def test_filter_events_by_date_range_and_hide_past_unless_asked(client, town_a):
    factories.event(town_a, title="来週の会", days_ahead=7)
    factories.event(town_a, title="来月の会", days_ahead=40)
    factories.event(town_a, title="先月の会", days_ahead=-30)
    index = town_a.index("regional", "EventIndexPage")
    assert titles(listing(client, town_a, index)) == ["来週の会", "来月の会"]
    soon = timezone.localdate(factories.EventPage.objects.get(title="来週の会").start)
    assert titles(listing(client, town_a, index, date_from=soon, date_to=soon)) == ["来週の会"]
    assert "先月の会" in titles(listing(client, town_a, index, past="on"))


def test_bad_filter_input_gets_a_japanese_message_and_keeps_the_good_filters(client, town_a):
    factories.event(town_a, title="親子リトミック", stages=["age-1-2"])
    factories.event(town_a, title="両親学級", stages=["pregnancy"])
    index = town_a.index("regional", "EventIndexPage")
    response = listing(client, town_a, index, stage="age-1-2", date_from="来週")
    html = response.content.decode()
    assert "日付は 2026-12-01 のように入力してください。" in html
    assert titles(response) == ["親子リトミック"]
    assert 'value="来週"' in html, "the form keeps what was typed"


def test_reversed_date_range_is_explained(client, town_a):
    index = town_a.index("municipal", "NoticeIndexPage")
    html = listing(client, town_a, index, date_from="2026-12-10", date_to="2026-12-01").content.decode()
    assert "「いつまで」は「いつから」より後の日付にしてください。" in html


def test_unknown_stage_is_reported_not_a_crash(client, town_a):
    index = town_a.index("regional", "EventIndexPage")
    response = listing(client, town_a, index, stage="age-99")
    assert "field-error" in response.content.decode()


def test_pagination_keeps_the_filters_in_its_links(client, town_a):
    for n in range(23):
        factories.notice(town_a, title=f"健診のお知らせ{n}", category="health")
    index = town_a.index("municipal", "NoticeIndexPage")
    first = listing(client, town_a, index, category="health")
    assert len(first.context["items"]) == 20
    assert "?category=health&amp;page=2" in first.content.decode()
    second = listing(client, town_a, index, category="health", page=2)
    assert len(second.context["items"]) == 3
    assert listing(client, town_a, index, page="zzz").status_code == 200


def test_listing_shows_only_live_children_of_its_own_index(client, town_a, town_b):
    factories.notice(town_b, title="立川のお知らせ")
    draft = NoticePage(title="下書きのお知らせ", slug="draft", live=False)
    town_a.index("municipal", "NoticeIndexPage").add_child(instance=draft)
    response = listing(client, town_a, town_a.index("municipal", "NoticeIndexPage"))
    assert titles(response) == []


def _queries(client, town, url):
    client.get(url, HTTP_HOST=town.site.hostname)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, HTTP_HOST=town.site.hostname)
    return len(queries)


@pytest.mark.parametrize(
    ("kind", "section", "model", "make"),
    [
        ("notices", "municipal", "NoticeIndexPage", factories.notice),
        ("events", "regional", "EventIndexPage", factories.event),
        ("facilities", "regional", "FacilityIndexPage", factories.facility),
        ("articles", "regional", "ArticleIndexPage", factories.article),
    ],
)
def test_index_queries_do_not_grow_with_children(client, town_a, kind, section, model, make):
    index = town_a.index(section, model)
    extra = {"tags": ["児童館"]} if kind == "articles" else {}
    for n in range(10):
        make(town_a, title=f"{kind}{n}", stages=["age-0"], **extra)
    with_ten = _queries(client, town_a, index.url)
    for n in range(10, 40):
        make(town_a, title=f"{kind}{n}", stages=["age-0"], **extra)
    assert _queries(client, town_a, index.url) == with_ten


def test_index_page_with_200_children_costs_what_one_with_10_does(client, town_a):
    index = town_a.index("municipal", "NoticeIndexPage")
    for n in range(10):
        factories.notice(town_a, title=f"お知らせ{n}", stages=["age-0", "age-1-2"])
    filtered = f"{index.url}?stage=age-0&page=2"
    with_ten = _queries(client, town_a, index.url), _queries(client, town_a, filtered)
    for n in range(10, 200):
        factories.notice(town_a, title=f"お知らせ{n}", stages=["age-0", "age-1-2"])
    assert (_queries(client, town_a, index.url), _queries(client, town_a, filtered)) == with_ten
