"""A citizen reporter's public profile: their published articles and what readers found useful.

The slides' evaluation-to-motivation loop: readers' 「役に立った」 flows back to the person who
wrote the article. Only the nickname is shown. A person with no published, public article in
the requesting town gets the same 404 as an unknown id, so the page never tells who has an
account. The page is cached whole like any other public page; a new 「役に立った」 shows when the
entry expires or the town's next publish refreshes it.
"""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe
from wagtail.models import Site

from .listing import paginate
from .models import ArticlePage, Rating

PER_PAGE = 20


def published_articles(site, user_id):
    """``user_id``'s live, public articles in ``site``, newest first, each with ``useful_count``."""
    return (
        ArticlePage.objects.live()
        .public()
        .descendant_of(site.root_page)
        .filter(reporter_id=user_id)
        .annotate(useful_count=Count("feedback", filter=Q(feedback__rating=Rating.USEFUL)))
        .order_by("-first_published_at", "-pk")
    )


def article_totals(articles):
    """The number of articles and of their 「役に立った」, in one query."""
    return articles.order_by().aggregate(
        articles=Count("pk", distinct=True),
        useful=Count("feedback", filter=Q(feedback__rating=Rating.USEFUL)),
    )


@require_safe
def reporter_profile(request, user_id):
    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    articles = published_articles(site, user_id)
    totals = article_totals(articles)
    if not totals["articles"]:
        raise Http404
    reporter = get_user_model().objects.only("pk", "nickname").get(pk=user_id)
    items = paginate(articles, request.GET.get("page", 1), PER_PAGE)
    context = {
        "reporter": reporter,
        "items": items,
        "article_count": totals["articles"],
        "useful_total": totals["useful"],
    }
    return render(request, "portal_pages/reporter_profile.html", context)


urlpatterns = [
    path("<int:user_id>/", reporter_profile, name="reporter_profile"),
]
