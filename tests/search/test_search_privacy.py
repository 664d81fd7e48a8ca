"""What the search must never show: drafts, unpublished pages, pages behind a view restriction
(password, group, login) and everything under them, the private workshop section, and another
town's pages — not as a hit, in a total, in a facet count, as a promotion, in the autocomplete,
as a もしかして suggestion, or through the API. And a search response is never kept in the page cache.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import PageViewRestriction

from home import page_cache
from home.models import StandardPage
from portal_pages.models import NoticePage
from search import service
from search.models import Promotion, QueryStat
from tests.portal_pages import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    page_cache.forget_site_lookups()
    yield
    cache.clear()


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True
    page_cache.forget_site_lookups()


def restrict(page, kind, **fields):
    return PageViewRestriction.objects.create(page=page, restriction_type=kind, **fields)


def standard(parent, title, lead="", publish=True):
    page = StandardPage(title=title, lead=lead)
    parent.add_child(instance=page)
    if publish:
        page.save_revision().publish()
    return page


@pytest.fixture
def pages(town_a, town_b):
    """One public page about 保育園 in town A, and every kind of page that must stay hidden."""
    public = factories.notice(town_a, title="保育園のしおり", lead="保育園の案内です。", stages=("age-0",))

    draft = NoticePage(title="保育園の下書き", lead="保育園の下書きです。", live=False)
    town_a.index("municipal", "NoticeIndexPage").add_child(instance=draft)
    draft.save_revision()

    unpublished = factories.notice(
        town_a, title="保育園の取り下げ", lead="保育園の古い案内。", stages=("teen",)
    )
    unpublished.unpublish()

    password = factories.article(
        town_a, title="保育園のパスワード限定記事", lead="保育園の取材記事。", stages=("teen",)
    )
    restrict(password, PageViewRestriction.PASSWORD, password="hinata")

    group = factories.service(
        town_a, title="保育園のグループ限定制度", lead="保育園の内部向け。", stages=("teen",)
    )
    restriction = restrict(group, PageViewRestriction.GROUPS)
    restriction.groups.add(town_a.group("npo_editor"))

    login = factories.facility(
        town_a, title="保育園の会員限定施設", lead="保育園の会員向け。", stages=("teen",)
    )
    restrict(login, PageViewRestriction.LOGIN)

    room = standard(town_a.sections["regional"], "非公開の部屋", "内部の資料室です。")
    restriction = restrict(room, PageViewRestriction.GROUPS)
    restriction.groups.add(town_a.group("npo_editor"))
    child = standard(room, "保育園の内部資料", "保育園の見学の記録。")
    grandchild = standard(child, "保育園の内部資料の続き", "保育園の見学の記録の続き。")

    workshop = standard(town_a.sections["workshop"], "保育園の取材メモ", "保育園の取材の下書きです。")

    other_town = factories.notice(
        town_b, title="保育園の立川案内", lead="保育園の案内です。", stages=("teen",)
    )

    return {
        "public": public,
        "hidden": {
            "draft": draft,
            "unpublished": unpublished,
            "password": password,
            "group": group,
            "login": login,
            "child_of_restricted": child,
            "grandchild_of_restricted": grandchild,
            "workshop": workshop,
            "other_town": other_town,
        },
    }


def get_search(client, town, **params):
    return client.get(reverse("search"), params, HTTP_HOST=town.site.hostname)


def hidden_titles(pages):
    return [page.title for page in pages["hidden"].values()]


def ids(results):
    return [hit.page.id for hit in results.hits]


def offered(results):
    """The word the search offers for a typo: a もしかして link, or the query it searched instead."""
    return results.suggestion or getattr(results, "corrected", "")


# The service ---------------------------------------------------------------------------------


def test_only_the_public_page_is_found_counted_and_faceted(town_a, pages):
    results = service.search(town_a.site, "保育園")
    assert ids(results) == [pages["public"].id]
    assert results.total == 1
    counts = {
        name: {option.key: option.count for option in options} for name, options in results.facets.items()
    }
    assert counts == {"section": {"municipal": 1}, "type": {"noticepage": 1}, "stage": {"age-0": 1}}


@pytest.mark.parametrize(
    "kind",
    [
        "draft",
        "unpublished",
        "password",
        "group",
        "login",
        "child_of_restricted",
        "grandchild_of_restricted",
        "workshop",
        "other_town",
    ],
)
def test_a_hidden_page_is_not_found_by_its_own_title_or_words(town_a, pages, kind):
    page = pages["hidden"][kind]
    for query in (page.title, page.title.replace("保育園の", ""), "保育園"):
        results = service.search(town_a.site, query)
        assert page.id not in ids(results), query
        assert results.total == len(results.hits), query
    assert page.title not in {item["title"] for item in service.complete(town_a.site, page.title[:4])}


def test_filtering_by_the_private_section_finds_nothing(client, town_a, pages):
    """``workshop`` is a known section key, so the filter is kept; the town has no public page for it."""
    results = service.search(town_a.site, "保育園", filters={"section": "workshop"})
    assert results.total == 0
    assert results.hits == []
    response = get_search(client, town_a, q="保育園", section="workshop")
    assert response.status_code == 200
    assert "保育園の取材メモ" not in response.content.decode()


def test_filters_never_open_a_hidden_type_or_stage(town_a, pages):
    assert service.search(town_a.site, "保育園", filters={"stage": "teen"}).total == 0
    assert service.search(town_a.site, "保育園", filters={"type": "facilitypage"}).total == 0
    assert service.search(town_a.site, "保育園", filters={"type": "standardpage"}).total == 0


def test_promotions_of_hidden_pages_are_not_shown(town_a, pages):
    for order, page in enumerate([*pages["hidden"].values(), pages["public"]]):
        Promotion.objects.create(site=town_a.site, query="保育園", page=page, sort_order=order)
    results = service.search(town_a.site, "保育園")
    assert [hit.page.id for hit in results.promotions] == [pages["public"].id]


def test_promotions_of_another_town_are_not_shown(town_a, town_b, pages):
    Promotion.objects.create(site=town_b.site, query="保育園", page=pages["hidden"]["other_town"])
    Promotion.objects.create(site=town_b.site, query="保育園", page=pages["public"])
    assert service.search(town_a.site, "保育園").promotions == []
    promoted_in_b = service.search(town_b.site, "保育園").promotions
    assert [hit.page.id for hit in promoted_in_b] == [pages["hidden"]["other_town"].id]


def test_autocomplete_lists_the_public_page_only(town_a, pages):
    found = service.complete(town_a.site, "ほいく")
    assert [item["title"] for item in found] == ["保育園のしおり"]


def test_another_town_sees_its_own_page_only(town_b, pages):
    results = service.search(town_b.site, "保育園")
    assert ids(results) == [pages["hidden"]["other_town"].id]
    assert [item["title"] for item in service.complete(town_b.site, "ほいく")] == ["保育園の立川案内"]


@pytest.mark.parametrize(
    ("typo", "hidden_word"),
    [
        ("ぐるーぶ", "グループ"),
        ("げんてえ", "限定"),
        ("しゅざえ", "取材"),
        ("たちかば", "立川"),
        ("ないぶしりょ", "内部"),
        ("しりょー", "資料"),
        ("とりさげる", "取り下げ"),
    ],
)
def test_words_of_hidden_titles_are_never_suggested(town_a, pages, typo, hidden_word):
    results = service.search(town_a.site, typo)
    assert hidden_word not in offered(results)
    assert not set(ids(results)) & {page.id for page in pages["hidden"].values()}


def test_draft_changes_to_a_live_page_are_not_searchable(town_a):
    page = factories.service(town_a, title="児童手当", lead="中学生までの子を育てる方に支給します。")
    page.title = "児童手当の改定案"
    page.lead = "ないしょの改定案です。"
    page.save_revision()
    assert service.search(town_a.site, "ないしょ").total == 0
    assert service.search(town_a.site, "改定案").total == 0
    (hit,) = service.search(town_a.site, "児童手当").hits
    assert hit.title == "児童手当"
    assert "ないしょ" not in hit.snippet
    assert [item["title"] for item in service.complete(town_a.site, "じどう")] == ["児童手当"]


def test_a_page_made_private_is_gone_at_once(town_a):
    page = factories.notice(town_a, title="わらべうたの会", lead="歌って遊びます。")
    assert ids(service.search(town_a.site, "わらべうた")) == [page.id]
    restrict(page, PageViewRestriction.PASSWORD, password="hinata")
    assert service.search(town_a.site, "わらべうた").total == 0
    assert service.complete(town_a.site, "わらべ") == []


def test_a_restriction_lifted_brings_the_page_back_at_once(town_a):
    page = factories.notice(town_a, title="わらべうたの会", lead="歌って遊びます。")
    restriction = restrict(page, PageViewRestriction.LOGIN)
    assert service.search(town_a.site, "わらべうた").total == 0  # the restricted sections are now kept
    restriction.delete()
    assert ids(service.search(town_a.site, "わらべうた")) == [page.id]


def test_a_page_under_a_section_made_private_is_gone_at_once(town_a):
    room = standard(town_a.sections["regional"], "資料室", "資料の部屋です。")
    child = standard(room, "わらべうたの記録", "わらべうたの会の記録です。")
    assert ids(service.search(town_a.site, "わらべうた")) == [child.id]
    restrict(room, PageViewRestriction.LOGIN)
    assert service.search(town_a.site, "わらべうた").total == 0


def test_a_restriction_on_the_towns_home_page_hides_every_page(town_a, town_b):
    page = factories.notice(town_a, title="わらべうたの会", lead="歌って遊びます。")
    other = factories.notice(town_b, title="わらべうたの集い", lead="歌って遊びます。")
    assert ids(service.search(town_a.site, "わらべうた")) == [page.id]
    restrict(town_a.site.root_page, PageViewRestriction.LOGIN)
    assert service.search(town_a.site, "わらべうた").total == 0
    assert ids(service.search(town_b.site, "わらべうた")) == [other.id]


def test_another_towns_restrictions_are_not_part_of_the_scope(town_a, town_b):
    other = restrict(factories.notice(town_b, title="内部の会", lead="内部です。"), PageViewRestriction.LOGIN)
    own = restrict(
        factories.notice(town_a, title="会員の会", lead="会員向けです。"), PageViewRestriction.LOGIN
    )
    hidden, trees = service._scope(town_a.site)
    root = town_a.site.root_page.path
    assert list(trees) == [root]
    assert own.page.path in hidden
    assert other.page.path not in hidden
    assert all(path.startswith(root) for path in hidden)


def test_the_scope_is_kept_between_searches_not_read_each_time(town_a):
    """Which sections are restricted and where the town's trees are is read once per generation."""
    page = factories.notice(town_a, title="わらべうたの会", lead="歌って遊びます。")
    restrict(factories.notice(town_a, title="内部の会", lead="内部です。"), PageViewRestriction.LOGIN)
    assert ids(service.search(town_a.site, "わらべうた")) == [page.id]
    with CaptureQueriesContext(connection) as queries:
        assert ids(service.search(town_a.site, "わらべうた")) == [page.id]
    assert not [query for query in queries if "wagtailcore_pageviewrestriction" in query["sql"]]


