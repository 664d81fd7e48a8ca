"""The members' side of activity reports: filing, confirming or disputing, correcting, and the
monthly statement (requester) and summary (provider).

Every page needs a signed-in member of this town's centre, and shows only what belongs to that
member: another member's report or assignment is a 404, the same as one that does not exist.
A report shows the children by name to its two members only; nothing here is ever cached.
"""

import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from wagtail.models import Site

from . import reports, statistics
from .models import ActivityReport, Assignment, Member
from .report_forms import DisputeForm, ReportForm

NOTICE_KEY = "familysupport:report_notice"
NOTICES = {
    "filed": gettext_lazy("報告書を送りました。依頼会員が確認したあと、アドバイザーが承認します。"),
    "confirmed": gettext_lazy("報告書を確認しました。アドバイザーが承認すると確定します。"),
    "disputed": gettext_lazy("異議を送りました。アドバイザーから連絡します。"),
    "corrected": gettext_lazy("訂正した報告書を送りました。"),
}


class SeeOther(HttpResponseRedirect):
    status_code = 303


def _member(request):
    """The signed-in user's membership in this town's centre, or a 404."""
    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    member = (
        Member.objects.filter(site=site, user=request.user, status=Member.Status.APPROVED)
        .order_by("pk")
        .first()
    )
    if member is None:
        raise Http404
    return member


def _own_report(member, pk):
    """A report of an activity ``member`` gave or asked for; any other is a 404."""
    report = get_object_or_404(
        ActivityReport.objects.select_related(
            "assignment__provider", "assignment__request__requester", "supersedes", "approved_by"
        ),
        pk=pk,
        assignment__request__site=member.site_id,
    )
    if member.pk not in (report.assignment.provider_id, report.assignment.request.requester_id):
        raise Http404
    return report


def _to_report(request, report, notice):
    request.session[NOTICE_KEY] = notice
    return SeeOther(reverse("familysupport:report", args=[report.pk]))


def _refused(form, error):
    form.add_error(None, str(error))


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def new_report(request, assignment_pk):
    member = _member(request)
    assignment = get_object_or_404(
        Assignment.objects.select_related("request__requester"),
        pk=assignment_pk,
        provider=member,
        request__site=member.site_id,
        status=Assignment.Status.ACCEPTED,
    )
    existing = reports.live(assignment.reports.all()).first()
    if existing is not None:
        return SeeOther(reverse("familysupport:report", args=[existing.pk]))
    help_request = assignment.request
    if request.method != "POST":
        form = ReportForm(help_request=help_request, initial=ReportForm.initial_for_request(help_request))
    else:
        form = ReportForm(request.POST, help_request=help_request)
        if form.is_valid():
            try:
                report = reports.file(assignment, request.user, form.values(), form.cleaned_data["children"])
            except reports.Refused as error:
                _refused(form, error)
            else:
                return _to_report(request, report, "filed")
    context = {"form": form, "assignment": assignment, "help_request": help_request, "correcting": None}
    return render(request, "familysupport/reports/form.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_detail(request, pk):
    member = _member(request)
    report = _own_report(member, pk)
    is_requester = report.assignment.request.requester_id == member.pk
    dispute_form = DisputeForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "confirm":
                reports.confirm(report, request.user)
                return _to_report(request, report, "confirmed")
            if action == "dispute":
                dispute_form = DisputeForm(request.POST)
                if dispute_form.is_valid():
                    reports.dispute(report, request.user, dispute_form.cleaned_data["reason"])
                    return _to_report(request, report, "disputed")
                status = 400
            else:
                raise Http404
        except reports.Refused as error:
            dispute_form.add_error(None, str(error))
            status = 409
    versions = list(
        ActivityReport.objects.filter(assignment=report.assignment_id)
        .exclude(pk=report.pk)
        .order_by("-version")
        .only("pk", "version", "status", "fee", "total", "filed_at")
    )
    context = {
        "report": report,
        "children": list(report.children.all()),
        "is_requester": is_requester,
        "is_provider": report.assignment.provider_id == member.pk,
        "can_answer": is_requester and report.status == ActivityReport.Status.FILED,
        "can_correct": reports.can_correct(report, request.user),
        "dispute_form": dispute_form,
        "versions": versions,
        "notice": NOTICES.get(request.session.pop(NOTICE_KEY, None)),
        "month": timezone.localtime(report.started_at),
    }
    return render(request, "familysupport/reports/detail.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def correct_report(request, pk):
    member = _member(request)
    report = _own_report(member, pk)
    if not reports.can_correct(report, request.user):
        raise Http404
    help_request = report.assignment.request
    if request.method != "POST":
        form = ReportForm(help_request=help_request, initial=ReportForm.initial_for_report(report))
    else:
        form = ReportForm(request.POST, help_request=help_request)
        if form.is_valid():
            try:
                new = reports.correct(report, request.user, form.values(), form.cleaned_data["children"])
            except reports.Refused as error:
                _refused(form, error)
            else:
                return _to_report(request, new, "corrected")
    context = {
        "form": form,
        "assignment": report.assignment,
        "help_request": help_request,
        "correcting": report,
    }
    return render(request, "familysupport/reports/form.html", context)


def _month(year, month):
    try:
        first = datetime.date(year, month, 1)
    except ValueError:
        raise Http404 from None
    if not 2000 <= year <= 2100:
        raise Http404
    return first


def _month_links(first):
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return previous, following


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def statement(request, year, month):
    """The requester's monthly statement: what to pay each provider."""
    member = _member(request)
    if not member.is_requester:
        raise Http404
    first = _month(year, month)
    previous, following = _month_links(first)
    context = {
        "statement": statistics.requester_statement(member, year, month),
        "member": member,
        "first": first,
        "previous": previous,
        "following": following,
        "as_requester": True,
        "title": _("%(year)s年%(month)s月の利用明細") % {"year": year, "month": month},
        "url_name": "familysupport:statement",
    }
    return render(request, "familysupport/reports/statement.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def summary(request, year, month):
    """The provider's monthly summary: what each family pays them."""
    member = _member(request)
    if not member.is_provider:
        raise Http404
    first = _month(year, month)
    previous, following = _month_links(first)
    context = {
        "statement": statistics.provider_summary(member, year, month),
        "member": member,
        "first": first,
        "previous": previous,
        "following": following,
        "as_requester": False,
        "title": _("%(year)s年%(month)s月の活動のまとめ") % {"year": year, "month": month},
        "url_name": "familysupport:summary",
    }
    return render(request, "familysupport/reports/statement.html", context)
