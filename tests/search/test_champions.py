"""Champion lists (search.champions): the counts and lists kept as the index is written, and the
ways search.backends answers with them. The lists are made tiny here (a word on more than three
pages is "common") so that a handful of pages exercises what 100,000 do in bench/search_latency.py.
"""

import pytest

from search import analysis, backends, champions, service
from search.backends import SQLiteMatcher, matcher_for
from search.models import Champion, IndexTerm
from tests.portal_pages import factories

pytestmark = pytest.mark.django_db

WORD = "竹馬"  # on no page of the demo towns


def term_of(word):
    return analysis.index_terms(word)[0]


def documents(word):
    return IndexTerm.objects.filter(term=term_of(word)).values_list("documents", flat=True).first() or 0


def listed(word):
    state = IndexTerm.objects.get(term=term_of(word))
    return state, dict(Champion.objects.filter(term=state).values_list("entry_id", "impact"))


def entry_id(page):
    return page.index_entries.get().pk


def snapshot():
    terms = dict(IndexTerm.objects.filter(documents__gt=0).values_list("term", "documents"))
    lists = sorted(Champion.objects.values_list("term__term", "entry_id"))
    return terms, lists


@pytest.fixture
def small_lists(monkeypatch):
    """Lists from four pages on, keeping the best two (up to four); rank every match up to three."""
    monkeypatch.setattr(champions, "LIST_FROM", 3)
    monkeypatch.setattr(champions, "LIST_LENGTH", 2)
    monkeypatch.setattr(backends, "EXACT_LIMIT", 3)
    champions.rebuild()


def pages_with(town, count, word=WORD, title="竹馬の会", **fields):
    """``count`` pages using ``word`` more and more often (the last weighs most)."""
    return [
        factories.notice(
            town, title=f"{title}その{number}", lead="、".join([f"{word}で遊ぼう"] * number), **fields
        )
        for number in range(1, count + 1)
    ]


def ranked_ids(town, query, stop):
    return [
        pk
        for pk, _score in matcher_for(analysis.parse(query), service.public_pages(town.site)).ranked(0, stop)
    ]


def every_match_ranked(town, query, stop):
    matcher = matcher_for(analysis.parse(query), service.public_pages(town.site))
    return [pk for pk, _score in matcher.ranked_in_scope(0, stop)]


# Counting -------------------------------------------------------------------------------------


def test_publishing_editing_and_deleting_pages_keep_the_counts(town_a):
    before = documents(WORD)
    first, second = pages_with(town_a, 2)
    assert documents(WORD) == before + 2

    second.lead = "雨の日は児童館へ"
    second.title = "児童館のお知らせ"
    second.save_revision().publish()
    assert documents(WORD) == before + 1

    first.delete()
    assert documents(WORD) == before


def test_a_rebuild_counts_what_was_counted_as_pages_were_written(town_a, small_lists):
    pages_with(town_a, 6)
    written = snapshot()
    champions.rebuild()
    rebuilt = snapshot()
    assert rebuilt[0] == written[0]
    # Both hold every entry above each list's floor; the rebuild keeps the best LIST_LENGTH.
    assert set(rebuilt[1]) <= set(written[1])


def test_update_index_ends_with_the_counts_rebuilt(town_a, small_lists):
    pages_with(town_a, 4)
    IndexTerm.objects.all().delete()  # as on an index written before the lists existed
    rebuilder = backends.Rebuilder(backends.SearchBackend({}).get_index_for_model(type(town_a.home)))
    rebuilder.start()
    rebuilder.finish()
    assert documents(WORD) == 4
    assert listed(WORD)[1]


# The lists --------------------------------------------------------------------------------------


def test_a_common_word_lists_the_pages_where_it_weighs_most(town_a, small_lists):
    pages = pages_with(town_a, 6)
    state, entries = listed(WORD)
    assert state.documents == 6
    assert state.floor is not None
    assert 2 <= len(entries) <= 4 == state.listed or len(entries) == state.listed
    heaviest = entry_id(pages[-1])
    assert heaviest in entries
    assert entry_id(pages[0]) not in entries  # used once: lightest of all
    # Every page above the floor is on the list.
    for page in pages:
        index_entry = page.index_entries.get()
        doc = champions.document(index_entry.pk, index_entry.title.split(), index_entry.body.split())
        if doc.impact(term_of(WORD)) > state.floor:
            assert index_entry.pk in entries


