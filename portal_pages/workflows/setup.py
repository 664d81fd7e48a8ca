"""Each municipality's editorial workflows: one per section, named after the town.

行政情報 goes through the department (担当課確認) and then the childcare PR office
(子育て広報室承認); 地域情報 through the 編集会議 and then the NPO's lead (NPO責任者承認, the only
role that may publish there, so the meeting cannot be skipped); citizen
blogs in 掲示板・ブログ through the 編集会議 alone; anonymised Q&A in ねっと相談 through the lead
counsellor (主任相談員確認) and then the childcare PR office. The town's name is in every workflow and
task name so that an operator of several towns can tell them apart in Wagtail's admin.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from wagtail.models import GroupApprovalTask, Task, Workflow, WorkflowPage, WorkflowTask

from .models import EditorialMeetingTask


@dataclass(frozen=True)
class Step:
    label: str
    role: str
    task_model: type = GroupApprovalTask


@dataclass(frozen=True)
class SectionWorkflow:
    section: str
    label: str
    steps: tuple


MEETING = Step("編集会議", "npo_editor", EditorialMeetingTask)

WORKFLOWS = (
    SectionWorkflow(
        "municipal",
        "行政情報",
        (Step("担当課確認", "municipal_staff"), Step("子育て広報室承認", "site_admin")),
    ),
    SectionWorkflow("regional", "地域情報", (MEETING, Step("NPO責任者承認", "npo_lead"))),
    SectionWorkflow("community", "掲示板・ブログ", (MEETING,)),
    # Anonymised Q&A from consultations (consult.faq): the lead counsellor checks that nothing
    # identifies the family, then the childcare PR office publishes.
    SectionWorkflow(
        "consult",
        "ねっと相談",
        (Step("主任相談員確認", "counsellor_lead"), Step("子育て広報室承認", "site_admin")),
    ),
)


# Steps whose approvers changed since towns were first set up: (label, old role, new role). A
# task still approved by the old role's group alone, as it was made, moves to the new one.
MOVED_APPROVERS = (("NPO責任者承認", "npo_editor", "npo_lead"),)


def _ensure_task(town_name, step, groups):
    name = f"{town_name} {step.label}"
    task = step.task_model.objects.filter(name=name).first()
    if task is None:
        task = step.task_model.objects.create(name=name)
        task.groups.set([groups[step.role]])
    return task


def _move_approvers(town_name, groups):
    for label, old, new in MOVED_APPROVERS:
        for task in GroupApprovalTask.objects.filter(name=f"{town_name} {label}"):
            if list(task.groups.all()) == [groups[old]]:
                task.groups.set([groups[new]])


@transaction.atomic
def ensure_workflows(town_name, sections, groups):
    """Give each section of the municipality ``town_name`` its workflow; returns them by section key.

    ``sections`` and ``groups`` are the dicts of ``home.municipality.Municipality`` (section
    key → ``SectionPage``, role key → ``Group``). A section that already has a workflow keeps
    it, whatever the town's admin has made of it, so running this again changes nothing.
    """
    _move_approvers(town_name, groups)
    workflows = {}
    for spec in WORKFLOWS:
        section = sections[spec.section]
        assigned = WorkflowPage.objects.filter(page=section).select_related("workflow").first()
        if assigned is not None:
            workflows[spec.section] = assigned.workflow
            continue
        name = f"{town_name} {spec.label}"
        workflow = Workflow.objects.filter(name=name).first()
        if workflow is None:
            workflow = Workflow.objects.create(name=name)
            for order, step in enumerate(spec.steps):
                WorkflowTask.objects.create(
                    workflow=workflow, task=_ensure_task(town_name, step, groups), sort_order=order
                )
        WorkflowPage.objects.create(workflow=workflow, page=section)
        workflows[spec.section] = workflow
    return workflows


def _under(sites, path_field):
    in_sites = Q(pk__in=[])
    for site in sites:
        in_sites |= Q(**{f"{path_field}__startswith": site.root_page.path})
    return in_sites


def workflows_of(sites):
    """The workflows assigned to pages of ``sites`` (Wagtail ``Site``s): what a town may see of them."""
    return Workflow.objects.filter(_under(sites, "workflow_pages__page__path")).distinct().order_by("name")


def tasks_of(sites):
    """The tasks in the workflows of ``sites``."""
    return (
        Task.objects.filter(_under(sites, "workflow_tasks__workflow__workflow_pages__page__path"))
        .distinct()
        .order_by("name")
    )


def meeting_tasks_of(sites):
    """The 編集会議 tasks in the workflows of ``sites``."""
    return EditorialMeetingTask.objects.filter(pk__in=tasks_of(sites).values("pk")).order_by("name")
