"""Public board threads in the site search (issue 6 item 2, issue 5's one search over public
content): a thread is found by the words of its title and published posts, shows under
「掲示板・ブログ」 with a snippet and the thread's address, and nothing that is not public — a
pending, held, hidden or rejected post, a private board, another town's thread — is ever found,
counted in a facet or suggested.
"""

from functools import partial

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community import services
from community.models import Board, CommunitySettings, Post
from search import community_index, service
from search.models import BoardThread

pytestmark = pytest.mark.django_db

# The search page and its autocomplete search threads too (the service's default is pages only).
search = partial(service.search, threads=True)
complete = partial(service.complete, threads=True)

BODY = "夜泣きがひどくて、毎晩寝不足です。離乳食を始めてから少し落ち着きました。"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the search index does after a commit (tests run inside one transaction)."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def public_board(town):
    return Board.objects.filter(site=town.site, private=False).order_by("sort_order", "pk").first()


def private_board(town):
    return Board.objects.get(site=town.site, private=True)


def thread_ids(town, query, **kwargs):
    return [hit.thread_id for hit in search(town.site, query, **kwargs).hits if hit.thread_id]


def get_search(client, town, **params):
    return client.get(reverse("search"), params, HTTP_HOST=town.site.hostname)


@pytest.fixture
def moderator(town_a, make_member):
    return make_member(town_a, "moderator")


@pytest.fixture
def published(town_a, moderator, committed):
    """A thread a moderator (trusted) opened on a public board of town A: published at once."""
    with committed():
        post = services.start_thread(public_board(town_a), moderator, "夜泣きの相談", BODY)
    assert post.status == Post.Status.PUBLISHED
    return post.thread


# Found -------------------------------------------------------------------------------------


def test_a_published_thread_is_found_by_a_word_of_its_body(town_a, published):
    assert thread_ids(town_a, "離乳食") == [published.pk]


def test_a_published_thread_is_found_by_the_hiragana_reading(town_a, published):
    assert thread_ids(town_a, "りにゅうしょく") == [published.pk]


def test_a_published_thread_is_found_by_its_title(town_a, published):
    assert published.pk in thread_ids(town_a, "夜泣き")


def test_the_hit_shows_title_section_snippet_and_thread_address(town_a, published):
    results = search(town_a.site, "離乳食")
    hit = next(hit for hit in results.hits if hit.thread_id == published.pk)
    assert hit.page is None
    assert hit.title == "夜泣きの相談"
    assert hit.section == "掲示板・ブログ"
    assert hit.type_label == "掲示板"
    assert "<mark>離乳食</mark>" in hit.snippet
    assert hit.url == service.thread_url(published.board.slug, published.pk)
    assert hit.url.endswith(f"/{published.board.slug}/{published.pk}/")


def test_the_search_page_lists_the_thread(client, town_a, published):
    response = get_search(client, town_a, q="離乳食")
    html = response.content.decode()
    assert response.status_code == 200
    assert "夜泣きの相談" in html
    assert service.thread_url(published.board.slug, published.pk) in html
    assert "<mark>離乳食</mark>" in html
    assert "掲示板・ブログ" in html


def test_facets_count_the_thread_and_filter_by_it(town_a, published):
    results = search(town_a.site, "離乳食")
    types = {option.key: option for option in results.facets["type"]}
    assert types[service.THREAD_TYPE].label == "掲示板"
    assert types[service.THREAD_TYPE].count == 1
    sections = {option.key: option.count for option in results.facets["section"]}
    assert sections["community"] >= 1
    assert service.clean_filters({"type": service.THREAD_TYPE}) == {"type": service.THREAD_TYPE}
    only = search(town_a.site, "離乳食", filters={"type": service.THREAD_TYPE})
    assert [hit.thread_id for hit in only.hits] == [published.pk]
    assert only.total == 1


