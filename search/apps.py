from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("サイト内検索")

    def ready(self):
        from . import community_index, indexing

        indexing.connect_signals()
        community_index.connect_signals()
