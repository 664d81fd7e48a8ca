"""The 編集会議's agenda in the admin, and the same agenda as a plain page to print."""

from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .agenda import agenda_for, can_view_agenda


class AgendaMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_agenda(request.user)


class AgendaMixin:
    def dispatch(self, request, *args, **kwargs):
        if not can_view_agenda(request.user):
            return TemplateResponse(request, "portal_pages/workflows/forbidden.html", status=403)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        agenda = agenda_for(self.request.user, now=now)
        context.update(items=agenda.items, towns=agenda.towns, show_town=agenda.show_town, generated_at=now)
        return context


class AgendaView(AgendaMixin, WagtailAdminTemplateMixin, TemplateView):
    """The agenda on screen, inside the admin; its print stylesheet leaves out the admin's chrome."""

    template_name = "portal_pages/workflows/agenda.html"
    page_title = _("編集会議の議題")
    header_icon = "clipboard-list"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]


class AgendaPrintView(AgendaMixin, TemplateView):
    """The agenda as a plain document: prints as the paper agenda with no script at all."""

    template_name = "portal_pages/workflows/agenda_print.html"
