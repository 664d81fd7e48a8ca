"""Public board threads on the Elasticsearch engine (``SEARCH_URL``): their documents, the query
that leaves them out unless asked for, the after-commit sync from ``search.community_index``,
the database's last word on what may be shown, the fall-back to the database engine and
``search_es_rebuild``.

No cluster is needed: the real ``ElasticEngine`` talks HTTP to the fake cluster of
``test_elastic.py``, extended here to refuse fields its mapping lacks (as ``dynamic: strict``
does) and to answer a search by evaluating the body it receives over what was indexed.
"""

import io
import json

import pytest
from django.core.management import call_command

from community import services
from community.models import Board, CommunitySettings, Post
from search import analysis, indexing, service
from search.elastic import (
    THREAD,
    ElasticEngine,
    document,
    index_actions,
    index_settings,
    parse_response,
    search_body,
    thread_document,
    thread_index_actions,
)
from tests.search.test_elastic import FakeCluster, matches, served

MITAKA, TACHIKAWA = 1, 2
BODY = "夜泣きがひどくて、毎晩寝不足です。離乳食を始めてから少し落ち着きました。"

PAGE = {
    "page_id": 7,
    "site_id": MITAKA,
    "locale": "ja",
    "section": "health",
    "content_type": "eventpage",
    "life_stages": ["baby"],
    "title": "離乳食教室のご案内",
    "body": "保健センターで離乳食の作り方を学べます。",
    "url_path": "/mitaka/kenko/rinyushoku/",
    "first_published_at": None,
}
THREADS = [
    {
        "thread_id": 7,  # the same number as the page: the two documents must both stay
        "site_id": MITAKA,
        "locale": "ja",
        "section": "community",
        "content_type": "boardthread",
        "life_stages": [],
        "title": "夜泣きの相談",
        "body": BODY,
        "url_path": "/keijiban/kosodate/7/",
        "first_published_at": "2026-05-01T10:00:00+09:00",
    },
    {
        "thread_id": 9,
        "site_id": TACHIKAWA,
        "locale": "ja",
        "section": "community",
        "content_type": "boardthread",
        "life_stages": [],
        "title": "離乳食の悩み",
        "body": "離乳食をなかなか食べてくれません。",
        "url_path": "/keijiban/kosodate/9/",
        "first_published_at": None,
    },
]


# Answering a search body over stored documents, as Elasticsearch does (every score 1) ------


def answer(body, docs):
    """The response to a search ``body`` over ``docs`` ({_id: source})."""
    found = [(doc_id, doc) for doc_id, doc in docs.items() if matches(body["query"], doc)]
    hits = [
        (doc_id, doc) for doc_id, doc in found if matches(body.get("post_filter", {"match_all": {}}), doc)
    ]
    for spec in reversed(body["sort"][1:]):  # every score is 1: the tie-breakers decide, missing last
        ((name, order),) = spec.items()
        assert order["order"] == "desc"
        hits.sort(key=lambda hit, name=name: (hit[1].get(name) is None, -(hit[1].get(name) or 0)))
    window = hits[body["from"] : body["from"] + body["size"]]
    aggregations = {}
    for name, aggregation in body["aggs"].items():
        counts = {}
        inner = aggregation["aggs"][name]["terms"]["field"]
        for _doc_id, doc in found:
            if matches(aggregation["filter"], doc):
                values = doc[inner] if isinstance(doc[inner], list) else [doc[inner]]
                for value in values:
                    counts[value] = counts.get(value, 0) + 1
        buckets = [{"key": key, "doc_count": count} for key, count in counts.items()]
        aggregations[name] = {"doc_count": len(found), name: {"buckets": buckets}}
    return {
        "hits": {
            "total": {"value": len(hits), "relation": "eq"},
            "hits": [
                {"_id": doc_id, "_score": 1.0, "_source": {key: doc.get(key) for key in body["_source"]}}
                for doc_id, doc in window
            ],
        },
        "aggregations": aggregations,
    }


def stored(pages=(), threads=()):
    """{_id: source} of pages and threads as the bulk actions index them."""
    actions = [*index_actions("kosodate_pages", pages), *thread_index_actions("kosodate_pages", threads)]
    return {action["_id"]: action["_source"] for action in actions}


def found(body, docs):
    return parse_response(answer(body, docs))


# Documents -----------------------------------------------------------------------------------


