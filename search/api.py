"""API v2's ``?search=`` with the site search's analysis, synonyms and ranking.

Wagtail's own filter hands the raw string to the backend; this one builds the same analysed
query as :func:`search.service.search` (the town's synonyms included, the same fallback to any
word when every word together finds nothing, and the same fix-ups of typos and wrong kanji, with
``exact=1`` to turn them off), so a page ranks the same through both doors.
"""

from modelsearch.backends import get_search_backend
from wagtail.api.v2.filters import SearchFilter
from wagtail.api.v2.utils import BadRequestError
from wagtail.models import Site

from . import analysis
from .backends import AnalysedQuery
from .models import synonym_map
from .service import MAX_QUERY_LENGTH, corrected_query


class AnalysedSearchFilter(SearchFilter):
    def filter_queryset(self, request, queryset, view):
        if "search" not in request.GET:
            return queryset
        if getattr(queryset, "_filtered_by_tag", False):
            raise BadRequestError("filtering by tag with a search query is not supported")
        query = " ".join(request.GET["search"].split())[:MAX_QUERY_LENGTH]
        site = Site.find_for_request(request)
        tree = analysis.parse(query, synonym_map(site))
        if tree is None:
            return queryset.none()
        results = self.run(tree, query, queryset, request)
        if request.GET.get("exact") == "1":
            return results
        # The same fix-ups as the search page: a one-edit typo when nothing was found, or kanji
        # the town's pages read the same but write otherwise (一次保育 → 一時保育).
        fixed = corrected_query(site, query, fuzzy=not results.count())
        fixed_tree = analysis.parse(fixed, synonym_map(site)) if fixed else None
        if fixed_tree is not None:
            fixed_results = self.run(fixed_tree, fixed, queryset, request)
            if fixed_results.count():
                return fixed_results
        return results

    def run(self, tree, query, queryset, request):
        """Every word first; any word when every word together finds nothing."""
        backend = get_search_backend()
        order_by_relevance = "order" not in request.GET
        results = backend.search(AnalysedQuery(tree, query), queryset, order_by_relevance=order_by_relevance)
        if not results.count() and isinstance(tree, analysis.AllOf):
            results = backend.search(
                AnalysedQuery(analysis.relaxed(tree), query), queryset, order_by_relevance=order_by_relevance
            )
        return results
