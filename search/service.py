"""One search over a municipality's public content, the same for the search page, the
autocomplete and API v2's ``?search=``.

:func:`search` analyses the query (with the town's synonyms), runs it on the database index or,
with ``SEARCH_URL`` set, on Elasticsearch, and returns hits with their section and a snippet
with the matched words highlighted, facet counts by section, content type and life stage,
the town's promoted results for the query, and a 「もしかして」 suggestion when nothing matched.

Only live pages without a view restriction, in the requesting town's tree (and its
translations), are ever searched: the scoping is a queryset the engine runs inside, so a draft,
a private page or another town's page cannot be ranked, counted in a facet or suggested.

With ``threads=True`` (the search page and its autocomplete), the town's public board threads
are searched too, by either engine (the relevance bench and other callers keep to pages by
default): each is a :class:`search.models.BoardThread` row holding its title and the bodies of its
published posts only (kept by :mod:`search.community_index`), analysed like a page, ranked by
the same score in the same index and merged with the pages by score; with ``SEARCH_URL`` the
same rows are sent to Elasticsearch as ``thread`` documents (:mod:`search.indexing`), and a hit
is shown only while its row is still in the town's scope. A thread shows under
「掲示板・ブログ」 (section ``community``) with the content type 「掲示板」 (``boardthread``).
Private boards, threads whose opening post is not published and other towns' threads have no
row in the scope, so they are never ranked, counted or suggested. API v2's ``?search=`` and
「もしかして」 stay pages only.
"""

import hashlib
import logging
import math
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from wagtail.models import Locale, Page

from home.models import LifeStage, SectionPage
from home.page_cache import generation, per_generation, restricted_paths
from home.roles import SECTIONS

from . import analysis, community_index
from .backends import among, document, matcher_for
from .models import BoardThread, Promotion, QueryStat, normalise_query, synonym_map

logger = logging.getLogger(__name__)
MAX_QUERY_LENGTH = 100
PER_PAGE = 10
SNIPPET_LENGTH = 110
SNIPPET_LEAD = 20
SNIPPET_WINDOW = 240
FACETS = ("section", "type", "stage")
MAX_MATCHES = 1000
VOCABULARY_TITLES = 3000  # the latest titles: enough words, and rebuilt in well under a second
MATCHES_CACHE_SECONDS = 10 * 60
LATIN = re.compile(r"[A-Za-z]{2,}")
THREAD_TYPE = BoardThread._meta.model_name  # "boardthread": the content-type facet's key
THREAD_TYPE_LABEL = "掲示板"
THREAD_SECTION = "community"


def thread_url(board_slug, thread_id):
    """The address of a board thread (``community:thread``; the board's path until it exists)."""
    try:
        return reverse("community:thread", args=[board_slug, thread_id])
    except NoReverseMatch:
        return f"/keijiban/{board_slug}/{thread_id}/"


@dataclass
class Hit:
    page: Page
    title: str
    url: str
    section: str
    type_label: str
    snippet: str
    score: float = 0.0
    promoted: bool = False
    description: str = ""
    english_title: str = ""
    matched_expansions: list = field(default_factory=list)
    thread_id: int | None = None  # a board thread's hit (``page`` is then None)


