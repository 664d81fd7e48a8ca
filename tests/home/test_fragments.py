"""Fragment cache: the HTML every visitor shares is rendered once per town generation, and a
signed-in reader (whom the whole-page cache never serves) still sees every change at once."""

import datetime
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.portal_pages import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    settings.FRAGMENT_CACHE_ENABLED = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def reader(client, town_a, make_member):
    client.force_login(make_member(town_a, "member"))
    return client


def get(client, town, url):
    response = client.get(url, HTTP_HOST=town.site.hostname)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_second_render_reuses_the_body_and_runs_fewer_queries(reader, town_a):
    notice = factories.notice(town_a, title="保育園の見学会", stages=["age-0"])
    with CaptureQueriesContext(connection) as first:
        html = get(reader, town_a, notice.url)
    with CaptureQueriesContext(connection) as second:
        again = get(reader, town_a, notice.url)
    assert again == html
    assert len(second) < len(first)
    assert not [q for q in second if "home_lifestage" in q["sql"]], "the stage chips come from the fragment"


def test_publishing_a_change_shows_at_once_to_a_signed_in_reader(reader, town_a):
    notice = factories.notice(town_a, title="健診のお知らせ")
    assert "健診のお知らせ" in get(reader, town_a, notice.url)
    assert "健診のお知らせ" in get(reader, town_a, "/")

    notice.title = "健診日程の変更のお知らせ"
    notice.save_revision().publish()

    assert "健診日程の変更のお知らせ" in get(reader, town_a, notice.url)
    assert "健診日程の変更のお知らせ" in get(reader, town_a, "/"), "the home page's list too"
    index = town_a.index("municipal", "NoticeIndexPage").url
    assert "健診日程の変更のお知らせ" in get(reader, town_a, index)


def test_a_new_page_appears_in_lists_and_unpublishing_removes_it(reader, town_a):
    index = town_a.index("municipal", "NoticeIndexPage").url
    get(reader, town_a, index)
    get(reader, town_a, "/stage/age-1-2/")
    notice = factories.notice(town_a, title="一時保育の受付開始", stages=["age-1-2"])
    assert "一時保育の受付開始" in get(reader, town_a, index)
    assert "一時保育の受付開始" in get(reader, town_a, "/stage/age-1-2/")
    notice.unpublish()
    assert "一時保育の受付開始" not in get(reader, town_a, index)
    assert "一時保育の受付開始" not in get(reader, town_a, "/stage/age-1-2/")


def test_a_municipality_setting_shows_at_once_in_the_shared_footer(reader, town_a):
    settings_row = town_a.settings
    get(reader, town_a, "/")
    settings_row.phone = "0422-99-9999"
    settings_row.save()
    assert "0422-99-9999" in get(reader, town_a, "/")


def test_each_listing_filter_and_page_number_has_its_own_copy(reader, town_a):
    factories.notice(town_a, title="0歳児向けのお知らせ", stages=["age-0"])
    factories.notice(town_a, title="小学生向けのお知らせ", stages=["elementary"])
    index = town_a.index("municipal", "NoticeIndexPage").url
    assert "小学生向けのお知らせ" in get(reader, town_a, index)
    filtered = get(reader, town_a, f"{index}?stage=age-0")
    assert "0歳児向けのお知らせ" in filtered and "小学生向けのお知らせ" not in filtered


def test_the_header_search_box_keeps_each_visitors_own_query(client, town_a):
    first = get(client, town_a, "/search/?q=保育園")
    second = get(client, town_a, "/search/?q=児童手当")
    assert 'value="保育園"' in first
    assert 'value="児童手当"' in second and 'value="保育園"' not in second


