"""Who may enter the moderation screens, and in which town.

Every screen first asks whether the user moderates the boards of some town (a ``moderator`` or
``site_admin`` role there, or a superuser: if not, the Japanese 403), then works in one town:
the one picked with ``?town=`` or, by default, the first of theirs. A post, thread or member of
a town the user does not moderate is a 404, as if it did not exist.

Moderators see nicknames and usernames only, never e-mail addresses or real names, so the
screens ask for no second factor (unlike ねっと相談).
"""

from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from home.admin_towns import picked_town, towns_with_roles

from .. import services


def moderated_towns(request):
    """The towns whose boards the user moderates, in a stable order (the first is the default)."""
    return towns_with_roles(request, services.MODERATOR_ROLES, superusers=True)


def pick_town(request):
    """The town picked with ``town`` (GET or POST), or the user's first; another town is a 404."""
    return picked_town(request, moderated_towns(request))


def forbidden(request):
    context = {
        "title": _("モデレーション"),
        "icon": "warning",
        "message": _(
            "掲示板を管理する権限がありません。開けるのは、その自治体のモデレーターとサイト管理者だけです。"
        ),
    }
    return TemplateResponse(request, "admin_forbidden.html", context, status=403)
