"""Champion lists: how the embedded index ranks a very common word without scoring every page.

FTS5's ``bm25()`` and PostgreSQL's ``ts_rank()`` score every row that matches. At 100,000 pages
保育園 is on two thirds of them, and scoring them all takes 60–120 ms on SQLite and over a second
on PostgreSQL, while a parent sees the first ten. So, as the index is written, this module keeps
what search engines keep for this (*champion lists*, Manning, Raghavan and Schütze,
*Introduction to Information Retrieval*, §7.1.3):

- for every term, on how many index entries it is (:class:`search.models.IndexTerm`);
- for each term on more than ``LIST_FROM`` entries, its *champion list*
  (:class:`search.models.Champion`): every entry where the term weighs more than the list's
  ``floor``, with that weight (BM25's term-frequency part, a title occurrence counting
  ``TITLE_WEIGHT`` times, as the search ranks them). The list holds about ``LIST_LENGTH`` to
  ``2 × LIST_LENGTH`` entries: an entry written later joins it if it weighs more than the
  floor, and when it passes ``2 × LIST_LENGTH`` the floor rises to its ``LIST_LENGTH``-th
  weight and the lighter ones are dropped. Removing an entry removes it from every list. So a
  list always holds every entry above its floor.

:func:`plan` then tells :mod:`search.backends` how to answer a query tree: with few matches
(estimated from the counts: all words together match at most as many entries as the rarest,
any of them at most the sum) every match is ranked, as before; with many, only the champions
of the query's common terms, every entry of its rarer terms and its first matches in index
order are matched and ranked, with the same score, so a query costs about the same at 100,000
pages as at 5,000. One-word queries get exactly the same results (the best 1,001 of a word are
on its list); several common words together get the best of the entries where one of them
weighs most, which is where the best pages are.

``manage.py update_index`` counts everything afresh at its end (:func:`rebuild`), which is also
how an index written before this module is brought up to date.
"""

import heapq
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F, Q
from modelsearch.conf import get_app_config

from . import analysis
from .models import Champion, IndexTerm

IndexEntry = get_app_config().get_model("IndexEntry", require_ready=False)

LIST_FROM = 5000  # a term on more entries than this has a champion list (search.backends.EXACT_LIMIT)
LIST_LENGTH = 2000  # a list keeps its best LIST_LENGTH entries once it passes twice that
TITLE_WEIGHT = 5.0  # a title counts five times in the ranking too (search.backends)
K1 = 1.2
B = 0.75
AVERAGE_LENGTH = 300.0  # terms in an entry's title and body, for the length normalisation
MAX_TERM_LENGTH = 100
MIN_PER_TERM = 200
CHUNK = 1000
MAX_PREFIX_TERMS = 200  # the most used terms a prefix stands for (歯* → 歯科, 歯みがき…)
TSVECTOR_LEXEME = re.compile(r"'((?:[^']|'')+)'(?::([0-9A-D,]+))?")


def impact(title_count, body_count, length):
    """A term's weight in one entry: BM25's saturating term frequency, title counted five times."""
    frequency = TITLE_WEIGHT * title_count + body_count
    if frequency <= 0:
        return 0.0
    norm = K1 * (1 - B + B * length / AVERAGE_LENGTH)
    return frequency * (K1 + 1) / (frequency + norm)


class Document:
    """The terms of one index entry, counted per field."""

    __slots__ = ("body", "entry_id", "length", "terms", "title")

    def __init__(self, entry_id, title, body):
        self.entry_id = entry_id
        self.title = title
        self.body = body
        self.length = sum(title.values()) + sum(body.values())
        self.terms = frozenset(term for term in (*title, *body) if len(term) <= MAX_TERM_LENGTH)

    def impact(self, term):
        return impact(self.title.get(term, 0), self.body.get(term, 0), self.length)


def document(entry_id, title_terms, body_terms):
    return Document(entry_id, Counter(title_terms), Counter(body_terms))


# Reading what is stored ---------------------------------------------------------------------


def _tsvector_counts(text):
    """{lexeme: occurrences} of a tsvector's text ('保育園':3,17 'ホイクエン':4)."""
    counts = Counter()
    for lexeme, positions in TSVECTOR_LEXEME.findall(text or ""):
        counts[lexeme.replace("''", "'")] += positions.count(",") + 1 if positions else 1
    return counts


