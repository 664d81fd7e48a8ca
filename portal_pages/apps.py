from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalPagesConfig(AppConfig):
    name = "portal_pages"
    verbose_name = _("行政情報・地域情報")

    def ready(self):
        from . import comments, review

        comments.register()
        review.connect_signals()
