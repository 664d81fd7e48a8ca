"""The site search service on the test database (SQLite here, PostgreSQL in CI): what a parent's
query finds, how results are filtered, paged, highlighted and promoted, what is suggested and
what is counted. Nothing here depends on one engine's scores, only on which pages are found.
"""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from home.models import StandardPage
from search import service
from search.models import Promotion, QueryStat, Synonym
from tests.portal_pages import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    """Synonyms and the もしかして vocabulary are cached per town; start each test clean."""
    cache.clear()
    yield
    cache.clear()


def ids(results):
    return [hit.page.id for hit in results.hits]


def found_ids(town, query, **kwargs):
    return ids(service.search(town.site, query, **kwargs))


def get_search(client, town, **params):
    return client.get(reverse("search"), params, HTTP_HOST=town.site.hostname)


# Each kind of query finds the right page -----------------------------------------------------

# (query, (factory, title, lead) of the page it must find, (factory, title, lead) of a page it must not)
QUERY_KINDS = [
    pytest.param(
        "保育園 申し込み",
        ("notice", "保育園入園の申し込み", "令和9年度の受付を始めます。"),
        ("notice", "保育園の見学会", "見学は予約制です。"),
        id="two-words-and",
    ),
    pytest.param(
        "じどうてあて",
        ("service", "児童手当", "中学生までの子を育てる方に支給します。"),
        ("article", "児童館まつり", "夏の児童館で遊ぼう。"),
        id="reading",
    ),
    pytest.param(
        "ファミサポ",
        ("article", "ファミリー・サポート・センターの会員募集", "援助をしてくれる会員を募集します。"),
        ("article", "子育て応援講座", "地域で子育てを応援する講座です。"),
        id="seeded-synonym",
    ),
    pytest.param(
        "育休",
        ("notice", "育児休業中の保育園の継続利用", "継続には届け出が必要です。"),
        ("notice", "休日診療のお知らせ", "年末年始の当番医です。"),
        id="abbreviation",
    ),
    pytest.param(
        "ＤＶ",
        ("service", "DV（配偶者暴力）の相談", "ひとりで悩まず相談してください。"),
        ("service", "養育費の相談", "離婚後の取り決めについて。"),
        id="full-width-latin",
    ),
    pytest.param(
        "ﾍﾞﾋﾞｰｶｰ",
        ("facility", "中央子育てひろば", "ベビーカー置き場があります。"),
        ("facility", "西子育てひろば", "抱っこひもでお越しください。"),
        id="half-width-kana",
    ),
    pytest.param(
        "申込み",
        ("event", "親子リトミック", "申し込みは電話で受け付けます。"),
        ("event", "親子体操", "当日自由参加です。"),
        id="okurigana",
    ),
    pytest.param(
        "こども",
        ("article", "子供の広場へようこそ", "雨の日も遊べます。"),
        ("article", "大人の料理教室", "雨の日も開きます。"),
        id="kodomo-spelling",
    ),
    pytest.param(
        "ふたご",
        ("service", "多胎児家庭の支援", "移動の費用を助成します。"),
        ("service", "ひとり親家庭の支援", "移動の費用を助成します。"),
        id="kana-and-synonym",
    ),
    pytest.param(
        "歯",
        ("notice", "歯科健診のお知らせ", "1歳6か月児が対象です。"),
        ("notice", "ハンバーグ教室", "親子で料理をします。"),
        id="one-kanji-prefix",
    ),
]


def make(town, spec, **fields):
    factory, title, lead = spec
    return getattr(factories, factory)(town, title=title, lead=lead, **fields)


@pytest.mark.parametrize(("query", "target", "decoy"), QUERY_KINDS)
def test_each_kind_of_query_finds_the_right_published_page(town_a, query, target, decoy):
    wanted = make(town_a, target)
    unwanted = make(town_a, decoy)
    results = service.search(town_a.site, query)
    assert wanted.id in ids(results)
    assert unwanted.id not in ids(results)
    assert results.total == len(results.hits)
    assert not results.relaxed


