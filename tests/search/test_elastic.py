"""The Elasticsearch engine: index body, documents, queries, request bodies and responses.

Most tests need no cluster: they check what is sent and how answers are read, run the queries
against the documents with a small evaluator of the few query kinds the engine uses (checked
against SQLite FTS5, the database engine's own matcher), and drive the client against a fake
cluster on the loopback. The live tests at the end index and search Japanese pages on a real
Elasticsearch; they run when one is reachable (``ELASTICSEARCH_TEST_URL`` or ``SEARCH_URL``, else
http://127.0.0.1:9200) and are skipped, saying why, when none is.
"""

import contextlib
import datetime
import json
import os
import socket
import sqlite3
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from elasticsearch import ApiError

from search import analysis
from search.analysis import AllOf, AnyOf, Term
from search.elastic import (
    MAX_RESULT_WINDOW,
    ElasticEngine,
    EngineResult,
    document,
    index_settings,
    parse_response,
    query_for,
    search_body,
)

MITAKA, TACHIKAWA = 1, 2

PAGES = [
    {
        "page_id": 101,
        "site_id": MITAKA,
        "locale": "ja",
        "section": "municipal",
        "content_type": "servicepage",
        "life_stages": ["baby", "school"],
        "title": "児童手当の申請",
        "body": "児童手当は、中学生までの子どもを養育している方に支給されます。",
        "url_path": "/mitaka/gyosei/jido-teate/",
        "first_published_at": datetime.datetime(2026, 4, 1, 9, 0, tzinfo=datetime.UTC),
    },
    {
        "page_id": 102,
        "site_id": MITAKA,
        "locale": "ja",
        "section": "municipal",
        "content_type": "servicepage",
        "life_stages": ["baby", "toddler"],
        "title": "保育園の入園申込み",
        "body": "4月入園の一次募集の申し込みを受け付けます。",
        "url_path": "/mitaka/gyosei/hoikuen/",
        "first_published_at": "2026-01-10T09:00:00+09:00",
    },
    {
        "page_id": 103,
        "site_id": MITAKA,
        "locale": "ja",
        "section": "health",
        "content_type": "eventpage",
        "life_stages": ["toddler"],
        "title": "1歳6か月児の歯科健診",
        "body": "保健センターで歯みがきの相談もできます。",
        "url_path": "/mitaka/kenko/shika/",
        "first_published_at": None,
    },
    {
        "page_id": 104,
        "site_id": MITAKA,
        "locale": "ja",
        "section": "consult",
        "content_type": "servicepage",
        "life_stages": [],
        "title": "ＤＶ相談窓口",
        "body": "配偶者からの暴力に関する相談を受け付けています。",
        "url_path": "/mitaka/sodan/dv/",
        "first_published_at": datetime.date(2025, 12, 1),
    },
    {
        "page_id": 105,
        "site_id": MITAKA,
        "locale": "ja",
        "section": "community",
        "content_type": "eventpage",
        "life_stages": ["toddler"],
        "title": "保育園の見学会",
        "body": "地域の保育園を見学できます。",
        "url_path": "/mitaka/chiiki/kengaku/",
        "first_published_at": None,
    },
    {
        "page_id": 201,
        "site_id": TACHIKAWA,
        "locale": "ja",
        "section": "municipal",
        "content_type": "servicepage",
        "life_stages": ["baby"],
        "title": "児童手当の申請",
        "body": "児童手当は、中学生までの子どもを養育している方に支給されます。",
        "url_path": "/tachikawa/gyosei/jido-teate/",
        "first_published_at": None,
    },
]

QUERIES = [
    "児童手当",
    "じどうてあて",
    "保育園 申し込み",
    "保育園",
    "申込み",
    "歯",
    "ＤＶ",
    "dv",
    "相談",
    "存在しない言葉",
]


def terms(text):
    """What the index's ``terms`` analyzer makes of a field: whitespace tokens, lower-cased."""
    return text.lower().split()


def all_terms(query, kind):
    """Every (field, value) of the ``term`` or ``prefix`` queries inside a query."""
    found = set()
    if isinstance(query, dict):
        for key, value in query.items():
            if key == kind:
                ((field_name, spec),) = value.items()
                found.add((field_name, spec["value"]))
            else:
                found |= all_terms(value, kind)
    elif isinstance(query, list):
        for item in query:
            found |= all_terms(item, kind)
    return found


