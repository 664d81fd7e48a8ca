from django.db import DatabaseError, connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from wagtail.models import Site

from .life_stages import BY_SLUG
from .models import SectionPage


@never_cache
@require_GET
def healthz(request):
    """For load balancers and the container HEALTHCHECK: 200 when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
def life_stage(request, slug):
    """Entry point by the child's age: what the town offers for this stage."""
    stage = BY_SLUG.get(slug)
    if stage is None:
        raise Http404
    site = Site.find_for_request(request)
    sections = []
    if site is not None:
        sections = SectionPage.objects.child_of(site.root_page).live().public().order_by("path")
    return render(
        request,
        "home/life_stage.html",
        {"stage": stage, "current_stage": stage.slug, "sections": sections},
    )
