from django.urls import include, path
from wagtail import hooks

from .admin import urls as admin_urls


@hooks.register("register_admin_urls")
def register_consult_admin_urls():
    return [path("consult/", include((admin_urls.urlpatterns, "consult_inbox")))]
