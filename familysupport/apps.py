from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FamilySupportConfig(AppConfig):
    name = "familysupport"
    verbose_name = _("ファミリーサポート")
