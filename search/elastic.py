"""The Elasticsearch 8/9 engine of the site search, for a town (or a group of towns) at scale.

Text is analysed in Python by :mod:`search.analysis`, exactly as for the database index, and
the index stores the resulting terms (``title_terms``, ``body_terms``) separated by spaces. The
index itself analyses those fields only by whitespace and lower case, so **no kuromoji (or any
other) plugin is needed**, and a query matches the same pages on SQLite, on PostgreSQL and in
Elasticsearch: the same query tree (:func:`search.analysis.parse`) is rendered here as ``term``
and ``prefix`` queries, there as FTS5 ``MATCH`` or ``tsquery``.

Scores differ between the engines (Lucene's BM25 against FTS5's or ``ts_rank``), but the title
weighs five times the body in all of them, and ties are broken the same way (newest page id
first).

The index also holds the towns' public board threads (``kind`` ``thread``, kept by
:mod:`search.indexing` from :mod:`search.community_index`), analysed the same way, with section
``community`` and content type ``boardthread``. A search leaves them out unless it asks for
them (``threads=True``); a thread's document id is ``thread-<id>``, so it never takes a page's.

Every search is limited to one site inside the query itself, so another town's pages can never
match, count or appear in a facet. The facet filters (section, content type, life stage) are
applied as a ``post_filter``, and each facet is counted under the *other* filters only, so a
parent who picks one section still sees how many results the other sections hold.

Works with Elasticsearch 8 and 9 (the 8.x client's compatibility headers are accepted by 9).
"""

import datetime
from dataclasses import dataclass, field

from elasticsearch import BadRequestError, Elasticsearch, helpers
from elasticsearch.dsl import A, Q, Search

from . import analysis

TITLE_BOOST = 5
TERM_FIELDS = ("title_terms", "body_terms")
# Facet name (as the service and the URL call it) → indexed field.
FACET_FIELDS = {"section": "section", "content_type": "content_type", "life_stage": "life_stages"}
# Aggregation name in the request and response → facet name.
FACET_AGGREGATIONS = {"section": "section", "content_type": "content_type", "life_stages": "life_stage"}
FACET_SIZE = 50
# Elasticsearch refuses from + size beyond index.max_result_window (10,000 by default).
MAX_RESULT_WINDOW = 10_000
# The kinds of document in the index; a thread's hit is ranked as (THREAD, thread id).
PAGE, THREAD = "page", "thread"
THREAD_ID_PREFIX = "thread-"


@dataclass
class EngineResult:
    """One page of ranked page ids (and threads), the number of matches, and the facet counts."""

    ranked: list = field(default_factory=list)  # [(page_id or (THREAD, thread_id), score), ...] best first
    total: int = 0
    facets: dict = field(default_factory=lambda: {name: {} for name in FACET_FIELDS})


# The index --------------------------------------------------------------------------------


