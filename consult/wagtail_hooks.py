from django.urls import include, path
from wagtail import hooks

from .admin import urls as admin_urls


@hooks.register("register_admin_urls")
def register_consult_admin_urls():
    return [path("consult/", include((admin_urls.urlpatterns, "consult_inbox")))]


@hooks.register("register_admin_menu_item")
def register_consult_menu_item():
    """「ねっと相談」: only for the counsellors, lead counsellors and network of some town."""
    from .admin.menu import consult_menu_item

    return consult_menu_item()