def test_a_page_that_now_weighs_more_joins_the_list_and_a_deleted_one_leaves_it(town_a, small_lists):
    pages = pages_with(town_a, 6)
    light = pages[0]
    assert entry_id(light) not in listed(WORD)[1]
    light.title = f"{WORD}、{WORD}、{WORD}の大会"
    light.lead = "、".join([f"{WORD}に乗ろう"] * 8)
    light.save_revision().publish()
    assert entry_id(light) in listed(WORD)[1]

    gone = entry_id(light)
    light.delete()
    state, entries = listed(WORD)
    assert gone not in entries
    assert state.listed == len(entries)


# Answering with them ----------------------------------------------------------------------------


def test_a_common_word_is_ranked_from_its_list_as_every_match_would_rank(town_a, small_lists, monkeypatch):
    pages_with(town_a, 8)
    expected = every_match_ranked(town_a, WORD, 2)
    plan = champions.plan(analysis.parse(WORD))
    assert plan.estimate > backends.EXACT_LIMIT and plan.listed

    def refuse(*args, **kwargs):
        raise AssertionError("every match was ranked")

    monkeypatch.setattr(backends.Matcher, "ranked_in_scope", refuse)
    assert ranked_ids(town_a, WORD, 2) == expected


def test_few_matches_are_ranked_without_the_scope_and_then_scoped(town_a, town_b, small_lists, monkeypatch):
    word = "一輪車"
    mine = factories.notice(town_a, title=f"{word}教室", lead=f"{word}に乗ろう")
    factories.notice(town_b, title=f"{word}教室", lead=f"{word}に乗ろう")
    monkeypatch.setattr(backends, "EXACT_LIMIT", 100)
    monkeypatch.setattr(backends.Matcher, "ranked_in_scope", lambda *args, **kwargs: [])
    monkeypatch.setattr(backends.Matcher, "candidates", lambda *args, **kwargs: 1 / 0)
    assert ranked_ids(town_a, word, 10) == [mine.pk]


def test_a_rarer_word_is_answered_from_all_its_entries_however_few(town_a, small_lists, monkeypatch):
    word = "一輪車"
    mine = [factories.notice(town_a, title=f"{word}教室その{n}", lead=f"{word}に乗ろう") for n in (1, 2)]
    plan = champions.plan(analysis.parse(word))
    assert plan.estimate > backends.EXACT_LIMIT and not plan.listed
    monkeypatch.setattr(backends.Matcher, "ranked_in_scope", lambda *args, **kwargs: [])
    assert set(ranked_ids(town_a, word, 10)) == {page.pk for page in mine}


def test_the_lists_never_show_another_towns_or_a_draft_or_private_page(
    town_a, town_b, small_lists, monkeypatch
):
    from wagtail.models import PageViewRestriction

    from portal_pages.models import NoticePage

    mine = pages_with(town_a, 6)
    theirs = pages_with(town_b, 6)
    private = mine[-1]
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    draft = NoticePage(title=f"{WORD}の下書き", lead="、".join([f"{WORD}の下書き"] * 9), live=False)
    town_a.index("municipal", "NoticeIndexPage").add_child(instance=draft)
    monkeypatch.setattr(champions, "LIST_LENGTH", 8)  # the best eight: both towns' heaviest pages
    champions.rebuild()
    matcher = matcher_for(analysis.parse(WORD), service.public_pages(town_a.site))
    candidates = [
        pk for pk, _score in matcher.ranked_anywhere(backends.CANDIDATES, champions.plan(matcher.tree))
    ]
    assert theirs[-1].pk in candidates and private.pk in candidates  # the lists are the whole index's
    shown = [
        pk for pk, _score in matcher.in_scope(matcher.ranked_anywhere(100, champions.plan(matcher.tree)), 10)
    ]
    assert shown
    assert set(shown) <= {page.pk for page in mine[:-1]}
    assert set(ranked_ids(town_a, WORD, 10)) == {page.pk for page in mine[:-1]}