def test_thread_document_holds_the_analysed_japanese_text():
    doc = thread_document(THREADS[0])
    assert (doc["kind"], doc["thread_id"], doc["page_id"]) == ("thread", 7, None)
    assert {"夜泣き", "ヨナキ", "相談"} <= set(doc["title_terms"].split())
    assert {"離乳食", "リニュウショク", "寝不足"} <= set(doc["body_terms"].split())
    assert doc["title_terms"] == analysis.index_text("夜泣きの相談")
    assert doc["body"] == BODY  # the text itself, for snippets
    assert (doc["section"], doc["content_type"], doc["life_stages"]) == ("community", "boardthread", [])
    assert doc["site_id"] == MITAKA


def test_thread_and_page_documents_fit_the_strict_mapping():
    mappings = index_settings()["mappings"]
    assert mappings["dynamic"] == "strict"
    assert mappings["properties"]["kind"] == {"type": "keyword"}
    assert mappings["properties"]["thread_id"] == {"type": "integer"}
    assert set(thread_document(THREADS[0])) == set(mappings["properties"])
    page = document(PAGE)
    assert set(page) == set(mappings["properties"])
    assert (page["kind"], page["page_id"], page["thread_id"]) == ("page", 7, None)


def test_a_thread_never_takes_the_document_id_of_a_page_with_the_same_number():
    docs = stored([PAGE], [THREADS[0]])
    assert set(docs) == {"7", "thread-7"}
    assert docs["7"]["kind"] == "page"
    assert docs["thread-7"]["kind"] == "thread"


# The query -----------------------------------------------------------------------------------


def test_threads_are_left_out_of_the_hits_and_the_facets_unless_asked_for():
    docs = stored([PAGE], THREADS)
    body = search_body(analysis.parse("離乳食"), MITAKA)
    assert body["query"]["bool"]["must_not"] == [{"term": {"kind": "thread"}}]
    assert body["_source"] == ["page_id"]
    result = found(body, docs)
    assert result.ranked == [(7, 1.0)]
    assert result.facets["content_type"] == {"eventpage": 1}
    assert "community" not in result.facets["section"]


def test_threads_are_searched_and_counted_when_asked_for():
    docs = stored([PAGE], THREADS)
    body = search_body(analysis.parse("りにゅうしょく"), MITAKA, threads=True)
    assert "must_not" not in body["query"]["bool"]
    assert body["query"]["bool"]["filter"] == [{"term": {"site_id": MITAKA}}]
    assert body["_source"] == ["page_id", "thread_id"]
    result = found(body, docs)
    # Ties as on the database index: pages first, then threads.
    assert result.ranked == [(7, 1.0), ((THREAD, 7), 1.0)]
    assert result.total == 2
    assert result.facets["section"] == {"health": 1, "community": 1}
    assert result.facets["content_type"] == {"eventpage": 1, "boardthread": 1}
    assert result.facets["life_stage"] == {"baby": 1}


def test_another_towns_thread_is_never_matched_or_counted():
    docs = stored([PAGE], THREADS)
    result = found(search_body(analysis.parse("離乳食"), MITAKA, threads=True), docs)
    assert ((THREAD, 9), 1.0) not in result.ranked
    assert result.facets["content_type"]["boardthread"] == 1  # Mitaka's thread 7 only
    tachikawa = found(search_body(analysis.parse("離乳食"), TACHIKAWA, threads=True), docs)
    assert tachikawa.ranked == [((THREAD, 9), 1.0)]


def test_the_facet_filters_apply_to_threads_like_the_database_engine():
    docs = stored([PAGE], THREADS)
    tree = analysis.parse("離乳食")
    only_threads = found(search_body(tree, MITAKA, {"content_type": "boardthread"}, threads=True), docs)
    assert only_threads.ranked == [((THREAD, 7), 1.0)]
    assert only_threads.facets["section"] == {"community": 1}
    community = found(search_body(tree, MITAKA, {"section": "community"}, threads=True), docs)
    assert community.ranked == [((THREAD, 7), 1.0)]
    # A thread has no life stage: filtering by one leaves it out, as on the database index.
    baby = found(search_body(tree, MITAKA, {"life_stage": "baby"}, threads=True), docs)
    assert baby.ranked == [(7, 1.0)]