def index_settings(shards=1, replicas=None):
    """The body that creates the index (``settings`` and ``mappings``).

    ``replicas=None`` lets Elasticsearch keep one replica once a second node exists and none on a
    single node (which would otherwise stay yellow for ever).
    """
    settings = {
        "number_of_shards": shards,
        "analysis": {
            "analyzer": {
                "terms": {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase"]},
            },
        },
    }
    if replicas is None:
        settings["auto_expand_replicas"] = "0-1"
    else:
        settings["number_of_replicas"] = replicas
    terms_field = {
        "type": "text",
        "analyzer": "terms",
        # Short prefixes (歯*, and what autocomplete types) become single term look-ups.
        "index_prefixes": {"min_chars": 1, "max_chars": 4},
    }
    mappings = {
        "dynamic": "strict",
        "properties": {
            "kind": {"type": "keyword"},
            "page_id": {"type": "integer"},
            "thread_id": {"type": "integer"},
            "site_id": {"type": "integer"},
            "locale": {"type": "keyword"},
            "section": {"type": "keyword"},
            "content_type": {"type": "keyword"},
            "life_stages": {"type": "keyword"},
            # Kept in _source for snippets only: searching goes through the analysed terms.
            "title": {"type": "text", "index": False},
            "body": {"type": "text", "index": False},
            "title_terms": terms_field,
            "body_terms": terms_field,
            "url_path": {"type": "keyword"},
            "first_published_at": {"type": "date"},
        },
    }
    return {"settings": settings, "mappings": mappings}


def _date(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value or None


def document(entry):
    """The Elasticsearch document of a page, from a plain dict of its fields."""
    return _document(entry, PAGE, page_id=int(entry["page_id"]))


def thread_document(entry):
    """The Elasticsearch document of a public board thread, from a plain dict of its fields."""
    return _document(entry, THREAD, thread_id=int(entry["thread_id"]))


def _document(entry, kind, page_id=None, thread_id=None):
    # Every document has every mapped field; the id of the other kind is null (not indexed).
    title = entry.get("title") or ""
    body = entry.get("body") or ""
    return {
        "kind": kind,
        "page_id": page_id,
        "thread_id": thread_id,
        "site_id": int(entry["site_id"]),
        "locale": entry.get("locale") or "",
        "section": entry.get("section") or "",
        "content_type": entry.get("content_type") or "",
        "life_stages": list(entry.get("life_stages") or ()),
        "title": title,
        "body": body,
        "title_terms": analysis.index_text(title),
        "body_terms": analysis.index_text(body),
        "url_path": entry.get("url_path") or "",
        "first_published_at": _date(entry.get("first_published_at")),
    }


def index_actions(index_name, entries):
    """Bulk actions that (re)index pages, one document per page id."""
    for entry in entries:
        source = document(entry)
        yield {"_op_type": "index", "_index": index_name, "_id": str(source["page_id"]), "_source": source}


def delete_actions(index_name, page_ids):
    for page_id in page_ids:
        yield {"_op_type": "delete", "_index": index_name, "_id": str(int(page_id))}


def thread_doc_id(thread_id):
    return f"{THREAD_ID_PREFIX}{int(thread_id)}"


def thread_index_actions(index_name, entries):
    """Bulk actions that (re)index board threads, one document per thread id."""
    for entry in entries:
        source = thread_document(entry)
        yield {
            "_op_type": "index",
            "_index": index_name,
            "_id": thread_doc_id(source["thread_id"]),
            "_source": source,
        }


def thread_delete_actions(index_name, thread_ids):
    for thread_id in thread_ids:
        yield {"_op_type": "delete", "_index": index_name, "_id": thread_doc_id(thread_id)}


# Queries ----------------------------------------------------------------------------------


def _any(clauses):
    # minimum_should_match is explicit so the clause means "one of these" in any context.
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def query_for(tree):
    """The Elasticsearch query of an analysed query tree (``None`` matches nothing)."""
    if tree is None:
        return {"match_none": {}}
    if isinstance(tree, analysis.Term):
        kind = "prefix" if tree.prefix else "term"
        return _any(
            [
                {kind: {"title_terms": {"value": tree.text, "boost": TITLE_BOOST}}},
                {kind: {"body_terms": {"value": tree.text}}},
            ]
        )
    if isinstance(tree, analysis.AllOf):
        return {"bool": {"must": [query_for(part) for part in tree.parts]}}
    if isinstance(tree, analysis.AnyOf):
        return _any([query_for(part) for part in tree.parts])
    raise TypeError(f"Not a query tree: {tree!r}")


def _filter_clause(field_name, value):
    if isinstance(value, list | tuple | set | frozenset):
        return Q("terms", **{field_name: sorted(value)})
    return Q("term", **{field_name: value})


def _facet_filters(filters):
    """{facet name: query} for the filters that are set; unknown names are a programming error."""
    unknown = set(filters or {}) - set(FACET_FIELDS)
    if unknown:
        raise ValueError(f"Unknown search filters: {', '.join(sorted(unknown))}")
    clauses = {}
    for name, value in (filters or {}).items():
        if value in (None, "", [], (), set()):
            continue
        clauses[name] = _filter_clause(FACET_FIELDS[name], value)
    return clauses


def _all_of(clauses):
    return Q("bool", filter=clauses) if clauses else Q("match_all")


def search_body(tree, site_id, filters=None, start=0, size=10, locale=None, threads=False):
    """The request body of one search: a page of hits, the total and the facet counts.

    ``site_id`` (and ``locale`` when given) restrict the query itself, so they bound the hits and
    every facet; so does leaving board threads out, unless ``threads`` asks for them. The facet
    filters restrict the hits through ``post_filter``; each facet's counts are taken under the
    other facet filters only.
    """
    if site_id is None or isinstance(site_id, bool):
        raise ValueError("A search is always limited to one site.")
    if start < 0 or size < 0:
        raise ValueError("start and size cannot be negative.")
    scope = [Q("term", site_id=int(site_id))]
    if locale:
        scope.append(Q("term", locale=locale))
    # Threads are left out with must_not, not kept with kind = page: a page indexed before the
    # index held threads has no kind.
    unwanted = [] if threads else [Q("term", kind=THREAD)]
    search = Search().query(Q("bool", must=[Q(query_for(tree))], filter=scope, must_not=unwanted))

    chosen = _facet_filters(filters)
    if chosen:
        search = search.post_filter(_all_of(list(chosen.values())))
    for aggregation, facet in FACET_AGGREGATIONS.items():
        others = [clause for name, clause in chosen.items() if name != facet]
        counts = A("filter", filter=_all_of(others))
        counts.bucket(aggregation, "terms", field=FACET_FIELDS[facet], size=FACET_SIZE)
        search.aggs[aggregation] = counts

    start = min(start, MAX_RESULT_WINDOW)
    size = min(size, MAX_RESULT_WINDOW - start)
    if threads:
        # Ties: pages first (newest first), then threads (newest first), as the database engine merges them.
        search = search.sort(
            "_score",
            {"page_id": {"order": "desc"}},
            {"thread_id": {"order": "desc", "unmapped_type": "integer"}},
        )
        search = search.source(["page_id", "thread_id"])
    else:
        search = search.sort("_score", {"page_id": {"order": "desc"}}).source(["page_id"])
    search = search.extra(track_total_hits=True)
    return search[start : start + size].to_dict()


# Responses --------------------------------------------------------------------------------


def _buckets(aggregation, name):
    # A facet is a filter aggregation holding a terms aggregation of the same name.
    if "buckets" not in aggregation:
        aggregation = aggregation.get(name, {})
    return {bucket["key"]: bucket["doc_count"] for bucket in aggregation.get("buckets", ())}


def _hit_key(hit):
    """A page hit's page id, or a thread hit's (THREAD, thread id)."""
    source = hit.get("_source") or {}
    doc_id = str(hit.get("_id", ""))
    if source.get("thread_id") is not None:
        return (THREAD, int(source["thread_id"]))
    if doc_id.startswith(THREAD_ID_PREFIX):
        return (THREAD, int(doc_id.removeprefix(THREAD_ID_PREFIX)))
    page_id = source.get("page_id")
    return int(page_id if page_id is not None else doc_id)


def parse_response(response):
    """The :class:`EngineResult` of a search response (the JSON body, as a dict)."""
    hits = response.get("hits", {})
    ranked = []
    for hit in hits.get("hits", ()):
        score = hit.get("_score")
        if score is None and hit.get("sort"):
            score = hit["sort"][0]
        ranked.append((_hit_key(hit), float(score or 0.0)))
    total = hits.get("total", 0)
    if isinstance(total, dict):
        total = total.get("value", 0)
    aggregations = response.get("aggregations", {})
    facets = {
        facet: _buckets(aggregations.get(aggregation, {}), aggregation)
        for aggregation, facet in FACET_AGGREGATIONS.items()
    }
    return EngineResult(ranked=ranked, total=int(total), facets=facets)


# The engine -------------------------------------------------------------------------------


class ElasticEngine:
    """One index on one Elasticsearch cluster.

    Errors of the cluster are raised from everything but :meth:`available`, so the caller can
    fall back to the database search when a request fails.
    """

    def __init__(self, url, index_name, timeout=5, replicas=None):
        self.url = url
        self.index_name = index_name
        self.timeout = timeout
        self.replicas = replicas
        self.client = Elasticsearch(url, request_timeout=timeout)
        self._mapped = False

    def available(self):
        """Whether the cluster answers (quickly, without retries); never raises."""
        try:
            return bool(self.client.options(request_timeout=min(self.timeout, 2), max_retries=0).ping())
        except Exception:
            return False

    def ensure_index(self):
        """Create the index if it is missing. True when it was created.

        An index made by an earlier version gets the fields it lacks (``kind``, ``thread_id``), once
        per engine: adding fields leaves the documents already there as they are.
        """
        body = index_settings(replicas=self.replicas)
        if self.client.indices.exists(index=self.index_name):
            if not self._mapped:
                self.client.indices.put_mapping(index=self.index_name, **body["mappings"])
                self._mapped = True
            return False
        try:
            self.client.indices.create(index=self.index_name, **body)
        except BadRequestError as error:
            if error.message == "resource_already_exists_exception":  # created meanwhile by another node
                return False
            raise
        self._mapped = True
        return True

    def index_documents(self, entries, refresh=False):
        """(Re)index pages from plain dicts (see :func:`document`). Returns how many were indexed."""
        indexed, _errors = helpers.bulk(self.client, index_actions(self.index_name, entries), refresh=refresh)
        return indexed

    def delete_documents(self, page_ids, refresh=False):
        """Remove pages from the index; a page that is not there is not an error."""
        deleted, _errors = helpers.bulk(
            self.client, delete_actions(self.index_name, page_ids), refresh=refresh, ignore_status=(404,)
        )
        return deleted

    def index_threads(self, entries, refresh=False):
        """(Re)index board threads from plain dicts (see :func:`thread_document`). Returns how many."""
        indexed, _errors = helpers.bulk(
            self.client, thread_index_actions(self.index_name, entries), refresh=refresh
        )
        return indexed

    def delete_threads(self, thread_ids, refresh=False):
        """Remove board threads from the index; a thread that is not there is not an error."""
        deleted, _errors = helpers.bulk(
            self.client,
            thread_delete_actions(self.index_name, thread_ids),
            refresh=refresh,
            ignore_status=(404,),
        )
        return deleted

    def search(self, tree, site_id, filters=None, start=0, stop=None, locale=None, threads=False):
        """Hits ``start`` to ``stop`` of the matches for ``tree`` on one site, with facet counts:
        pages only, or pages and board threads with ``threads``."""
        if tree is None:
            return EngineResult()
        stop = MAX_RESULT_WINDOW if stop is None else stop
        body = search_body(
            tree, site_id, filters, start, max(0, stop - start), locale=locale, threads=threads
        )
        response = self.client.search(index=self.index_name, body=body)
        return parse_response(response.body)
