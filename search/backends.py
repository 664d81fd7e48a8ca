"""The embedded search backend: modelsearch's database index, analysed as Japanese.

``WAGTAILSEARCH_BACKENDS["default"]["BACKEND"] = "search.backends"`` keeps modelsearch's index
tables (an FTS5 table on SQLite, ``tsvector`` columns with GIN indexes on PostgreSQL), its
signal handlers and its ``update_index`` command, and changes two things:

- what is stored: the terms of :mod:`search.analysis` (normalised forms, readings, compound
  units, bigrams of unknown words) instead of the raw text, in which a Japanese sentence would
  be one token;
- how a query runs: its analysed tree becomes one FTS5 ``MATCH`` or ``tsquery``, ranked by BM25
  (SQLite) or ``ts_rank`` with the title weighted (PostgreSQL), inside one SQL statement that
  also applies the caller's queryset (site, live, public, filters) as a subquery. So every
  caller — the site search, the autocomplete, API v2's ``?search=`` and the admin's page
  search — gets the same analysis and the same ranking.
"""

import sys
from collections import OrderedDict
from contextlib import contextmanager

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections, router, transaction
from django.db.models import BooleanField, Count, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils.encoding import force_str
from modelsearch.backends.base import (
    BaseIndex,
    BaseSearchBackend,
    BaseSearchQueryCompiler,
    BaseSearchResults,
    FilterFieldError,
)
from modelsearch.conf import get_app_config
from modelsearch.index import AutocompleteField, RelatedFields, SearchField, get_indexed_models
from modelsearch.query import MatchAll, Phrase, PlainText, SearchQuery
from modelsearch.utils import get_content_type_pk, get_descendants_content_types_pks

from . import analysis, champions

IndexEntry = get_app_config().get_model("IndexEntry", require_ready=False)
Champion = champions.Champion

TITLE_WEIGHT = champions.TITLE_WEIGHT
EXACT_LIMIT = 5000  # up to this many estimated matches, every match is ranked
POSTGRES_EXACT_LIMIT = 1500  # on PostgreSQL (see PostgresMatcher.exact_limit)
CANDIDATES = 3000  # beyond, about this many champions are looked at (search.champions)
FILL = 1500  # and the first matches in index order
RARER = 2000  # and the matches holding a rarer term, up to this many
FILL_BELOW = 2000  # on PostgreSQL, the first matches only if the lists give fewer (see candidates)
SCOPE_CHUNK = 2000  # ranked ids checked against the caller's queryset at a time
# FTS5 columns are (autocomplete, body, title); the autocomplete column never ranks a search.
SQLITE_WEIGHTS = (0.0, 1.0, TITLE_WEIGHT)
# ts_rank weights for D, C, B, A: body terms are D, title terms A.
POSTGRES_WEIGHTS = "{0.2, 0.2, 0.2, 1.0}"


class AnalysedQuery(SearchQuery):
    """A query already analysed into a tree (by :func:`search.analysis.parse`, with synonyms)."""

    def __init__(self, tree, text=""):
        self.tree = tree
        self.text = text

    def __repr__(self):
        return f"<AnalysedQuery {self.text!r}>"


def tree_for(query, prefix_last=False):
    if isinstance(query, AnalysedQuery):
        return query.tree
    if isinstance(query, MatchAll):
        return None
    if isinstance(query, PlainText | Phrase):
        return analysis.parse(query.query_string, prefix_last=prefix_last)
    return analysis.parse(force_str(query), prefix_last=prefix_last)


# What is stored ----------------------------------------------------------------------------