def test_a_page_made_private_is_no_longer_suggested(town_a):
    """もしかして must not offer a word that only a private page's title holds."""
    page = factories.notice(town_a, title="内緒の会議室", lead="内部の連絡です。")
    assert offered(service.search(town_a.site, "かいぎし")) == "会議室"  # the vocabulary is now cached
    restrict(page, PageViewRestriction.PASSWORD, password="hinata")
    results = service.search(town_a.site, "かいぎし")
    assert results.total == 0
    assert offered(results) != "会議室"


# The search page -----------------------------------------------------------------------------


def test_search_page_shows_no_hidden_page(client, town_a, pages):
    for page in [*pages["hidden"].values(), pages["public"]]:
        Promotion.objects.create(site=town_a.site, query="保育園", page=page)
    response = get_search(client, town_a, q="保育園")
    html = response.content.decode()
    assert "検索結果：1件" in html
    assert "保育園のしおり" in html
    for title in hidden_titles(pages):
        assert title not in html, title
    assert "（1）" in html and "（2）" not in html


def test_a_member_of_the_restricted_group_still_gets_public_results_only(client, town_a, pages, make_member):
    client.force_login(make_member(town_a, "npo_editor"))
    response = get_search(client, town_a, q="保育園")
    assert ids(response.context["results"]) == [pages["public"].id]
    html = response.content.decode()
    assert "保育園のグループ限定制度" not in html
    assert "保育園の内部資料" not in html


