"""The relevance maths of ``bench/relevance.py`` and the judged Japanese queries it scores.

The figures are worked out by hand (gain ``2**grade - 1``, discount ``log2(rank + 1)``). The
query set is checked against the demo town's text, without a database: every judged page exists
and is published, a plain query is written the way its answer page writes it, and a variant
query is not (so it really tests the analysis, not a literal match).
"""

import datetime
import json
import math
import re
import unicodedata
from collections import Counter

import pytest

from bench.relevance import (
    QUERIES,
    SUBS,
    Query,
    evaluate,
    load_queries,
    ndcg_at_k,
    recall_at_k,
    reciprocal_rank,
)
from portal_pages.demo_data import articles, events, facilities, notices, services
from portal_pages.demo_data.dates import DemoCalendar

RELEVANCE = QUERIES.parent
HIRAGANA = re.compile(r"[\u3041-\u309f]+")
TAG = re.compile(r"<[^>]+>")
# The fields each page type sends to the search index (``search_fields`` of its model).
COMMON_FIELDS = {"title", "lead", "body"}
INDEXED = {
    services: COMMON_FIELDS
    | {"eligibility", "description", "amount", "how_to_apply", "what_to_bring", "contact"},
    notices: COMMON_FIELDS | {"department"},
    events: COMMON_FIELDS | {"venue_text"},
    facilities: COMMON_FIELDS | {"address"},
    articles: COMMON_FIELDS | {"workshop"},
}
NOT_TEXT = {"level", "kind", "image"}


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in NOT_TEXT:
                yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _text(spec, fields):
    parts = [string for key in fields - {"body"} for string in _strings(spec.get(key, ""))]
    parts += [string for _block_type, value in spec["body"] for string in _strings(value)]
    return TAG.sub("", " ".join(parts))


@pytest.fixture(scope="module")
def demo():
    """{slug: spec} and {slug: indexed text} of every demo portal page."""
    cal = DemoCalendar(datetime.date(2026, 11, 25))
    specs, texts = {}, {}
    for module, fields in INDEXED.items():
        for spec in module.pages(cal):
            assert spec["slug"] not in specs, f"slug {spec['slug']} is used twice in demo_data"
            specs[spec["slug"]] = spec
            texts[spec["slug"]] = _text(spec, fields)
    return specs, texts


@pytest.fixture(scope="module")
def queries():
    return load_queries()


def answers(query):
    return [slug for slug, grade in query.relevant.items() if grade == 2]


# The maths ---------------------------------------------------------------------------------


def test_recall_counts_relevant_pages_of_any_grade_within_k():
    relevant = {"a": 2, "b": 1, "c": 2}
    assert recall_at_k(["a", "x", "b", "y"], relevant) == pytest.approx(2 / 3)
    assert recall_at_k(["a", "x", "b", "y"], relevant, k=2) == pytest.approx(1 / 3)
    assert recall_at_k(["b", "a", "c"], relevant) == 1.0
    assert recall_at_k([], relevant) == 0.0
    assert recall_at_k(["x"] * 10 + ["a"], relevant) == 0.0


def test_ndcg_of_a_related_page_and_an_answer_after_a_miss():
    # DCG = 0 + (2**2 - 1)/log2(3) + (2**1 - 1)/log2(4) = 1.892789 + 0.5
    # IDCG = 3/log2(2) + 1/log2(3) = 3 + 0.630930
    assert ndcg_at_k(["x", "a", "b"], {"a": 2, "b": 1}) == pytest.approx(2.392789 / 3.630930, abs=1e-6)
    assert ndcg_at_k(["x", "a", "b"], {"a": 2, "b": 1}) == pytest.approx(0.659, abs=1e-3)


def test_ndcg_is_one_for_the_ideal_order_and_zero_without_a_relevant_result():
    relevant = {"a": 2, "b": 2, "c": 1}
    assert ndcg_at_k(["a", "b", "c", "x"], relevant) == pytest.approx(1.0)
    assert ndcg_at_k(["b", "a", "c"], relevant) == pytest.approx(1.0)
    assert ndcg_at_k(["x", "y"], relevant) == 0.0
    assert ndcg_at_k([], relevant) == 0.0