def test_search_page_shows_the_found_page(client, town_a):
    page = factories.notice(town_a, title="保育園入園の申し込み", lead="令和9年度の受付を始めます。")
    response = get_search(client, town_a, q="ほいくえん　もうしこみ")
    assert response.status_code == 200
    assert ids(response.context["results"]) == [page.id]
    html = response.content.decode()
    assert "保育園入園の申し込み" in html
    assert page.relative_url(town_a.site) in html


# AND and the relaxed fallback -----------------------------------------------------------------


def test_every_word_must_match_before_any_word_is_enough(town_a):
    both = factories.notice(town_a, title="保育園入園の申し込み", lead="受付を始めます。")
    factories.notice(town_a, title="保育園の見学会", lead="見学は予約制です。")
    results = service.search(town_a.site, "保育園 申し込み")
    assert ids(results) == [both.id]
    assert results.total == 1
    assert results.relaxed is False


def test_when_no_page_has_every_word_pages_with_any_word_are_shown_and_flagged(client, town_a):
    visit = factories.notice(town_a, title="保育園の見学会", lead="見学は予約制です。")
    results = service.search(town_a.site, "保育園 ロケット")
    assert ids(results) == [visit.id]
    assert results.relaxed is True
    html = get_search(client, town_a, q="保育園 ロケット").content.decode()
    assert "いずれかの言葉を含むページを表示しています" in html


def test_nothing_found_at_all_is_not_flagged_relaxed(town_a):
    factories.notice(town_a, title="保育園の見学会", lead="見学は予約制です。")
    results = service.search(town_a.site, "ロケット 宇宙")
    assert results.total == 0
    assert results.hits == []
    assert results.relaxed is False


@pytest.mark.parametrize("query", ["の", "をにが", "、。", "*", '"', "') OR ('1'='1", '保育園" OR "*'])
def test_particles_and_punctuation_never_break_the_search(town_a, query):
    factories.notice(town_a, title="保育園の見学会", lead="見学は予約制です。")
    results = service.search(town_a.site, query)
    assert results.total == len(results.hits)
    if query in ("の", "をにが", "、。", "*", '"'):
        assert results.total == 0


def test_typed_operators_are_words_not_syntax(town_a):
    visit = factories.notice(town_a, title="保育園の見学会", lead="見学は予約制です。")
    assert found_ids(town_a, "保育園 OR ロケット") == [visit.id]  # "or" is a word: the fallback found it
    assert service.search(town_a.site, "保育園 OR ロケット").relaxed is True
    assert found_ids(town_a, '"保育園" AND (見学会)') == [visit.id]


# Town synonyms -------------------------------------------------------------------------------


def test_a_towns_own_synonym_applies_in_that_town_only(town_a, town_b):
    own = factories.facility(town_a, title="中央子育てひろば", lead="0歳から遊べます。")
    other = factories.facility(town_b, title="中央子育てひろば", lead="0歳から遊べます。")
    Synonym.objects.create(site=town_a.site, term="ぴよぴよ", expansions="中央子育てひろば")
    assert found_ids(town_a, "ぴよぴよ") == [own.id]
    assert found_ids(town_b, "ぴよぴよ") == []
    assert other.id in found_ids(town_b, "中央子育てひろば")


def test_seeded_synonyms_apply_in_every_town(town_a, town_b):
    for town in (town_a, town_b):
        page = factories.article(
            town, title="ファミリー・サポート・センターの会員募集", lead="会員募集です。"
        )
        assert page.id in found_ids(town, "ファミサポ")


def test_a_new_synonym_applies_at_once(town_a):
    page = factories.notice(town_a, title="乳児健康診査のお知らせ", lead="4か月児が対象です。")
    assert found_ids(town_a, "ぴかぴか健診") == []
    Synonym.objects.create(site=town_a.site, term="ぴかぴか健診", expansions="乳児健康診査")
    assert found_ids(town_a, "ぴかぴか健診") == [page.id]


# Facets ------------------------------------------------------------------------------------


@pytest.fixture
def warabe(town_a):
    """Four pages with the same word in two sections, four types and several life stages."""
    return {
        "notice": factories.notice(
            town_a, title="わらべうたの会のお知らせ", lead="わらべうたで遊びます。", stages=("age-0",)
        ),
        "service": factories.service(
            town_a,
            title="わらべうた講師の派遣",
            lead="わらべうたの講師を派遣します。",
            stages=("age-0", "age-1-2"),
        ),
        "article": factories.article(
            town_a, title="わらべうたを訪ねて", lead="中高生とわらべうたを歌いました。", stages=("teen",)
        ),
        "facility": factories.facility(town_a, title="わらべうた館", lead="わらべうたの資料があります。"),
    }