def read_documents(where, params):
    """The :class:`Document` of each index entry that ``where`` (SQL on ``e``) selects."""
    table = IndexEntry._meta.db_table
    if connection.vendor == "postgresql":
        sql = f"SELECT e.id, e.object_id, e.title::text, e.body::text FROM {table} e WHERE {where}"
    else:
        sql = f"SELECT e.id, e.object_id, e.title, e.body FROM {table} e WHERE {where}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = {}
    for entry_id, object_id, title, body in rows:
        if connection.vendor == "postgresql":
            found[object_id] = Document(entry_id, _tsvector_counts(title), _tsvector_counts(body))
        else:
            found[object_id] = document(entry_id, (title or "").split(), (body or "").split())
    return found


def entries_of(content_type_id, object_ids):
    """{object id: Document} of the entries already written for these objects."""
    found = {}
    object_ids = list(object_ids)
    for start in range(0, len(object_ids), CHUNK):
        chunk = object_ids[start : start + CHUNK]
        placeholders = ", ".join(["%s"] * len(chunk))
        found.update(
            read_documents(
                f"e.content_type_id = %s AND e.object_id IN ({placeholders})", [content_type_id, *chunk]
            )
        )
    return found


# Keeping the counts and the lists -----------------------------------------------------------


def record(removed=(), added=()):
    """Count ``added`` :class:`Document` s in and ``removed`` ones out, and keep the lists.

    An entry rewritten is both: its old terms removed, its new ones added.
    """
    removed, added = list(removed), list(added)
    if not removed and not added:
        return
    delta = Counter()
    for doc in removed:
        delta.subtract(doc.terms)
    for doc in added:
        delta.update(doc.terms)
    with transaction.atomic():
        _count(delta)
        if removed:
            _drop_champions([doc.entry_id for doc in removed])
        touched = set()
        for doc in added:
            touched |= doc.terms
        listed, crossing = _states(touched)
        new_rows = []
        changed = set()
        for doc in added:
            for term in doc.terms & listed.keys():
                state = listed[term]
                weight = doc.impact(term)
                if weight > state.floor:
                    new_rows.append((state.pk, doc.entry_id, weight))
                    state.listed += 1
                    changed.add(term)
        _insert_champions(new_rows)
        if crossing:
            _build(crossing)
        for term in changed:
            if listed[term].listed > 2 * LIST_LENGTH:
                _prune(listed[term])
        _save_states([listed[term] for term in changed])


def _insert_champions(rows):
    """Insert (term id, entry id, impact) rows (executemany: Django's bulk_create costs more
    than the insert itself for the tens of thousands a rebuild writes)."""
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {Champion._meta.db_table} (term_id, entry_id, impact) VALUES (%s, %s, %s)", rows
        )


def _save_states(states):
    if not states:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {IndexTerm._meta.db_table} SET floor = %s, listed = %s WHERE id = %s",
            [(state.floor, state.listed, state.pk) for state in states],
        )