def _prepare(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return "\n".join(_prepare(item) for item in value)
    if isinstance(value, dict):
        return "\n".join(_prepare(item) for item in value.values())
    return force_str(value)


def _field_texts(obj, fields):
    for field in fields:
        if isinstance(field, SearchField | AutocompleteField):
            yield field, _prepare(field.get_value(obj))
        elif isinstance(field, RelatedFields):
            related = field.get_value(obj)
            if related is None:
                continue
            if hasattr(related, "all"):
                related = related.all()
            elif callable(related):
                related = [related()]
            else:
                related = [related]
            for item in related:
                yield from _field_texts(item, field.fields)


def document(obj):
    """(title, body, autocomplete) of an object: its plain text, before analysis."""
    title, body, autocomplete = [], [], []
    for field, text in _field_texts(obj, obj.get_search_fields()):
        if not text.strip():
            continue
        if isinstance(field, AutocompleteField):
            autocomplete.append(text)
        elif field.field_name == "title":
            title.append(text)
        else:
            body.append(text)
    return "\n".join(title), "\n".join(body), "\n".join(autocomplete or title)


class AnalysedIndex(BaseIndex):
    """Writes analysed terms into modelsearch's index table (SQLite triggers copy them to FTS5)."""

    def __init__(self, backend):
        super().__init__(backend)
        self.connection = connections[router.db_for_write(IndexEntry)]
        self.entries = IndexEntry._default_manager.all()
        # Whether each write is counted into search.champions (a rebuild counts once, at its end).
        self.counting = True

    def add_items(self, model, objs):
        if not model.get_search_fields():
            return
        content_type = get_content_type_pk(model)
        rows = []
        objs = list(objs)
        for obj in objs:
            title, body, autocomplete = document(obj)
            rows.append(
                (
                    force_str(obj.pk),
                    analysis.index_text(title),
                    analysis.index_text(body),
                    analysis.index_text(autocomplete),
                    title,
                    body,
                )
            )
        if rows:
            object_ids = [row[0] for row in rows]
            with transaction.atomic(using=self.connection.alias):
                before = champions.entries_of(content_type, object_ids) if self.counting else {}
                self.write(content_type, rows)
                if self.counting:
                    after = champions.entries_of(content_type, object_ids)
                    champions.record(removed=before.values(), added=after.values())

    def delete_item(self, item):
        entries = item.index_entries.all()
        with transaction.atomic(using=self.connection.alias):
            if self.counting:
                ids = list(entries.values_list("pk", flat=True))
                if ids:
                    champions.forget_entries(ids)
            entries._raw_delete(using=self.connection.alias)

    def reset(self):
        IndexEntry._default_manager.all()._raw_delete(using=self.connection.alias)
        champions.reset()

    def delete_stale_entries(self):
        for model in get_indexed_models():
            if model._meta.parents:
                continue
            existing = model._default_manager.annotate(object_id_text=Cast("pk", TextField())).values(
                "object_id_text"
            )
            stale = self.entries.filter(content_type_id__in=get_descendants_content_types_pks(model))
            stale.exclude(object_id__in=existing).delete()


class SQLiteIndex(AnalysedIndex):
    def write(self, content_type, rows):
        table = IndexEntry._meta.db_table
        with self.connection.cursor() as cursor:
            for object_id, title, body, autocomplete, _title_text, _body_text in rows:
                cursor.execute(
                    f"UPDATE {table} SET title = %s, body = %s, autocomplete = %s "
                    "WHERE content_type_id = %s AND object_id = %s",
                    [title, body, autocomplete, content_type, object_id],
                )
                if cursor.rowcount == 0:
                    cursor.execute(
                        f"INSERT INTO {table} (content_type_id, object_id, title, body, autocomplete, "
                        "title_norm) VALUES (%s, %s, %s, %s, %s, 1.0)",
                        [content_type, object_id, title, body, autocomplete],
                    )


class PostgresIndex(AnalysedIndex):
    def write(self, content_type, rows):
        table = IndexEntry._meta.db_table
        values = []
        params = []
        for object_id, title, body, autocomplete, title_text, body_text in rows:
            values.append(
                "(%s, %s, setweight(to_tsvector('simple', %s), 'A'), setweight(to_tsvector('simple', %s), 'D'),"
                " to_tsvector('simple', %s), 1.0, %s, %s)"
            )
            params.extend([content_type, object_id, title, body, autocomplete, title_text, body_text])
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (content_type_id, object_id, title, body, autocomplete, title_norm, "
                f"title_text, body_text) VALUES {', '.join(values)} "
                "ON CONFLICT (content_type_id, object_id) DO UPDATE SET title = EXCLUDED.title, "
                "body = EXCLUDED.body, autocomplete = EXCLUDED.autocomplete, "
                "title_text = EXCLUDED.title_text, body_text = EXCLUDED.body_text",
                params,
            )


# How a query runs --------------------------------------------------------------------------


def key_array(ids):
    """Integer keys as one PostgreSQL array literal, for ``= ANY(%s::bigint[])``. Django's
    cursor binds parameters on the client, where psycopg writes a list element by element in
    Python (about 1 ms for 2,000 keys); ``str.join`` takes a twentieth of that."""
    return "{" + ",".join(str(int(pk)) for pk in ids) + "}"


def among(queryset, ids, field="pk"):
    """``queryset.filter(<field>__in=ids)``. On PostgreSQL the ids are one array parameter
    (``= ANY(%s)``): Django and psycopg take about 5 ms to build and bind a list of 2,000
    placeholders, more than the database takes to look the keys up."""
    if connection.vendor != "postgresql":
        return queryset.filter(**{f"{field}__in": ids})
    meta = queryset.model._meta
    column = meta.pk.column if field == "pk" else meta.get_field(field).column
    return queryset.filter(
        RawSQL(
            f'"{meta.db_table}"."{column}" = ANY(%s::bigint[])', [key_array(ids)], output_field=BooleanField()
        )
    )


def _subquery(queryset):
    """The primary keys the caller's queryset allows, as SQL (site, live, public, filters…)."""
    return queryset.order_by().values("pk").query.sql_with_params()


class Matcher:
    """One analysed query against one queryset: ranked ids, count, and the matching ids as SQL."""

    every_match_seen = False  # set when the candidates ranked are known to hold every match
    first_left_out = False  # set when the lists' matches were enough without the first matches

    def __init__(self, tree, queryset, autocomplete=False, scope_fields=()):
        self.tree = tree
        self.queryset = queryset
        self.autocomplete = autocomplete
        self.scope_fields = scope_fields
        self.scoped = {}
        self.content_types = list(get_descendants_content_types_pks(queryset.model))

    def where(self):
        """(FROM-and-WHERE SQL, params) selecting index rows that match and the queryset allows."""
        raise NotImplementedError

    def matching_ids(self):
        """The matching primary keys as a subquery, for ``filter(pk__in=...)`` (facets)."""
        sql, params = self.where()
        return RawSQL(f"SELECT {self.pk_sql} {sql}", params)

    def count(self):
        sql, params = self.where()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) {sql}", params)
            return cursor.fetchone()[0]

    def ranked(self, start=0, stop=None):
        """[(pk, score)] of the matches the queryset allows, best first, ``[start:stop]``.

        With a ``stop``, :func:`search.champions.plan` picks the way. When the counts say the
        matches are few, all are ranked without the scope in the statement; the scope is
        checked on the ranked ids after, a few thousand primary keys instead of the town's
        every page. Otherwise only the candidates are ranked: the champions of the query's
        common terms, every entry of its rarer ones, and the first ``FILL`` matches in index
        order (so that words rarer together than apart still fill the page, and a total of
        「1,000件以上」 stays true). On PostgreSQL the first matches of all of several words
        are looked for only when fewer than ``stop`` of the lists' entries match (``enough``);
        if the scope then keeps fewer than ``stop``, they are looked for after all. Both fall
        back to ranking every match in scope when they cannot answer (another town's pages
        taking the places, or stale counts).
        """
        if stop is None or self.autocomplete:
            return self.ranked_in_scope(start, stop)
        plan = champions.plan(self.tree)
        if plan.estimate <= self.exact_limit:
            rows = self.ranked_anywhere(self.exact_limit + 1)
            if len(rows) <= self.exact_limit:
                return self.in_scope(rows, stop)[start:stop]
        else:
            kept = self.in_scope(self.ranked_anywhere(CANDIDATES + FILL, plan, enough=stop), stop)
            if len(kept) < stop and self.first_left_out:
                # The lists' matches were enough, but other towns' pages took their places.
                kept = self.in_scope(self.ranked_anywhere(CANDIDATES + FILL, plan), stop)
            if len(kept) >= stop or not plan.listed or self.every_match_seen:
                # Without a common term, or with fewer first matches than asked for, the
                # candidates held every match: nothing else to find.
                return kept[start:stop]
        return self.ranked_in_scope(start, stop)

    @property
    def exact_limit(self):
        return EXACT_LIMIT

    def in_scope(self, rows, stop):
        """The first ``stop`` of ``rows`` whose primary key the queryset allows: the first
        ``stop`` and a tenth more are checked, then ``SCOPE_CHUNK`` at a time. The values of
        ``scope_fields`` are kept in ``scoped`` ({pk: values}) for the caller (the search's
        facets need each page's path and type: one statement fewer)."""
        kept = []
        begin = 0
        size = min(SCOPE_CHUNK, stop + stop // 10)
        while begin < len(rows):
            chunk = rows[begin : begin + size]
            allowed = among(self.queryset.order_by(), [pk for pk, _score in chunk]).values_list(
                "pk", *self.scope_fields
            )
            for pk, *values in allowed:
                self.scoped[pk] = values
            kept.extend(row for row in chunk if row[0] in self.scoped)
            if len(kept) >= stop:
                break
            begin += size
            size = SCOPE_CHUNK
        return kept[:stop]

    def candidates(self, plan, fill=True):
        """(SQL, params) of the entry ids to look at: the lists' best entries, the rarer terms'
        entries and the first matches.

        With ``narrow`` (PostgreSQL, where checking a candidate costs more than FTS5's
        bm25()), each list gives at most three quarters of itself and the rarer terms only
        their entries that match the whole query, at most ``RARER``; SQLite looks at all
        the rarer terms' entries, which its full-text match finds cheaper than the narrower
        query. Without ``fill``, the first matches are left out (the caller adds them).
        """
        champion_table = Champion._meta.db_table
        per_term = champions.candidates_per_term(len(plan.listed), CANDIDATES, cap=self.narrow)
        parts, params = [], []
        for number, term_id in enumerate(plan.listed):
            parts.append(
                f"SELECT entry_id FROM (SELECT entry_id FROM {champion_table} WHERE term_id = %s "
                f"ORDER BY impact DESC LIMIT %s) AS list{number}"
            )
            params.extend([term_id, per_term])
        if plan.rarer is not None and self.narrow:
            sql, rarer_params = self.entries_matching(analysis.AllOf((self.tree, plan.rarer)))
            parts.append(f"SELECT entry_id FROM ({sql} LIMIT %s) AS rarer")
            params.extend([*rarer_params, RARER])
        elif plan.rarer is not None:
            sql, rarer_params = self.entries_matching(plan.rarer)
            parts.append(sql)
            params.extend(rarer_params)
        if fill:
            fill_sql, fill_params = self.entries_matching(self.tree)
            parts.append(f"SELECT entry_id FROM ({fill_sql} LIMIT %s) AS fill")
            params.extend([*fill_params, FILL])
        return " UNION ".join(parts), params

    def ranked_in_scope(self, start=0, stop=None):
        sql, params = self.where()
        rank_sql, rank_params = self.rank()
        limit = -1 if stop is None else stop - start
        if connection.vendor == "postgresql" and stop is None:
            limit = "ALL"
            paging = f"LIMIT {limit} OFFSET %s"
            page_params = [start]
        else:
            paging = "LIMIT %s OFFSET %s"
            page_params = [limit, start]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {self.pk_sql}, {rank_sql} AS score {sql} "
                f"ORDER BY score {self.score_order}, 1 DESC {paging}",
                [*rank_params, *params, *page_params],
            )
            return cursor.fetchall()