def facet_counts(results):
    return {
        name: {option.key: option.count for option in options} for name, options in results.facets.items()
    }


def selected(results):
    return {
        name: [option.key for option in options if option.selected]
        for name, options in results.facets.items()
    }


def test_facets_count_the_matching_pages_by_section_type_and_stage(town_a, warabe):
    results = service.search(town_a.site, "わらべうた")
    assert results.total == 4
    assert facet_counts(results) == {
        "section": {"municipal": 2, "regional": 2},
        "type": {"noticepage": 1, "servicepage": 1, "articlepage": 1, "facilitypage": 1},
        "stage": {"age-0": 2, "age-1-2": 1, "teen": 1},
    }
    labels = {option.key: option.label for option in results.facets["section"]}
    assert labels == {"municipal": "行政情報", "regional": "地域情報"}
    assert {option.key: option.label for option in results.facets["stage"]}["age-0"] == "0歳"


def test_life_stages_are_read_only_when_a_found_page_has_one(town_a, warabe):
    """The stage facet's labels are read when it has counts, and not for pages without stages."""
    factories.notice(town_a, title="紙しばいの会", lead="紙しばいを読みます。")
    with CaptureQueriesContext(connection) as queries:
        results = service.search(town_a.site, "紙しばい")
    assert results.total == 1 and results.facets["stage"] == []
    assert not [query for query in queries if 'FROM "home_lifestage"' in query["sql"]]
    results = service.search(town_a.site, "わらべうた")
    assert [option.label for option in results.facets["stage"]] == ["0歳", "1〜2歳", "中高生"]


