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
from .service import MAX_QUERY_LENGTH, fix_up


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
        if request.GET.get("exact") == "1":
            return self.run(tree, query, queryset, request)
        # The same fix-ups as the search page, in the same order: kanji the town's pages read the
        # same but write otherwise first (一次保育 → 一時保育), instead of the words as typed; a
        # one-edit typo of a known word only when the words as typed find nothing.
        fixed = self.fixed_up(site, query, tree, queryset, request, fuzzy=False)
        if fixed is not None:
            return fixed
        results = self.run(tree, query, queryset, request)
        if results.count():
            return results
        fixed = self.fixed_up(site, query, tree, queryset, request, fuzzy=True)
        return results if fixed is None else fixed

    def fixed_up(self, site, query, tree, queryset, request, fuzzy):
        """The results of the fixed-up query, or ``None`` if there is nothing to fix, the fix
        reads as the same query, or it finds nothing either."""
        fixed, fixed_tree = fix_up(site, query, tree, synonym_map(site), fuzzy=fuzzy)
        if fixed_tree is None:
            return None
        results = self.run(fixed_tree, fixed, queryset, request)
        return results if results.count() else None

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