def _count(delta):
    table = IndexTerm._meta.db_table
    rows = [(term, change) for term, change in delta.items() if change]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            values = ", ".join(["(%s, %s, 0)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (term, documents, listed) VALUES {values} "
                f"ON CONFLICT (term) DO UPDATE SET documents = {table}.documents + excluded.documents",
                [value for row in chunk for value in row],
            )


def _states(terms):
    """({term: IndexTerm} of listed terms, [IndexTerm] of terms that now need a list)."""
    listed, crossing = {}, []
    terms = list(terms)
    for start in range(0, len(terms), CHUNK):
        rows = IndexTerm.objects.filter(term__in=terms[start : start + CHUNK]).filter(
            Q(documents__gt=LIST_FROM) | Q(floor__isnull=False)
        )
        for state in rows:
            if state.floor is not None:
                listed[state.term] = state
            else:
                crossing.append(state)
    return listed, crossing


def _drop_champions(ids):
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = Champion.objects.filter(entry_id__in=chunk)
        lost = Counter(rows.values_list("term_id", flat=True))
        if not lost:
            continue
        rows._raw_delete(rows.db)
        by_count = {}
        for term_id, count in lost.items():
            by_count.setdefault(count, []).append(term_id)
        for count, term_ids in by_count.items():
            IndexTerm.objects.filter(pk__in=term_ids).update(listed=F("listed") - count)


def _build(states):
    """Give each term in ``states`` its list, from every entry that holds it."""
    terms = {state.term for state in states}
    weights = {term: [] for term in terms}
    tree = analysis.any_of(analysis.Term(term) for term in terms)
    for entry_id, length, counts in _frequencies(tree, terms):
        for term, (title_count, body_count) in counts.items():
            weights[term].append((impact(title_count, body_count, length), entry_id))
    rows = []
    for state in states:
        found = sorted(weights[state.term], reverse=True)
        if len(found) > 2 * LIST_LENGTH:
            state.floor = found[LIST_LENGTH - 1][0]
            found = [row for row in found if row[0] >= state.floor]
        else:
            state.floor = 0.0
        state.listed = len(found)
        rows.extend(
            Champion(term_id=state.pk, entry_id=entry_id, impact=weight) for weight, entry_id in found
        )
    Champion.objects.filter(term_id__in=[state.pk for state in states])._raw_delete(Champion.objects.db)
    Champion.objects.bulk_create(rows, batch_size=CHUNK)
    IndexTerm.objects.bulk_update(states, ["floor", "listed"], batch_size=CHUNK)


def _frequencies(tree, terms):
    """(entry id, length, {term: (title count, body count)}) of each entry holding a term of
    ``tree``, counting only ``terms`` (a text search per term, not a count of every word)."""
    table = IndexEntry._meta.db_table
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute(
                f"SELECT id FROM {table} WHERE (title || body) @@ to_tsquery('simple', %s) ORDER BY id",
                [analysis.to_tsquery(tree)],
            )
        else:
            cursor.execute(
                f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH %s ORDER BY rowid",
                ["{title body} : " + analysis.to_fts5(tree)],
            )
        ids = [row[0] for row in cursor.fetchall()]
        cast = "::text" if postgres else ""
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT id, title{cast}, body{cast} FROM {table} WHERE id IN ({placeholders})", chunk
            )
            for entry_id, title, body in cursor.fetchall():
                if postgres:
                    title_counts, body_counts = _tsvector_counts(title), _tsvector_counts(body)
                    counts = {
                        term: (title_counts.get(term, 0), body_counts.get(term, 0))
                        for term in terms
                        if term in title_counts or term in body_counts
                    }
                    length = sum(title_counts.values()) + sum(body_counts.values())
                else:
                    title, body = f" {title or ''} ", f" {body or ''} "
                    counts = {}
                    for term in terms:
                        needle = f" {term} "
                        found = (title.count(needle), body.count(needle))
                        if found != (0, 0):
                            counts[term] = found
                    length = title.count(" ") + body.count(" ") - 2
                yield entry_id, length, counts


def _prune(state):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT impact FROM {Champion._meta.db_table} WHERE term_id = %s "
            "ORDER BY impact DESC LIMIT 1 OFFSET %s",
            [state.pk, LIST_LENGTH - 1],
        )
        row = cursor.fetchone()
        if row is None:  # fewer rows than counted (another writer pruned it): count them
            state.listed = Champion.objects.filter(term_id=state.pk).count()
            return
        state.floor = row[0]
        cursor.execute(
            f"DELETE FROM {Champion._meta.db_table} WHERE term_id = %s AND impact < %s",
            [state.pk, state.floor],
        )
        state.listed -= cursor.rowcount


def forget_entries(ids):
    """Count out the index entries with these ids, before they are deleted."""
    placeholders = ", ".join(["%s"] * len(ids))
    record(removed=read_documents(f"e.id IN ({placeholders})", list(ids)).values())


def reset():
    Champion.objects.all()._raw_delete(Champion.objects.db)
    IndexTerm.objects.all()._raw_delete(IndexTerm.objects.db)