def test_a_published_reply_is_searchable(town_a, published, moderator, committed):
    with committed():
        services.reply(published, moderator, "うちはおしゃぶりで寝てくれました。")
    assert thread_ids(town_a, "おしゃぶり") == [published.pk]


def test_autocomplete_suggests_the_thread(client, town_a, published):
    found = complete(town_a.site, "夜泣き")
    assert {"title": "夜泣きの相談", "url": service.thread_url(published.board.slug, published.pk)} in found
    response = client.get(reverse("search_suggest"), {"q": "夜泣き"}, HTTP_HOST=town_a.site.hostname)
    assert "夜泣きの相談" in [row["title"] for row in response.json()["results"]]


def test_pages_are_still_found_alongside_threads(town_a, published):
    # The town's standard pages are found as before (API v2 and page results are pages only).
    page_hits = [hit for hit in search(town_a.site, "子育て").hits if hit.page is not None]
    assert page_hits


def test_threads_are_left_out_unless_asked_for(town_a, published):
    """The relevance bench and other callers of the service keep to pages."""
    assert not [hit for hit in service.search(town_a.site, "離乳食").hits if hit.thread_id]
    assert "夜泣きの相談" not in [row["title"] for row in service.complete(town_a.site, "夜泣き")]


def test_api_search_returns_pages_only(client, town_a, published):
    response = client.get("/api/v2/pages/", {"search": "離乳食"}, HTTP_HOST=town_a.site.hostname)
    assert response.status_code == 200
    titles = [item["title"] for item in response.json()["items"]]
    assert "夜泣きの相談" not in titles


# Not public, not found --------------------------------------------------------------------


@pytest.fixture
def member(town_a, make_member):
    return make_member(town_a, "member")


def test_a_pending_thread_is_not_found_then_found_after_approval(town_a, member, moderator, committed):
    with committed():
        post = services.start_thread(
            public_board(town_a), member, "双子のベビーカー", "双子用のベビーカーの選び方"
        )
    assert post.status == Post.Status.PENDING
    results = search(town_a.site, "ベビーカー")
    assert not [hit for hit in results.hits if hit.thread_id]
    assert service.THREAD_TYPE not in {option.key for option in results.facets["type"]}
    assert not [row for row in complete(town_a.site, "双子のベビー") if row["title"] == "双子のベビーカー"]
    with committed():
        services.approve(post, moderator)
    assert thread_ids(town_a, "ベビーカー") == [post.thread_id]


def test_a_pending_reply_text_is_not_found(town_a, published, member, committed):
    with committed():
        post = services.reply(published, member, "近所のひろばの砂場が楽しいです")
    assert post.status == Post.Status.PENDING
    assert thread_ids(town_a, "砂場") == []
    assert "砂場" not in BoardThread.objects.get(pk=published.pk).body
    # The thread itself stays findable by its public text.
    assert thread_ids(town_a, "離乳食") == [published.pk]


def test_an_approved_reply_is_found(town_a, published, member, moderator, committed):
    with committed():
        post = services.reply(published, member, "近所のひろばの砂場が楽しいです")
    with committed():
        services.approve(post, moderator)
    assert thread_ids(town_a, "砂場") == [published.pk]


def test_a_rejected_reply_disappears(town_a, published, moderator, committed):
    with committed():
        post = services.reply(published, moderator, "近所のひろばの砂場が楽しいです")
    assert thread_ids(town_a, "砂場") == [published.pk]
    with committed():
        services.reject(post, moderator, "掲示板の趣旨に合いません。")
    assert thread_ids(town_a, "砂場") == []
    assert thread_ids(town_a, "離乳食") == [published.pk]


def test_a_reply_hidden_by_reports_disappears(town_a, published, moderator, make_member, committed):
    settings_obj = CommunitySettings.for_site(town_a.site)
    settings_obj.report_threshold = 1
    settings_obj.save()
    with committed():
        post = services.reply(published, moderator, "近所のひろばの砂場が楽しいです")
    assert thread_ids(town_a, "砂場") == [published.pk]
    with committed():
        # report() hides the post with a queryset update (no save signal): the log entry refreshes it.
        services.report(post, make_member(town_a, "member"), "spam")
    post.refresh_from_db()
    assert post.status == Post.Status.HIDDEN
    assert thread_ids(town_a, "砂場") == []