def test_facets_use_the_paths_and_types_read_by_the_scope_check(town_a, warabe):
    """The scope check reads each page's path and type with its key: the facets need no
    second statement on the pages for them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        results = service.search(town_a.site, "わらべうた")
    assert facet_counts(results)["section"] == {"municipal": 2, "regional": 2}
    described = [
        query["sql"]
        for query in queries
        if '"wagtailcore_page"."path"' in query["sql"] and "django_content_type" in query["sql"]
    ]
    assert len(described) == 1
    assert '"wagtailcore_page"."live"' in described[0]  # the scope check's statement


def test_described_pages_not_known_from_the_scope_check_are_read(town_a, warabe):
    sections = service._sections(town_a.site)
    ranked = [(warabe["notice"].pk, 1.0), (warabe["article"].pk, 0.5)]
    known = {warabe["notice"].pk: ["/nowhere/", "noticepage"]}  # the article is missing
    described = service._describe(ranked, sections, known)
    assert [(row[0], row[2], row[3]) for row in described] == [
        (warabe["notice"].pk, "municipal", "noticepage"),
        (warabe["article"].pk, "regional", "articlepage"),
    ]


def test_no_cached_ranking_is_read_when_caching_is_off(town_a, warabe, monkeypatch):
    """``MATCHES_CACHE_SECONDS = 0`` (the latency bench's timed runs) ranks every search afresh."""
    service.search(town_a.site, "わらべうた")
    monkeypatch.setattr(service, "MATCHES_CACHE_SECONDS", 0)
    ranked = []
    original = service.matcher_for

    def counting(*args, **kwargs):
        ranked.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(service, "matcher_for", counting)
    assert service.search(town_a.site, "わらべうた").total == 4
    assert ranked


def test_section_filter_narrows_results_and_other_facets_but_keeps_its_own_counts(town_a, warabe):
    results = service.search(town_a.site, "わらべうた", filters={"section": "municipal"})
    assert set(ids(results)) == {warabe["notice"].id, warabe["service"].id}
    assert results.total == 2
    counts = facet_counts(results)
    assert counts["section"] == {"municipal": 2, "regional": 2}
    assert counts["type"] == {"noticepage": 1, "servicepage": 1}
    assert counts["stage"] == {"age-0": 2, "age-1-2": 1}
    assert selected(results)["section"] == ["municipal"]


def test_stage_filter_keeps_every_stage_count(town_a, warabe):
    results = service.search(town_a.site, "わらべうた", filters={"stage": "age-0"})
    assert set(ids(results)) == {warabe["notice"].id, warabe["service"].id}
    counts = facet_counts(results)
    assert counts["stage"] == {"age-0": 2, "age-1-2": 1, "teen": 1}
    assert counts["section"] == {"municipal": 2}
    assert selected(results)["stage"] == ["age-0"]


def test_type_and_section_filters_combine(town_a, warabe):
    results = service.search(
        town_a.site, "わらべうた", filters={"section": "regional", "type": "facilitypage"}
    )
    assert ids(results) == [warabe["facility"].id]
    counts = facet_counts(results)
    assert counts["type"] == {"articlepage": 1, "facilitypage": 1}
    assert counts["section"] == {"regional": 1}


def test_filters_from_the_request_keep_only_known_values(town_a):
    raw = {"section": "municipal", "type": "servicepage", "stage": "teen"}
    assert service.clean_filters(raw, town_a.site) == raw
    bogus = {"section": "nowhere", "type": "user", "stage": "age-99"}
    assert service.clean_filters(bogus, town_a.site) == {}


def test_search_page_links_each_facet_option(client, town_a, warabe):
    response = get_search(client, town_a, q="わらべうた", section="municipal", type="bogus")
    assert response.context["results"].filters == {"section": "municipal"}
    html = response.content.decode()
    assert '行政情報<span class="facet-count">（2）</span>' in html
    assert 'aria-current="true"' in html


# Snippets -------------------------------------------------------------------------------------


def test_snippet_marks_the_matched_words(town_a):
    factories.notice(town_a, title="入園のご案内", lead="令和9年度の保育園の入園申込みを受け付けます。")
    (hit,) = service.search(town_a.site, "保育園 申し込み").hits
    assert "<mark>保育園</mark>" in hit.snippet
    assert "<mark>申込み</mark>" in hit.snippet


def test_a_word_written_as_typed_is_marked_without_analysing_the_page(town_a, monkeypatch):
    """申込み is searched as 申し込み; where the page writes it as typed, it is found by position."""
    factories.notice(town_a, title="入園のご案内", lead="令和9年度の保育園の入園申込みを受け付けます。")
    analysed = []
    words = service.analysis.words
    monkeypatch.setattr(service.analysis, "words", lambda text: analysed.append(text) or words(text))
    (hit,) = service.search(town_a.site, "申込み").hits
    assert "<mark>申込み</mark>" in hit.snippet
    assert not any("受け付けます" in text for text in analysed)


def test_snippet_escapes_html_written_in_the_page(client, town_a):
    factories.notice(
        town_a,
        title="入園のご案内",
        lead='保育園の説明会です。<script>alert("x")</script> <b>太字</b> & お問い合わせ',
    )
    (hit,) = service.search(town_a.site, "保育園").hits
    assert "<mark>保育園</mark>" in hit.snippet
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in hit.snippet
    assert "&lt;b&gt;太字&lt;/b&gt; &amp; お問い合わせ" in hit.snippet
    html = get_search(client, town_a, q="保育園").content.decode()
    assert '<script>alert("x")' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)" in html


def test_snippet_starts_near_the_first_match_in_a_long_text(town_a):
    lead = "市内の子育て支援についてのお知らせです。" * 5 + "最後に保育園の申込み方法を説明します。"
    factories.notice(town_a, title="入園のご案内", lead=lead)
    (hit,) = service.search(town_a.site, "保育園").hits
    assert hit.snippet.startswith("…")
    assert "<mark>保育園</mark>" in hit.snippet


# Pagination -------------------------------------------------------------------------------


@pytest.fixture
def five_pages(town_a):
    return [
        factories.notice(town_a, title=f"わらべうたの会 第{n}回", lead="わらべうたで遊びます。")
        for n in range(5)
    ]


def test_pages_of_results_do_not_overlap_and_cover_every_match(town_a, five_pages):
    pages = [service.search(town_a.site, "わらべうた", page=n, per_page=2) for n in (1, 2, 3)]
    assert [len(results.hits) for results in pages] == [2, 2, 1]
    assert all(results.total == 5 for results in pages)
    seen = [page_id for results in pages for page_id in ids(results)]
    assert sorted(seen) == sorted(page.id for page in five_pages)
    assert pages[1].page == 2
    assert pages[1].has_previous and pages[1].has_next
    assert pages[1].start_index == 3
    assert pages[2].num_pages == 3 and not pages[2].has_next


