from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET
from wagtail.models import Page, Site

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 100


@require_GET
def search(request):
    """Site search, limited to the municipality the request is for."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    results = None
    if query:
        pages = Page.objects.live().public()
        site = Site.find_for_request(request)
        if site is not None:
            pages = pages.descendant_of(site.root_page, inclusive=True)
        paginator = Paginator(pages.search(query), RESULTS_PER_PAGE)
        try:
            results = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            results = paginator.page(1)
        except EmptyPage:
            results = paginator.page(paginator.num_pages)
    return render(request, "search/search.html", {"search_query": query, "results": results})
