"""API v2's ``?search=`` with the site search's analysis, synonyms and ranking.

Wagtail's own filter hands the raw string to the backend; this one builds the same analysed
query as :func:`search.service.search` (the town's synonyms included, and the same fallback to
any word when every word together finds nothing), so a page ranks the same through both doors.
"""

from modelsearch.backends import get_search_backend
from wagtail.api.v2.filters import SearchFilter
from wagtail.api.v2.utils import BadRequestError
from wagtail.models import Site

from . import analysis
from .backends import AnalysedQuery
from .models import synonym_map
from .service import MAX_QUERY_LENGTH


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
        backend = get_search_backend()
        order_by_relevance = "order" not in request.GET
        results = backend.search(AnalysedQuery(tree, query), queryset, order_by_relevance=order_by_relevance)
        if not results.count() and isinstance(tree, analysis.AllOf):
            results = backend.search(
                AnalysedQuery(analysis.relaxed(tree), query), queryset, order_by_relevance=order_by_relevance
            )
        return results