def rebuild(progress=None):
    """Count every entry of the index afresh and build the lists (``update_index`` ends with it).

    Two passes over the entries: the counts, then each common term's best ``LIST_LENGTH``.
    """
    with transaction.atomic():
        reset()
        counts = Counter()
        for docs in _every_document(progress):
            for doc in docs:
                counts.update(doc.terms)
        common = {term for term, count in counts.items() if count > LIST_FROM}
        best = {term: [] for term in common}
        for docs in _every_document(progress):
            for doc in docs:
                for term in doc.terms & common:
                    heap = best[term]
                    weight = (doc.impact(term), doc.entry_id)
                    if len(heap) < LIST_LENGTH:
                        heapq.heappush(heap, weight)
                    elif weight > heap[0]:
                        heapq.heapreplace(heap, weight)
        states = [
            IndexTerm(
                term=term,
                documents=count,
                floor=(best[term][0][0] if count > len(best[term]) else 0.0) if term in common else None,
                listed=len(best.get(term, ())),
            )
            for term, count in counts.items()
        ]
        IndexTerm.objects.bulk_create(states, batch_size=CHUNK)
        ids = dict(IndexTerm.objects.filter(floor__isnull=False).values_list("term", "pk"))
        _insert_champions(
            [(ids[term], entry_id, weight) for term, heap in best.items() for weight, entry_id in heap]
        )


def _every_document(progress=None):
    table = IndexEntry._meta.db_table
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {table} WHERE id > %s ORDER BY id LIMIT %s", [last, CHUNK])
            ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return
        placeholders = ", ".join(["%s"] * len(ids))
        yield list(read_documents(f"e.id IN ({placeholders})", ids).values())
        last = ids[-1]
        if progress:
            progress()


# Planning a query ---------------------------------------------------------------------------


@dataclass
class Plan:
    """How to answer a query tree: its estimated matches, and where to look when they are many."""

    estimate: int  # at most this many matches (all words: the rarest part; any: the sum)
    listed: list = field(default_factory=list)  # ids of the tree's terms that have a list
    rarer: object = None  # a tree of its other terms (every entry of theirs is looked at)
    # Whether a listed term matches on its own (the query is that word, or any of several
    # words one of which it is): then every entry of its list is a match.
    listed_alone: bool = False


def plan(tree):
    exact = set()
    prefixes = set()
    for term in analysis.terms_of(tree):
        (prefixes if term.prefix else exact).add(term.text)
    states = {row.term: row for row in IndexTerm.objects.filter(term__in=exact)} if exact else {}
    expanded = {prefix: _prefix_terms(prefix) for prefix in prefixes}
    listed = {state.pk for state in states.values() if state.floor is not None}
    rarer = [analysis.Term(term) for term in exact if term not in states or states[term].floor is None]
    for rows in expanded.values():
        listed |= {row.pk for row in rows if row.floor is not None}
        rarer.extend(analysis.Term(row.term) for row in rows if row.floor is None)

    def count(node):
        if node.prefix:
            return sum(row.documents for row in expanded[node.text])
        state = states.get(node.text)
        return state.documents if state else 0

    def estimate(node):
        if isinstance(node, analysis.Term):
            return count(node)
        counts = [estimate(part) for part in node.parts]
        return min(counts) if isinstance(node, analysis.AllOf) else sum(counts)

    alone = tree.parts if isinstance(tree, analysis.AnyOf) else (tree,)
    return Plan(
        estimate=estimate(tree) if tree is not None else 0,
        listed=sorted(listed),
        rarer=analysis.any_of(rarer),
        listed_alone=any(
            isinstance(part, analysis.Term)
            and not part.prefix
            and part.text in states
            and states[part.text].floor is not None
            for part in alone
        ),
    )


def _prefix_terms(prefix):
    """The index's terms that start with ``prefix``: those with a list, and the most used others."""
    rows = IndexTerm.objects.filter(documents__gt=0)
    if connection.vendor == "sqlite":
        # BINARY order: every term starting with the prefix sorts between it and prefix + U+10FFFF.
        rows = rows.filter(term__gte=prefix, term__lt=prefix + "\U0010ffff")
    else:
        rows = rows.filter(term__startswith=prefix)
    return list(rows.order_by("-documents")[:MAX_PREFIX_TERMS])


def candidates_per_term(listed_count, budget, cap=True):
    """How many of each list's best entries to look at: ``budget`` in all, shared out (a long
    question's many words get fewer each, never under ``MIN_PER_TERM``; with ``cap``, one word
    no more than three quarters of its list, since the first matches fill the rest)."""
    if not listed_count:
        return 0
    shared = max(MIN_PER_TERM, math.ceil(budget / listed_count))
    return min(LIST_LENGTH * 3 // 4, shared) if cap else shared