def test_an_events_state_changes_when_its_deadline_passes(reader, town_a):
    event = factories.event(
        town_a,
        title="親子ヨガ",
        application_deadline=timezone.now() + datetime.timedelta(days=1),
    )
    assert "受付中" in get(reader, town_a, event.url)
    later = timezone.now() + datetime.timedelta(days=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        html = get(reader, town_a, event.url)
    assert "締切" in html and "受付中" not in html.split("<main")[1].split("</article>")[0]


def test_a_preview_shows_the_draft_not_the_shared_copy(reader, town_a):
    notice = factories.notice(town_a, title="公開中の題名")
    assert "公開中の題名" in get(reader, town_a, notice.url)
    notice.lead = "下書きのリード文"
    preview = notice.make_preview_request()
    if hasattr(preview, "render"):
        preview.render()
    assert "下書きのリード文" in preview.content.decode()


def test_english_visitors_get_their_own_copy(client, town_a):
    get(client, town_a, "/")
    english = get(client, town_a, "/en/search/")
    assert '<html lang="en">' in english
    assert "Search" in english or "search" in english


def test_a_fragment_with_a_csrf_token_is_refused(town_a):
    request = RequestFactory().get("/", HTTP_HOST=town_a.site.hostname)
    template = Template('{% load home_tags %}{% fragment "bad" %}{% csrf_token %}{% endfragment %}')
    with pytest.raises(TemplateSyntaxError, match="CSRF"):
        template.render(Context({"request": request, "csrf_token": "secret-token"}))


def test_fragments_can_be_switched_off(reader, town_a, settings):
    settings.FRAGMENT_CACHE_ENABLED = False
    notice = factories.notice(town_a, title="切り替えのお知らせ")
    get(reader, town_a, notice.url)
    with CaptureQueriesContext(connection) as again:
        get(reader, town_a, notice.url)
    assert [q for q in again if "home_lifestage" in q["sql"]], "rendered in full every time"


def test_a_site_record_change_is_seen_at_once_though_sites_are_remembered(client, town_a, town_b):
    assert "三鷹市" in get(client, town_a, "/")
    site = town_b.site
    site.hostname = "new-tachikawa.example.jp"
    site.save()
    response = client.get("/", HTTP_HOST="new-tachikawa.example.jp")
    assert "立川市" in response.content.decode()
    site.root_page = town_a.home
    site.save()
    response = client.get("/", HTTP_HOST="new-tachikawa.example.jp")
    assert "三鷹市" in response.content.decode()


def test_a_routed_page_reads_two_queries_once_warm(client, town_a):
    notice = factories.notice(town_a, title="二つの問い合わせ")
    get(client, town_a, notice.url)
    with CaptureQueriesContext(connection) as queries:
        assert "二つの問い合わせ" in get(client, town_a, notice.url)
    # The whole address in one query and the page's own fields; the site, its home page, the
    # locale, the town's restricted paths and the body come from what is remembered.
    assert len(queries) == 2, [q["sql"][:60] + q["sql"][-90:] for q in queries]


def test_an_approved_comment_shows_at_once_to_a_signed_in_reader(reader, town_a):
    from portal_pages.models import ArticleComment

    article = factories.article(town_a, title="公園の記事")
    assert "まだコメントはありません" in get(reader, town_a, article.url)
    comment = ArticleComment.objects.create(
        content_object=article,
        site_id=1,
        comment="とても参考になりました",
        user_name="みどり",
        user_email="midori@example.jp",
        is_public=False,
    )
    assert "とても参考になりました" not in get(reader, town_a, article.url)
    comment.is_public = True  # as the moderation queue approves it
    comment.save(update_fields=["is_public"])
    html = get(reader, town_a, article.url)
    assert "とても参考になりました" in html
    assert "csrfmiddlewaretoken" in html, "the comment form is the reader's own, outside the shared part"


def test_a_new_event_shows_in_the_calendar_at_once(reader, town_a):
    index = town_a.index("regional", "EventIndexPage")
    calendar = index.url + "calendar/"
    assert "月曜の親子体操" not in get(reader, town_a, calendar)
    factories.event(town_a, title="月曜の親子体操", days_ahead=0)
    assert "月曜の親子体操" in get(reader, town_a, calendar)


def test_a_page_under_a_routable_list_is_routed_in_one_query_too(client, town_a):
    event = factories.event(town_a, title="ルーティングの確認")
    get(client, town_a, event.url)
    with CaptureQueriesContext(connection) as queries:
        assert "ルーティングの確認" in get(client, town_a, event.url)
    assert len(queries) == 2, [q["sql"][:60] + q["sql"][-90:] for q in queries]


# View restrictions known per generation ------------------------------------------------------


def test_a_restriction_added_to_a_section_protects_its_pages_at_once(client, town_a):
    from wagtail.models import PageViewRestriction

    notice = factories.notice(town_a, title="まもなく非公開")
    for _ in range(2):
        assert "まもなく非公開" in get(client, town_a, notice.url)
    restriction = PageViewRestriction.objects.create(
        page=town_a.sections["municipal"], restriction_type=PageViewRestriction.LOGIN
    )
    response = client.get(notice.url, HTTP_HOST=town_a.site.hostname)
    assert response.status_code == 302 and "まもなく非公開" not in response.content.decode()
    restriction.delete()
    assert "まもなく非公開" in get(client, town_a, notice.url)


def test_a_password_on_the_home_page_is_asked_for_at_once(client, town_a):
    from wagtail.models import PageViewRestriction

    get(client, town_a, "/")
    PageViewRestriction.objects.create(
        page=town_a.home, restriction_type=PageViewRestriction.PASSWORD, password="himitsu"
    )
    html = client.get("/", HTTP_HOST=town_a.site.hostname).content.decode()
    assert 'name="password"' in html and "新着のお知らせ" not in html


def test_a_page_moved_under_a_private_page_is_protected_at_once(client, town_a):
    from wagtail.models import PageViewRestriction

    private = factories.notice(town_a, title="会員だけのお知らせ")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    notice = factories.notice(town_a, title="移されるお知らせ")
    assert "移されるお知らせ" in get(client, town_a, notice.url)
    notice.move(private, pos="last-child")
    notice.refresh_from_db()
    response = client.get(notice.url, HTTP_HOST=town_a.site.hostname)
    assert response.status_code == 302