def test_a_thread_whose_opening_post_is_rejected_disappears(town_a, published, moderator, committed):
    with committed():
        services.reject(published.opening_post, moderator, "個人が特定できる内容です。")
    assert thread_ids(town_a, "離乳食") == []
    assert thread_ids(town_a, "夜泣き") == []
    assert not BoardThread.objects.filter(pk=published.pk).exists()


def test_a_stale_row_holding_a_post_no_longer_published_is_not_found(town_a, published, moderator, committed):
    """Even if a refresh were missed (a bulk update elsewhere), the row is out of the scope."""
    with committed():
        post = services.reply(published, moderator, "近所のひろばの砂場が楽しいです")
    Post.objects.filter(pk=post.pk).update(status=Post.Status.HIDDEN)  # no signal, no log
    cache.clear()
    assert thread_ids(town_a, "砂場") == []
    assert [row for row in complete(town_a.site, "夜泣き") if row["title"] == "夜泣きの相談"] == []


def test_a_deleted_thread_disappears(town_a, published, moderator, committed):
    with committed():
        services.delete_own(published.opening_post, moderator)
    assert thread_ids(town_a, "離乳食") == []
    assert not BoardThread.objects.exists()


def test_the_private_board_is_never_searched(town_a, superuser, committed):
    with committed():
        post = services.start_thread(
            private_board(town_a), superuser, "編集会議のメモ", "取材先の候補を相談します"
        )
    assert post.status == Post.Status.PUBLISHED
    results = search(town_a.site, "取材先")
    assert not [hit for hit in results.hits if hit.thread_id]
    assert service.THREAD_TYPE not in {option.key for option in results.facets["type"]}
    assert not [row for row in complete(town_a.site, "編集会議") if row["title"] == "編集会議のメモ"]
    assert not BoardThread.objects.filter(pk=post.thread_id).exists()


def test_a_board_made_private_takes_its_threads_out(town_a, published, committed):
    board = published.board
    with committed():
        board.private = True
        board.save()
    assert thread_ids(town_a, "離乳食") == []


def test_another_towns_thread_is_not_found(client, town_a, town_b, make_member, committed):
    with committed():
        post = services.start_thread(
            public_board(town_b),
            make_member(town_b, "moderator"),
            "立川の公園",
            "昭和記念公園の遊具が新しくなりました",
        )
    assert thread_ids(town_b, "遊具") == [post.thread_id]
    assert thread_ids(town_a, "遊具") == []
    assert not [row for row in complete(town_a.site, "立川の公園") if row["title"] == "立川の公園"]
    html = get_search(client, town_a, q="遊具").content.decode()
    assert "立川の公園" not in html


def test_rebuild_writes_the_rows_again(town_a, published):
    BoardThread.objects.all().delete()
    cache.clear()
    assert thread_ids(town_a, "離乳食") == []
    assert community_index.rebuild() == 1
    assert thread_ids(town_a, "離乳食") == [published.pk]


# Cost --------------------------------------------------------------------------------------


def test_the_search_page_queries_do_not_grow_with_threads(client, town_a, moderator, committed):
    board = public_board(town_a)

    def queries_for_search():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = get_search(client, town_a, q="離乳食")
        assert response.status_code == 200
        return len(queries)

    with committed():
        services.start_thread(board, moderator, "離乳食の相談 1", BODY)
    one = queries_for_search()
    with committed():
        for number in range(2, 9):
            services.start_thread(board, moderator, f"離乳食の相談 {number}", BODY)
    assert len(thread_ids(town_a, "離乳食")) == 8
    assert queries_for_search() <= one + 1
