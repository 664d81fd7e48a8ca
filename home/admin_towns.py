"""Which towns a user works in for one back-office screen, and the one a request works in.

The back offices (ねっと相談, the boards' moderation, the family-support centre) each serve
the towns where the user plays one of their roles; a screen works in the town picked with
``?town=`` (GET or POST) or, by default, the first of them. A town the user does not serve is a
404, as if it did not exist.
"""

from django.http import Http404
from wagtail.models import Site

from .models import MunicipalityRole


def towns_with_roles(request, roles, *, superusers=False):
    """The sites where the user plays one of ``roles``, by name, read once per request.

    With ``superusers`` the platform operator serves every town.
    """
    memo = request.__dict__.setdefault("_towns_with_roles", {})
    key = (tuple(sorted(roles)), superusers)
    if key not in memo:
        user = request.user
        if not user.is_authenticated:
            memo[key] = []
        elif superusers and user.is_superuser:
            memo[key] = list(Site.objects.order_by("site_name", "pk"))
        else:
            town_ids = MunicipalityRole.objects.filter(group__user=user, role__in=roles).values("site")
            memo[key] = list(Site.objects.filter(pk__in=town_ids).order_by("site_name", "pk"))
    return memo[key]


def picked_town(request, towns):
    """The town of ``towns`` picked with ``town`` (GET or POST), or the first; otherwise a 404."""
    wanted = request.POST.get("town") or request.GET.get("town")
    if not wanted:
        return towns[0]
    for site in towns:
        if str(site.pk) == wanted:
            return site
    raise Http404
