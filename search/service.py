"""One search over a municipality's public content, the same for the search page, the
autocomplete and API v2's ``?search=``.

:func:`search` analyses the query (with the town's synonyms), runs it on the database index or,
with ``SEARCH_URL`` set, on Elasticsearch, and returns hits with their section and a snippet
with the matched words highlighted, facet counts by section, content type and life stage,
the town's promoted results for the query, and a 「もしかして」 suggestion when nothing matched.

Only live pages without a view restriction, in the requesting town's tree (and its
translations), are ever searched: the scoping is a queryset the engine runs inside, so a draft,
a private page or another town's page cannot be ranked, counted in a facet or suggested.
"""

import difflib
import logging
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils.html import escape
from django.utils.safestring import mark_safe
from wagtail.models import Page

from home.models import LifeStage, SectionPage
from home.page_cache import generation
from home.roles import SECTIONS

from . import analysis
from .backends import document, matcher_for
from .models import Promotion, QueryStat, normalise_query, synonym_map

logger = logging.getLogger(__name__)
MAX_QUERY_LENGTH = 100
PER_PAGE = 10
SNIPPET_LENGTH = 110
FACETS = ("section", "type", "stage")


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
    relaxed: bool = False
    tree: object = None

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
    """Live pages anyone may read in the town's tree and its translations' trees."""
    pages = Page.objects.live().public()
    if site is None:
        return pages.none()
    scoped = pages.descendant_of(site.root_page, inclusive=True)
    for translation in site.root_page.get_translations():
        scoped |= pages.descendant_of(translation, inclusive=True)
    return scoped


def _sections(site):
    """{path prefix: (key, title)} of the town's public sections."""
    titles = {section.key: section.title for section in SECTIONS}
    found = {}
    if site is None:
        return found
    for page in SectionPage.objects.child_of(site.root_page).live().public().only("path", "section", "title"):
        found[page.path] = (page.section, titles.get(page.section, page.title))
    return found


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
    if page_type in _page_types():
        filters["type"] = page_type
    stage = raw.get("stage", "")
    if stage and LifeStage.objects.filter(slug=stage).exists():
        filters["stage"] = stage
    return filters


def _apply(queryset, filters, sections, skip=None):
    if filters.get("section") and skip != "section":
        paths = [path for path, (key, _title) in sections.items() if key == filters["section"]]
        if not paths:
            return queryset.none()
        queryset = queryset.filter(path__startswith=paths[0])
    if filters.get("type") and skip != "type":
        queryset = queryset.filter(content_type__model=filters["type"])
    if filters.get("stage") and skip != "stage":
        tagged = Q()
        for model in _staged_models():
            tagged |= Q(pk__in=model.objects.filter(life_stages__slug=filters["stage"]).values("pk"))
        queryset = queryset.filter(tagged)
    return queryset


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


class DatabaseEngine:
    """modelsearch's database index through :mod:`search.backends` (SQLite FTS5 or PostgreSQL)."""

    def run(self, site, tree, filters, start, stop, sections):
        base = public_pages(site)
        matcher = matcher_for(tree, _apply(base, filters, sections))
        total = matcher.count()
        ranked = matcher.ranked(start, stop) if total else []
        facets = self.facets(base, tree, filters, sections) if total else {}
        return Matches(ranked, total, facets)

    def facets(self, base, tree, filters, sections):
        """Counts per facet, each under the other facets' filters (the usual faceted search)."""
        counts = {}
        width = len(next(iter(sections))) if sections else 0
        matching = Page.objects.filter(
            pk__in=matcher_for(tree, _apply(base, filters, sections, "section")).matching_ids()
        )
        by_path = {}
        if width:
            for row in (
                matching.order_by()
                .annotate(prefix=Substr("path", 1, width))
                .values("prefix")
                .annotate(n=Count("pk"))
            ):
                if row["prefix"] in sections:
                    by_path[sections[row["prefix"]][0]] = row["n"]
        counts["section"] = by_path

        matching = Page.objects.filter(
            pk__in=matcher_for(tree, _apply(base, filters, sections, "type")).matching_ids()
        )
        counts["type"] = {
            row["content_type__model"]: row["n"]
            for row in matching.order_by().values("content_type__model").annotate(n=Count("pk"))
        }

        ids = matcher_for(tree, _apply(base, filters, sections, "stage")).matching_ids()
        stages = {}
        for model in _staged_models():
            rows = model.objects.filter(pk__in=ids, life_stages__isnull=False).order_by()
            for row in rows.values("life_stages__slug").annotate(n=Count("pk")):
                slug = row["life_stages__slug"]
                stages[slug] = stages.get(slug, 0) + row["n"]
        counts["stage"] = stages
        return counts


class ElasticsearchEngine:
    """Elasticsearch (``SEARCH_URL``), indexed with the same analysis by :mod:`search.indexing`."""

    def run(self, site, tree, filters, start, stop, sections):
        try:
            return self._run(site, tree, filters, start, stop, sections)
        except Exception:
            # Elasticsearch is down or refused the query: the database index still answers.
            logger.exception("Elasticsearch search failed; answering from the database index")
            return DatabaseEngine().run(site, tree, filters, start, stop, sections)

    def _run(self, site, tree, filters, start, stop, sections):
        from .indexing import engine

        es_filters = {}
        if filters.get("section"):
            es_filters["section"] = filters["section"]
        if filters.get("type"):
            es_filters["content_type"] = filters["type"]
        if filters.get("stage"):
            es_filters["life_stage"] = filters["stage"]
        result = engine().search(tree, site.pk, es_filters, start, stop)
        # The index holds only public pages; the database still has the last word on what is live.
        allowed = set(
            public_pages(site).filter(pk__in=[pk for pk, _ in result.ranked]).values_list("pk", flat=True)
        )
        facets = {
            "section": result.facets.get("section", {}),
            "type": result.facets.get("content_type", {}),
            "stage": result.facets.get("life_stage", {}),
        }
        return Matches([(pk, score) for pk, score in result.ranked if pk in allowed], result.total, facets)