def test_ndcg_prefers_the_answer_first():
    relevant = {"a": 2, "b": 1}
    # Swapped: DCG = 1 + 3/log2(3) = 2.892789; IDCG = 3.630930.
    assert ndcg_at_k(["b", "a"], relevant) == pytest.approx(2.892789 / 3.630930, abs=1e-6)
    assert ndcg_at_k(["b", "a"], relevant) < ndcg_at_k(["a", "b"], relevant)


def test_ndcg_counts_a_repeated_slug_once_and_ignores_results_after_k():
    relevant = {"a": 2, "b": 1}
    assert ndcg_at_k(["a", "a", "b"], relevant) == pytest.approx(1.0)
    assert ndcg_at_k(["x"] * 10 + ["a", "b"], relevant) == 0.0
    # Only the best k judgements make the ideal: 12 related pages, 10 of them found, is perfect at 10.
    many = {f"p{n}": 1 for n in range(12)}
    assert ndcg_at_k([f"p{n}" for n in range(10)], many) == pytest.approx(1.0)
    assert ndcg_at_k(["a", "x", "b"], relevant, k=1) == pytest.approx(1.0)


def test_reciprocal_rank_is_one_over_the_first_relevant_place():
    relevant = {"a": 2, "b": 1}
    assert reciprocal_rank(["a", "b"], relevant) == 1.0
    assert reciprocal_rank(["x", "y", "b", "a"], relevant) == pytest.approx(1 / 3)
    assert reciprocal_rank(["x", "y"], relevant) == 0.0
    assert reciprocal_rank([], relevant) == 0.0
    assert reciprocal_rank(["x"] * 10 + ["a"], relevant) == 0.0


def test_a_query_without_relevant_pages_is_refused():
    for metric in (recall_at_k, ndcg_at_k):
        with pytest.raises(ValueError, match="relevant"):
            metric(["a"], {})