@dataclass
class FacetOption:
    key: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchResults:
    query: str
    filters: dict
    hits: list = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = PER_PAGE
    facets: dict = field(default_factory=dict)
    promotions: list = field(default_factory=list)
    suggestion: str = ""
    corrected: str = ""
    relaxed: bool = False
    capped: bool = False
    tree: object = None
    expansions: list = field(default_factory=list)

    @property
    def num_pages(self):
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def start_index(self):
        return (self.page - 1) * self.per_page + 1

    @property
    def has_previous(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.num_pages


# Scope and filters ------------------------------------------------------------------------


def public_pages(site):
    """Live pages anyone may read in the town's tree and its translations' trees.

    Wagtail's ``public()`` reads every view restriction on each call; the restricted paths and
    the town's trees are kept per generation instead (a restriction saved or deleted, and a
    page published, moved or deleted, renew them: :mod:`home.page_cache`)."""
    if site is None:
        return Page.objects.none()
    hidden, trees = _scope(site)
    pages = Page.objects.live()
    if hidden:
        pages = pages.exclude(_under(hidden))
    return pages.filter(_under(trees))


def _scope(site):
    """(paths of the restricted pages that can hide one of the town's pages: in its trees or
    above them, paths of the town's root and of its translations)."""
    trees = per_generation(
        site.pk,
        "search-trees",
        lambda: tuple(site.root_page.get_translations(inclusive=True).values_list("path", flat=True)),
    )
    hidden = [
        path
        for path in restricted_paths(site.pk)
        if any(path.startswith(tree) or tree.startswith(path) for tree in trees)
    ]
    return hidden, trees


def _under(paths):
    """The pages at or below any of ``paths``: Wagtail's ``descendant_of(page, inclusive=True)``
    (a treebeard path starts with each of its ancestors' paths)."""
    found = Q()
    for path in paths:
        found |= Q(path__startswith=path)
    return found


def _sections(site):
    """{path prefix: (key, title)} of the town's public sections, kept per generation."""
    if site is None:
        return {}

    def build():
        titles = {section.key: section.title for section in SECTIONS}
        sections = (
            SectionPage.objects.child_of(site.root_page).live().public().only("path", "section", "title")
        )
        return {page.path: (page.section, titles.get(page.section, page.title)) for page in sections}

    return per_generation(site.pk, "search-sections", build)


def _page_types():
    """{model name: verbose name} of the page types a parent may find."""
    from wagtail.models import get_page_models

    return {
        model._meta.model_name: str(model._meta.verbose_name)
        for model in get_page_models()
        if model is not Page and not model._meta.abstract
    }


def clean_filters(raw, site=None):
    """The filters of a request, keeping only known values (anything else is ignored)."""
    filters = {}
    section = raw.get("section", "")
    if section in {s.key for s in SECTIONS}:
        filters["section"] = section
    page_type = raw.get("type", "")
    if page_type in _page_types() or page_type == THREAD_TYPE:
        filters["type"] = page_type
    stage = raw.get("stage", "")
    if stage and LifeStage.objects.filter(slug=stage).exists():
        filters["stage"] = stage
    return filters


def _staged_models():
    """The page types tagged with life stages (each has its own tagging table)."""
    from wagtail.models import get_page_models

    from portal_pages.models import ContentPage

    return [
        model for model in get_page_models() if issubclass(model, ContentPage) and not model._meta.abstract
    ]


# Engines ----------------------------------------------------------------------------------


@dataclass
class Matches:
    ranked: list
    total: int
    facets: dict
    capped: bool = False


class DatabaseEngine:
    """modelsearch's database index through :mod:`search.backends` (SQLite FTS5 or PostgreSQL).

    One statement ranks the town's matches (at most ``MAX_MATCHES``, best first); the page of
    results, the filters and every facet count are then taken from that list, so a search costs
    one full-text match however many facets it shows. The list is cached until the town next
    publishes (the page cache's generation) or its synonyms change, so a popular query is ranked
    once. Beyond ``MAX_MATCHES`` the total reads 「1,000件以上」.

    With ``threads``, the town's public board threads are ranked too (a second statement on the
    same index, so the scores compare) and merged with the pages by score; the cached list then
    also carries the town's board version, renewed whenever a thread's searchable text changes.
    """

    def __init__(self, threads=False):
        self.threads = threads

    def run(self, site, tree, filters, start, stop, sections):
        matches = self.matches(site, tree, sections)
        kept = [row for row in matches if _passes(row, filters)] if filters else matches
        facets = _facet_counts(matches[:MAX_MATCHES], filters)
        ranked = [(row[0], row[1]) for row in kept[start:stop]]
        return Matches(ranked, len(kept), facets, capped=len(matches) > MAX_MATCHES)

    def matches(self, site, tree, sections):
        """[(pk, score, section, type, stages)] of the town's best matches, cached per generation."""
        key = (
            "search:matches:"
            + hashlib.sha256(
                f"{connection.vendor}:{site.pk}:{generation(site.pk)}:"
                f"{community_index.version(site.pk) if self.threads else '-'}:{tree!r}".encode()
            ).hexdigest()
        )
        found = cache.get(key) if MATCHES_CACHE_SECONDS else None  # 0: not cached at all
        if found is None:
            matcher = matcher_for(tree, public_pages(site), scope_fields=DESCRIBED)
            found = _describe(matcher.ranked(0, MAX_MATCHES + 1), sections, matcher.scoped)
            threads = []
            if self.threads:
                documents = community_index.searchable_documents(site)
                threads = matcher_for(tree, documents).ranked(0, MAX_MATCHES + 1)
            if threads:
                found = _merged(
                    found,
                    [((THREAD_TYPE, pk), score, THREAD_SECTION, THREAD_TYPE, ()) for pk, score in threads],
                    matcher.score_order,
                )[: MAX_MATCHES + 1]
            if MATCHES_CACHE_SECONDS:
                cache.set(key, found, MATCHES_CACHE_SECONDS)
        return found


def _merged(first, second, score_order):
    """Two lists ranked by the same index's score, as one (ties keep ``first`` ahead)."""
    sign = 1 if score_order == "ASC" else -1
    return sorted([*first, *second], key=lambda row: sign * row[1])


def _is_thread(key):
    return isinstance(key, tuple) and key[0] == THREAD_TYPE


DESCRIBED = ("path", "content_type__model")  # what _describe needs of each page


def _describe(ranked, sections, known=None):
    """Each ranked page with what the filters and facets need: its section, type and stages.
    ``known``: {pk: (path, model)} already read (the matcher's scope check reads them)."""
    ids = [pk for pk, _score in ranked]
    if known and all(pk in known for pk in ids):
        info = {pk: tuple(known[pk]) for pk in ids}
    else:
        info = {
            pk: (path, model)
            for pk, path, model in among(Page.objects.all(), ids).values_list("pk", *DESCRIBED)
        }
    stages = {}
    present = {model for _path, model in info.values()}
    for model in _staged_models():
        if model._meta.model_name not in present:
            continue
        through = model.life_stages.through
        page_field = next(f.name for f in through._meta.fields if f.related_model is model)
        rows = among(through.objects.all(), ids, field=page_field).values_list(
            f"{page_field}_id", "lifestage__slug"
        )
        for pk, slug in rows:
            stages.setdefault(pk, []).append(slug)
    described = []
    sizes = sorted({len(prefix) for prefix in sections})  # the sections' depths (one, in a town)
    for pk, score in ranked:
        if pk not in info:
            continue
        path, model = info[pk]
        section = next((sections[path[:size]][0] for size in sizes if path[:size] in sections), "")
        described.append((pk, score, section, model, tuple(stages.get(pk, ()))))
    return described


def _passes(row, filters, skip=None):
    _pk, _score, section, model, stages = row
    if filters.get("section") and skip != "section" and section != filters["section"]:
        return False
    if filters.get("type") and skip != "type" and model != filters["type"]:
        return False
    return not (filters.get("stage") and skip != "stage" and filters["stage"] not in stages)


def _facet_counts(matches, filters):
    """Each facet's counts under the other facets' filters (the usual faceted search), in one pass."""
    want_section, want_type, want_stage = (filters.get(name) for name in FACETS)
    counts = {name: {} for name in FACETS}
    sections, types, stages = counts["section"], counts["type"], counts["stage"]
    for _pk, _score, section, model, row_stages in matches:
        in_section = not want_section or section == want_section
        in_type = not want_type or model == want_type
        in_stage = not want_stage or want_stage in row_stages
        if in_type and in_stage and section:
            sections[section] = sections.get(section, 0) + 1
        if in_section and in_stage and model:
            types[model] = types.get(model, 0) + 1
        if in_section and in_type:
            for stage in row_stages:
                stages[stage] = stages.get(stage, 0) + 1
    return counts


class ElasticsearchEngine:
    """Elasticsearch (``SEARCH_URL``), indexed with the same analysis by :mod:`search.indexing`.

    With ``threads``, the town's public board threads in the index are ranked with the pages by
    the same score, as on the database index. The index holds only public pages and searchable
    threads, but the database has the last word: a hit is shown only if its page is still among
    :func:`public_pages` or its thread among the town's searchable rows.
    """

    def __init__(self, threads=False):
        self.threads = threads

    def run(self, site, tree, filters, start, stop, sections):
        try:
            return self._run(site, tree, filters, start, stop, sections)
        except Exception:
            # Elasticsearch is down or refused the query: the database index still answers.
            logger.exception("Elasticsearch search failed; answering from the database index")
            return DatabaseEngine(threads=self.threads).run(site, tree, filters, start, stop, sections)

    def _run(self, site, tree, filters, start, stop, sections):
        from .elastic import THREAD
        from .indexing import engine

        es_filters = {}
        if filters.get("section"):
            es_filters["section"] = filters["section"]
        if filters.get("type"):
            es_filters["content_type"] = filters["type"]
        if filters.get("stage"):
            es_filters["life_stage"] = filters["stage"]
        result = engine().search(tree, site.pk, es_filters, start, stop, threads=self.threads)
        page_ids = [key for key, _score in result.ranked if not isinstance(key, tuple)]
        thread_ids = [key[1] for key, _score in result.ranked if isinstance(key, tuple)]
        allowed = set(public_pages(site).filter(pk__in=page_ids).values_list("pk", flat=True))
        if self.threads and thread_ids:
            searchable = community_index.searchable_documents(site).filter(pk__in=thread_ids)
            allowed |= {(THREAD, pk) for pk in searchable.values_list("pk", flat=True)}
        # A thread is (THREAD, pk) in the index's answer and (THREAD_TYPE, pk) in the service's.
        ranked = [
            ((THREAD_TYPE, key[1]) if isinstance(key, tuple) else key, score)
            for key, score in result.ranked
            if key in allowed
        ]
        facets = {
            "section": result.facets.get("section", {}),
            "type": result.facets.get("content_type", {}),
            "stage": result.facets.get("life_stage", {}),
        }
        return Matches(ranked, result.total, facets)


def current_engine(threads=False):
    """Elasticsearch with ``SEARCH_URL``, else the database index; board threads too with ``threads``."""
    return ElasticsearchEngine(threads=threads) if settings.SEARCH_URL else DatabaseEngine(threads=threads)


# Presenting -------------------------------------------------------------------------------


def highlight(text, tree, length=SNIPPET_LENGTH, found=None, spans=None):
    """An escaped excerpt of ``text`` around the first match, matched words in ``<mark>``.

    ``text`` has its whitespace collapsed already; ``found`` are its words, if analysed, and
    ``spans`` the places already known to match (then nothing is analysed).
    """
    if not text:
        return ""
    if spans is None:
        spans = analysis.matching_spans(text, tree, found) if tree is not None else []
    start = max(0, spans[0][0] - 20) if spans else 0
    end = min(len(text), start + length)
    pieces = []
    cursor = start
    for span_start, span_end in spans:
        if span_start < cursor or span_end > end:
            continue
        pieces.append(escape(text[cursor:span_start]))
        pieces.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        cursor = span_end
    pieces.append(escape(text[cursor:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + "".join(pieces) + suffix)  # every piece is escaped above


def _snippet_text(page):
    description = getattr(page, "search_description", "") or ""
    _title, body, _autocomplete = document(page)
    return f"{description}\n{body}" if description else body


def _needles(tree, notes):
    """The query's words (and the synonyms it was widened with) as they may be written."""
    needles = [
        term.text
        for term in analysis.terms_of(tree)
        if analysis.is_japanese(term.text) or term.text.isascii()
    ]
    needles += [note.expansion for note in notes]
    return [needle for needle in dict.fromkeys(analysis.fold(needle) for needle in needles) if needle]


def _literal_spans(text, needles, parts):
    """Where the needles are written in ``text``, merged; ``None`` unless every part of the
    query (保育園, 申し込み) is written there as typed, or if folding changes the text's length
    (positions would not carry over). ``parts`` are the needles of each part."""
    folded = analysis.fold(text)
    if len(folded) != len(text) or not all(any(needle in folded for needle in part) for part in parts):
        return None
    spans = []
    for needle in needles:
        position = folded.find(needle)
        while position >= 0:
            spans.append((position, position + len(needle)))
            position = folded.find(needle, position + len(needle))
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged or None


def _window(text, needles):
    """The part of a page's text worth analysing for its snippet: around the first place a word
    of the query (or of a synonym it was widened with) is written, else the beginning."""
    folded = analysis.fold(text)
    positions = [position for position in (folded.find(needle) for needle in needles) if position >= 0]
    if positions:
        # A word is written as typed: the snippet starts just before it, so only that much is read.
        start = max(0, min(positions) - SNIPPET_LEAD)
        return text[start : start + SNIPPET_LEAD + SNIPPET_LENGTH], start > 0
    return text[:SNIPPET_WINDOW], False


def _hits(site, ranked, tree, sections, request=None, notes=(), english=False, explain=False, typed=""):
    """Hits for the ranked pages. ``explain`` (editors): which synonym made each page match.
    ``typed``, the words searched, are marked where a page writes them as typed (申込み, when
    the analysis searched 申し込み) without analysing the page's text."""
    ids = [pk for pk, _score in ranked if not _is_thread(pk)]
    thread_ids = [pk[1] for pk, _score in ranked if _is_thread(pk)]
    pages = {page.pk: page for page in Page.objects.filter(pk__in=ids).specific()} if ids else {}
    threads = (
        {row.pk: row for row in BoardThread.objects.filter(pk__in=thread_ids).select_related("board")}
        if thread_ids
        else {}
    )
    english_titles = {}
    if english and pages:
        translations = (
            Page.objects.live()
            .public()
            .filter(
                translation_key__in=[page.translation_key for page in pages.values()],
                locale__language_code="en",
            )
        )
        english_titles = dict(translations.values_list("translation_key", "title"))
    english_locales = _english_locales(site) if pages else set()
    types = _page_types()
    typed_trees = {note.typed: analysis.parse(note.typed) for note in notes} if explain else {}
    needles = _needles(tree, notes) if tree is not None else []
    tree_parts = tree.parts if isinstance(tree, analysis.AllOf) else (tree,)
    parts = [_needles(part, ()) for part in tree_parts]
    typed_parts = [part for part in analysis.query_parts(typed) if analysis.is_japanese(part)]
    if typed_parts and len(typed_parts) == len(parts):
        # Each part of the query as typed stands for its part of the tree.
        needles = [*needles, *typed_parts]
        parts = [[*part, word] for part, word in zip(parts, typed_parts, strict=True)]
    section_titles = {key: title for key, title in sections.values()}
    community_title = section_titles.get(THREAD_SECTION) or _section_title(THREAD_SECTION)

    def snippet_of(body):
        text, cut = _window(" ".join(body.split()), needles)
        # Words written as typed are marked where they stand; only otherwise (a reading, a
        # variant) is the text analysed to find the words the query matched.
        spans = _literal_spans(text, needles, parts)
        snippet = (
            highlight(text, tree, spans=spans) if spans else highlight(text, tree, found=analysis.words(text))
        )
        return text, mark_safe("…" + snippet) if cut and snippet and not snippet.startswith("…") else snippet

    def why(title, text):
        whole = f"{title} {text}"
        found = analysis.words(whole)
        return [
            note.expansion
            for note in notes
            if analysis.matching_spans(whole, note.tree, found)
            and not analysis.matching_spans(whole, typed_trees[note.typed], found)
        ]

    hits = []
    seen = set()
    for pk, score in ranked:
        if _is_thread(pk):
            thread = threads.get(pk[1])
            if thread is None:
                continue
            text, snippet = snippet_of(thread.body)
            hit = Hit(
                page=None,
                title=thread.title,
                url=thread_url(thread.board.slug, thread.pk),
                section=community_title,
                type_label=THREAD_TYPE_LABEL,
                snippet=snippet,
                score=score,
                thread_id=thread.pk,
            )
            if explain:
                hit.matched_expansions = why(thread.title, text)
            hits.append(hit)
            continue
        page = pages.get(pk)
        if page is None or page.translation_key in seen:
            continue  # one hit per page, whichever of its translations ranked first
        seen.add(page.translation_key)
        section = next((title for path, (_key, title) in sections.items() if page.path.startswith(path)), "")
        text, snippet = snippet_of(_snippet_text(page))
        hit = Hit(
            page=page,
            title=page.title,
            url=page.get_url(request=request) or page.url_path,
            section=section,
            type_label=types.get(page._meta.model_name, ""),
            snippet=snippet,
            score=score,
        )
        if page.locale_id not in english_locales:
            hit.english_title = english_titles.get(page.translation_key, "")
        if explain:
            hit.matched_expansions = why(page.title, text)
        hits.append(hit)
    return hits


def _english_locales(site):
    """The keys of the English locales, kept per generation (a page in a new locale is
    published, which renews it, before it can be found)."""
    return per_generation(
        site.pk,
        "search-english-locales",
        lambda: set(Locale.objects.filter(language_code="en").values_list("pk", flat=True)),
    )


def _section_title(key):
    return next((str(section.title) for section in SECTIONS if section.key == key), key)


def _facet_options(counts, filters, sections):
    types = {**_page_types(), THREAD_TYPE: THREAD_TYPE_LABEL}
    stages = {stage.slug: stage.name for stage in LifeStage.objects.all()} if counts.get("stage") else {}
    section_titles = {key: title for key, title in sections.values()}
    if counts.get("section", {}).get(THREAD_SECTION) and THREAD_SECTION not in section_titles:
        # Board threads are counted under 掲示板・ブログ even where the town has no such section page.
        section_titles[THREAD_SECTION] = _section_title(THREAD_SECTION)
    labels = {"section": section_titles, "type": types, "stage": stages}
    options = {}
    for name in FACETS:
        found = counts.get(name, {})
        order = list(labels[name]) if name != "type" else sorted(found, key=lambda key: -found[key])
        options[name] = [
            FacetOption(key, str(labels[name].get(key, key)), found[key], filters.get(name) == key)
            for key in order
            if found.get(key) and key in labels[name]
        ]
    return options


def promoted_queries(site):
    """The queries the town promotes pages for, kept per generation (a promotion saved or
    deleted renews it: :mod:`search.models`)."""
    return per_generation(
        site.pk,
        "search-promoted",
        lambda: set(Promotion.objects.filter(site=site).values_list("query", flat=True)),
    )


def promotions(site, query, request=None):
    normalised = normalise_query(query)
    if normalised not in promoted_queries(site):
        return []
    rows = list(
        Promotion.objects.filter(site=site, query=normalised).select_related("page").order_by("sort_order")
    )
    if not rows:
        return []
    allowed = set(
        public_pages(site).filter(pk__in=[row.page_id for row in rows]).values_list("pk", flat=True)
    )
    found = []
    for row in rows:
        if row.page_id not in allowed:
            continue
        page = row.page.specific
        found.append(
            Hit(
                page=page,
                title=page.title,
                url=page.get_url(request=request) or page.url_path,
                section="",
                type_label="",
                snippet="",
                promoted=True,
                description=row.description,
            )
        )
    return found


# 「もしかして」 ------------------------------------------------------------------------------


def vocabulary(site):
    """{loose reading: word} of the town's page titles (words and two-noun compounds) and synonyms.

    Cached until something in the town is published (the page cache's generation).
    """
    key = f"search:vocabulary:{site.pk}:{generation(site.pk)}"
    found = cache.get(key)
    if found is None:
        found = {}
        titles = public_pages(site).order_by("-last_published_at").values_list("title", flat=True)
        for title in titles[:VOCABULARY_TITLES]:
            previous = None
            for word in analysis.words(title):
                surface = word.surface.strip()
                if len(surface) >= 2 and word.reading:
                    found.setdefault(analysis.loose(word.reading), surface)
                if previous is not None and previous.noun and word.noun and previous.end == word.start:
                    found.setdefault(
                        analysis.loose(previous.reading + word.reading), previous.surface + word.surface
                    )
                previous = word
        for term, expansions in synonym_map(site).items():
            for text in [term, *expansions]:
                if analysis.is_japanese(text):
                    found.setdefault(_reading_of(text), text)
        found.pop("", None)
        cache.set(key, found, 60 * 60)
    return found


KANA_THEN_LATIN = re.compile(f"({analysis.KANA_ONLY.pattern})([a-z']{{1,3}})")


def _reading_of(text):
    """The loose reading of a whole part of a query (kana as typed, or the words' readings)."""
    folded = analysis.fold(text)
    kana = analysis.romaji_to_kana(folded) or folded
    mixed = KANA_THEN_LATIN.fullmatch(kana)
    if mixed:
        # Kana with a few letters the IME has not converted yet (ほいくえm, じどうてあt).
        kana = mixed[1] + analysis.romaji_to_kana(mixed[2])
    if analysis.KANA_ONLY.fullmatch(kana):
        return analysis.loose(analysis.to_katakana(kana))
    return analysis.loose("".join(word.reading for word in analysis.words(folded)))


def _known_surfaces(known):
    return {analysis.fold(surface) for surface in known.values()}


def corrected_query(site, query, fuzzy=True):
    """What the parent most likely meant, in the words of the town's pages, or ``""``.

    A part that reads exactly like a known word written otherwise is replaced by it (一次保育 →
    一時保育, 予防摂取 → 予防接種: the same reading, the wrong kanji); with ``fuzzy``, a part
    within one edit of a known word's reading is too (じどうてあって → 児童手当, ほいくえ → 保育園).
    """
    known = vocabulary(site)
    if not known:
        return ""
    surfaces = _known_surfaces(known)
    fixed = []
    changed = False
    for part in analysis.query_parts(query):
        reading = _reading_of(part)
        if part in surfaces or not reading or not analysis.is_japanese(reading):
            fixed.append(part)
            continue
        word = known.get(reading)
        if word is None and fuzzy and len(reading) >= 3:
            match = process.extractOne(reading, known.keys(), scorer=Levenshtein.distance, score_cutoff=1)
            word = known[match[0]] if match else None
        if word and analysis.fold(word) != part:
            fixed.append(word)
            changed = True
        else:
            fixed.append(part)
    return " ".join(fixed) if changed else ""


# The search --------------------------------------------------------------------------------


def _run(engine, site, tree, filters, page, per_page, sections):
    """(matches, tree, relaxed, page) for one analysed query, every word first, then any word."""
    start = (page - 1) * per_page
    matches = engine.run(site, tree, filters, start, start + per_page, sections)
    relaxed = False
    if not matches.total and isinstance(tree, analysis.AllOf):
        # Every word together found nothing: show pages with any of them, and say so.
        tree = analysis.relaxed(tree)
        matches = engine.run(site, tree, filters, start, start + per_page, sections)
        relaxed = bool(matches.total)
    if matches.total and not matches.ranked and page > 1:
        page = max(1, math.ceil(matches.total / per_page))
        start = (page - 1) * per_page
        matches = engine.run(site, tree, filters, start, start + per_page, sections)
    return matches, tree, relaxed, page


def fix_up(site, query, tree, synonyms, fuzzy=False, notes=None):
    """(fixed query, its tree) when :func:`corrected_query` changes ``query`` into something the
    analysis reads otherwise than ``tree``, else ("", None): a fix read as the same query
    (申し込み → 申込み) would find the same pages. The search page and API v2 both use it."""
    fixed = corrected_query(site, query, fuzzy=fuzzy)
    fixed_tree = analysis.parse(fixed, synonyms, notes=notes) if fixed else None
    if fixed_tree is None or repr(fixed_tree) == repr(tree):
        return "", None
    return fixed, fixed_tree


def _fixed_up(engine, site, query, synonyms, tree, filters, page, per_page, sections, fuzzy=False):
    """(fixed query, its notes, what ``_run`` found) for the query fixed up (:func:`fix_up`),
    or ("", [], None) when there is nothing to fix or the fixed query finds nothing either."""
    notes = []
    fixed, fixed_tree = fix_up(site, query, tree, synonyms, fuzzy=fuzzy, notes=notes)
    if fixed_tree is None:
        return "", [], None
    found = _run(engine, site, fixed_tree, filters, page, per_page, sections)
    return (fixed, notes, found) if found[0].total else ("", [], None)


def search(
    site,
    query,
    page=1,
    per_page=PER_PAGE,
    filters=None,
    request=None,
    record=False,
    exact=False,
    threads=False,
):
    """Search the town's public pages (and, with ``threads``, its public board threads).
    ``page`` is 1-based; out-of-range pages give the last one.

    A query is fixed up when it finds nothing as typed (a word within one edit of a known
    word's reading: じどうてあって → 児童手当) or when a part reads exactly like a word of the
    town's pages written otherwise (一次保育 → 一時保育); the results then say which words were
    searched instead, and ``exact=True`` searches the words as typed.
    """
    query = " ".join((query or "").split())[:MAX_QUERY_LENGTH]
    filters = filters or {}
    results = SearchResults(query=query, filters=filters, per_page=per_page)
    if not query or site is None:
        return results
    synonyms = synonym_map(site)
    notes = []
    tree = analysis.parse(query, synonyms, notes=notes)
    sections = _sections(site)
    engine = current_engine(threads=threads)
    try:
        page = max(1, int(page))
    except (TypeError, ValueError):
        page = 1
    matches = Matches([], 0, {})
    relaxed = False
    fixed = ""
    typed_tree = tree
    if not exact:
        # Kanji the town's pages read the same but write otherwise (一次保育 → 一時保育) are
        # searched as the pages write them, before (and, when that finds pages, instead of)
        # the words as typed, which would only be searched for nothing.
        fixed, fixed_notes, found = _fixed_up(
            engine, site, query, synonyms, tree, filters, page, per_page, sections
        )
        if found is not None:
            matches, tree, relaxed, page = found
            notes = fixed_notes
    if not fixed and tree is not None:
        matches, tree, relaxed, page = _run(engine, site, tree, filters, page, per_page, sections)
    if not exact and not fixed and not matches.total:
        # Nothing found: a one-edit typo of a known word (じどうてあって → 児童手当).
        fixed, fixed_notes, found = _fixed_up(
            engine, site, query, synonyms, typed_tree, filters, page, per_page, sections, fuzzy=True
        )
        if found is not None:
            matches, tree, relaxed, page = found
            notes = fixed_notes
    results.corrected = fixed
    results.tree = tree
    results.relaxed = relaxed
    results.expansions = notes
    results.page = page
    results.total = matches.total
    results.capped = matches.capped
    english = bool(LATIN.search(query)) or (getattr(request, "LANGUAGE_CODE", "ja") == "en")
    explain = bool(request is not None and notes and request.user.has_perm("wagtailadmin.access_admin"))
    results.hits = _hits(
        site,
        matches.ranked,
        tree,
        sections,
        request=request,
        notes=notes,
        english=english,
        explain=explain,
        typed=fixed or query,
    )
    results.facets = _facet_options(matches.facets, filters, sections)
    if page == 1:
        results.promotions = promotions(site, query, request=request)
    if not matches.total:
        results.suggestion = corrected_query(site, query) or ""
    if record:
        QueryStat.record(site, query, found=bool(matches.total or results.promotions))
    return results


def complete(site, query, limit=8, request=None, threads=False):
    """Autocomplete: titles of the town's pages (and, with ``threads``, of its public board
    threads) that start with, or contain, what is typed."""
    threads_wanted = threads
    query = " ".join((query or "").split())[:MAX_QUERY_LENGTH]
    if not query or site is None:
        return []
    tree = analysis.parse(query, synonym_map(site), prefix_last=True)
    if tree is None:
        return []
    matcher = matcher_for(tree, public_pages(site), autocomplete=True)
    ranked = matcher.ranked(0, limit)
    threads = []
    if threads_wanted:
        documents = community_index.searchable_documents(site)
        threads = matcher_for(tree, documents, autocomplete=True).ranked(0, limit)
    if threads:
        ranked = _merged(ranked, [((THREAD_TYPE, pk), score) for pk, score in threads], matcher.score_order)
        ranked = ranked[:limit]
    page_ids = [pk for pk, _ in ranked if not _is_thread(pk)]
    pages = {page.pk: page for page in Page.objects.filter(pk__in=page_ids)} if page_ids else {}
    thread_ids = [pk[1] for pk, _ in ranked if _is_thread(pk)]
    documents = (
        {row.pk: row for row in BoardThread.objects.filter(pk__in=thread_ids).select_related("board")}
        if thread_ids
        else {}
    )
    found = []
    for pk, _score in ranked:
        if _is_thread(pk):
            if pk[1] in documents:
                row = documents[pk[1]]
                found.append({"title": row.title, "url": thread_url(row.board.slug, row.pk)})
        elif pk in pages:
            found.append(
                {"title": pages[pk].title, "url": pages[pk].get_url(request=request) or pages[pk].url_path}
            )
    return found
