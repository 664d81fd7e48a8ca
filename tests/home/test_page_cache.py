"""Whole-page cache: anonymous visitors only, and never stale after an editor acts."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageViewRestriction

from home import page_cache
from portal_pages import feedback
from portal_pages.models import ArticleComment, PageFeedback
from search.models import QueryStat
from tests.portal_pages import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True
    cache.clear()
    page_cache.forget_site_lookups()
    yield
    cache.clear()


def get(client, town, url, **extra):
    return client.get(url, HTTP_HOST=town.site.hostname, **extra)


def assert_cached(client, town, url):
    first = get(client, town, url)
    second = get(client, town, url)
    assert first.status_code == 200
    assert second["X-Page-Cache"] == "hit", url
    return second


def test_anonymous_visitors_get_the_cached_page_with_no_cookie(client, town_a):
    first = get(client, town_a, "/")
    assert first["X-Page-Cache"] == "miss"
    second = get(client, town_a, "/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert not second.cookies
    assert "csrfmiddlewaretoken" not in second.content.decode()


@pytest.mark.parametrize(
    "url_of",
    [
        lambda t: "/",
        lambda t: t.sections["regional"].url,
        lambda t: t.index("regional", "EventIndexPage").url,
        lambda t: t.index("regional", "EventIndexPage").url + "calendar/",
        lambda t: "/stage/age-1-2/",
        lambda t: factories.notice(t).url,
        lambda t: factories.service(t).url,
        lambda t: factories.event(t).url,
        lambda t: factories.facility(t).url,
        lambda t: factories.article(t).url,
        lambda t: "/feeds/notices.rss",
        lambda t: "/feeds/events.ics",
    ],
)
def test_every_public_page_type_is_cached(client, town_a, url_of):
    assert_cached(client, town_a, url_of(town_a))


def test_signed_in_users_are_never_served_or_stored(client, town_a, make_member):
    client.force_login(make_member(town_a, "member"))
    assert "X-Page-Cache" not in get(client, town_a, "/")
    assert "X-Page-Cache" not in get(client, town_a, "/")
    client.logout()
    client.cookies.clear()
    assert get(client, town_a, "/")["X-Page-Cache"] == "miss"


def test_keys_include_host_query_and_language(client, town_a, town_b):
    assert "三鷹市" in assert_cached(client, town_a, "/").content.decode()
    assert get(client, town_b, "/")["X-Page-Cache"] == "miss"
    assert "立川市" in get(client, town_b, "/").content.decode()
    index = town_a.index("regional", "EventIndexPage").url
    assert_cached(client, town_a, index)
    assert get(client, town_a, f"{index}?stage=age-0")["X-Page-Cache"] == "miss"
    assert_cached(client, town_a, f"{index}?stage=age-0")
    assert_cached(client, town_a, "/search/")
    english = get(client, town_a, "/en/search/")
    assert english["X-Page-Cache"] == "miss" and '<html lang="en">' in english.content.decode()


def test_search_results_are_never_cached_so_every_search_is_counted(client, town_a):
    for _ in range(2):
        response = get(client, town_a, "/search/?q=保育園")
        assert "X-Page-Cache" not in response
        assert "no-store" in response["Cache-Control"]
    assert QueryStat.objects.get(site=town_a.site, query="保育園").searches == 2


def test_posts_admin_and_private_pages_are_never_cached(client, town_a):
    page = factories.notice(town_a, title="会員限定のお知らせ")
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    assert get(client, town_a, page.url).status_code == 302
    assert "X-Page-Cache" not in get(client, town_a, page.url)
    assert "X-Page-Cache" not in get(client, town_a, reverse("wagtailadmin_login"))
    response = client.post("/search/", HTTP_HOST=town_a.site.hostname)
    assert "X-Page-Cache" not in response


def test_publishing_shows_at_once_on_every_page_that_lists_it_and_leaves_other_towns_cached(
    client, town_a, town_b
):
    index = town_a.index("municipal", "NoticeIndexPage").url
    urls = ["/", index, "/stage/age-0/", "/feeds/notices.rss"]
    for url in urls:
        assert_cached(client, town_a, url)
    assert_cached(client, town_b, "/")

    factories.notice(town_a, title="新しい予防接種のお知らせ", stages=["age-0"])

    for url in urls:
        response = get(client, town_a, url)
        assert response["X-Page-Cache"] == "miss", url
        assert "新しい予防接種のお知らせ" in response.content.decode(), url
    assert get(client, town_b, "/")["X-Page-Cache"] == "hit", "another town's pages stay cached"


def test_unpublishing_and_deleting_remove_the_page_everywhere_at_once(client, town_a):
    notice = factories.notice(town_a, title="取り下げるお知らせ")
    other = factories.notice(town_a, title="削除するお知らせ")
    index = town_a.index("municipal", "NoticeIndexPage").url
    html = assert_cached(client, town_a, index).content.decode()
    assert "取り下げるお知らせ" in html and "削除するお知らせ" in html
    notice.unpublish()
    assert "取り下げるお知らせ" not in get(client, town_a, index).content.decode()
    assert_cached(client, town_a, index)
    other.delete()
    assert "削除するお知らせ" not in get(client, town_a, index).content.decode()


def test_a_page_made_private_is_no_longer_served_from_the_cache(client, town_a):
    notice = factories.notice(town_a, title="ないしょのお知らせ")
    index = town_a.index("municipal", "NoticeIndexPage").url
    assert_cached(client, town_a, notice.url)
    assert "ないしょのお知らせ" in assert_cached(client, town_a, index).content.decode()
    restriction = PageViewRestriction.objects.create(
        page=notice, restriction_type=PageViewRestriction.PASSWORD, password="hinata"
    )
    page = get(client, town_a, notice.url)
    assert page.get("X-Page-Cache") != "hit"
    assert 'type="password"' in page.content.decode()
    assert "ないしょのお知らせ" not in get(client, town_a, index).content.decode()
    restriction.delete()
    assert "ないしょのお知らせ" in get(client, town_a, index).content.decode()


def test_moving_a_page_updates_both_listings(client, town_a):
    event = factories.event(town_a, title="移動するイベント", section="municipal")
    municipal = town_a.index("municipal", "EventIndexPage").url
    regional = town_a.index("regional", "EventIndexPage").url
    assert_cached(client, town_a, municipal)
    assert_cached(client, town_a, regional)
    event.move(town_a.index("regional", "EventIndexPage"), pos="last-child")
    assert "移動するイベント" not in get(client, town_a, municipal).content.decode()
    assert "移動するイベント" in get(client, town_a, regional).content.decode()


def test_scheduled_publishing_shows_when_it_goes_live(client, town_a):
    index = town_a.index("municipal", "NoticeIndexPage")
    page = factories.NoticePage(title="予約公開のお知らせ", slug="scheduled", live=False)
    index.add_child(instance=page)
    revision = page.save_revision()
    revision.approved_go_live_at = timezone.now() - datetime.timedelta(seconds=1)
    revision.save()
    assert "予約公開のお知らせ" not in assert_cached(client, town_a, index.url).content.decode()
    call_command("publish_scheduled")
    assert "予約公開のお知らせ" in get(client, town_a, index.url).content.decode()


def test_editing_the_municipality_settings_shows_on_every_page(client, town_a):
    assert_cached(client, town_a, "/")
    town_a.settings.site_title = "みたか子育てナビ"
    town_a.settings.save()
    assert "みたか子育てナビ" in get(client, town_a, "/").content.decode()


def test_an_approved_comment_shows_on_the_cached_article(client, town_a):
    article = factories.article(town_a)
    assert_cached(client, town_a, article.url)
    comment = ArticleComment.objects.create(
        content_object=article,
        site_id=1,
        user_name="さくらママ",
        comment="参考になりました。",
        is_public=False,
    )
    assert "参考になりました。" not in get(client, town_a, article.url).content.decode()
    comment.is_public = True
    comment.save()
    assert "参考になりました。" in get(client, town_a, article.url).content.decode()


def test_the_feedback_widget_works_from_a_cached_page(client, town_a, monkeypatch):
    monkeypatch.setattr(feedback, "MIN_TOKEN_AGE", 0)
    page = factories.service(town_a)
    html = assert_cached(client, town_a, page.url).content.decode()
    form = re.search(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', html.split('id="feedback"')[1], re.S)
    token = re.search(r'name="token" value="([^"]+)"', form.group(2)).group(1)
    response = client.post(
        form.group(1), {"rating": "useful", "comment": "", "token": token}, HTTP_HOST=town_a.site.hostname
    )
    assert response.status_code == 303
    assert PageFeedback.objects.filter(page=page, rating="useful").exists()


def test_the_comment_form_on_a_cached_article_posts_without_a_csrf_cookie(client, town_a):
    from django.test import Client

    article = factories.article(town_a)
    html = assert_cached(client, town_a, article.url).content.decode()
    fields = dict(
        re.findall(
            r'<input type="hidden" name="(\w+)" value="([^"]*)"', html.split('class="comment-form"')[1]
        )
    )
    fields.update({"comment": "キャッシュ越しのコメント", "name": "さくらママ", "email": "p@example.jp"})
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("comments-post-comment"), fields, HTTP_HOST=town_a.site.hostname)
    assert response.status_code == 302


def test_signed_in_comment_posts_still_need_a_csrf_token(town_a, make_member):
    from django.test import Client

    article = factories.article(town_a)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_member(town_a, "member"))
    from django_comments import get_form

    data = get_form()(article).generate_security_data()
    data.update({"comment": "ログイン中のコメント", "name": "会員", "reply_to": "0"})
    response = strict.post(reverse("comments-post-comment"), data, HTTP_HOST=town_a.site.hostname)
    assert response.status_code == 403


def test_a_cached_feed_is_kept_as_one_piece_of_content(client, town_a):
    """The RSS generator writes hundreds of small pieces; a hit must not send each one apart."""
    factories.notice(town_a, title="まとめて送るお知らせ")
    first = get(client, town_a, "/feeds/notices.rss")
    hit = get(client, town_a, "/feeds/notices.rss")
    assert hit["X-Page-Cache"] == "hit"
    assert len(hit._container) == 1
    assert hit.content == first.content and "まとめて送るお知らせ" in hit.content.decode()
