try:
    from . import blog_hooks  # noqa: F401  (the citizen blogs' page hooks)
except ImportError:  # pragma: no cover
    pass

from django.urls import include, path
from wagtail import hooks

from .admin import urls as admin_urls


@hooks.register("register_admin_urls")
def register_moderation_admin_urls():
    return [path("moderation/", include((admin_urls.urlpatterns, "community_moderation")))]


@hooks.register("register_admin_menu_item")
def register_moderation_menu_item():
    """「モデレーション」: only for the moderators and site admins of some town (and superusers)."""
    from .admin.menu import moderation_menu_item

    return moderation_menu_item()