def test_suggest_endpoint_lists_the_public_page_only(client, town_a, pages):
    response = client.get(reverse("search_suggest"), {"q": "ほいく"}, HTTP_HOST=town_a.site.hostname)
    assert [item["title"] for item in response.json()["results"]] == ["保育園のしおり"]


def test_search_results_are_never_cached(client, town_a, page_cache_on):
    factories.notice(town_a, title="わらべうたの会", lead="歌って遊びます。")
    first = get_search(client, town_a, q="わらべうた")
    control = first["Cache-Control"]
    for word in ("no-cache", "no-store", "private", "max-age=0"):
        assert word in control
    second = get_search(client, town_a, q="わらべうた")
    assert second.get("X-Page-Cache") != "hit"
    assert QueryStat.objects.get(query="わらべうた").searches == 2


def test_a_page_made_private_leaves_the_search_page_at_once(client, town_a, page_cache_on):
    page = factories.notice(town_a, title="わらべうたの会", lead="歌って遊びます。")
    assert "わらべうたの会" in get_search(client, town_a, q="わらべうた").content.decode()
    restrict(page, PageViewRestriction.PASSWORD, password="hinata")
    assert "わらべうたの会" not in get_search(client, town_a, q="わらべうた").content.decode()


def test_a_page_made_private_leaves_the_autocomplete_at_once(client, town_a, page_cache_on):
    """The autocomplete is public and cacheable; a page made private must not linger in it."""
    page = factories.notice(town_a, title="わらべうたの会", lead="歌って遊びます。")
    url = reverse("search_suggest")
    first = client.get(url, {"q": "わらべ"}, HTTP_HOST=town_a.site.hostname)
    assert [item["title"] for item in first.json()["results"]] == ["わらべうたの会"]
    restrict(page, PageViewRestriction.PASSWORD, password="hinata")
    second = client.get(url, {"q": "わらべ"}, HTTP_HOST=town_a.site.hostname)
    assert second.json()["results"] == []