def test_a_page_indexed_before_threads_existed_is_still_found():
    old = {key: value for key, value in document(PAGE).items() if key not in ("kind", "thread_id")}
    docs = {"7": old, **stored(threads=THREADS)}
    assert found(search_body(analysis.parse("離乳食"), MITAKA), docs).ranked == [(7, 1.0)]
    with_threads = found(search_body(analysis.parse("離乳食"), MITAKA, threads=True), docs)
    assert with_threads.ranked == [(7, 1.0), ((THREAD, 7), 1.0)]


def test_parse_response_tells_thread_hits_from_page_hits():
    response = {
        "hits": {
            "total": 3,
            "hits": [
                {"_id": "thread-7", "_score": 4.0, "_source": {"page_id": None, "thread_id": 7}},
                {"_id": "7", "_score": 3.0, "_source": {"page_id": 7, "thread_id": None}},
                {"_id": "thread-12", "_score": None, "sort": [2.0]},
            ],
        }
    }
    assert parse_response(response).ranked == [((THREAD, 7), 4.0), (7, 3.0), ((THREAD, 12), 2.0)]


# A fake cluster that keeps what it is sent ----------------------------------------------------


class IndexingCluster(FakeCluster):
    """test_elastic's fake cluster, with a strict mapping that can gain fields, and real searches."""

    def handle(self, method, path, params, body):
        parts = [part for part in path.split("/") if part]
        if method == "PUT" and parts[-1:] == ["_mapping"]:
            self.requests.append((method, path, params, body))
            mappings = self.indices[parts[0]]["body"]["mappings"]
            mappings["properties"].update(json.loads(body)["properties"])
            return 200, {"acknowledged": True}
        if parts[-1:] == ["_search"] and self.search_status == 200:
            self.requests.append((method, path, params, body))
            return 200, answer(json.loads(body), self.indices[parts[0]]["docs"])
        return super().handle(method, path, params, body)

    def bulk(self, body):
        lines = [json.loads(line) for line in body.splitlines() if line.strip()]
        while lines:
            ((op, meta),) = lines.pop(0).items()
            if op != "index":
                continue
            source = lines.pop(0)
            unknown = set(source) - set(self.indices[meta["_index"]]["body"]["mappings"]["properties"])
            if unknown:  # dynamic: strict
                error = {"type": "strict_dynamic_mapping_exception", "reason": sorted(unknown)}
                return {"took": 1, "errors": True, "items": [{op: {**meta, "status": 400, "error": error}}]}
        return super().bulk(body)

    def docs(self, kind=None):
        """The index's documents by id (the stored dict itself), or a copy of those of one kind."""
        every = self.indices["kosodate_pages"]["docs"]
        if kind is None:
            return every
        return {doc_id: doc for doc_id, doc in every.items() if doc.get("kind") == kind}

    def searches(self):
        return [
            json.loads(body) for method, path, _params, body in self.requests if path.endswith("/_search")
        ]


@pytest.fixture
def cluster():
    with served(IndexingCluster()) as fake:
        yield fake


def test_an_index_made_before_threads_gains_their_fields_once(cluster):
    old = index_settings()
    for name in ("kind", "thread_id"):
        del old["mappings"]["properties"][name]
    cluster.indices["kosodate_pages"] = {"body": old, "docs": {}}
    engine = ElasticEngine(cluster.url, "kosodate_pages")
    assert engine.ensure_index() is False
    assert engine.ensure_index() is False
    assert [path for method, path, *_ in cluster.requests if method == "PUT"] == ["/kosodate_pages/_mapping"]
    assert engine.index_threads(THREADS) == 2
    assert engine.index_documents([PAGE]) == 1
    assert set(cluster.docs()) == {"7", "thread-7", "thread-9"}


def test_delete_threads_leaves_the_page_of_the_same_number(cluster):
    engine = ElasticEngine(cluster.url, "kosodate_pages")
    engine.ensure_index()
    engine.index_documents([PAGE])
    engine.index_threads(THREADS)
    assert engine.delete_threads([7, 404]) == 1
    assert set(cluster.docs()) == {"7", "thread-9"}


# With SEARCH_URL: the after-commit sync, the service and the rebuild ---------------------------


def public_board(town):
    return Board.objects.filter(site=town.site, private=False).order_by("sort_order", "pk").first()


def private_board(town):
    return Board.objects.get(site=town.site, private=True)