class SQLiteMatcher(Matcher):
    pk_sql = "CAST(e.object_id AS INTEGER)"
    score_order = "ASC"  # FTS5's bm25() is negative: the lower, the better
    narrow = False

    def ranked_anywhere(self, limit, plan=None, enough=None):
        """[(pk, score)] of matches anywhere in the index (the scope is checked after), best first.

        With a ``plan``, only its candidates: FTS5 walks the match once, each row is looked up
        in the candidates (built once), and bm25() is computed for the candidates alone. The
        unary ``+`` keeps ``rowid IN`` away from FTS5, which would otherwise start a new
        full-text query, and count the term's pages again, for each candidate.
        """
        fts = f"{IndexEntry._meta.db_table}_fts"
        rank_sql, rank_params = self.rank()
        among, among_params = "", []
        if plan is not None:
            candidates_sql, among_params = self.candidates(plan)
            among = f"AND +{fts}.rowid IN ({candidates_sql}) "
        placeholders = ", ".join(["%s"] * len(self.content_types))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {self.pk_sql}, {rank_sql} AS score FROM {fts} "
                f"JOIN {IndexEntry._meta.db_table} e ON e.id = {fts}.rowid "
                f"WHERE {fts} MATCH %s {among}AND e.content_type_id IN ({placeholders}) "
                f"ORDER BY score {self.score_order}, 1 DESC LIMIT %s",
                [*rank_params, self.match(), *among_params, *self.content_types, limit],
            )
            return cursor.fetchall()

    def match(self, tree=None):
        columns = "{autocomplete}" if self.autocomplete else "{title body}"
        return f"{columns} : {analysis.to_fts5(tree or self.tree)}"

    def entries_matching(self, tree):
        fts = f"{IndexEntry._meta.db_table}_fts"
        return f"SELECT rowid AS entry_id FROM {fts} WHERE {fts} MATCH %s", [self.match(tree)]

    def where(self):
        fts = f"{IndexEntry._meta.db_table}_fts"
        sub_sql, sub_params = _subquery(self.queryset)
        placeholders = ", ".join(["%s"] * len(self.content_types))
        sql = (
            f"FROM {fts} JOIN {IndexEntry._meta.db_table} e ON e.id = {fts}.rowid "
            f"WHERE {fts} MATCH %s AND e.content_type_id IN ({placeholders}) "
            f"AND CAST(e.object_id AS INTEGER) IN ({sub_sql})"
        )
        return sql, [self.match(), *self.content_types, *sub_params]

    def rank(self):
        fts = f"{IndexEntry._meta.db_table}_fts"
        weights = ", ".join(str(weight) for weight in SQLITE_WEIGHTS)
        if self.autocomplete:
            weights = "1.0, 0.0, 0.0"
        return f"bm25({fts}, {weights})", []


