"""Who may open the centre's back office, and in which town.

The advisors (ファミサポ アドバイザー) of a municipality read its members' details, so every
back-office screen asks for the role, then for the second factor (TOTP), then works in one
town: the one picked with ``?town=`` or the first of the user's. A record of a town the user
does not serve is a 404, as if it did not exist. Superusers are not advisors: the platform
operator has no business in a family's file.
"""

from functools import wraps

from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from accounts.two_factor import two_factor_required
from home.admin_towns import picked_town, towns_with_roles
from home.models import MunicipalityRole

from .models import ADVISOR_ROLES


def advisor_towns(request):
    """The sites where the user is an advisor, read once per request, in a stable order."""
    return towns_with_roles(request, ADVISOR_ROLES)


def pick_town(request):
    """The town picked with ``town`` (GET or POST), or the user's first; another town is a 404."""
    return picked_town(request, advisor_towns(request))


def forbidden(request):
    context = {
        "title": _("ファミリーサポート"),
        "icon": "group",
        "message": _(
            "ファミリーサポートの管理画面を開く権限がありません。開けるのは、その自治体のアドバイザーだけです。"
        ),
    }
    return TemplateResponse(request, "admin_forbidden.html", context, status=403)


def advisor_required(view):
    """Decorate an admin view: the Japanese 403 for non-advisors, then the second factor.

    The view gets ``request.town``: the site it works in.
    """
    verified = two_factor_required(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not advisor_towns(request):
            return forbidden(request)
        request.town = pick_town(request)
        return verified(request, *args, **kwargs)

    return wrapped


def is_advisor(user, site):
    return (
        user.is_authenticated
        and MunicipalityRole.objects.filter(site=site, role__in=ADVISOR_ROLES, group__user=user).exists()
    )