# The API -------------------------------------------------------------------------------------


def api_search(client, town, query, **params):
    response = client.get("/api/v2/pages/", {"search": query, **params}, HTTP_HOST=town.site.hostname)
    assert response.status_code == 200, response.content
    return response.json()


def test_api_search_finds_the_public_page_only(client, town_a, pages):
    body = api_search(client, town_a, "保育園")
    assert [item["id"] for item in body["items"]] == [pages["public"].id]
    assert body["meta"]["total_count"] == 1


@pytest.mark.parametrize(
    "params",
    [
        {"type": "portal_pages.NoticePage"},
        {"type": "home.StandardPage"},
        {"type": "portal_pages.ArticlePage"},
        {"order": "title"},
        {"descendant_of": "WORKSHOP"},
        {"site": "tachikawa.example.jp"},
    ],
)
def test_api_search_with_other_parameters_stays_public(client, town_a, pages, params):
    if params.get("descendant_of") == "WORKSHOP":
        params = {"descendant_of": town_a.sections["workshop"].id}
    response = client.get("/api/v2/pages/", {"search": "保育園", **params}, HTTP_HOST=town_a.site.hostname)
    hidden_ids = {page.id for page in pages["hidden"].values()}
    if response.status_code == 200:
        assert not {item["id"] for item in response.json()["items"]} & hidden_ids
    else:
        assert response.status_code in (400, 404)
    for title in hidden_titles(pages):
        assert title not in response.content.decode()


def test_api_search_by_a_hidden_title_finds_nothing_hidden(client, town_a, pages):
    hidden_ids = {page.id for page in pages["hidden"].values()}
    for title in hidden_titles(pages):
        body = api_search(client, town_a, title)
        assert not {item["id"] for item in body["items"]} & hidden_ids, title
