"""The 編集会議's agenda in the admin, the same agenda as a plain page to print, and its settings."""

from django.contrib.auth.models import Group
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView, View
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import WorkflowTask

from . import editing, setup
from .agenda import agenda_for, can_view_agenda, meeting_admin_sites
from .forms import MeetingSettingsForm, StepForm
from .models import EditorialMeetingTask
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


# A town's workflows, for the town's site admin ----------------------------------------------


class WorkflowSettingsMenuItem(MenuItem):
    def is_shown(self, request):
        return meeting_admin_sites(request.user).exists()


class TownWorkflowMixin:
    """Only the town's site admins (and operators); another town's workflow is a 404."""

    def dispatch(self, request, *args, **kwargs):
        if not meeting_admin_sites(request.user).exists():
            context = {
                "title": _("ワークフローの設定"),
                "icon": "tasks",
                "message": _(
                    "ワークフローを設定する権限がありません。設定できるのは、その自治体のサイト管理者だけです。"
                ),
            }
            return TemplateResponse(request, "admin_forbidden.html", context, status=403)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def site_and_workflow(self):
        for site in meeting_admin_sites(self.request.user):
            workflow = editing.town_workflow(site, self.kwargs["workflow_id"])
            if workflow is not None:
                return site, workflow
        raise Http404

    def step_link(self):
        _site, workflow = self.site_and_workflow
        link = WorkflowTask.objects.filter(workflow=workflow, pk=self.kwargs["step_id"]).first()
        if link is None:
            raise Http404
        return link

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse_lazy("portal_pages_workflows:workflows"), "label": _("ワークフローの設定")},
            {"url": "", "label": self.get_header_title()},
        ]


class WorkflowSettingsView(TownWorkflowMixin, WagtailAdminTemplateMixin, TemplateView):
    """Every workflow of the admin's towns, step by step, with what can be changed."""

    template_name = "portal_pages/workflows/workflow_settings.html"
    page_title = _("ワークフローの設定")
    header_icon = "tasks"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        towns = []
        for site in meeting_admin_sites(self.request.user).order_by("site_name"):
            workflows = [
                {
                    "workflow": workflow,
                    "sections": workflow.workflow_pages.select_related("page").order_by("page__path"),
                    "steps": [
                        {
                            "step": step,
                            "label": editing.label_of(site, step.task),
                            "groups": step.task.groups.all(),
                        }
                        for step in editing.steps_of(workflow)
                    ],
                }
                for workflow in setup.workflows_of([site])
            ]
            towns.append({"site": site, "workflows": workflows})
        context["towns"] = towns
        return context


class StepActionView(TownWorkflowMixin, View):
    """POST only: move a step up or down, or take it out of the workflow."""

    http_method_names = ["post"]

    def post(self, request, workflow_id, step_id, action):
        _site, workflow = self.site_and_workflow
        link = self.step_link()
        try:
            if action == "up":
                editing.move_step(workflow, link, -1, user=request.user)
            elif action == "down":
                editing.move_step(workflow, link, +1, user=request.user)
            elif action == "remove":
                editing.remove_step(workflow, link, user=request.user)
                messages.success(request, _("「%(name)s」を外しました。") % {"name": link.task.name})
            else:
                raise Http404
        except editing.StepError as error:
            messages.error(request, str(error))
        return redirect("portal_pages_workflows:workflows")


class StepFormView(TownWorkflowMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "portal_pages/workflows/step_form.html"
    form_class = StepForm
    header_icon = "tasks"

    def get_page_subtitle(self):
        return self.site_and_workflow[1].name

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "site": self.site_and_workflow[0]}


class StepAddView(StepFormView):
    page_title = _("手順を追加")

    def form_valid(self, form):
        site, workflow = self.site_and_workflow
        data = form.cleaned_data
        task = editing.add_step(
            site,
            workflow,
            kind=data["kind"],
            label=data["label"],
            groups=data["groups"],
            quorum=data.get("quorum") or 2,
            user=self.request.user,
        )
        messages.success(self.request, _("「%(name)s」を追加しました。") % {"name": task.name})
        return redirect("portal_pages_workflows:workflows")


class StepEditView(StepFormView):
    page_title = _("手順を編集")

    @cached_property
    def task(self):
        return self.step_link().task.specific

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "editing": self.task}

    def get_initial(self):
        site = self.site_and_workflow[0]
        town_groups = Group.objects.filter(municipality_role__site=site)
        initial = {
            "label": editing.label_of(site, self.task),
            "groups": list(self.task.groups.filter(pk__in=town_groups)),
        }
        if isinstance(self.task, EditorialMeetingTask):
            initial["quorum"] = self.task.quorum
        return initial

    def form_valid(self, form):
        site = self.site_and_workflow[0]
        data = form.cleaned_data
        task = editing.update_step(
            site,
            self.task,
            label=data["label"],
            groups=data["groups"],
            town_groups=form.town_groups,
            quorum=data.get("quorum"),
            user=self.request.user,
        )
        messages.success(self.request, _("「%(name)s」を保存しました。") % {"name": task.name})
        return redirect("portal_pages_workflows:workflows")