def current_engine():
    return ElasticsearchEngine() if settings.SEARCH_URL else DatabaseEngine()


# Presenting -------------------------------------------------------------------------------


def highlight(text, tree, length=SNIPPET_LENGTH):
    """An escaped excerpt of ``text`` around the first match, matched words in ``<mark>``."""
    text = " ".join(text.split())
    if not text:
        return ""
    spans = analysis.matching_spans(text, tree) if tree is not None else []
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


def _hits(ranked, tree, sections, request=None, site=None):
    ids = [pk for pk, _score in ranked]
    pages = {page.pk: page for page in Page.objects.filter(pk__in=ids).specific()}
    types = _page_types()
    hits = []
    for pk, score in ranked:
        page = pages.get(pk)
        if page is None:
            continue
        section = next((title for path, (_key, title) in sections.items() if page.path.startswith(path)), "")
        hits.append(
            Hit(
                page=page,
                title=page.title,
                url=page.get_url(request=request) or page.url_path,
                section=section,
                type_label=types.get(page._meta.model_name, ""),
                snippet=highlight(_snippet_text(page), tree),
                score=score,
            )
        )
    return hits


def _facet_options(counts, filters, sections):
    types = _page_types()
    stages = {stage.slug: stage.name for stage in LifeStage.objects.all()}
    section_titles = {key: title for key, title in sections.values()}
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


def promotions(site, query, request=None):
    normalised = normalise_query(query)
    rows = Promotion.objects.filter(site=site, query=normalised).select_related("page").order_by("sort_order")
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
    """{reading: word} of the words in the town's page titles and synonyms (cached per publish)."""
    key = f"search:vocabulary:{site.pk}:{generation(site.pk)}"
    found = cache.get(key)
    if found is None:
        found = {}
        for title in public_pages(site).values_list("title", flat=True):
            for word in analysis.words(title):
                surface = word.surface.strip()
                if len(surface) >= 2 and word.reading:
                    found.setdefault(word.reading, surface)
        for term in synonym_map(site):
            reading = "".join(word.reading for word in analysis.words(term))
            if reading:
                found.setdefault(reading, term)
        cache.set(key, found, 60 * 60)
    return found


def suggest(site, query):
    """A word of the town's pages that reads like what was typed (typos, wrong kana)."""
    known = vocabulary(site)
    if not known:
        return ""
    suggestion = []
    changed = False
    for part in analysis.query_parts(query):
        reading = "".join(word.reading for word in analysis.words(part)) or analysis.to_katakana(part)
        if reading in known:
            suggestion.append(part)
            continue
        close = difflib.get_close_matches(reading, known.keys(), n=1, cutoff=0.6)
        if close:
            suggestion.append(known[close[0]])
            changed = True
        else:
            suggestion.append(part)
    return " ".join(suggestion) if changed else ""


# The search --------------------------------------------------------------------------------


def search(site, query, page=1, per_page=PER_PAGE, filters=None, request=None, record=False):
    """Search the town's public pages. ``page`` is 1-based; out-of-range pages give the last one."""
    query = " ".join((query or "").split())[:MAX_QUERY_LENGTH]
    filters = filters or {}
    results = SearchResults(query=query, filters=filters, per_page=per_page)
    if not query or site is None:
        return results
    tree = analysis.parse(query, synonym_map(site))
    results.tree = tree
    sections = _sections(site)
    engine = current_engine()
    try:
        page = max(1, int(page))
    except (TypeError, ValueError):
        page = 1
    matches = Matches([], 0, {})
    if tree is not None:
        start = (page - 1) * per_page
        matches = engine.run(site, tree, filters, start, start + per_page, sections)
        if not matches.total and isinstance(tree, analysis.AllOf):
            # Every word together found nothing: show pages with any of them, and say so.
            tree = analysis.relaxed(tree)
            matches = engine.run(site, tree, filters, start, start + per_page, sections)
            results.relaxed = bool(matches.total)
            results.tree = tree
        if matches.total and not matches.ranked and page > 1:
            page = max(1, math.ceil(matches.total / per_page))
            start = (page - 1) * per_page
            matches = engine.run(site, tree, filters, start, start + per_page, sections)
    results.page = page
    results.total = matches.total
    results.hits = _hits(matches.ranked, tree, sections, request=request, site=site)
    results.facets = _facet_options(matches.facets, filters, sections)
    if page == 1:
        results.promotions = promotions(site, query, request=request)
    if not matches.total:
        results.suggestion = suggest(site, query)
    if record:
        QueryStat.record(site, query, found=bool(matches.total or results.promotions))
    return results


def complete(site, query, limit=8, request=None):
    """Autocomplete: titles of the town's pages that start with, or contain, what is typed."""
    query = " ".join((query or "").split())[:MAX_QUERY_LENGTH]
    if not query or site is None:
        return []
    tree = analysis.parse(query, prefix_last=True)
    if tree is None:
        return []
    matcher = matcher_for(tree, public_pages(site), autocomplete=True)
    ranked = matcher.ranked(0, limit)
    pages = {page.pk: page for page in Page.objects.filter(pk__in=[pk for pk, _ in ranked])}
    return [
        {"title": pages[pk].title, "url": pages[pk].get_url(request=request) or pages[pk].url_path}
        for pk, _score in ranked
        if pk in pages
    ]
