import re

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET
from wagtail.models import Page, Site

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 100
NOT_A_WORD = re.compile(r"[^\w\s]+")


def search_terms(query):
    """The words of a query, without the punctuation a search backend may choke on.

    Quotes, brackets and operators typed by a parent ("保育園" -> ) must never reach the
    backend's own query syntax (SQLite FTS5 rejects them with an error).
    """
    return " ".join(NOT_A_WORD.sub(" ", query).split())


@require_GET
def search(request):
    """Site search, limited to the municipality the request is for."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    terms = search_terms(query)
    results = None
    if query:
        pages = Page.objects.live().public()
        site = Site.find_for_request(request)
        if site is not None:
            pages = pages.descendant_of(site.root_page, inclusive=True)
        found = pages.search(terms) if terms else Page.objects.none()
        paginator = Paginator(found, RESULTS_PER_PAGE)
        try:
            results = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            results = paginator.page(1)
        except EmptyPage:
            results = paginator.page(paginator.num_pages)
    return render(request, "search/search.html", {"search_query": query, "results": results})
