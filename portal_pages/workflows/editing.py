"""A town's site admin changes the steps of the town's workflows.

Wagtail's own workflow admin is global: it lists every town's workflows and offers every town's
groups, and its permissions cannot be limited to one municipality. These functions are what the
town-scoped 「ワークフローの設定」 screens call: they change only workflows assigned to the
town's pages, offer only the town's groups, never leave a workflow without a step, and never
pull a step from under a page that is waiting at it. Every change is in the audit log.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import GroupApprovalTask, TaskState, WorkflowTask

from .models import EditorialMeetingTask
from .setup import workflows_of


class StepError(Exception):
    """A change refused, with the reason in words for the town's admin."""


@dataclass
class Step:
    link: WorkflowTask
    task: object  # the specific task: GroupApprovalTask or EditorialMeetingTask
    waiting: int  # pages now waiting at this step of this workflow

    @property
    def is_meeting(self):
        return isinstance(self.task, EditorialMeetingTask)


def town_workflow(site, workflow_id):
    """The workflow ``workflow_id`` if it belongs to ``site``'s pages, else ``None``."""
    return workflows_of([site]).filter(pk=workflow_id).first()


def _waiting(workflow, task):
    return TaskState.objects.filter(
        task=task, status=TaskState.STATUS_IN_PROGRESS, workflow_state__workflow=workflow
    ).count()


def steps_of(workflow):
    links = list(WorkflowTask.objects.filter(workflow=workflow).select_related("task").order_by("sort_order"))
    steps = []
    for link in links:
        task = link.task.specific
        steps.append(Step(link=link, task=task, waiting=_waiting(workflow, link.task)))
    return steps


def _town_prefix(site):
    settings = getattr(site, "municipalitysettings", None)
    return f"{settings.official_name} " if settings is not None else ""


@transaction.atomic
def add_step(site, workflow, *, kind, label, groups, quorum=2, user=None):
    """Append a new step: an approval by ``groups`` or a 編集会議 of ``groups`` with ``quorum``."""
    model = EditorialMeetingTask if kind == "meeting" else GroupApprovalTask
    fields = {"quorum": quorum} if model is EditorialMeetingTask else {}
    task = model.objects.create(name=f"{_town_prefix(site)}{label}"[:255], **fields)
    task.groups.set(groups)
    last = WorkflowTask.objects.filter(workflow=workflow).order_by("-sort_order").first()
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=(last.sort_order + 1) if last else 0)
    log(instance=task, action="wagtail.create", user=user)
    log(instance=workflow, action="wagtail.edit", user=user)
    return task


@transaction.atomic
def remove_step(workflow, link, user=None):
    """Take a step out of ``workflow``; the task stays for the history of pages that passed it."""
    if WorkflowTask.objects.filter(workflow=workflow).count() <= 1:
        raise StepError(_("ワークフローには少なくとも1つの手順が必要です。"))
    waiting = _waiting(workflow, link.task)
    if waiting:
        raise StepError(
            _("この手順で%(count)d件のページが審査を待っています。審査が終わってから外してください。")
            % {"count": waiting}
        )
    task = link.task
    link.delete()
    if not task.workflow_tasks.exists():
        task.active = False
        task.save(update_fields=["active"])
    _renumber(workflow)
    log(instance=workflow, action="wagtail.edit", user=user)


@transaction.atomic
def move_step(workflow, link, offset, user=None):
    """Move a step one place earlier (``offset`` -1) or later (+1)."""
    links = list(WorkflowTask.objects.filter(workflow=workflow).order_by("sort_order"))
    index = next(i for i, item in enumerate(links) if item.pk == link.pk)
    target = index + offset
    if not 0 <= target < len(links):
        return
    if TaskState.objects.filter(
        status=TaskState.STATUS_IN_PROGRESS, workflow_state__workflow=workflow
    ).exists():
        raise StepError(_("審査中のページがあるあいだは、手順の順番を変えられません。"))
    links[index], links[target] = links[target], links[index]
    _renumber(workflow, links)
    log(instance=workflow, action="wagtail.edit", user=user)


def _renumber(workflow, links=None):
    links = links if links is not None else list(workflow.workflow_tasks.order_by("sort_order"))
    for offset, item in enumerate(links):
        item.sort_order = offset
    WorkflowTask.objects.bulk_update(links, ["sort_order"])


@transaction.atomic
def update_step(site, task, *, label, groups, town_groups, quorum=None, user=None):
    """Rename a step and set its groups; groups of other towns an operator added are kept."""
    task.name = f"{_town_prefix(site)}{label}"[:255]
    if quorum is not None and isinstance(task, EditorialMeetingTask):
        task.quorum = quorum
    task.save()
    set_town_groups(task, groups, town_groups)
    log(instance=task, action="wagtail.edit", user=user)
    return task


def set_town_groups(task, chosen, town_groups):
    """Give a task the chosen groups of the town, keeping groups an operator added from elsewhere."""
    kept = task.groups.exclude(pk__in=town_groups)
    task.groups.set([*kept, *chosen])


def label_of(site, task):
    """A step's name without the town's prefix, as the town's admin reads and edits it."""
    prefix = _town_prefix(site)
    return task.name[len(prefix) :] if prefix and task.name.startswith(prefix) else task.name