@pytest.mark.parametrize("requested", [4, 99, 10**6])
def test_a_page_past_the_end_gives_the_last_page(town_a, five_pages, requested):
    results = service.search(town_a.site, "わらべうた", page=requested, per_page=2)
    assert results.page == 3
    assert len(results.hits) == 1
    last = service.search(town_a.site, "わらべうた", page=3, per_page=2)
    assert ids(results) == ids(last)


@pytest.mark.parametrize("requested", [0, -3, "abc", None])
def test_a_bad_page_number_gives_the_first_page(town_a, five_pages, requested):
    results = service.search(town_a.site, "わらべうた", page=requested, per_page=2)
    assert results.page == 1
    assert ids(results) == ids(service.search(town_a.site, "わらべうた", per_page=2))


def test_search_page_pages_through_results(client, town_a, five_pages):
    for n in range(8):
        factories.notice(town_a, title=f"わらべうた講座 {n}", lead="わらべうたで遊びます。")
    first = get_search(client, town_a, q="わらべうた").context["results"]
    second = get_search(client, town_a, q="わらべうた", page=2).context["results"]
    beyond = get_search(client, town_a, q="わらべうた", page=50)
    assert first.total == 13
    assert len(first.hits) == 10 and len(second.hits) == 3
    assert not set(ids(first)) & set(ids(second))
    assert beyond.context["results"].page == 2
    assert 'rel="prev"' in beyond.content.decode()


# Promotions -------------------------------------------------------------------------------


def test_promoted_page_comes_first_for_its_query(client, town_a):
    factories.notice(town_a, title="給付金のお知らせ", lead="給付金の申請について。")
    promoted = factories.service(town_a, title="出産・子育て応援", lead="新しい制度です。")
    Promotion.objects.create(site=town_a.site, query="給付金", page=promoted, description="新しい給付の案内")
    results = service.search(town_a.site, "給付金")
    assert [hit.page.id for hit in results.promotions] == [promoted.id]
    assert results.promotions[0].promoted is True
    assert results.promotions[0].description == "新しい給付の案内"
    html = get_search(client, town_a, q="給付金").content.decode()
    assert html.index("出産・子育て応援") < html.index("給付金のお知らせ")


@pytest.mark.parametrize(
    ("saved", "typed"),
    [
        ("ＤＶ相談", "dv相談"),
        ("DV相談", "ＤＶ相談"),
        ("dv相談", "Ｄｖ相談"),
        ("ﾍﾞﾋﾞｰｶｰ", "ベビーカー"),
        ("ベビーカー", "ﾍﾞﾋﾞｰｶｰ"),
        ("保育園　申し込み", "保育園 申し込み"),
        ("保育園 申し込み", " 保育園　　申し込み "),
    ],
)
def test_promotions_match_the_normalised_query(town_a, saved, typed):
    promoted = factories.service(town_a, title="相談窓口の一覧", lead="窓口の案内です。")
    Promotion.objects.create(site=town_a.site, query=saved, page=promoted)
    assert [hit.page.id for hit in service.search(town_a.site, typed).promotions] == [promoted.id]


def test_promotions_keep_their_order_and_ignore_other_queries(town_a):
    first = factories.service(town_a, title="出産・子育て応援", lead="制度です。")
    second = factories.notice(town_a, title="給付金の申請期限", lead="期限です。")
    Promotion.objects.create(site=town_a.site, query="給付金", page=second, sort_order=2)
    Promotion.objects.create(site=town_a.site, query="給付金", page=first, sort_order=1)
    assert [hit.page.id for hit in service.search(town_a.site, "給付金").promotions] == [first.id, second.id]
    assert service.search(town_a.site, "給付").promotions == []
    assert service.search(town_a.site, "給付金 申請").promotions == []


def test_promotions_are_shown_on_the_first_page_only(town_a, five_pages):
    Promotion.objects.create(site=town_a.site, query="わらべうた", page=five_pages[0])
    assert len(service.search(town_a.site, "わらべうた", per_page=2).promotions) == 1
    assert service.search(town_a.site, "わらべうた", page=2, per_page=2).promotions == []