def test_words_rarer_together_than_apart_still_find_their_one_page(town_a, small_lists):
    pages_with(town_a, 6)
    pages_with(town_a, 6, word="一輪車", title="一輪車の会")
    both = factories.notice(town_a, title="体育の日", lead=f"{WORD}と一輪車で遊ぼう")
    found = ranked_ids(town_a, f"{WORD} 一輪車", 5)
    assert found == [both.pk]


def test_the_service_finds_the_same_pages_through_the_lists(town_a, small_lists):
    pages = pages_with(town_a, 6)
    results = service.search(town_a.site, WORD)
    assert {hit.page.pk for hit in results.hits} == {page.pk for page in pages}
    assert results.hits[0].page.pk == pages[-1].pk


# The plan ---------------------------------------------------------------------------------------


def test_the_estimate_takes_the_rarest_part_of_all_and_the_sum_of_any(town_a, small_lists):
    pages_with(town_a, 6)
    pages_with(town_a, 2, word="一輪車", title="一輪車の会")
    common, rare = analysis.Term(term_of(WORD)), analysis.Term(term_of("一輪車"))
    assert champions.plan(common).estimate == 6
    assert champions.plan(analysis.AllOf((common, rare))).estimate == 2
    assert champions.plan(analysis.AnyOf((common, rare))).estimate == 8
    assert champions.plan(analysis.Term("誰も使わない語")).estimate == 0
    plan = champions.plan(analysis.AnyOf((common, rare)))
    assert plan.listed == [IndexTerm.objects.get(term=term_of(WORD)).pk]
    assert plan.rarer == rare


def test_a_one_kanji_prefix_is_estimated_from_the_words_it_starts(town_a, small_lists):
    pages_with(town_a, 2, word="竹細工", title="竹細工の会")
    pages_with(town_a, 6)
    estimate = champions.plan(analysis.Term("竹", prefix=True)).estimate
    assert estimate >= documents(WORD) + documents("竹細工")


