"""「モデレーション」 in the admin's main menu, with how many posts and comments wait."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from ..models import Post
from .access import moderated_towns

try:
    from community import comment_moderation
except ImportError:  # pragma: no cover - written by another change
    comment_moderation = None


def waiting_count(request):
    """Posts and comments waiting in the user's towns, counted once per request."""
    cached = getattr(request, "_community_waiting_count", None)
    if cached is None:
        towns = moderated_towns(request)
        cached = Post.objects.filter(thread__board__site__in=towns, status__in=Post.WAITING).count()
        if comment_moderation is not None:
            cached += sum(comment_moderation.waiting_comments(site).count() for site in towns)
        request._community_waiting_count = cached
    return cached


def with_count(label, request):
    count = waiting_count(request)
    return _("%(label)s（%(count)d件）") % {"label": label, "count": count} if count else label


class ModeratorMenuItem(MenuItem):
    def __init__(self, *args, counted=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.counted = counted

    def is_shown(self, request):
        return bool(moderated_towns(request))

    def render_component(self, request):
        component = super().render_component(request)
        if self.counted:
            component.label = with_count(self.label, request)
        return component


class ModerationMenu(SubmenuMenuItem):
    def render_component(self, request):
        component = super().render_component(request)
        component.label = with_count(self.label, request)
        return component


def moderation_menu_item():
    items = [
        ModeratorMenuItem(
            _("確認待ち"),
            reverse("community_moderation:queue"),
            name="moderation-queue",
            icon_name="warning",
            order=100,
            counted=True,
        ),
        ModeratorMenuItem(
            _("スレッド"),
            reverse("community_moderation:threads"),
            name="moderation-threads",
            icon_name="list-ul",
            order=200,
        ),
        ModeratorMenuItem(
            _("モデレーション記録"),
            reverse("community_moderation:log"),
            name="moderation-log",
            icon_name="history",
            order=300,
        ),
    ]
    return ModerationMenu(
        _("モデレーション"), Menu(items=items), name="moderation", icon_name="group", order=270
    )