class PostgresMatcher(Matcher):
    pk_sql = "e.object_id::integer"
    score_order = "DESC"
    narrow = True

    def vector(self):
        return "e.autocomplete" if self.autocomplete else "(e.title || e.body)"

    def where(self):
        sub_sql, sub_params = _subquery(self.queryset)
        placeholders = ", ".join(["%s"] * len(self.content_types))
        sql = (
            f"FROM {IndexEntry._meta.db_table} e "
            f"WHERE {self.vector()} @@ to_tsquery('simple', %s) AND e.content_type_id IN ({placeholders}) "
            f"AND e.object_id::integer IN ({sub_sql})"
        )
        return sql, [analysis.to_tsquery(self.tree), *self.content_types, *sub_params]

    @property
    def exact_limit(self):
        # Ranking title || body builds a new vector for every row: 20 µs a row, so 1,500 rows
        # in 30 ms. Beyond, the candidates are ranked field by field (below).
        return min(EXACT_LIMIT, POSTGRES_EXACT_LIMIT)

    def rank(self):
        return (
            f"ts_rank('{POSTGRES_WEIGHTS}', {self.vector()}, to_tsquery('simple', %s))",
            [analysis.to_tsquery(self.tree)],
        )

    def rank_by_field(self):
        """ts_rank of the title and of the body, added up: a third of the cost of ranking
        ``title || body``, which builds a new vector for each row. It weighs words found in
        different fields a little differently, so it ranks only the candidates of a query with
        many matches, never the few matches of the relevance set."""
        query = analysis.to_tsquery(self.tree)
        weights = f"'{POSTGRES_WEIGHTS}'"
        return (
            f"ts_rank({weights}, e.title, to_tsquery('simple', %s)) "
            f"+ ts_rank({weights}, e.body, to_tsquery('simple', %s))",
            [query, query],
        )

    def ranked_anywhere(self, limit, plan=None, enough=None):
        """[(pk, score)] of matches anywhere in the index (the scope is checked after), best first.

        With a ``plan``, only among its candidates. When a common word matches alone, they are
        looked up by key (an array: joined, PostgreSQL would rather test ``@@`` on every row of
        the index), in one statement. Otherwise (all of several words): the lists' entries'
        ids, then the ranking of those that match, left only bitmap scans so that PostgreSQL
        may AND their keys with the GIN index's matches and read only the entries that match
        (each read costs 15–25 µs); with ``enough`` (the caller's ``stop``), that is all when
        as many match; otherwise the first matches in index order are found, and those the
        lists did not give are ranked too (never tested again: the GIN index found them).
        """
        placeholders = ", ".join(["%s"] * len(self.content_types))
        query = analysis.to_tsquery(self.tree)
        order = f"ORDER BY score {self.score_order}, 1 DESC LIMIT %s"
        if plan is None:
            rank_sql, rank_params = self.rank()
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {self.pk_sql}, {rank_sql} AS score FROM {IndexEntry._meta.db_table} e "
                    f"WHERE {self.vector()} @@ to_tsquery('simple', %s) "
                    f"AND e.content_type_id IN ({placeholders}) {order}",
                    [*rank_params, query, *self.content_types, limit],
                )
                return cursor.fetchall()
        rank_sql, rank_params = self.rank_by_field()
        scored = f"SELECT {self.pk_sql}, {rank_sql} AS score FROM {IndexEntry._meta.db_table} e"
        of_types = f"e.content_type_id IN ({placeholders})"
        with transaction.atomic(), connection.cursor() as cursor:
            if plan.listed_alone:
                # A word that matches alone: its list holds only matches, and the GIN index's
                # matches would be most of the index. The candidates are looked up by key; the
                # lists' are tested on the title or the body, joined only if neither has the
                # words (a list of a word that matches only with another, 健康 of 健康 & 診査,
                # holds entries without the other). The first matches are looked for only if
                # the lists and rarer terms give fewer than FILL_BELOW entries (a question's
                # cost 20 ms to find, for pages that rank below the lists'): the WHERE is a
                # one-time filter, run before the fill. They match, so they are not tested.
                listed_sql, listed_params = self.candidates(plan, fill=False)
                fill_sql, fill_params = self.entries_matching(self.tree)
                with planner_settings(cursor, enable_seqscan="off"):
                    cursor.execute(
                        f"WITH listed AS MATERIALIZED ({listed_sql}), few AS MATERIALIZED ("
                        f"SELECT entry_id FROM ({fill_sql} LIMIT %s) AS first "
                        "WHERE (SELECT COUNT(*) FROM listed) < %s) "
                        f"({scored} WHERE e.id = ANY(ARRAY(SELECT entry_id FROM listed EXCEPT "
                        "SELECT entry_id FROM few)) AND (e.title @@ to_tsquery('simple', %s) "
                        "OR e.body @@ to_tsquery('simple', %s) OR (e.title || e.body) @@ to_tsquery('simple', %s)) "
                        f"AND {of_types}) UNION ALL ({scored} WHERE e.id = ANY(ARRAY(SELECT entry_id FROM few)) "
                        f"AND {of_types}) {order}",
                        [
                            *listed_params,
                            *fill_params,
                            FILL,
                            FILL_BELOW,
                            *rank_params,
                            query,
                            query,
                            query,
                            *self.content_types,
                            *rank_params,
                            *self.content_types,
                            limit,
                        ],
                    )
                    return cursor.fetchall()
            # All of several words. The lists' entries are ranked first, with only bitmap scans
            # allowed, so that PostgreSQL may AND their keys with the GIN index's matches and
            # never read one without a word; when it would rather test them one by one (the
            # words are on most pages), only they are tested. When ``enough`` of them match
            # (子ども 医療費, 3歳), that is the answer: the first matches in index order would
            # add pages that none of the words weighs most in, for 15–30 ms at 100,000 pages.
            listed_sql, listed_params = self.candidates(plan, fill=False)
            fill_sql, fill_params = self.entries_matching(self.tree)
            with planner_settings(cursor, enable_seqscan="off"):
                cursor.execute(listed_sql, listed_params)
                listed = {row[0] for row in cursor.fetchall()}
                with planner_settings(cursor, enable_indexscan="off"):
                    cursor.execute(
                        f"{scored} WHERE e.id = ANY(%s::integer[]) AND (e.title || e.body) @@ "
                        f"to_tsquery('simple', %s) AND {of_types} {order}",
                        [*rank_params, key_array(sorted(listed)), query, *self.content_types, limit],
                    )
                    rows = cursor.fetchall()
                self.first_left_out = enough is not None and len(rows) >= enough
                if self.first_left_out:
                    return rows
                # The first matches are found through the GIN index: with a LIMIT the planner
                # would rather scan the table, joining each row's title and body to test it.
                # When there are fewer than FILL, they are every match, and so is what is
                # ranked. They match, so they are ranked without a test (testing them cost
                # 15 ms for 保育園 申込み), and only those the lists did not give.
                cursor.execute(f"{fill_sql} LIMIT %s", [*fill_params, FILL])
                first = {row[0] for row in cursor.fetchall()}
                self.every_match_seen = len(first) < FILL
                cursor.execute(
                    f"{scored} WHERE e.id = ANY(%s::integer[]) AND {of_types} {order}",
                    [*rank_params, key_array(sorted(first - listed)), *self.content_types, limit],
                )
                rows += cursor.fetchall()
            return sorted(rows, key=lambda row: (-row[1], -row[0]))[:limit]

    def entries_matching(self, tree):
        return (
            f"SELECT id AS entry_id FROM {IndexEntry._meta.db_table} "
            f"WHERE (title || body) @@ to_tsquery('simple', %s)",
            [analysis.to_tsquery(tree)],
        )