@pytest.fixture
def es(db, settings, monkeypatch, cluster):
    settings.SEARCH_URL = cluster.url
    engine = ElasticEngine(cluster.url, "kosodate_pages")
    monkeypatch.setattr(indexing, "engine", lambda: engine)
    return cluster


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what is done after a commit (tests run inside one transaction)."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def moderator(town_a, make_member):
    return make_member(town_a, "moderator")


@pytest.fixture
def published(es, town_a, moderator, committed):
    """A thread a moderator opened on a public board of town A: published, so sent at once."""
    with committed():
        post = services.start_thread(public_board(town_a), moderator, "夜泣きの相談", BODY)
    assert post.status == Post.Status.PUBLISHED
    return post.thread


def thread_hits(results):
    return [hit.thread_id for hit in results.hits if hit.thread_id]


def test_a_published_thread_is_sent_with_its_town_section_and_analysed_text(es, town_a, published):
    doc = es.docs("thread")[f"thread-{published.pk}"]
    assert (doc["thread_id"], doc["page_id"]) == (published.pk, None)
    assert doc["site_id"] == town_a.site.pk
    assert (doc["section"], doc["content_type"], doc["life_stages"]) == ("community", "boardthread", [])
    assert doc["title"] == "夜泣きの相談"
    assert doc["body"] == BODY
    assert {"離乳食", "リニュウショク"} <= set(doc["body_terms"].split())
    assert doc["url_path"] == service.thread_url(published.board.slug, published.pk)


def test_a_pending_thread_is_sent_only_once_approved(es, town_a, moderator, make_member, committed):
    with committed():
        post = services.start_thread(
            public_board(town_a), make_member(town_a, "member"), "双子のベビーカー", "選び方を教えてください"
        )
    assert post.status == Post.Status.PENDING
    assert es.docs("thread") == {}
    with committed():
        services.approve(post, moderator)
    assert set(es.docs("thread")) == {f"thread-{post.thread_id}"}


def test_a_published_reply_is_sent_and_a_rejected_one_taken_back(es, published, moderator, committed):
    with committed():
        post = services.reply(published, moderator, "近所のひろばの砂場が楽しいです")
    assert "砂場" in es.docs("thread")[f"thread-{published.pk}"]["body_terms"].split()
    with committed():
        services.reject(post, moderator, "掲示板の趣旨に合いません。")
    doc = es.docs("thread")[f"thread-{published.pk}"]
    assert "砂場" not in doc["body_terms"].split()
    assert "離乳食" in doc["body_terms"].split()


def reject_opening(thread, moderator):
    services.reject(thread.opening_post, moderator, "個人が特定できる内容です。")


def delete_thread(thread, moderator):
    services.delete_own(thread.opening_post, moderator)


def make_board_private(thread, moderator):
    board = thread.board
    board.private = True
    board.save()


@pytest.mark.parametrize("change", [reject_opening, delete_thread, make_board_private])
def test_a_thread_no_longer_searchable_is_removed_from_the_index(es, published, moderator, committed, change):
    assert f"thread-{published.pk}" in es.docs("thread")
    with committed():
        change(published, moderator)
    assert es.docs("thread") == {}


def test_a_thread_hidden_by_reports_is_removed_from_the_index(
    es, town_a, published, moderator, make_member, committed
):
    settings_obj = CommunitySettings.for_site(town_a.site)
    settings_obj.report_threshold = 1
    settings_obj.save()
    with committed():
        services.report(published.opening_post, make_member(town_a, "member"), "spam")
    assert es.docs("thread") == {}


def test_a_private_boards_thread_is_never_sent(es, town_a, superuser, committed):
    with committed():
        post = services.start_thread(private_board(town_a), superuser, "編集会議のメモ", "取材先の候補")
    assert post.status == Post.Status.PUBLISHED
    assert es.docs("thread") == {}


def test_nothing_is_sent_without_search_url(es, settings, town_a, moderator, committed):
    settings.SEARCH_URL = ""
    with committed():
        services.start_thread(public_board(town_a), moderator, "夜泣きの相談", BODY)
    assert es.requests == []
    assert es.indices == {}


