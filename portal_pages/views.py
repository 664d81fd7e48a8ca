from django.http import Http404
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
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
    # Each list is read only when the template draws it: a stage page whose HTML is already a
    # kept fragment costs no query for them.
    everything = SimpleLazyObject(
        lambda: {name: list(pages) for name, pages in for_life_stage(site, slug).items()}
    )
    lists = {
        name: SimpleLazyObject(lambda name=name: everything[name])
        for name in ("services", "notices", "events", "facilities")
    }
    context = {"stage": stage, "current_stage": stage.slug, **lists}
    return render(request, "portal_pages/life_stage.html", context)
