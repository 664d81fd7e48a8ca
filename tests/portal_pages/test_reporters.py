import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal_pages import feedback, reporters
from portal_pages.models import ArticleIndexPage, ArticlePage, Rating

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def reporter(town_a, make_member):
    return make_member(
        town_a,
        "citizen_reporter",
        username="takahashi-aya",
        nickname="ひまわり記者",
        first_name="彩",
        last_name="高橋",
        email="aya.takahashi@example.jp",
    )


def profile(client, town, user_id, **params):
    return client.get(reverse("reporter_profile", args=[user_id]), params, HTTP_HOST=town.site.hostname)


def published_days_ago(page, days):
    when = timezone.now() - datetime.timedelta(days=days)
    ArticlePage.objects.filter(pk=page.pk).update(first_published_at=when)


def rate(page, *ratings):
    for rating in ratings:
        feedback.save_feedback(page, rating)


def private_article_index(town):
    index = ArticleIndexPage(title="ワークショップの下書き記事", slug="ws-kiji")
    town.sections["workshop"].add_child(instance=index)
    index.save_revision().publish()
    return index


def draft_article(town, title, **fields):
    page = ArticlePage(title=title, slug="draft", live=False, **fields)
    town.index("regional", "ArticleIndexPage").add_child(instance=page)
    page.save_revision()
    return page


def test_profile_url_is_under_reporters():
    assert reverse("reporter_profile", args=[42]) == "/reporters/42/"


def test_profile_lists_published_articles_newest_first_with_useful_counts_and_total(client, town_a, reporter):
    oldest = factories.article(town_a, "雨の日の児童館めぐり", reporter=reporter)
    newest = factories.article(town_a, "公園の水遊び場ガイド", reporter=reporter)
    middle = factories.article(town_a, "子育てひろばの一日", reporter=reporter)
    published_days_ago(oldest, 30)
    published_days_ago(middle, 10)
    published_days_ago(newest, 1)
    rate(oldest, Rating.USEFUL, Rating.USEFUL, Rating.UNCLEAR)
    rate(newest, Rating.USEFUL, Rating.INSUFFICIENT)

    response = profile(client, town_a, reporter.pk)

    assert response.status_code == 200
    items = list(response.context["items"])
    assert [item.title for item in items] == [
        "公園の水遊び場ガイド",
        "子育てひろばの一日",
        "雨の日の児童館めぐり",
    ]
    assert [item.useful_count for item in items] == [1, 0, 2]
    assert response.context["useful_total"] == 3
    html = response.content.decode()
    assert "<h1>市民記者 ひまわり記者さんの記事</h1>" in html
    assert "これまでに3本の記事を書き、読者から「役に立った」が合わせて3件届いています。" in html
    assert "「役に立った」2件" in html and "「役に立った」0件" in html
    assert (
        html.index("公園の水遊び場ガイド")
        < html.index("子育てひろばの一日")
        < html.index("雨の日の児童館めぐり")
    )
    assert f'href="{newest.relative_url(town_a.site)}"' in html


def test_profile_shows_the_nickname_never_the_real_name_username_or_email(client, town_a, reporter):
    factories.article(town_a, "雨の日の児童館めぐり", reporter=reporter)

    html = profile(client, town_a, reporter.pk).content.decode()

    assert "ひまわり記者" in html
    for private in ("高橋", "彩", "aya.takahashi@example.jp", "takahashi-aya"):
        assert private not in html


def test_reporter_without_nickname_is_shown_as_anonymous(client, town_a, make_member):
    nameless = make_member(town_a, "citizen_reporter", nickname="", last_name="佐藤")
    factories.article(town_a, "児童館の工作教室", reporter=nameless)

    html = profile(client, town_a, nameless.pk).content.decode()

    assert "市民記者 匿名さんさんの記事" in html
    assert "佐藤" not in html


def test_drafts_private_pages_and_other_peoples_articles_are_left_out_of_list_and_total(
    client, town_a, reporter, make_member
):
    own = factories.article(town_a, "雨の日の児童館めぐり", reporter=reporter)
    draft = draft_article(town_a, "書きかけの記事", reporter=reporter)
    private = ArticlePage(title="ワークショップ内の記事", slug="ws-article", reporter=reporter)
    private_article_index(town_a).add_child(instance=private)
    private.save_revision().publish()
    colleague = make_member(town_a, "citizen_reporter", nickname="たんぽぽ記者")
    others = factories.article(town_a, "ほかの記者の記事", reporter=colleague)
    rate(own, Rating.USEFUL)
    rate(draft, Rating.USEFUL)
    rate(private, Rating.USEFUL, Rating.USEFUL)
    rate(others, Rating.USEFUL, Rating.USEFUL, Rating.USEFUL)

    response = profile(client, town_a, reporter.pk)

    assert [item.title for item in response.context["items"]] == ["雨の日の児童館めぐり"]
    assert response.context["useful_total"] == 1
    html = response.content.decode()
    for hidden in ("書きかけの記事", "ワークショップ内の記事", "ほかの記者の記事", "たんぽぽ記者"):
        assert hidden not in html