# A small evaluator of the query kinds the engine sends, with Elasticsearch's semantics --------


def matches(query, doc):
    ((kind, spec),) = query.items()
    if kind == "match_all":
        return True
    if kind == "match_none":
        return False
    if kind in ("term", "prefix", "terms"):
        ((name, value),) = spec.items()
        stored = doc.get(name)  # a field a document lacks (or holds null for) matches nothing
        if name.endswith("_terms"):
            values = terms(stored or "")
        elif isinstance(stored, list):
            values = stored
        else:
            values = [] if stored is None else [stored]
        if kind == "terms":
            return any(v in value for v in values)
        wanted = value["value"] if isinstance(value, dict) else value
        if kind == "term":
            return wanted in values
        return any(str(v).startswith(wanted) for v in values)
    if kind == "bool":
        required = spec.get("must", []) + spec.get("filter", [])
        should = spec.get("should", [])
        minimum = spec.get("minimum_should_match", 0 if required else 1) if should else 0
        return (
            all(matches(q, doc) for q in required)
            and not any(matches(q, doc) for q in spec.get("must_not", []))
            and sum(matches(q, doc) for q in should) >= minimum
        )
    raise AssertionError(f"query kind the evaluator does not know: {kind}")


def run(body, docs):
    """(matching page ids, facet counts) of a search body over documents, as a cluster computes them."""
    found = [doc for doc in docs if matches(body["query"], doc)]
    hits = [doc["page_id"] for doc in found if matches(body.get("post_filter", {"match_all": {}}), doc)]
    facets = {}
    for name, aggregation in body["aggs"].items():
        counts = {}
        inner = aggregation["aggs"][name]["terms"]["field"]
        for doc in found:
            if matches(aggregation["filter"], doc):
                values = doc[inner] if isinstance(doc[inner], list) else [doc[inner]]
                for value in values:
                    counts[value] = counts.get(value, 0) + 1
        facets[name] = counts
    return sorted(hits), facets


@pytest.fixture(scope="module")
def docs():
    return [document(page) for page in PAGES]


# index_settings ------------------------------------------------------------------------------


