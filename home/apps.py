from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("自治体・ホーム")

    def ready(self):
        from . import admin_scoping, page_cache

        admin_scoping.install()
        page_cache.connect_signals()
