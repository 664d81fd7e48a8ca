from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.views.decorators.http import require_GET
from wagtail.models import Site

from . import service


def _page_number(request):
    try:
        return max(1, int(request.GET.get("page", 1)))
    except (TypeError, ValueError):
        return 1


@require_GET
def search(request):
    """Site search over the municipality the request is for.

    Results are never served from the page cache: each search counts towards the town's
    report of frequent queries and of queries that found nothing.
    """
    site = Site.find_for_request(request)
    query = request.GET.get("q", "")
    filters = service.clean_filters(request.GET, site)
    results = None
    if query.strip():
        results = service.search(
            site,
            query,
            page=_page_number(request),
            filters=filters,
            request=request,
            record=True,
            exact=request.GET.get("exact") == "1",
            threads=True,
        )
    if results is not None:
        _link_facets(results, filters)
    context = {
        "search_query": results.query if results else "",
        "results": results,
        "page_params": urlencode({"q": results.query, **filters}) if results else "",
        "suggestion_params": urlencode({"q": results.suggestion}) if results and results.suggestion else "",
        "exact_params": urlencode({"q": results.query, "exact": "1", **filters}) if results else "",
    }
    response = render(request, "search/search.html", context)
    if results is not None:
        add_never_cache_headers(response)
    return response


def _link_facets(results, filters):
    """Give each facet option the query string that selects it (or clears it when selected)."""
    for name, options in results.facets.items():
        for option in options:
            chosen = {key: value for key, value in filters.items() if key != name}
            if not option.selected:
                chosen[name] = option.key
            option.params = urlencode({"q": results.query, **chosen})


@require_GET
def suggest(request):
    """Autocomplete as you type: up to eight titles of the town's pages and board threads, as JSON."""
    site = Site.find_for_request(request)
    found = service.complete(site, request.GET.get("q", ""), request=request, threads=True)
    response = JsonResponse({"results": found})
    response["Cache-Control"] = "public, max-age=60"
    return response