@contextmanager
def planner_settings(cursor, **settings):
    """PostgreSQL planner settings for the statements run inside, put back after: inside an
    outer transaction ``SET LOCAL`` would outlive the block. Use it inside ``atomic()``: if a
    statement fails, rolling back its savepoint puts the settings back."""
    previous = {}
    for name, value in settings.items():
        cursor.execute("SELECT current_setting(%s), set_config(%s, %s, true)", [name, name, value])
        previous[name] = cursor.fetchone()[0]
    yield
    for name, value in previous.items():
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


def matcher_for(tree, queryset, autocomplete=False, scope_fields=()):
    if connection.vendor == "postgresql":
        return PostgresMatcher(tree, queryset, autocomplete, scope_fields)
    if connection.vendor == "sqlite":
        return SQLiteMatcher(tree, queryset, autocomplete, scope_fields)
    raise ImproperlyConfigured("search.backends supports SQLite and PostgreSQL.")


# modelsearch's interface ------------------------------------------------------------------


class AnalysedQueryCompiler(BaseSearchQueryCompiler):
    autocomplete = False

    def check(self):
        """Any queryset may be searched: it is applied as SQL, not translated into index filters."""

    @property
    def tree(self):
        return tree_for(self.query, prefix_last=self.autocomplete)

    def matcher(self):
        return matcher_for(self.tree, self.queryset, autocomplete=self.autocomplete)


