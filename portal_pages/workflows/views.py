"""The 編集会議's agenda in the admin, the same agenda as a plain page to print, and its settings."""

from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .agenda import agenda_for, can_view_agenda, meeting_admin_sites
from .forms import MeetingSettingsForm
from .setup import meeting_tasks_of


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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["meeting_tasks"] = meeting_tasks_of(meeting_admin_sites(self.request.user))
        return context


class AgendaPrintView(AgendaMixin, TemplateView):
    """The agenda as a plain document: prints as the paper agenda with no script at all."""

    template_name = "portal_pages/workflows/agenda_print.html"


class MeetingSettingsView(WagtailAdminTemplateMixin, FormView):
    """Quorum and members of one town's 編集会議, for that town's site admin.

    Wagtail's own workflow and task admin is not scoped to a municipality (its permissions are
    global and its lists show every town), so towns change their meeting here instead.
    """

    template_name = "portal_pages/workflows/meeting_settings.html"
    form_class = MeetingSettingsForm
    page_title = _("編集会議の設定")
    header_icon = "cog"

    @cached_property
    def site_and_task(self):
        for site in meeting_admin_sites(self.request.user):
            task = meeting_tasks_of([site]).filter(pk=self.kwargs["task_id"]).first()
            if task is not None:
                return site, task
        return None

    def dispatch(self, request, *args, **kwargs):
        if not meeting_admin_sites(request.user).exists():
            return TemplateResponse(request, "portal_pages/workflows/forbidden.html", status=403)
        if self.site_and_task is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.site_and_task[1].name

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse_lazy("portal_pages_workflows:agenda"), "label": _("編集会議の議題")},
            {"url": "", "label": self.get_header_title()},
        ]

    def get_form_kwargs(self):
        site, task = self.site_and_task
        return {**super().get_form_kwargs(), "instance": task, "site": site}

    def form_valid(self, form):
        task = form.save()
        messages.success(self.request, _("「%(name)s」の設定を保存しました。") % {"name": task.name})
        return redirect("portal_pages_workflows:agenda")
