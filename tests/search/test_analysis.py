"""Japanese text analysis: what a query matches, how it is rendered for the engines, what is marked.

``finds`` below evaluates a query tree the way FTS5 and tsquery do (a document matches a term it
holds; AND needs every part, OR any), over the terms the index stores for a text. So these tests
say which texts a parent's query reaches without a database; tests/search/test_service.py then
checks the same things through SQLite or PostgreSQL.
"""

import re
import sqlite3

import pytest

from search import analysis
from search.analysis import AllOf, AnyOf, Term


def evaluate(tree, terms):
    """Whether a document holding ``terms`` (in index order) matches ``tree``.

    A term that the engines' tokenizers split (ファミリー・サポート) is a phrase to both FTS5 and
    tsquery: its pieces must follow each other.
    """
    if isinstance(tree, Term):
        pieces = [piece for piece in re.split(r"[^\w\u30fc]+", tree.text) if piece]
        for start in range(len(terms) - len(pieces) + 1):
            window = terms[start : start + len(pieces)]
            if window[:-1] == pieces[:-1] and (
                window[-1].startswith(pieces[-1]) if tree.prefix else window[-1] == pieces[-1]
            ):
                return True
        return False
    results = [evaluate(part, terms) for part in tree.parts]
    return all(results) if isinstance(tree, AllOf) else any(results)


def finds(query, text, synonyms=None):
    tree = analysis.parse(query, synonyms)
    assert tree is not None, query
    return evaluate(tree, analysis.index_terms(text))


def prefix_terms(tree):
    return {term.text for term in analysis.terms_of(tree) if term.prefix}


# Width, case and spelling variants --------------------------------------------------------


def test_fold_turns_full_width_latin_into_lower_case_ascii():
    assert analysis.fold("ＤＶ") == "dv"
    assert analysis.fold("ＮＰＯ法人") == "npo法人"
    assert analysis.fold("０９０") == "090"


def test_fold_turns_half_width_katakana_into_full_width():
    assert analysis.fold("ﾍﾞﾋﾞｰｶｰ") == "ベビーカー"
    assert analysis.fold("ﾌｧﾐｻﾎﾟ") == "ファミサポ"


def test_full_width_and_half_width_queries_meet_the_same_text():
    assert finds("ＤＶ", "DVの相談窓口")
    assert finds("dv", "ＤＶ（配偶者暴力）の相談")
    assert finds("ﾍﾞﾋﾞｰｶｰ", "ベビーカー置き場があります")
    assert finds("ベビーカー", "ﾍﾞﾋﾞｰｶｰ置き場があります")


def test_half_width_text_keeps_its_own_positions():
    (word, *_rest) = analysis.words("ﾍﾞﾋﾞｰｶｰ置き場")
    assert word.surface == "ﾍﾞﾋﾞｰｶｰ"
    assert (word.start, word.end) == (0, 7)
    assert "ベビーカー" in word.terms


def test_okurigana_variants_are_the_same_terms():
    assert analysis.parse("申込み") == analysis.parse("申し込み")
    assert set(analysis.index_terms("申込み")) == set(analysis.index_terms("申し込み"))
    assert finds("申込み", "入園の申し込みを受け付けます")
    assert finds("申し込み", "入園申込みは窓口へ")


@pytest.mark.parametrize("query", ["子ども", "子供", "こども"])
@pytest.mark.parametrize("text", ["子どもの広場", "子供の広場", "こどもの広場"])
def test_kodomo_spellings_all_meet(query, text):
    assert finds(query, text)


def test_a_word_is_not_found_in_a_text_without_it():
    assert not finds("ベビーカー", "抱っこひもの貸し出し")
    assert not finds("子ども", "保育園の入園")


# Readings and compounds ---------------------------------------------------------------------


def test_kana_reading_of_a_kanji_word_finds_it():
    assert finds("じどうてあて", "児童手当の申請")
    assert finds("ジドウテアテ", "児童手当の申請")
    assert finds("ほいくえん", "保育園の一覧")


def test_reading_query_does_not_reach_a_word_with_another_reading():
    assert not finds("じどうてあて", "児童館まつり")


def test_shortened_compound_finds_the_official_wording():
    assert finds("母子手帳", "母子健康手帳の交付")


