from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET
from wagtail.models import Site

from home.life_stages import BY_SLUG

from .queries import for_life_stage


@require_GET
def life_stage(request, slug):
    """A stage's page: what the town offers for a child of this age, gathered from both portals."""
    stage = BY_SLUG.get(slug)
    if stage is None:
        raise Http404
    site = Site.find_for_request(request)
    context = {"stage": stage, "current_stage": stage.slug, **for_life_stage(site, slug)}
    return render(request, "portal_pages/life_stage.html", context)