def test_candidates_are_looked_up_not_searched_one_by_one(town_a, small_lists):
    """On SQLite a plain ``rowid IN`` would make FTS5 restart its query (and bm25's counts) for
    each candidate: the unary ``+`` keeps it a lookup. PostgreSQL looks the candidates up by key."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pages = pages_with(town_a, 8)
    matcher = matcher_for(analysis.parse(WORD), service.public_pages(town_a.site))
    with CaptureQueriesContext(connection) as queries:
        rows = matcher.ranked_anywhere(10, champions.plan(matcher.tree))
    sql = next(query["sql"] for query in queries if "AS score" in query["sql"])
    if isinstance(matcher, SQLiteMatcher):
        assert "+wagtailsearch_indexentry_fts.rowid IN (" in sql
    else:
        assert "e.id = ANY(" in sql and "(e.title || e.body) @@" in sql  # keys ANDed with the GIN
        with connection.cursor() as cursor:  # the planner settings are put back
            cursor.execute("SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan')")
            assert cursor.fetchone() == ("on", "on")
    assert rows[0][0] == pages[-1].pk


def test_a_word_that_matches_alone_is_planned_from_its_list_and_words_together_are_not(town_a, small_lists):
    pages_with(town_a, 6)
    pages_with(town_a, 6, word="一輪車", title="一輪車の会")
    common, other = analysis.Term(term_of(WORD)), analysis.Term(term_of("一輪車"))
    assert champions.plan(common).listed_alone
    assert champions.plan(analysis.AnyOf((common, other))).listed_alone  # a question: any word
    assert not champions.plan(analysis.AllOf((common, other))).listed_alone
    assert not champions.plan(analysis.Term(term_of("一輪車"), prefix=True)).listed_alone


@pytest.mark.parametrize("fill_below", [0, 10_000])
def test_without_the_first_matches_a_common_word_still_ranks_as_every_match_would(
    town_a, small_lists, monkeypatch, fill_below
):
    """On PostgreSQL the first matches are added to a lone common word's list only when the
    lists are short (FILL_BELOW): either way the ranking is the full one."""
    pages_with(town_a, 8)
    # Tiny lists give PostgreSQL one candidate a list (three quarters of two): one is asked for.
    expected = every_match_ranked(town_a, WORD, 1)
    monkeypatch.setattr(backends, "FILL_BELOW", fill_below)
    monkeypatch.setattr(backends.Matcher, "ranked_in_scope", lambda *args, **kwargs: 1 / 0)
    assert ranked_ids(town_a, WORD, 1) == expected


def test_words_rarer_together_are_filled_in_however_long_the_lists(town_a, small_lists, monkeypatch):
    monkeypatch.setattr(backends, "FILL_BELOW", 0)  # the fill is never optional for all-words
    pages_with(town_a, 6)
    pages_with(town_a, 6, word="一輪車", title="一輪車の会")
    both = factories.notice(town_a, title="体育の日", lead=f"{WORD}と一輪車で遊ぼう")
    assert ranked_ids(town_a, f"{WORD} 一輪車", 5) == [both.pk]


def test_postgresql_looks_for_the_first_matches_only_when_the_lists_are_short(town_a, small_lists):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pages_with(town_a, 8)
    matcher = matcher_for(analysis.parse(WORD), service.public_pages(town_a.site))
    with CaptureQueriesContext(connection) as queries:
        matcher.ranked_anywhere(10, champions.plan(matcher.tree))
    sql = next(query["sql"] for query in queries if "AS score" in query["sql"])
    if isinstance(matcher, SQLiteMatcher):
        assert "WITH listed" not in sql
    else:
        assert "WITH listed AS MATERIALIZED" in sql and ") < " in sql


def test_words_split_between_title_and_body_are_found_among_candidates(town_a, small_lists):
    pages_with(town_a, 6)
    pages_with(town_a, 6, word="一輪車", title="一輪車の会")
    split = factories.notice(town_a, title=f"{WORD}の日", lead="一輪車も用意します")
    assert split.pk in ranked_ids(town_a, f"{WORD} 一輪車", 20)


def test_all_words_are_ranked_among_the_candidates_that_match_by_key_and_index(town_a, small_lists):
    """PostgreSQL gets the candidates' ids first, then ANDs them with the GIN index's matches
    (bitmap scans only, settings put back), so a candidate without a word is never read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pages_with(town_a, 6)
    pages_with(town_a, 6, word="一輪車", title="一輪車の会")
    both = factories.notice(town_a, title="体育の日", lead=f"{WORD}と一輪車で遊ぼう")
    matcher = matcher_for(analysis.parse(f"{WORD} 一輪車"), service.public_pages(town_a.site))
    plan = champions.plan(matcher.tree)
    assert not plan.listed_alone
    with CaptureQueriesContext(connection) as queries:
        rows = matcher.ranked_anywhere(10, plan)
    assert [pk for pk, _score in rows] == [both.pk]
    sql = next(query["sql"] for query in queries if "AS score" in query["sql"])
    if not isinstance(matcher, SQLiteMatcher):
        assert "ARRAY(SELECT" not in sql and "e.id = ANY(" in sql and "(e.title || e.body) @@" in sql
        settings = [query["sql"] for query in queries if "set_config" in query["sql"]]
        assert any("enable_indexscan" in setting for setting in settings)
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan')")
            assert cursor.fetchone() == ("on", "on")


def test_all_words_with_fewer_matches_than_asked_are_ranked_once(town_a, small_lists, monkeypatch):
    """When the first matches are fewer than asked for, they are every match: PostgreSQL ranks
    them with the lists' and stops (SQLite, whose candidates are one statement, ranks again)."""
    from django.db import connection

    pages_with(town_a, 6)
    pages_with(town_a, 6, word="一輪車", title="一輪車の会")
    both = factories.notice(town_a, title="体育の日", lead=f"{WORD}と一輪車で遊ぼう")
    if connection.vendor == "postgresql":
        monkeypatch.setattr(backends.Matcher, "ranked_in_scope", lambda *args, **kwargs: 1 / 0)
    assert ranked_ids(town_a, f"{WORD} 一輪車", 5) == [both.pk]