def test_compound_needs_all_of_its_units():
    assert not finds("母子手帳", "母子家庭の支援")
    assert not finds("母子手帳", "お薬手帳を持ってきてください")


def test_compound_terms_include_its_shorter_units():
    terms = analysis.index_terms("母子健康手帳")
    for unit in ("母子健康手帳", "母子", "健康", "手帳", "ボシ", "テチョウ"):
        assert unit in terms


def test_synonyms_expand_a_query_word():
    synonyms = {"ファミサポ": ["ファミリー・サポート・センター"], "育休": ["育児休業"]}
    assert finds("ファミサポ", "ファミリー・サポート・センターの会員募集", synonyms)
    assert finds("育休", "育児休業中の保育園の継続利用", synonyms)
    assert not finds("ファミサポ", "ファミリー・サポート・センターの会員募集")


# One character and particles ----------------------------------------------------------------


def test_one_kanji_query_is_a_prefix_of_longer_words():
    tree = analysis.parse("歯")
    assert prefix_terms(tree) == {"歯"}
    assert finds("歯", "歯科健診のお知らせ")
    assert finds("歯", "歯みがき教室")


@pytest.mark.parametrize("query", ["歯", "は", "ハ", "ぶ", "ア"])
def test_no_kana_term_is_ever_a_prefix(query):
    tree = analysis.parse(query)
    assert not any(re.search(r"[\u3040-\u30ff]", text) for text in prefix_terms(tree))


def test_one_kanji_query_does_not_reach_words_that_merely_start_with_its_reading():
    assert not finds("歯", "ハンバーグ教室")
    assert not finds("ぶ", "ぶどう狩り")


@pytest.mark.parametrize("query", ["の", "をにが", "は　の"])
def test_particles_only_query_is_searched_as_typed_and_finds_no_page(query):
    tree = analysis.parse(query)
    assert tree is not None
    assert all(isinstance(term, Term) and not term.prefix for term in analysis.terms_of(tree))
    assert not evaluate(tree, analysis.index_terms("保育園の申し込みは市役所にお願いします"))


@pytest.mark.parametrize("query", ["", "   ", "　", "、。！", "*", ")", "'", '"', "（）"])
def test_nothing_left_to_search_gives_no_tree(query):
    assert analysis.parse(query) is None


def test_particles_are_not_indexed():
    terms = analysis.index_terms("保育園の申し込みは市役所に")
    assert "の" not in terms
    assert "は" not in terms
    assert "に" not in terms


# Query structure ----------------------------------------------------------------------------


def test_every_whitespace_separated_part_must_match():
    tree = analysis.parse("保育園　申し込み")  # a full-width space separates too
    assert isinstance(tree, AllOf)
    assert len(tree.parts) == 2
    assert finds("保育園 申し込み", "保育園の入園申し込み")
    assert not finds("保育園 申し込み", "保育園の見学会")


def test_relaxed_query_needs_any_part():
    tree = analysis.parse("保育園 ロケット")
    relaxed = analysis.relaxed(tree)
    assert isinstance(relaxed, AnyOf)
    assert relaxed.parts == tree.parts
    terms = analysis.index_terms("保育園の見学会")
    assert not evaluate(tree, terms)
    assert evaluate(relaxed, terms)


def test_queries_are_cut_to_eight_parts():
    parts = analysis.query_parts("一 二 三 四 五 六 七 八 九 十")
    assert parts == ["一", "二", "三", "四", "五", "六", "七", "八"]


# Rendering for the engines: nothing typed becomes syntax -----------------------------------


HOSTILE = ['"', "'", "*", "AND", ")", "(", 'x" OR "y', "NEAR(a b)", "body : x", "\\", "a:*", "!", "&|"]


@pytest.mark.parametrize("text", HOSTILE)
def test_fts5_quotes_every_term(text):
    rendered = analysis.to_fts5(Term(text))
    assert rendered == '"' + text.replace('"', '""') + '"'
    assert analysis.to_fts5(Term(text, prefix=True)) == rendered + "*"


@pytest.mark.parametrize("text", HOSTILE)
def test_tsquery_quotes_every_term(text):
    rendered = analysis.to_tsquery(Term(text))
    assert rendered == "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"
    assert analysis.to_tsquery(Term(text, prefix=True)) == rendered + ":*"