def test_a_promotion_added_saved_or_removed_shows_at_once(town_a):
    """The town's promoted queries are kept per generation: saving or deleting one renews them."""
    factories.notice(town_a, title="給付金のお知らせ", lead="給付金の申請について。")
    promoted = factories.service(town_a, title="出産・子育て応援", lead="新しい制度です。")
    assert service.search(town_a.site, "給付金").promotions == []  # no promoted queries, now kept
    promotion = Promotion.objects.create(site=town_a.site, query="給付金", page=promoted)
    assert [hit.page.id for hit in service.search(town_a.site, "給付金").promotions] == [promoted.id]
    promotion.query = "応援金"
    promotion.save()
    assert service.search(town_a.site, "給付金").promotions == []
    assert [hit.page.id for hit in service.search(town_a.site, "応援金").promotions] == [promoted.id]
    promotion.delete()
    assert service.search(town_a.site, "応援金").promotions == []


def test_a_query_nobody_promotes_reads_no_promotion(town_a):
    factories.notice(town_a, title="給付金のお知らせ", lead="給付金の申請について。")
    other = factories.service(town_a, title="出産・子育て応援", lead="新しい制度です。")
    Promotion.objects.create(site=town_a.site, query="応援金", page=other)
    service.search(town_a.site, "給付金")  # the promoted queries are now kept
    with CaptureQueriesContext(connection) as queries:
        assert service.search(town_a.site, "給付金").promotions == []
    assert not [query for query in queries if "search_promotion" in query["sql"]]


def test_promotion_is_shown_even_when_no_page_matches_the_words(client, town_a):
    promoted = factories.service(town_a, title="出産・子育て応援", lead="新しい制度です。")
    Promotion.objects.create(site=town_a.site, query="おいわいきん", page=promoted)
    results = service.search(town_a.site, "おいわいきん")
    assert results.total == 0
    assert [hit.page.id for hit in results.promotions] == [promoted.id]
    html = get_search(client, town_a, q="おいわいきん").content.decode()
    assert "出産・子育て応援" in html


# もしかして -----------------------------------------------------------------------------------


def offered(results):
    """The word the search offers for a typo: a もしかして link, or the query it searched instead."""
    return results.suggestion or getattr(results, "corrected", "")


@pytest.mark.parametrize("typo", ["ほいくえ", "ほいくえm"])
def test_a_typo_offers_the_word_of_a_page_title(client, town_a, typo):
    page = factories.notice(town_a, title="保育園", lead="市内の園の一覧です。")
    results = service.search(town_a.site, typo)
    assert offered(results) == "保育園"
    assert ids(results) in ([], [page.id])
    html = get_search(client, town_a, q=typo).content.decode()
    assert "?q=%E4%BF%9D%E8%82%B2%E5%9C%92" in html or "「保育園」の検索結果" in html  # ?q=保育園


def test_no_suggestion_when_something_was_found(town_a):
    factories.notice(town_a, title="保育園", lead="市内の園の一覧です。")
    for query in ("保育園", "ほいくえん"):
        results = service.search(town_a.site, query)
        assert results.total == 1
        assert results.suggestion == ""


def test_no_suggestion_for_words_unlike_any_title(town_a):
    factories.notice(town_a, title="保育園", lead="市内の園の一覧です。")
    results = service.search(town_a.site, "ろけっとうちゅう")
    assert results.total == 0
    assert offered(results) == ""


def test_a_page_published_later_is_offered(town_a):
    factories.notice(town_a, title="保育園", lead="市内の園の一覧です。")
    assert offered(service.search(town_a.site, "てあそぴ")) != "手遊び"
    page = factories.article(town_a, title="手遊び歌の会", lead="雨の日に。")
    results = service.search(town_a.site, "てあそぴ")
    assert offered(results) == "手遊び"
    assert ids(results) in ([], [page.id])


# Query statistics ---------------------------------------------------------------------------


def stats(town):
    return {row.query: (row.searches, row.no_results) for row in QueryStat.objects.filter(site=town.site)}