def test_the_scope_check_reads_on_past_another_towns_keys(town_a, town_b):
    """The first ``stop`` keys and a tenth more are checked first; when other towns' pages took
    their places, the check reads on until ``stop`` are kept, in ranked order."""
    mine = pages_with(town_a, 3)
    theirs = pages_with(town_b, 3)
    rows = [(page.pk, 1.0) for page in [*theirs, *mine]]
    matcher = matcher_for(analysis.parse(WORD), service.public_pages(town_a.site), scope_fields=("path",))
    assert matcher.in_scope(rows, 2) == [(mine[0].pk, 1.0), (mine[1].pk, 1.0)]
    assert matcher.scoped[mine[0].pk] == [mine[0].path]  # what the caller asked for, read with the key
    assert theirs[0].pk not in matcher.scoped


def test_keys_are_passed_to_postgresql_as_one_array_literal(town_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from wagtail.models import Page

    pages = pages_with(town_a, 3)
    assert backends.key_array([3, 1, 2]) == "{3,1,2}"
    with CaptureQueriesContext(connection) as queries:
        found = set(
            backends.among(Page.objects.all(), [page.pk for page in pages]).values_list("pk", flat=True)
        )
    assert found == {page.pk for page in pages}
    if connection.vendor == "postgresql":
        assert "= ANY(" in queries[0]["sql"] and "::bigint[]" in queries[0]["sql"]


def _fill_statements(queries):
    return [query["sql"] for query in queries if query["sql"].startswith("SELECT id AS entry_id")]


def test_all_words_whose_lists_match_enough_are_ranked_without_the_first_matches(town_a, small_lists):
    """PostgreSQL ranks the lists' entries first: when ``enough`` of them hold every word, the
    first matches in index order are not looked for (SQLite's candidates are one statement)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pages_with(town_a, 6)
    pages_with(town_a, 6, word="一輪車", title="一輪車の会")
    both = factories.notice(town_a, title=f"{WORD}と一輪車", lead="、".join([f"{WORD}と一輪車で遊ぼう"] * 9))
    matcher = matcher_for(analysis.parse(f"{WORD} 一輪車"), service.public_pages(town_a.site))
    plan = champions.plan(matcher.tree)
    with CaptureQueriesContext(connection) as queries:
        rows = matcher.ranked_anywhere(10, plan, enough=1)
    assert [pk for pk, _score in rows] == [both.pk]
    if connection.vendor == "postgresql":
        assert matcher.first_left_out and not _fill_statements(queries)
        with CaptureQueriesContext(connection) as queries:
            matcher.ranked_anywhere(10, plan, enough=2)  # one match is not enough: the fill runs
        assert _fill_statements(queries) and not matcher.first_left_out


def test_lists_matching_too_few_are_merged_with_the_first_matches_as_ranked_together(town_a, small_lists):
    pages_with(town_a, 6)
    pages_with(town_a, 6, word="一輪車", title="一輪車の会")
    factories.notice(town_a, title=f"{WORD}と一輪車", lead="、".join([f"{WORD}と一輪車で遊ぼう"] * 9))
    for number in range(3):
        factories.notice(town_a, title=f"体育の日その{number}", lead=f"{WORD}と一輪車で遊ぼう")
    matcher = matcher_for(analysis.parse(f"{WORD} 一輪車"), service.public_pages(town_a.site))
    plan = champions.plan(matcher.tree)
    together = matcher.ranked_anywhere(10, plan)
    assert len(together) == 4
    assert matcher.ranked_anywhere(10, plan, enough=100) == together


def test_another_towns_pages_in_the_lists_send_the_search_on_to_the_first_matches(
    town_a, town_b, small_lists, monkeypatch
):
    """The lists' matches were enough, but they were another town's: the town's own page is
    found among the first matches, not by ranking every match."""
    pages_with(town_b, 6)
    pages_with(town_b, 6, word="一輪車", title="一輪車の会")
    factories.notice(town_b, title=f"{WORD}と一輪車", lead="、".join([f"{WORD}と一輪車で遊ぼう"] * 9))
    mine = factories.notice(town_a, title="体育の日", lead=f"{WORD}と一輪車で遊ぼう")
    monkeypatch.setattr(backends.Matcher, "ranked_in_scope", lambda *args, **kwargs: 1 / 0)
    assert ranked_ids(town_a, f"{WORD} 一輪車", 1) == [mine.pk]