def test_trees_render_as_and_or_groups():
    tree = AllOf((AnyOf((Term("保育園"), Term("ホイクエン"))), Term("申し込み", prefix=True)))
    assert analysis.to_fts5(tree) == '(("保育園" OR "ホイクエン") AND "申し込み"*)'
    assert analysis.to_tsquery(tree) == "(('保育園' | 'ホイクエン') & '申し込み':*)"


@pytest.fixture
def fts5():
    """An FTS5 table like modelsearch's, holding analysed texts (Python's own SQLite)."""
    database = sqlite3.connect(":memory:")
    database.execute("CREATE VIRTUAL TABLE docs USING fts5(body)")
    for text in ("保育園の申し込み", "AND OR NOT NEAR", 'x" OR "y'):
        database.execute("INSERT INTO docs (body) VALUES (?)", [analysis.index_text(text)])
    yield database
    database.close()


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_terms_run_in_fts5_without_error_and_match_nothing_extra(fts5, text):
    tree = AnyOf((Term(text), Term("存在しない")))
    count = fts5.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", [analysis.to_fts5(tree)]).fetchone()
    assert count == (0,)


# Only quoted terms of letters, digits and ー, joined by the engine's own AND/OR and brackets.
FTS5_SHAPE = re.compile(r'(?:[()]|"[\w\u30fc]+"\*?| (?:AND|OR) )+')
TSQUERY_SHAPE = re.compile(r"(?:[()]|'[\w\u30fc]+'(?::\*)?| [&|] )+")


@pytest.mark.parametrize(
    "query",
    [
        '"保育園',
        '保育園" OR "*',
        "保育園 AND (児童",
        "保育園') | ('*",
        "保育園) OR (1=1",
        "title : 歯",
        "NEAR(保育園 申し込み)",
        "保育園^2 -申し込み",
        "\\' 保育園",
    ],
)
def test_typed_quotes_and_operators_never_reach_the_engines(fts5, query):
    tree = analysis.parse(query)
    assert tree is not None
    for term in analysis.terms_of(tree):
        assert re.fullmatch(r"[\w\u30fc]+", term.text), term
    assert FTS5_SHAPE.fullmatch(analysis.to_fts5(tree)), analysis.to_fts5(tree)
    assert TSQUERY_SHAPE.fullmatch(analysis.to_tsquery(tree)), analysis.to_tsquery(tree)
    fts5.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", [analysis.to_fts5(tree)]).fetchone()


def test_analysed_query_finds_the_analysed_text_in_fts5(fts5):
    tree = analysis.parse("保育園 申込み")
    count = fts5.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", [analysis.to_fts5(tree)]).fetchone()
    assert count == (1,)


# Highlighting -------------------------------------------------------------------------------


def marked(text, query):
    return [text[start:end] for start, end in analysis.matching_spans(text, analysis.parse(query))]


def test_matching_spans_are_positions_of_the_matched_words_as_written():
    text = "令和9年度の保育園の入園申込みを受け付けます。"
    spans = analysis.matching_spans(text, analysis.parse("保育園 申し込み"))
    assert spans == [(6, 9), (12, 15)]
    assert [text[start:end] for start, end in spans] == ["保育園", "申込み"]


def test_spans_cover_variant_spellings_and_widths_as_written():
    assert marked("ﾍﾞﾋﾞｰｶｰ置き場とベビーカーの貸し出し", "ベビーカー") == ["ﾍﾞﾋﾞｰｶｰ", "ベビーカー"]
    assert marked("子供の広場と子どもの本", "こども") == ["子供", "子ども"]
    assert marked("ＤＶの相談", "dv") == ["ＤＶ"]


def test_spans_mark_a_compound_found_through_its_units():
    assert marked("母子健康手帳の交付", "母子手帳") == ["母子健康手帳"]


def test_spans_mark_words_found_by_a_one_kanji_prefix():
    assert marked("歯科健診と歯みがき教室", "歯") == ["歯科", "歯みがき"]


def test_no_spans_for_words_that_did_not_match():
    assert analysis.matching_spans("保育園の見学会", analysis.parse("児童手当")) == []
    assert analysis.matching_spans("", analysis.parse("保育園")) == []