class AnalysedAutocompleteCompiler(AnalysedQueryCompiler):
    autocomplete = True


class AnalysedSearchResults(BaseSearchResults):
    supports_facet = True

    def _do_search(self):
        compiler = self.query_compiler
        queryset = compiler.queryset
        if isinstance(compiler.query, MatchAll):
            return list(queryset[self.start : self.stop])
        if compiler.tree is None:
            return []
        matcher = compiler.matcher()
        if not compiler.order_by_relevance:
            return list(queryset.filter(pk__in=matcher.matching_ids())[self.start : self.stop])
        ranked = matcher.ranked(self.start, self.stop)
        objects = queryset.in_bulk([pk for pk, _score in ranked])
        if self.prefetch_related:
            # in_bulk ignores prefetches asked of the results; apply them to the found objects
            from django.db.models import prefetch_related_objects

            prefetch_related_objects(list(objects.values()), *self.prefetch_related)
        results = []
        for pk, score in ranked:
            obj = objects.get(pk)
            if obj is None:
                continue
            if self._score_field:
                setattr(obj, self._score_field, score)
            results.append(obj)
        return results

    def _do_count(self):
        compiler = self.query_compiler
        if isinstance(compiler.query, MatchAll):
            return compiler.queryset.count()
        if compiler.tree is None:
            return 0
        count = compiler.matcher().count()
        if self.stop is not None:
            count = min(count, self.stop)
        return max(0, count - self.start)

    def facet(self, field_name):
        compiler = self.query_compiler
        if compiler._get_filterable_field(field_name) is None:
            raise FilterFieldError(
                f'Cannot facet search results with field "{field_name}". '
                f"Please add index.FilterField('{field_name}') to "
                f"{compiler.queryset.model.__name__}.search_fields.",
                field_name=field_name,
            )
        if compiler.tree is None:
            return OrderedDict()
        matching = compiler.queryset.model._default_manager.filter(pk__in=compiler.matcher().matching_ids())
        rows = matching.values(field_name).annotate(count=Count("pk")).order_by("-count")
        return OrderedDict((row[field_name], row["count"]) for row in rows)