def test_the_search_page_finds_the_thread_through_elasticsearch(es, town_a, published):
    indexing.sync([town_a.home.pk])
    results = service.search(town_a.site, "りにゅうしょく", threads=True)
    assert "must_not" not in es.searches()[-1]["query"]["bool"]
    assert thread_hits(results) == [published.pk]
    hit = next(hit for hit in results.hits if hit.thread_id)
    assert (hit.page, hit.title, hit.section, hit.type_label) == (
        None,
        "夜泣きの相談",
        "掲示板・ブログ",
        "掲示板",
    )
    assert "<mark>離乳食</mark>" in hit.snippet
    assert hit.url == service.thread_url(published.board.slug, published.pk)
    types = {option.key: option.count for option in results.facets["type"]}
    assert types[service.THREAD_TYPE] == 1
    assert {option.key: option.count for option in results.facets["section"]}["community"] >= 1
    only = service.search(town_a.site, "離乳食", filters={"type": service.THREAD_TYPE}, threads=True)
    assert thread_hits(only) == [published.pk]
    assert only.total == 1


def test_pages_only_callers_never_get_threads(es, client, town_a, published):
    results = service.search(town_a.site, "離乳食")
    assert thread_hits(results) == []
    assert es.searches()[-1]["query"]["bool"]["must_not"] == [{"term": {"kind": "thread"}}]
    assert service.THREAD_TYPE not in {option.key for option in results.facets["type"]}
    response = client.get("/api/v2/pages/", {"search": "離乳食"}, HTTP_HOST=town_a.site.hostname)
    assert response.status_code == 200
    assert "夜泣きの相談" not in [item["title"] for item in response.json()["items"]]


def test_a_thread_the_database_no_longer_finds_is_dropped_even_if_elasticsearch_returns_it(
    es, town_a, published, moderator, committed
):
    with committed():
        post = services.reply(published, moderator, "近所のひろばの砂場が楽しいです")
    assert thread_hits(service.search(town_a.site, "砂場", threads=True)) == [published.pk]
    Post.objects.filter(pk=post.pk).update(status=Post.Status.HIDDEN)  # no signal: the index keeps it
    assert "砂場" in es.docs("thread")[f"thread-{published.pk}"]["body_terms"].split()
    assert thread_hits(service.search(town_a.site, "砂場", threads=True)) == []


def test_another_towns_thread_never_appears_even_if_indexed_under_this_town(
    es, town_a, town_b, make_member, committed
):
    with committed():
        post = services.start_thread(
            public_board(town_b), make_member(town_b, "moderator"), "立川の公園", "昭和記念公園の遊具"
        )
    doc_id = f"thread-{post.thread_id}"
    assert es.docs("thread")[doc_id]["site_id"] == town_b.site.pk
    assert thread_hits(service.search(town_b.site, "遊具", threads=True)) == [post.thread_id]
    assert thread_hits(service.search(town_a.site, "遊具", threads=True)) == []
    es.docs()[doc_id]["site_id"] = town_a.site.pk  # a wrong document: the database still says no
    assert thread_hits(service.search(town_a.site, "遊具", threads=True)) == []


def test_the_database_engine_answers_with_threads_when_elasticsearch_fails(es, town_a, published):
    es.search_status = 500
    results = service.search(town_a.site, "離乳食", threads=True)
    assert es.requests[-1][1].endswith("/_search")  # Elasticsearch was asked first
    assert thread_hits(results) == [published.pk]
    assert thread_hits(service.search(town_a.site, "離乳食")) == []


def test_rebuild_sends_every_searchable_thread_and_removes_the_others(
    es, town_a, town_b, published, moderator, make_member, committed
):
    with committed():
        other = services.start_thread(
            public_board(town_b), make_member(town_b, "moderator"), "立川の公園", "昭和記念公園の遊具"
        )
        rejected = services.start_thread(public_board(town_a), moderator, "削除予定", "不要な投稿です")
    with committed():
        reject_opening(rejected.thread, moderator)
    stale = {f"thread-{rejected.thread_id}": thread_document({**THREADS[0], "thread_id": rejected.thread_id})}
    es.docs().clear()
    es.docs().update(stale)
    out = io.StringIO()
    call_command("search_es_rebuild", stdout=out)
    assert set(es.docs("thread")) == {f"thread-{published.pk}", f"thread-{other.thread_id}"}
    assert es.docs("thread")[f"thread-{other.thread_id}"]["site_id"] == town_b.site.pk
    assert str(town_a.home.pk) in es.docs("page")
    assert str(town_b.home.pk) in es.docs("page")
    assert "board threads" in out.getvalue()
