"""API v2's ``?search=`` ranks as the site search does: the same analysis, synonyms, fallback and
order, for the requesting town only."""

import pytest
from django.core.cache import cache

from search import service
from search.models import Synonym
from tests.portal_pages import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def api_search(client, town, query, **params):
    response = client.get("/api/v2/pages/", {"search": query, **params}, HTTP_HOST=town.site.hostname)
    assert response.status_code == 200, response.content
    return response.json()


def api_ids(client, town, query, **params):
    return [item["id"] for item in api_search(client, town, query, **params)["items"]]


def service_ids(town, query, **kwargs):
    return [hit.page.id for hit in service.search(town.site, query, per_page=20, **kwargs).hits]


@pytest.fixture
def corpus(town_a, town_b):
    """Pages that match the test queries more or less strongly (title, lead, several times)."""
    return {
        "title": factories.article(
            town_a,
            title="ファミリー・サポート・センターの会員募集",
            lead="援助をしてくれる会員を募集します。",
        ),
        "lead": factories.notice(
            town_a, title="援助活動のお知らせ", lead="ファミリー・サポート・センターの援助活動についてです。"
        ),
        "often": factories.facility(
            town_a,
            title="中央子育てひろば",
            lead="ファミリー・サポート・センターの窓口。ファミリー・サポート・センターの説明会もあります。",
        ),
        "fee": factories.service(town_a, title="ファミリーサポートの利用料", lead="1時間800円です。"),
        "apply": factories.notice(town_a, title="保育園入園の申し込み", lead="令和9年度の受付を始めます。"),
        "visit": factories.notice(town_a, title="保育園の見学会", lead="見学は予約制です。"),
        "allowance": factories.service(
            town_a, title="児童手当", lead="中学生までの子を育てる方に支給します。"
        ),
        "dv": factories.service(
            town_a, title="DV（配偶者暴力）の相談", lead="ひとりで悩まず相談してください。"
        ),
        "other_town": factories.article(
            town_b,
            title="ファミリー・サポート・センターの会員募集",
            lead="援助をしてくれる会員を募集します。",
        ),
    }


@pytest.mark.parametrize(
    "query", ["ファミサポ", "ﾌｧﾐｻﾎﾟ", "保育園", "保育園 申し込み", "保育園 ロケット", "じどうてあて", "ＤＶ"]
)
def test_api_returns_the_same_pages_in_the_same_order_as_the_site_search(client, town_a, corpus, query):
    expected = service_ids(town_a, query)
    assert expected
    body = api_search(client, town_a, query)
    assert [item["id"] for item in body["items"]] == expected
    assert body["meta"]["total_count"] == service.search(town_a.site, query).total


def test_api_search_applies_the_seeded_synonym_and_leaves_out_the_other_town(client, town_a, corpus):
    found = api_ids(client, town_a, "ファミサポ")
    for key in ("title", "lead", "often", "fee"):
        assert corpus[key].id in found, key
    assert corpus["other_town"].id not in found
    assert corpus["visit"].id not in found
    assert found.index(corpus["title"].id) < found.index(corpus["lead"].id)  # a title match ranks higher


def test_other_town_gets_its_own_page_only(client, town_b, corpus):
    found = api_ids(client, town_b, "ファミサポ")
    assert corpus["other_town"].id in found
    assert not set(found) & {page.id for key, page in corpus.items() if key != "other_town"}


def test_api_search_applies_a_towns_own_synonym_in_that_town_only(client, town_a, town_b, corpus):
    Synonym.objects.create(site=town_a.site, term="ぴよぴよ", expansions="中央子育てひろば")
    twin = factories.facility(town_b, title="中央子育てひろば", lead="0歳から遊べます。")
    assert api_ids(client, town_a, "ぴよぴよ") == [corpus["often"].id]
    assert api_ids(client, town_b, "ぴよぴよ") == []
    assert twin.id in api_ids(client, town_b, "中央子育てひろば")


def test_api_search_falls_back_to_any_word_like_the_site_search(client, town_a, corpus):
    assert service.search(town_a.site, "保育園 ロケット").relaxed
    found = api_ids(client, town_a, "保育園 ロケット")
    assert set(found) == {corpus["apply"].id, corpus["visit"].id}
    assert api_ids(client, town_a, "保育園 申し込み") == [corpus["apply"].id]


def test_api_search_with_a_type_keeps_the_site_search_order(client, town_a, corpus):
    found = api_ids(client, town_a, "ファミサポ", type="portal_pages.NoticePage")
    assert found == service_ids(town_a, "ファミサポ", filters={"type": "noticepage"})
    assert found == [corpus["lead"].id]


def test_api_search_pages_through_the_same_order(client, town_a, corpus):
    expected = service_ids(town_a, "ファミサポ")
    assert len(expected) >= 4
    assert api_ids(client, town_a, "ファミサポ", limit=2) == expected[:2]
    assert api_ids(client, town_a, "ファミサポ", limit=2, offset=2) == expected[2:4]


def test_api_search_with_an_order_keeps_that_order(client, town_a, corpus):
    found = api_search(client, town_a, "ファミサポ", order="title", fields="title")["items"]
    titles = [item["title"] for item in found]
    assert titles == sorted(titles)
    assert {item["id"] for item in found} == set(service_ids(town_a, "ファミサポ"))


@pytest.mark.parametrize("query", ['"', "*", "')", "', 1=1 --", '"保育園" OR "*"', "保育園) | (児童", "\\"])
def test_typed_syntax_in_api_search_is_harmless(client, town_a, corpus, query):
    body = api_search(client, town_a, query)
    assert body["meta"]["total_count"] == len(body["items"])
    assert corpus["other_town"].id not in {item["id"] for item in body["items"]}


def test_empty_api_search_finds_nothing(client, town_a, corpus):
    assert api_search(client, town_a, "、。")["items"] == []
