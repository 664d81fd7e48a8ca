"""The town's figures: counts and reply times, never a case or a person."""

from django.utils.translation import gettext_lazy as _

from ... import services
from .base import ConsultAdminView


class StatisticsView(ConsultAdminView):
    roles = services.READER_ROLES
    forbidden_message = _("ねっと相談の統計を開けるのは、その自治体の相談員だけです。")
    template_name = "consult/admin/statistics.html"
    page_title = _("ねっと相談の統計")
    header_icon = "table"

    def get_context_data(self, **kwargs):
        from ...statistics import summary

        context = super().get_context_data(**kwargs)
        context["summary"] = summary(self.site)
        return context