def test_unpublished_article_leaves_the_profile(client, town_a, reporter):
    factories.article(town_a, "雨の日の児童館めぐり", reporter=reporter)
    withdrawn = factories.article(town_a, "取り下げた記事", reporter=reporter)
    withdrawn.unpublish()

    html = profile(client, town_a, reporter.pk).content.decode()

    assert "雨の日の児童館めぐり" in html and "取り下げた記事" not in html


def test_profile_lists_only_the_requesting_towns_articles(client, town_a, town_b, reporter):
    factories.article(town_a, "三鷹の児童館めぐり", reporter=reporter)
    in_b = factories.article(town_b, "立川の公園めぐり", reporter=reporter)
    rate(in_b, Rating.USEFUL, Rating.USEFUL)

    in_town_a = profile(client, town_a, reporter.pk)
    in_town_b = profile(client, town_b, reporter.pk)

    assert [item.title for item in in_town_a.context["items"]] == ["三鷹の児童館めぐり"]
    assert in_town_a.context["useful_total"] == 0
    assert [item.title for item in in_town_b.context["items"]] == ["立川の公園めぐり"]
    assert in_town_b.context["useful_total"] == 2


@pytest.mark.parametrize("situation", ["no_articles", "only_draft", "only_private", "only_other_town"])
def test_profile_is_404_without_a_published_public_article_in_this_town(
    client, town_a, town_b, reporter, situation
):
    if situation == "only_draft":
        draft_article(town_a, "書きかけの記事", reporter=reporter)
    elif situation == "only_private":
        private = ArticlePage(title="ワークショップ内の記事", slug="ws-article", reporter=reporter)
        private_article_index(town_a).add_child(instance=private)
        private.save_revision().publish()
    elif situation == "only_other_town":
        factories.article(town_b, "立川の公園めぐり", reporter=reporter)

    response = profile(client, town_a, reporter.pk)

    assert response.status_code == 404
    assert "ひまわり記者" not in response.content.decode()


def test_unknown_user_and_staff_without_articles_look_the_same(client, town_a, superuser):
    unknown = profile(client, town_a, 999999)
    staff = profile(client, town_a, superuser.pk)
    assert unknown.status_code == staff.status_code == 404
    without_qr_code = [
        re.sub(r'<div class="print-qr".*?</div>', "", response.content.decode(), flags=re.S)
        for response in (unknown, staff)
    ]
    assert without_qr_code[0] == without_qr_code[1], "only the printed address tells them apart"


def test_profile_is_read_only(client, town_a, reporter):
    factories.article(town_a, "雨の日の児童館めぐり", reporter=reporter)
    url = reverse("reporter_profile", args=[reporter.pk])
    assert client.post(url, HTTP_HOST=town_a.site.hostname).status_code == 405


def test_profile_paginates_and_keeps_the_total_over_every_page(client, town_a, reporter, monkeypatch):
    monkeypatch.setattr(reporters, "PER_PAGE", 2)
    for days, title in enumerate(["五月の記事", "四月の記事", "三月の記事"]):
        page = factories.article(town_a, title, reporter=reporter)
        published_days_ago(page, days)
        rate(page, Rating.USEFUL)

    first = profile(client, town_a, reporter.pk)
    second = profile(client, town_a, reporter.pk, page=2)
    not_a_number = profile(client, town_a, reporter.pk, page="abc")

    assert [item.title for item in first.context["items"]] == ["五月の記事", "四月の記事"]
    assert [item.title for item in second.context["items"]] == ["三月の記事"]
    assert [item.title for item in not_a_number.context["items"]] == ["五月の記事", "四月の記事"]
    assert second.context["useful_total"] == 3
    assert "2 / 2 ページ" in second.content.decode()


def test_profile_queries_do_not_grow_with_the_number_of_articles(client, town_a, reporter):
    def count_queries():
        profile(client, town_a, reporter.pk)
        with CaptureQueriesContext(connection) as queries:
            assert profile(client, town_a, reporter.pk).status_code == 200
        return len(queries)

    for n in range(2):
        rate(factories.article(town_a, f"記事{n}", reporter=reporter), Rating.USEFUL)
    few = count_queries()
    for n in range(2, 9):
        rate(factories.article(town_a, f"記事{n}", reporter=reporter), Rating.USEFUL, Rating.UNCLEAR)
    assert count_queries() == few
