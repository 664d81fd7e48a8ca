"""Keeps the admin's page-listing filters inside the user's own municipalities.

Wagtail's page explorer offers "site", "owner" and "edited by" filters whose choices are every
site and every page owner of the installation. On a platform shared by several towns that
would show a reporter of town A the names of town B's site and staff, so the choices are
narrowed to the municipalities the user works in; so are the workflow and task choices of the
workflow reports (their names carry the town's name). (Pages themselves are already scoped by
Wagtail's page permissions; this only concerns the filter choices.)

The "page types usage" report counts pages of every site and names the last edited page of
each type, whatever site it is in; it is left to superusers (platform operators).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from wagtail.admin.views.pages.listing import PageFilterSet
from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView
from wagtail.admin.views.reports.workflows import WorkflowReportFilterSet, WorkflowTasksReportFilterSet
from wagtail.models import Task, Workflow

from .models import municipality_sites_for


def _sites(request):
    return municipality_sites_for(request.user)


def _colleagues(request):
    User = get_user_model()
    if request.user.is_superuser:
        return User.objects.all()
    return User.objects.filter(groups__municipality_role__site__in=_sites(request)).distinct()


def _workflows(request):
    from portal_pages.workflows.setup import workflows_of

    if request.user.is_superuser:
        return Workflow.objects.all()
    return workflows_of(_sites(request).select_related("root_page"))


def _tasks(request):
    from portal_pages.workflows.setup import tasks_of

    if request.user.is_superuser:
        return Task.objects.all()
    return tasks_of(_sites(request).select_related("root_page"))


def _owners(request):
    return _colleagues(request).filter(owned_pages__isnull=False).distinct()


CROSS_SITE_REPORTS = ("page-types-usage",)


def _superusers_only(view_class):
    dispatch = view_class.dispatch

    def guarded(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return dispatch(self, request, *args, **kwargs)

    view_class.dispatch = guarded


def install():
    filters = PageFilterSet.base_filters
    filters["site"].queryset = _sites
    filters["owner"].queryset = _owners
    filters["edited_by"].queryset = _colleagues
    WorkflowReportFilterSet.base_filters["workflow"].queryset = _workflows
    WorkflowTasksReportFilterSet.base_filters["workflow"].queryset = _workflows
    WorkflowTasksReportFilterSet.base_filters["task"].queryset = _tasks
    _superusers_only(PageTypesUsageReportView)