class Rebuilder:
    def __init__(self, index):
        self.index = index

    def start(self):
        self.index.delete_stale_entries()
        self.index.counting = False
        return self.index

    def finish(self):
        # update_index prints a dot per chunk; so does the count, one per 1,000 entries a pass.
        sys.stdout.write("search: counting terms for the champion lists ")
        sys.stdout.flush()

        def dot():
            sys.stdout.write(".")
            sys.stdout.flush()

        champions.rebuild(progress=dot)
        sys.stdout.write("\n")
        self.index.counting = True


class JapaneseDatabaseBackend(BaseSearchBackend):
    query_compiler_class = AnalysedQueryCompiler
    autocomplete_query_compiler_class = AnalysedAutocompleteCompiler
    results_class = AnalysedSearchResults
    rebuilder_class = Rebuilder


class SQLiteBackend(JapaneseDatabaseBackend):
    index_class = SQLiteIndex


class PostgresBackend(JapaneseDatabaseBackend):
    index_class = PostgresIndex


def SearchBackend(params):  # modelsearch looks the backend up by this name
    if connection.vendor == "postgresql":
        return PostgresBackend(params)
    if connection.vendor == "sqlite":
        return SQLiteBackend(params)
    raise ImproperlyConfigured("search.backends supports SQLite and PostgreSQL.")
