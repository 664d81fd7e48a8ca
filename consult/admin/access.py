"""Who may enter which screen of the counsellors' back office, and in which town.

Every screen first asks whether the user plays one of its roles in some town (if not: the
Japanese 403, whatever else they may do in the admin), then asks for the second factor, then
works in one town: the one picked with ``?town=`` or, by default, the first of theirs. A case
of a town the user does not serve is a 404, as if it did not exist.
"""

from functools import wraps

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from accounts.two_factor import two_factor_required
from home.admin_towns import picked_town
from home.models import MunicipalityRole

from .. import services
from ..models import Consultation

STAFF_ROLES = (*services.READER_ROLES, *services.NETWORK_ROLES)
CONSULT_ROLES = (*services.READER_ROLES, *services.LEAD_ROLES, *services.NETWORK_ROLES)


def town_roles(request):
    """{site: {role, …}} of the user's consultation roles, read once per request."""
    cached = getattr(request, "_consult_town_roles", None)
    if cached is None:
        cached = {}
        if request.user.is_authenticated:
            rows = (
                MunicipalityRole.objects.filter(group__user=request.user, role__in=CONSULT_ROLES)
                .select_related("site")
                .order_by("site__site_name", "site__pk")
            )
            for row in rows:
                cached.setdefault(row.site, set()).add(row.role)
        request._consult_town_roles = cached
    return cached


def towns_for(request, roles):
    """The towns where the user plays one of ``roles``, in a stable order (the first is the default)."""
    return [site for site, held in town_roles(request).items() if held & set(roles)]


def pick_town(request, roles):
    """The town picked with ``town`` (GET or POST), or the user's first; another town is a 404."""
    return picked_town(request, towns_for(request, roles))


def forbidden(request, message=None):
    context = {
        "title": _("ねっと相談"),
        "icon": "help",
        "message": message
        or _(
            "ねっと相談を開く権限がありません。開けるのは、その自治体の相談員と子ども家庭支援ネットワークだけです。"
        ),
    }
    return TemplateResponse(request, "admin_forbidden.html", context, status=403)


def guarded(roles, message=None):
    """Decorate a view: the 403 for users without ``roles`` anywhere, then the second factor."""

    def decorator(view):
        verified = two_factor_required(view)

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.is_authenticated and not towns_for(request, roles):
                return forbidden(request, message)
            return verified(request, *args, **kwargs)

        return wrapped

    return decorator


def readable_case(request, pk):
    """The case ``pk`` if the user may read it; a 404 for every other case, other towns' included."""
    sites = towns_for(request, STAFF_ROLES)
    case = get_object_or_404(
        Consultation.objects.select_related("site", "assignee", "escalated_by"), pk=pk, site__in=sites
    )
    if not services.can_read(request.user, case):
        raise Http404
    return case