def test_evaluate_averages_per_group_and_lists_the_misses():
    judged = [
        Query("保育園", "plain", "single-word", {"hoikuen": 2, "sakura": 1}),
        Query("ほいくえん", "variant", "reading", {"hoikuen": 2, "sakura": 1}),
        Query("ＤＶ", "variant", "width", {"dv": 2}),
    ]
    results = {"保育園": ["hoikuen", "sakura"], "ほいくえん": ["x", "hoikuen"], "ＤＶ": ["x", "dv"]}
    report = evaluate(lambda text: results[text], judged)

    groups = {row.name: row for row in report.groups()}
    assert [row.name for row in report.groups()][:3] == ["overall", "plain", "variant"]
    assert groups["plain"].count == 1 and groups["plain"].ndcg == pytest.approx(1.0)
    # ほいくえん: recall 1/2, RR 1/2, nDCG (3/log2(3)) / (3 + 1/log2(3)) = 1.892789 / 3.630930.
    reading = groups["variant/reading"]
    assert (reading.recall, reading.mrr) == (pytest.approx(0.5), pytest.approx(0.5))
    assert reading.ndcg == pytest.approx(1.892789 / 3.630930, abs=1e-6)
    # ＤＶ: found second, nDCG 3/log2(3) / 3 = 1/log2(3).
    assert groups["variant/width"].ndcg == pytest.approx(1 / math.log2(3))
    assert groups["variant"].count == 2
    assert groups["variant"].mrr == pytest.approx(0.5)
    assert groups["overall"].recall == pytest.approx((1 + 0.5 + 1) / 3)
    assert groups["variant/abbreviation"].count == 0

    assert [outcome.query.text for outcome in report.misses] == ["ほいくえん"]
    assert report.misses[0].missing == ["sakura"]
    assert [outcome.query.text for outcome in report.answer_not_first] == ["ＤＶ"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"query": " ", "kind": "plain", "sub": "single-word", "relevant": {"a": 2}}, "empty"),
        ({"query": "歯", "kind": "variant", "sub": "tooth", "relevant": {"a": 2}}, "kind/sub"),
        ({"query": "ほいくえん", "kind": "plain", "sub": "reading", "relevant": {"a": 2}}, "kind/sub"),
        ({"query": "保育園", "kind": "plain", "sub": "single-word", "relevant": {}}, "no relevant"),
        ({"query": "保育園", "kind": "plain", "sub": "single-word", "relevant": {"a": 3}}, "grades"),
        ({"query": "保育園", "kind": "plain", "sub": "single-word", "relevant": {"a": 1}}, "answer"),
    ],
)
def test_load_queries_refuses_a_malformed_entry(tmp_path, entry, message):
    path = tmp_path / "queries.json"
    path.write_text(json.dumps([entry], ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_queries(path)


def test_load_queries_refuses_a_query_judged_twice(tmp_path):
    entry = {"query": "児童手当", "kind": "plain", "sub": "single-word", "relevant": {"jido-teate": 2}}
    path = tmp_path / "queries.json"
    path.write_text(json.dumps([entry, entry], ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match="judged twice"):
        load_queries(path)


# The judged Japanese queries ---------------------------------------------------------------


def test_query_set_covers_every_kind_with_the_minimum_counts(queries):
    kinds = Counter(query.kind for query in queries)
    subs = Counter(query.sub for query in queries)
    assert len(queries) >= 70
    assert kinds["plain"] >= 30
    assert kinds["variant"] >= 35
    for sub in (*SUBS["plain"], *SUBS["variant"]):
        assert subs[sub] >= 1, sub


def test_every_judged_slug_is_a_published_demo_page(queries, demo):
    specs, _texts = demo
    for query in queries:
        for slug in query.relevant:
            assert slug in specs, f"{query.text}: {slug} is not a demo page"
            assert "go_live_at" not in specs[slug], f"{query.text}: {slug} is not published when loaded"


def test_plain_queries_are_written_the_way_their_answers_write_them(queries, demo):
    _specs, texts = demo
    for query in queries:
        if query.kind != "plain":
            continue
        words = query.text.split()
        assert len(words) == (1 if query.sub == "single-word" else 2), query.text
        for slug in answers(query):
            for word in words:
                assert word in texts[slug], f"{query.text}: {slug} does not write {word}"


def test_variant_queries_differ_from_how_their_answers_write_them(queries, demo):
    _specs, texts = demo
    for query in queries:
        if query.sub not in ("reading", "width", "okurigana", "kanji-kana"):
            continue
        for slug in answers(query):
            written = all(word in texts[slug] for word in query.text.split())
            assert not written, f"{query.text}: {slug} already writes it that way"


def test_readings_are_hiragana_and_width_variants_fold_to_the_page_text(queries, demo):
    _specs, texts = demo
    readings = [query for query in queries if query.sub == "reading"]
    widths = [query for query in queries if query.sub == "width"]
    assert all(HIRAGANA.fullmatch(query.text) for query in readings)
    for query in widths:
        folded = unicodedata.normalize("NFKC", query.text)
        assert folded != query.text, query.text
        for slug in answers(query):
            assert all(word in texts[slug] for word in folded.split()), f"{query.text}: {slug}"


def test_one_character_queries_are_one_character(queries):
    one_char = [query.text for query in queries if query.sub == "one-char"]
    assert one_char and all(len(text) == 1 for text in one_char)


def test_abbreviations_are_listed_and_never_written_in_their_answers(queries, demo):
    _specs, texts = demo
    pairs = json.loads((RELEVANCE / "abbreviations.json").read_text(encoding="utf-8"))
    readme = (RELEVANCE / "README.md").read_text(encoding="utf-8")
    for short, official in pairs.items():
        assert f"| {short} | {official} |" in readme, short
    for query in queries:
        if query.sub != "abbreviation":
            continue
        used = [word for word in query.text.split() if word in pairs]
        assert used, f"{query.text}: its abbreviation is not in abbreviations.json"
        for slug in answers(query):
            for word in used:
                # インフル may appear as the start of インフルエンザ, never on its own.
                assert word not in texts[slug].replace(pairs[word], ""), f"{query.text}: {slug} writes {word}"