def test_terms_analyzer_splits_on_whitespace_only_without_any_plugin():
    body = index_settings()
    analyzer = body["settings"]["analysis"]["analyzer"]["terms"]
    assert analyzer == {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase"]}
    assert "kuromoji" not in json.dumps(body)
    assert "icu" not in json.dumps(body)


def test_term_fields_use_the_terms_analyzer_and_filters_are_keywords():
    properties = index_settings()["mappings"]["properties"]
    for name in ("title_terms", "body_terms"):
        assert properties[name]["type"] == "text"
        assert properties[name]["analyzer"] == "terms"
    for name in ("locale", "section", "content_type", "life_stages", "url_path"):
        assert properties[name] == {"type": "keyword"}
    assert properties["page_id"] == {"type": "integer"}
    assert properties["site_id"] == {"type": "integer"}
    assert properties["first_published_at"] == {"type": "date"}
    # The raw text is kept for snippets but never searched (only the analysed terms are).
    assert properties["title"] == {"type": "text", "index": False}
    assert properties["body"] == {"type": "text", "index": False}
    assert index_settings()["mappings"]["dynamic"] == "strict"


def test_every_document_field_is_mapped(docs):
    assert set(docs[0]) == set(index_settings()["mappings"]["properties"])


def test_one_shard_by_default_and_replicas_are_configurable():
    default = index_settings()["settings"]
    assert default["number_of_shards"] == 1
    assert default["auto_expand_replicas"] == "0-1"
    assert "number_of_replicas" not in default
    chosen = index_settings(shards=3, replicas=2)["settings"]
    assert chosen["number_of_shards"] == 3
    assert chosen["number_of_replicas"] == 2
    assert "auto_expand_replicas" not in chosen


# document ----------------------------------------------------------------------------------


def test_document_holds_readings_and_compound_units_of_japanese_text():
    doc = document(PAGES[0])
    title = terms(doc["title_terms"])
    assert {"児童手当", "ジドウテアテ", "児童", "手当", "申請"} <= set(title)
    assert "ジドウテアテ" in terms(doc["body_terms"])
    assert doc["title"] == "児童手当の申請"  # the text itself, for snippets


def test_document_folds_full_width_letters():
    doc = document(PAGES[3])
    assert "dv" in terms(doc["title_terms"])
    assert "ＤＶ" not in doc["title_terms"]
    assert doc["title"] == "ＤＶ相談窓口"


def test_document_normalises_spelling_variants():
    # 申込み on the page is found as 申し込み, the form a query is analysed into.
    assert "申し込み" in terms(document(PAGES[1])["title_terms"])


def test_document_copies_the_filter_fields_and_serialises_dates():
    doc = document({**PAGES[0], "page_id": "101", "life_stages": ("baby",)})
    assert doc["page_id"] == 101
    assert doc["site_id"] == MITAKA
    assert doc["section"] == "municipal"
    assert doc["content_type"] == "servicepage"
    assert doc["life_stages"] == ["baby"]
    assert doc["url_path"] == "/mitaka/gyosei/jido-teate/"
    assert doc["first_published_at"] == "2026-04-01T09:00:00+00:00"
    assert document(PAGES[3])["first_published_at"] == "2025-12-01"
    assert document(PAGES[2])["first_published_at"] is None


def test_document_of_a_page_without_text_or_stages():
    doc = document({"page_id": 7, "site_id": MITAKA, "title": "お知らせ", "body": None, "life_stages": None})
    assert doc["body"] == ""
    assert doc["body_terms"] == ""
    assert doc["life_stages"] == []
    assert doc["section"] == ""


# query_for -----------------------------------------------------------------------------------


def test_a_term_matches_the_title_five_times_as_much_as_the_body():
    assert query_for(Term("保育園")) == {
        "bool": {
            "should": [
                {"term": {"title_terms": {"value": "保育園", "boost": 5}}},
                {"term": {"body_terms": {"value": "保育園"}}},
            ],
            "minimum_should_match": 1,
        }
    }


def test_a_prefix_term_becomes_prefix_queries():
    assert query_for(Term("歯", prefix=True)) == {
        "bool": {
            "should": [
                {"prefix": {"title_terms": {"value": "歯", "boost": 5}}},
                {"prefix": {"body_terms": {"value": "歯"}}},
            ],
            "minimum_should_match": 1,
        }
    }


def test_all_of_must_match_every_part():
    query = query_for(AllOf((Term("保育園"), Term("申し込み"))))
    assert query == {"bool": {"must": [query_for(Term("保育園")), query_for(Term("申し込み"))]}}


def test_any_of_needs_one_part():
    query = query_for(AnyOf((Term("dv"), Term("ディーブイ"))))
    assert query == {
        "bool": {"should": [query_for(Term("dv")), query_for(Term("ディーブイ"))], "minimum_should_match": 1}
    }


def test_no_tree_matches_nothing_and_other_objects_are_refused():
    assert query_for(None) == {"match_none": {}}
    with pytest.raises(TypeError):
        query_for("保育園")


def test_realistic_query_needs_both_words_through_any_of_their_forms():
    query = query_for(analysis.parse("保育園 申し込み"))
    words = query["bool"]["must"]
    assert len(words) == 2
    first, second = (all_terms(word, "term") for word in words)
    assert {("title_terms", "保育園"), ("body_terms", "ホイクエン")} <= first
    # A short word is not also searched as its units apart (保育 and 園 anywhere on a page).
    assert ("body_terms", "保育") not in first
    assert {("title_terms", "申し込み"), ("body_terms", "モウシコミ")} <= second
    assert not all_terms(query, "prefix")


def test_hiragana_query_reaches_the_katakana_reading():
    query = query_for(analysis.parse("じどうてあて"))
    assert ("title_terms", "ジドウテアテ") in all_terms(query, "term")


def test_one_kanji_query_also_matches_words_starting_with_it():
    query = query_for(analysis.parse("歯"))
    assert all_terms(query, "prefix") == {("title_terms", "歯"), ("body_terms", "歯")}
    assert ("body_terms", "歯") in all_terms(query, "term")


@pytest.mark.parametrize("query", [*QUERIES, "ほいく", "ＤＶ 相談"])
@pytest.mark.parametrize("prefix_last", [False, True])
def test_query_matches_the_same_pages_as_the_database_engine(docs, query, prefix_last):
    """The ES rendering of a tree selects what SQLite FTS5 selects with ``analysis.to_fts5``."""
    tree = analysis.parse(query, prefix_last=prefix_last)
    database = sqlite3.connect(":memory:")
    database.execute("CREATE VIRTUAL TABLE pages USING fts5(body, title)")
    for doc in docs:
        database.execute(
            "INSERT INTO pages (rowid, body, title) VALUES (?, ?, ?)",
            (doc["page_id"], doc["body_terms"], doc["title_terms"]),
        )
    found_by_fts5 = sorted(
        row[0]
        for row in database.execute(
            "SELECT rowid FROM pages WHERE pages MATCH ?", ["{title body} : " + analysis.to_fts5(tree)]
        )
    )
    found_here = sorted(doc["page_id"] for doc in docs if matches(query_for(tree), doc))
    assert found_here == found_by_fts5


def test_expected_pages_are_found(docs):
    def found(query):
        return sorted(doc["page_id"] for doc in docs if matches(query_for(analysis.parse(query)), doc))

    assert found("じどうてあて") == [101, 201]
    assert found("保育園 申し込み") == [102]  # 105 has 保育園 but no 申し込み
    assert found("歯") == [103]  # 歯科, 歯みがき
    assert found("ＤＶ") == [104]
    assert found("存在しない言葉") == []


# search_body ---------------------------------------------------------------------------------


def test_search_is_always_limited_to_the_site(docs):
    body = search_body(analysis.parse("児童手当"), MITAKA)
    assert body["query"]["bool"]["filter"] == [{"term": {"site_id": MITAKA}}]
    assert body["query"]["bool"]["must"] == [query_for(analysis.parse("児童手当"))]
    hits, facets = run(body, docs)
    assert hits == [101]  # Tachikawa's identical page 201 never matches
    assert facets["section"] == {"municipal": 1}  # nor counts in a facet


def test_site_filter_stays_when_facet_filters_are_chosen(docs):
    body = search_body(analysis.parse("児童手当"), TACHIKAWA, {"section": "municipal", "life_stage": "baby"})
    assert {"term": {"site_id": TACHIKAWA}} in body["query"]["bool"]["filter"]
    assert run(body, docs)[0] == [201]


def test_a_search_without_a_site_is_refused():
    with pytest.raises(ValueError):
        search_body(Term("保育園"), None)
    with pytest.raises(ValueError):
        search_body(Term("保育園"), True)


def test_unknown_filters_and_negative_pages_are_refused():
    with pytest.raises(ValueError, match="life_stages"):
        search_body(Term("保育園"), MITAKA, {"life_stages": "baby"})
    with pytest.raises(ValueError):
        search_body(Term("保育園"), MITAKA, start=-1)
    with pytest.raises(ValueError):
        search_body(Term("保育園"), MITAKA, size=-10)


def test_without_filters_there_is_no_post_filter_and_facets_count_every_match(docs):
    body = search_body(analysis.parse("相談"), MITAKA, {"section": "", "life_stage": None})
    assert "post_filter" not in body
    for aggregation in body["aggs"].values():
        assert aggregation["filter"] == {"match_all": {}}
    hits, facets = run(body, docs)
    assert hits == [103, 104]
    assert facets == {
        "section": {"health": 1, "consult": 1},
        "content_type": {"eventpage": 1, "servicepage": 1},
        "life_stages": {"toddler": 1},
    }


def test_filters_narrow_the_hits_and_each_facet_counts_under_the_other_filters(docs):
    body = search_body(analysis.parse("保育園"), MITAKA, {"section": "municipal", "life_stage": "toddler"})
    assert body["post_filter"] == {
        "bool": {"filter": [{"term": {"section": "municipal"}}, {"term": {"life_stages": "toddler"}}]}
    }
    aggs = body["aggs"]
    assert aggs["section"]["filter"] == {"bool": {"filter": [{"term": {"life_stages": "toddler"}}]}}
    assert aggs["life_stages"]["filter"] == {"bool": {"filter": [{"term": {"section": "municipal"}}]}}
    assert aggs["content_type"]["filter"] == body["post_filter"]
    assert aggs["section"]["aggs"]["section"]["terms"]["field"] == "section"
    assert aggs["life_stages"]["aggs"]["life_stages"]["terms"]["field"] == "life_stages"

    hits, facets = run(body, docs)
    assert hits == [102]
    # Sections are counted among toddler pages, so community (105) stays offered.
    assert facets["section"] == {"municipal": 1, "community": 1}
    # Life stages are counted among municipal pages, so baby stays offered.
    assert facets["life_stages"] == {"baby": 1, "toddler": 1}
    assert facets["content_type"] == {"servicepage": 1}


def test_a_filter_may_allow_several_values(docs):
    body = search_body(analysis.parse("保育園"), MITAKA, {"content_type": ["servicepage", "eventpage"]})
    assert body["post_filter"] == {
        "bool": {"filter": [{"terms": {"content_type": ["eventpage", "servicepage"]}}]}
    }
    assert run(body, docs)[0] == [102, 105]


def test_locale_restricts_the_query_itself():
    body = search_body(Term("保育園"), MITAKA, locale="en")
    assert body["query"]["bool"]["filter"] == [{"term": {"site_id": MITAKA}}, {"term": {"locale": "en"}}]


def test_pagination_sorting_and_exact_totals():
    body = search_body(Term("保育園"), MITAKA, start=20, size=10)
    assert body["from"] == 20
    assert body["size"] == 10
    assert body["sort"] == ["_score", {"page_id": {"order": "desc"}}]
    assert body["track_total_hits"] is True
    assert body["_source"] == ["page_id"]


def test_pages_beyond_the_result_window_are_not_requested():
    body = search_body(Term("保育園"), MITAKA, start=9_995, size=10)
    assert (body["from"], body["size"]) == (9_995, 5)
    body = search_body(Term("保育園"), MITAKA, start=20_000, size=10)
    assert (body["from"], body["size"]) == (MAX_RESULT_WINDOW, 0)


# parse_response ------------------------------------------------------------------------------

RESPONSE = {
    "took": 4,
    "timed_out": False,
    "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
    "hits": {
        "total": {"value": 12, "relation": "eq"},
        "max_score": 9.5,
        "hits": [
            {
                "_index": "kosodate_ja",
                "_id": "102",
                "_score": 9.5,
                "_source": {"page_id": 102},
                "sort": [9.5, 102],
            },
            {
                "_index": "kosodate_ja",
                "_id": "105",
                "_score": 3.25,
                "_source": {"page_id": 105},
                "sort": [3.25, 105],
            },
        ],
    },
    "aggregations": {
        "section": {
            "doc_count": 12,
            "section": {
                "doc_count_error_upper_bound": 0,
                "sum_other_doc_count": 0,
                "buckets": [{"key": "municipal", "doc_count": 9}, {"key": "community", "doc_count": 3}],
            },
        },
        "content_type": {
            "doc_count": 12,
            "content_type": {"buckets": [{"key": "servicepage", "doc_count": 12}]},
        },
        "life_stages": {
            "doc_count": 7,
            "life_stages": {"buckets": [{"key": "toddler", "doc_count": 7}, {"key": "baby", "doc_count": 2}]},
        },
    },
}


def test_parse_response_reads_ranking_total_and_facets():
    result = parse_response(RESPONSE)
    assert result == EngineResult(
        ranked=[(102, 9.5), (105, 3.25)],
        total=12,
        facets={
            "section": {"municipal": 9, "community": 3},
            "content_type": {"servicepage": 12},
            "life_stage": {"toddler": 7, "baby": 2},
        },
    )
    assert list(result.facets["section"]) == ["municipal", "community"]  # bucket order kept


def test_parse_response_of_an_empty_answer():
    empty = {"hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}}
    assert parse_response(empty) == EngineResult(
        ranked=[], total=0, facets={"section": {}, "content_type": {}, "life_stage": {}}
    )


def test_parse_response_falls_back_to_the_id_and_the_sort_score():
    response = {"hits": {"total": 1, "hits": [{"_id": "42", "_score": None, "sort": [1.5, 42]}]}}
    result = parse_response(response)
    assert result.ranked == [(42, 1.5)]
    assert result.total == 1


# ElasticEngine against a fake cluster on the loopback ------------------------------------------


class FakeCluster:
    """Answers the few endpoints the engine calls, like Elasticsearch 8 does, and records requests."""

    def __init__(self):
        self.indices = {}
        self.requests = []
        self.search_response = RESPONSE
        self.search_status = 200

    def handle(self, method, path, params, body):
        self.requests.append((method, path, params, body))
        parts = [part for part in path.split("/") if part]
        if method == "HEAD" and not parts:
            return 200, None
        if method == "HEAD" and len(parts) == 1:
            return (200 if parts[0] in self.indices else 404), None
        if method == "PUT" and len(parts) == 1 and not parts[0].startswith("_"):
            if parts[0] in self.indices:
                error = {"type": "resource_already_exists_exception", "reason": "exists"}
                return 400, {"error": error, "status": 400}
            self.indices[parts[0]] = {"body": json.loads(body), "docs": {}}
            return 200, {"acknowledged": True, "index": parts[0]}
        if method in ("POST", "PUT") and parts[-1] == "_bulk":
            return 200, self.bulk(body)
        if method in ("POST", "GET") and parts[-1] == "_search":
            return self.search_status, (
                self.search_response
                if self.search_status == 200
                else {"error": {"type": "search_phase_execution_exception"}, "status": self.search_status}
            )
        return 404, {"error": {"type": "not_found"}, "status": 404}

    def bulk(self, body):
        lines = [json.loads(line) for line in body.splitlines() if line.strip()]
        items = []
        while lines:
            ((op, meta),) = lines.pop(0).items()
            docs = self.indices[meta["_index"]]["docs"]
            if op == "index":
                docs[meta["_id"]] = lines.pop(0)
                items.append({op: {**meta, "status": 201, "result": "created"}})
            elif meta["_id"] in docs:
                del docs[meta["_id"]]
                items.append({op: {**meta, "status": 200, "result": "deleted"}})
            else:
                items.append({op: {**meta, "status": 404, "result": "not_found"}})
        errors = any(result["status"] >= 300 for item in items for result in item.values())
        return {"took": 1, "errors": errors, "items": items}


@contextlib.contextmanager
def served(fake):
    """``fake`` answering HTTP on a free port of 127.0.0.1, as a cluster would (``fake.url``)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self):
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            status, payload = fake.handle(self.command, url.path, parse_qs(url.query), body)
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = answer

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def cluster():
    with served(FakeCluster()) as fake:
        yield fake


def closed_port_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_available_is_false_without_a_cluster_and_never_raises():
    assert ElasticEngine(closed_port_url(), "kosodate_ja", timeout=1).available() is False


def test_available_when_the_cluster_answers(cluster):
    assert ElasticEngine(cluster.url, "kosodate_ja").available() is True


def test_ensure_index_creates_the_index_once_with_its_settings(cluster):
    engine = ElasticEngine(cluster.url, "kosodate_ja")
    assert engine.ensure_index() is True
    assert cluster.indices["kosodate_ja"]["body"] == index_settings()
    assert engine.ensure_index() is False
    assert [r[0] for r in cluster.requests].count("PUT") == 1


def test_ensure_index_passes_the_replica_count(cluster):
    ElasticEngine(cluster.url, "kosodate_ja", replicas=2).ensure_index()
    assert cluster.indices["kosodate_ja"]["body"]["settings"]["number_of_replicas"] == 2


def test_index_documents_stores_analysed_pages_by_page_id(cluster):
    engine = ElasticEngine(cluster.url, "kosodate_ja")
    engine.ensure_index()
    assert engine.index_documents(PAGES, refresh=True) == len(PAGES)
    stored = cluster.indices["kosodate_ja"]["docs"]
    assert set(stored) == {str(page["page_id"]) for page in PAGES}
    assert stored["101"] == json.loads(json.dumps(document(PAGES[0])))
    assert "ジドウテアテ" in terms(stored["101"]["title_terms"])
    bulk = [r for r in cluster.requests if r[1].endswith("_bulk")]
    assert bulk[0][2]["refresh"] == ["true"]


def test_delete_documents_ignores_pages_that_are_not_indexed(cluster):
    engine = ElasticEngine(cluster.url, "kosodate_ja")
    engine.ensure_index()
    engine.index_documents(PAGES[:2])
    assert engine.delete_documents([101, 999]) == 1
    assert set(cluster.indices["kosodate_ja"]["docs"]) == {"102"}


def test_search_sends_the_search_body_and_reads_the_answer(cluster):
    engine = ElasticEngine(cluster.url, "kosodate_ja")
    tree = analysis.parse("保育園")
    result = engine.search(tree, MITAKA, {"section": "municipal"}, start=10, stop=20)
    method, path, _params, body = cluster.requests[-1]
    assert (method, path) == ("POST", "/kosodate_ja/_search")
    assert json.loads(body) == json.loads(
        json.dumps(search_body(tree, MITAKA, {"section": "municipal"}, 10, 10))
    )
    assert result == parse_response(RESPONSE)


def test_search_without_a_stop_asks_for_the_whole_window(cluster):
    ElasticEngine(cluster.url, "kosodate_ja").search(Term("保育園"), MITAKA)
    body = json.loads(cluster.requests[-1][3])
    assert (body["from"], body["size"]) == (0, MAX_RESULT_WINDOW)


def test_search_without_a_query_tree_asks_nothing(cluster):
    result = ElasticEngine(cluster.url, "kosodate_ja").search(None, MITAKA)
    assert result == EngineResult()
    assert result.facets == {"section": {}, "content_type": {}, "life_stage": {}}
    assert cluster.requests == []


def test_search_errors_reach_the_caller(cluster):
    cluster.search_status = 500
    engine = ElasticEngine(cluster.url, "kosodate_ja")
    with pytest.raises(ApiError):
        engine.search(Term("保育園"), MITAKA)


# Live: a real Elasticsearch, when one is reachable ----------------------------------------------


def live_url():
    return os.environ.get("ELASTICSEARCH_TEST_URL") or os.environ.get("SEARCH_URL") or "http://127.0.0.1:9200"


@pytest.fixture(scope="module")
def live():
    url = live_url()
    engine = ElasticEngine(url, f"kosodate_test_{uuid.uuid4().hex[:12]}", timeout=10, replicas=0)
    if not engine.available():
        pytest.skip(
            f"No Elasticsearch reachable at {url}: the live engine tests run only against a real cluster "
            "(set ELASTICSEARCH_TEST_URL or SEARCH_URL)."
        )
    assert engine.ensure_index() is True
    try:
        engine.index_documents(PAGES, refresh=True)
        yield engine
    finally:
        engine.client.indices.delete(index=engine.index_name, ignore_unavailable=True)


def live_search(engine, query, site=MITAKA, filters=None, start=0, stop=10):
    return engine.search(analysis.parse(query), site, filters, start, stop)


def test_live_index_has_the_whitespace_analyzer(live):
    tokens = live.client.indices.analyze(
        index=live.index_name, analyzer="terms", text="児童手当 ジドウテアテ DV"
    )
    assert [token["token"] for token in tokens["tokens"]] == ["児童手当", "ジドウテアテ", "dv"]


def test_live_hiragana_finds_the_kanji_page_of_this_town_only(live):
    result = live_search(live, "じどうてあて")
    assert [page_id for page_id, _score in result.ranked] == [101]
    assert result.total == 1
    assert live_search(live, "じどうてあて", site=TACHIKAWA).total == 1
    assert live_search(live, "じどうてあて", site=999).total == 0


def test_live_every_word_must_match_through_any_of_its_forms(live):
    assert [page_id for page_id, _ in live_search(live, "保育園 申し込み").ranked] == [102]
    assert [page_id for page_id, _ in live_search(live, "ＤＶ").ranked] == [104]
    assert [page_id for page_id, _ in live_search(live, "歯").ranked] == [103]
    assert live_search(live, "存在しない言葉").ranked == []


def test_live_title_matches_rank_first(live):
    # 104's title says 相談; 103 mentions it in the body only.
    assert [page_id for page_id, _ in live_search(live, "相談").ranked] == [104, 103]


def test_live_facets_count_under_the_other_filters(live):
    result = live_search(live, "保育園", filters={"section": "municipal", "life_stage": "toddler"})
    assert [page_id for page_id, _ in result.ranked] == [102]
    assert result.total == 1
    assert result.facets["section"] == {"municipal": 1, "community": 1}
    assert result.facets["life_stage"] == {"baby": 1, "toddler": 1}
    assert result.facets["content_type"] == {"servicepage": 1}


def test_live_pagination_and_tie_order(live):
    everything = live_search(live, "保育園", stop=10)
    assert everything.total == 2
    first = live_search(live, "保育園", start=0, stop=1)
    second = live_search(live, "保育園", start=1, stop=2)
    assert first.total == second.total == 2
    assert first.ranked + second.ranked == everything.ranked


def test_live_deleted_pages_are_no_longer_found(live):
    live.delete_documents([105, 9999], refresh=True)
    try:
        assert [page_id for page_id, _ in live_search(live, "保育園").ranked] == [102]
    finally:
        live.index_documents([PAGES[4]], refresh=True)
