"""The relevance maths of ``bench/relevance.py`` and the judged Japanese queries it scores.

The figures are worked out by hand (gain ``2**grade - 1``, discount ``log2(rank + 1)``). The
query set is checked against the demo town's text, without a database: every judged page exists
and is published, a plain query is written the way its answer page writes it, and a variant
query is not (so it really tests the analysis, not a literal match). The "everyone" queries
(issue 11) are checked the same way against the shared thesaurus of ``search/seed.py``: an
everyday word or an English query is in the seed and leads to words its answers write, a
question or a typo is not written on its answers as typed. Last, the seed itself and the data
migration that loads it into existing databases.
"""

import datetime
import importlib
import json
import math
import re
import unicodedata
from collections import Counter

import pytest
from django.apps import apps as django_apps

from bench.relevance import (
    EVERYONE_SUB_TARGET,
    EVERYONE_TARGET,
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
from search.models import Synonym
from search.seed import ENGLISH, GLOSSARY, JAPANESE, RETIRED, SEED

RELEVANCE = QUERIES.parent
HIRAGANA = re.compile(r"[\u3041-\u309f]+")
JAPANESE_TEXT = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
ROMAJI = re.compile(r"[a-zāēīōū]+(?: [a-zāēīōū]+)*")
ENGLISH_TERM = re.compile(r"[a-z][a-z'-]*(?: [a-z][a-z'-]*)*")
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
        ({"query": "託児", "kind": "everyone", "sub": "slang", "relevant": {"a": 2}}, "kind/sub"),
        (
            {"query": "hoikuen", "kind": "everyone", "sub": "romaji", "means": " ", "relevant": {"a": 2}},
            "means",
        ),
        (
            {"query": "hoikuen", "kind": "everyone", "sub": "romaji", "means": 1, "relevant": {"a": 2}},
            "means",
        ),
    ],
)
def test_load_queries_refuses_a_malformed_entry(tmp_path, entry, message):
    path = tmp_path / "queries.json"
    path.write_text(json.dumps([entry], ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_queries(path)


def test_load_queries_keeps_what_a_romaji_or_mistyped_query_means(tmp_path):
    entries = [
        {"query": "一次保育", "kind": "everyone", "sub": "typo", "means": "一時保育", "relevant": {"a": 2}},
        {"query": "託児", "kind": "everyone", "sub": "synonym", "relevant": {"a": 2}},
    ]
    path = tmp_path / "queries.json"
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    typo, word = load_queries(path)
    assert (typo.kind, typo.sub, typo.means) == ("everyone", "typo", "一時保育")
    assert word.means == ""


def test_targets_compare_the_everyone_queries_with_issue_11s():
    judged = [
        Query("保育園", "plain", "single-word", {"hoikuen": 2}),
        Query("託児", "everyone", "synonym", {"ichiji": 2}),
        Query("病院代", "everyone", "synonym", {"iryohi": 2, "todokede": 1}),
        Query("hoikuen", "everyone", "romaji", {"hoikuen": 2}, "保育園"),
        Query("一次保育", "everyone", "typo", {"ichiji": 2}, "一時保育"),
    ]
    results = {
        "保育園": ["x"],
        "託児": ["ichiji"],
        "病院代": ["iryohi"],
        "hoikuen": ["hoikuen"],
        "一次保育": [],
    }
    report = evaluate(lambda text: results[text], judged)

    targets = {name: (recall, target, met) for name, recall, target, met in report.targets()}
    # Only categories with queries are compared; the plain query's miss does not count.
    assert list(targets) == ["everyone", "everyone/synonym", "everyone/romaji", "everyone/typo"]
    # synonym: (1 + 1/2) / 2; everyone: (1 + 0.5 + 1 + 0) / 4.
    assert targets["everyone/synonym"] == (pytest.approx(0.75), EVERYONE_SUB_TARGET, True)
    assert targets["everyone/romaji"] == (1.0, EVERYONE_SUB_TARGET, True)
    assert targets["everyone/typo"] == (0.0, EVERYONE_SUB_TARGET, False)
    assert targets["everyone"] == (pytest.approx(0.625), EVERYONE_TARGET, False)
    assert (EVERYONE_TARGET, EVERYONE_SUB_TARGET) == (0.85, 0.6)


def test_targets_are_empty_without_everyone_queries():
    report = evaluate(lambda text: ["a"], [Query("保育園", "plain", "single-word", {"a": 2})])
    assert report.targets() == []
    assert "everyone" in [row.name for row in report.groups()]


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
    assert len(queries) >= 120
    assert kinds["plain"] >= 30
    assert kinds["variant"] >= 35
    for sub in (*SUBS["plain"], *SUBS["variant"]):
        assert subs[sub] >= 1, sub
    # Issue 11: at least 40 new judged queries, at least 10 in each of its five categories.
    assert kinds["everyone"] >= 50
    for sub in SUBS["everyone"]:
        assert subs[sub] >= 10, sub


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


# The "everyone" queries (issue 11) and the thesaurus they rely on ------------------------------


def everyone(queries, sub):
    found = [query for query in queries if query.kind == "everyone" and query.sub == sub]
    assert found, sub
    return found


def seed_terms(kinds):
    return {term: expansions for term, expansions, kind, _two_way in SEED if kind in kinds}


JAPANESE_KINDS = {"synonym", "abbreviation", "colloquial", "former_name"}


def english_terms_of(text, glossary):
    """The glossary terms that cover ``text`` word by word, longest first; ``None`` if a word is left."""
    words, found, start = text.split(), [], 0
    while start < len(words):
        for end in range(len(words), start, -1):
            term = " ".join(words[start:end])
            if term in glossary:
                found.append(term)
                start = end
                break
        else:
            return None
    return found


def test_questions_are_sentences_not_written_on_their_answers(queries, demo):
    _specs, texts = demo
    for query in everyone(queries, "question"):
        assert JAPANESE_TEXT.search(query.text) and not query.text.split()[1:], query.text
        assert len(query.text) >= 10, f"{query.text}: a question, not a keyword"
        for slug in answers(query):
            assert query.text not in texts[slug], f"{query.text}: {slug} writes it"


def test_everyday_words_are_in_the_seed_and_lead_to_words_their_answers_write(queries, demo):
    _specs, texts = demo
    thesaurus = seed_terms(JAPANESE_KINDS)
    for query in everyone(queries, "synonym"):
        assert query.text in thesaurus, f"{query.text}: not in search/seed.py"
        for slug in answers(query):
            assert query.text not in texts[slug], f"{query.text}: {slug} already writes it"
            led = [word for word in thesaurus[query.text] if word in texts[slug]]
            assert led, f"{query.text}: no expansion of it is written on {slug}"


def test_english_queries_are_covered_by_the_glossary_and_lead_to_their_answers(queries, demo):
    _specs, texts = demo
    glossary = seed_terms({"english"})
    for query in everyone(queries, "english"):
        assert ENGLISH_TERM.fullmatch(query.text), f"{query.text}: lower-case English, single spaces"
        terms = english_terms_of(query.text, glossary)
        assert terms, f"{query.text}: a word is not in the English glossary of search/seed.py"
        for slug in answers(query):
            for term in terms:
                led = [word for word in glossary[term] if word in texts[slug]]
                assert led, f"{query.text}: no translation of {term!r} is written on {slug}"


def test_romaji_queries_are_latin_letters_and_say_what_they_mean(queries):
    typed = everyone(queries, "romaji")
    for query in typed:
        assert ROMAJI.fullmatch(query.text), query.text
        assert JAPANESE_TEXT.search(query.means), f"{query.text}: means {query.means!r}"
    # Both ways of writing long vowels, kunrei as well as Hepburn, with and without spaces.
    texts = [query.text for query in typed]
    assert any("ou" in text for text in texts) and any("ō" in text for text in texts)
    assert any(re.search(r"ti|zi|sy|ty", text) for text in texts)
    assert any(" " in text for text in texts) and any("nn" in text for text in texts)


def test_typos_differ_from_what_they_mean_and_from_their_answers(queries, demo):
    _specs, texts = demo
    known = seed_terms(JAPANESE_KINDS)
    for query in everyone(queries, "typo"):
        assert query.means and unicodedata.normalize("NFKC", query.text) != query.means, query.text
        for slug in answers(query):
            assert query.text not in texts[slug], f"{query.text}: {slug} writes it"
            written = query.means in texts[slug] or query.means in known
            assert written, f"{query.text}: {slug} does not write {query.means}, nor is it a seed term"


# The seed ----------------------------------------------------------------------------------

ISSUE_EXAMPLES = {
    "託児": "一時保育",
    "シングルマザー": "ひとり親",
    "療育": "発達支援",
    "学童クラブ": "放課後児童クラブ",
    "病院代": "医療費助成",
    "産休": "産前産後休業",
    "子ども手当": "児童手当",
    "保育に欠ける": "保育を必要とする",
    "母子家庭等": "ひとり親家庭",
    "nursery school": "保育園",
    "daycare": "保育所",
    "kindergarten": "幼稚園",
    "child allowance": "児童手当",
    "child rearing allowance": "児童扶養手当",
    "vaccination": "予防接種",
    "maternity handbook": "母子健康手帳",
    "after-school care": "放課後児童クラブ",
    "health check-up": "健康診査",
    "sick child care": "病児・病後児保育",
    "twins": "多胎児",
}


def test_seed_has_150_japanese_entries_and_a_60_term_english_glossary():
    assert len(JAPANESE) >= 150
    assert len(GLOSSARY) >= 60
    assert SEED == JAPANESE + GLOSSARY
    assert {kind for _term, _expansions, kind, _two_way in JAPANESE} == JAPANESE_KINDS
    assert {kind for _term, _expansions, kind, _two_way in GLOSSARY} == {ENGLISH}
    assert {kind for _term, _expansions, kind, _two_way in SEED} <= set(Synonym.Kind.values)


def test_seed_terms_are_unique_and_every_entry_expands_to_something():
    terms = Counter(term for term, _expansions, _kind, _two_way in SEED)
    assert [term for term, count in terms.items() if count > 1] == []
    for term, expansions, _kind, two_way in SEED:
        assert term.strip() == term and term, term
        assert expansions and all(word.strip() == word and word for word in expansions), term
        # Stored one per line and read back split on lines and 、 or , (Synonym.expansion_list).
        assert not any(re.search(r"[\n、,]", word) for word in expansions), term
        assert isinstance(two_way, bool), term
    assert not set(RETIRED) & set(terms)


def test_english_terms_are_lower_case_with_single_spaces_and_lead_to_japanese():
    for term, expansions, _kind, _two_way in GLOSSARY:
        assert ENGLISH_TERM.fullmatch(term), f"{term!r}: lower case, single spaces"
        assert any(JAPANESE_TEXT.search(word) for word in expansions), term


def test_seed_holds_the_issues_examples():
    thesaurus = seed_terms(JAPANESE_KINDS | {"english"})
    for term, official in ISSUE_EXAMPLES.items():
        assert official in thesaurus.get(term, ()), f"{term} → {official}"


def test_data_migration_brings_an_older_shared_seed_up_to_date_and_keeps_towns_rows(town_a):
    migration = importlib.import_module("search.migrations.0003_more_synonyms")
    town = town_a.site
    Synonym.objects.filter(site=None).delete()
    Synonym.objects.create(term="託児", expansions="一時保育", kind="synonym")
    Synonym.objects.create(term="こ園", expansions="認定こども園", kind="abbreviation")
    own = Synonym.objects.create(site=town, term="こ園", expansions="こども園", kind="abbreviation")

    migration.load_seed(django_apps, None)
    migration.load_seed(django_apps, None)

    shared = Synonym.objects.filter(site=None)
    assert shared.count() == len(SEED)
    assert not shared.filter(term__in=RETIRED).exists()
    takuji = shared.get(term="託児")
    assert (takuji.kind, takuji.expansion_list()) == ("colloquial", ["一時保育", "一時預かり"])
    nursery = shared.get(term="nursery school")
    assert (nursery.kind, nursery.expansion_list(), nursery.two_way) == (
        "english",
        ["保育園", "保育所"],
        False,
    )
    assert shared.get(term="DV").two_way is True
    own.refresh_from_db()
    assert (own.site, own.expansions) == (town, "こども園")