def test_searches_and_searches_without_results_are_counted_per_day(town_a):
    factories.notice(town_a, title="保育園", lead="市内の園の一覧です。")
    service.search(town_a.site, "保育園", record=True)
    service.search(town_a.site, "保育園", record=True)
    service.search(town_a.site, "ろけっと", record=True)
    service.search(town_a.site, "ろけっと", record=True)
    service.search(town_a.site, "保育園")  # not recorded
    assert stats(town_a) == {"保育園": (2, 0), "ろけっと": (2, 2)}
    assert set(QueryStat.objects.values_list("date", flat=True)) == {timezone.localdate()}


def test_a_new_day_starts_a_new_count(town_a):
    QueryStat.objects.create(
        site=town_a.site, query="保育園", date=timezone.localdate() - datetime.timedelta(days=1), searches=7
    )
    service.search(town_a.site, "保育園", record=True)
    rows = QueryStat.objects.filter(site=town_a.site, query="保育園").order_by("date")
    assert [(row.searches, row.no_results) for row in rows] == [(7, 0), (1, 1)]


def test_width_and_spacing_variants_count_as_one_query(town_a):
    service.search(town_a.site, "ＤＶ　ロケット", record=True)
    service.search(town_a.site, "dv ロケット", record=True)
    service.search(town_a.site, " Dv   ﾛｹｯﾄ ", record=True)
    assert stats(town_a) == {"dv ロケット": (3, 3)}


def test_each_town_counts_its_own_searches(town_a, town_b):
    service.search(town_a.site, "保育園", record=True)
    service.search(town_b.site, "保育園", record=True)
    service.search(town_b.site, "保育園", record=True)
    assert stats(town_a) == {"保育園": (1, 1)}
    assert stats(town_b) == {"保育園": (2, 2)}


def test_the_search_page_counts_each_search(client, town_a):
    factories.notice(town_a, title="保育園", lead="市内の園の一覧です。")
    get_search(client, town_a, q="保育園")
    get_search(client, town_a, q="保育園", page=2)
    get_search(client, town_a, q="")
    assert stats(town_a) == {"保育園": (2, 0)}


def test_a_promoted_result_counts_as_found(town_a):
    promoted = factories.service(town_a, title="出産・子育て応援", lead="新しい制度です。")
    Promotion.objects.create(site=town_a.site, query="おいわいきん", page=promoted)
    service.search(town_a.site, "おいわいきん", record=True)
    assert stats(town_a) == {"おいわいきん": (1, 0)}


@pytest.mark.parametrize(
    "query",
    [
        "taro@example.jp",
        "ｔａｒｏ．ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｊｐ",
        "保育園 hanako+kids@mail.example.co.jp",
        "090-1234-5678",
        "０９０-１２３４-５６７８",
        "09012345678",
        "０９０ １２３４ ５６７８",
        "相談 0422-45-1151",
        "０９０ー１２３４ー５６７８",  # 長音符 as the hyphen, as a kana keyboard types it
        "080−1234−5678",  # minus sign, as a full-width keyboard types it
        "０３（１２３４）５６７８",
    ],
)
def test_queries_with_an_email_or_phone_number_are_not_stored(town_a, query):
    factories.notice(town_a, title="保育園", lead="市内の園の一覧です。")
    results = service.search(town_a.site, query, record=True)
    assert results.query  # the search itself still runs
    assert QueryStat.objects.count() == 0


def test_long_queries_are_stored_cut_to_fifty_characters(town_a):
    service.search(town_a.site, "あ" * 80, record=True)
    (row,) = QueryStat.objects.all()
    assert row.query == "あ" * 50


def test_stored_statistics_hold_no_personal_fields():
    fields = {field.name for field in QueryStat._meta.get_fields()}
    assert fields == {"id", "site", "query", "date", "searches", "no_results"}


# Autocomplete -------------------------------------------------------------------------------


@pytest.fixture
def titles(town_a):
    return {
        "visit": factories.notice(town_a, title="保育園の見学会", lead="見学は予約制です。"),
        "apply": factories.notice(town_a, title="保育園入園の申し込み", lead="受付を始めます。"),
        "allowance": factories.service(town_a, title="児童手当", lead="支給します。"),
        "body_only": factories.article(town_a, title="雨の日の過ごし方", lead="保育園のお迎えの後に。"),
    }


def test_autocomplete_returns_titles_that_start_with_what_is_typed(town_a, titles):
    found = service.complete(town_a.site, "ほいく")
    assert {item["title"] for item in found} == {"保育園の見学会", "保育園入園の申し込み"}
    assert all(item["url"] for item in found)
    assert [item["title"] for item in service.complete(town_a.site, "じどう")] == ["児童手当"]
    assert [item["title"] for item in service.complete(town_a.site, "児童手")] == ["児童手当"]


def test_autocomplete_follows_the_typing_one_character_at_a_time(town_a, titles):
    typed = "ほいくえん"
    for end in range(2, len(typed) + 1):
        found = {item["title"] for item in service.complete(town_a.site, typed[:end])}
        assert "保育園の見学会" in found, typed[:end]


def test_autocomplete_is_limited_and_empty_for_nothing(town_a):
    for n in range(10):
        factories.notice(town_a, title=f"保育園だより {n}月号", lead="園の便りです。")
    assert len(service.complete(town_a.site, "保育")) == 8
    assert len(service.complete(town_a.site, "保育", limit=3)) == 3
    assert service.complete(town_a.site, "") == []
    assert service.complete(town_a.site, "、。") == []


def test_autocomplete_answers_json(client, town_a, titles):
    response = client.get(reverse("search_suggest"), {"q": "ほいく"}, HTTP_HOST=town_a.site.hostname)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    results = response.json()["results"]
    assert {item["title"] for item in results} == {"保育園の見学会", "保育園入園の申し込み"}
    assert {item["url"] for item in results} == {
        titles["visit"].relative_url(town_a.site),
        titles["apply"].relative_url(town_a.site),
    }
    empty = client.get(reverse("search_suggest"), HTTP_HOST=town_a.site.hostname)
    assert empty.json() == {"results": []}


# Freshness ----------------------------------------------------------------------------------


def test_a_published_page_is_found_at_once(town_a):
    assert found_ids(town_a, "わらべうた") == []
    page = factories.notice(town_a, title="わらべうたの会", lead="歌って遊びます。")
    assert found_ids(town_a, "わらべうた") == [page.id]


def test_a_republished_change_is_found_at_once_and_the_old_words_are_not(town_a):
    page = factories.notice(town_a, title="わらべうたの会", lead="歌って遊びます。")
    page.title = "手遊びの会"
    page.save_revision().publish()
    assert found_ids(town_a, "わらべうた") == []
    assert found_ids(town_a, "手遊び") == [page.id]


def test_an_unpublished_page_is_gone_at_once(town_a):
    page = factories.notice(town_a, title="わらべうたの会", lead="歌って遊びます。")
    page.unpublish()
    results = service.search(town_a.site, "わらべうた")
    assert results.total == 0
    assert service.complete(town_a.site, "わらべ") == []


def test_a_deleted_page_is_gone_at_once(town_a):
    page = factories.notice(town_a, title="わらべうたの会", lead="歌って遊びます。")
    page.delete()
    assert service.search(town_a.site, "わらべうた").total == 0
    assert service.complete(town_a.site, "わらべ") == []


def test_deleting_a_parent_removes_its_children(town_a):
    parent = StandardPage(title="講座の案内", lead="講座の一覧です。")
    town_a.sections["regional"].add_child(instance=parent)
    parent.save_revision().publish()
    child = StandardPage(title="わらべうた講座", lead="歌って遊びます。")
    parent.add_child(instance=child)
    child.save_revision().publish()
    assert found_ids(town_a, "わらべうた") == [child.id]
    parent.delete()
    assert service.search(town_a.site, "わらべうた").total == 0


def test_a_page_moved_into_the_private_section_is_gone_at_once(town_a):
    page = StandardPage(title="わらべうたの記録", lead="歌って遊びました。")
    town_a.sections["regional"].add_child(instance=page)
    page.save_revision().publish()
    assert found_ids(town_a, "わらべうた") == [page.id]
    page.move(town_a.sections["workshop"], pos="last-child")
    results = service.search(town_a.site, "わらべうた")
    assert results.total == 0
    assert facet_counts(results) == {"section": {}, "type": {}, "stage": {}}
    assert service.complete(town_a.site, "わらべ") == []
