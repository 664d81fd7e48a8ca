"""What the member area (``/famisapo/me/``) shows beyond the member's own details.

Each part of the centre fills its panel: ``requests_panel`` (help asked for, proposals to
answer, upcoming activities) and ``reports_panel`` (reports to file or confirm, statements).
Each returns the context its template (``familysupport/panels/<name>.html``) needs.
"""


def requests_panel(member):
    """A requester's upcoming requests (with the provider, once matched); a provider's
    proposals to answer and accepted activities to come (with the family's contact and what
    the provider needs to know of the children: only for accepted assignments)."""
    from django.utils import timezone

    from . import requests as services
    from .assignment_views import proposal_summary, requester_rows
    from .models import Assignment, HelpRequest

    context = {"fs_is_requester": member.is_requester, "fs_is_provider": member.is_provider}
    if member.is_requester:
        context["fs_requests"] = requester_rows(member, upcoming_only=True)[:20]
    if member.is_provider:
        mine = (
            Assignment.objects.filter(provider=member, request__ends_at__gte=timezone.now())
            .exclude(request__status=HelpRequest.Status.CANCELLED)
            .select_related("request__requester", "provider")
            .prefetch_related("request__children")
            .order_by("request__starts_at", "pk")
        )
        context["fs_proposals"] = [
            proposal_summary(assignment) | {"assignment": assignment}
            for assignment in mine.filter(status=Assignment.Status.PROPOSED)[:20]
        ]
        context["fs_upcoming"] = [
            {
                "assignment": assignment,
                "request": assignment.request,
                "counterpart": services.counterpart(assignment, member.user),
                "children": services.care_children(assignment, member.user),
            }
            for assignment in mine.filter(status=Assignment.Status.ACCEPTED)[:20]
        ]
    return context


def reports_panel(member):
    """Providers: accepted activities that wait for a report, and their recent reports.
    Requesters: reports to confirm or dispute, recent reports, and the monthly statements.
    A handful of bounded queries; keys start with ``report_`` so they never meet another panel's.
    """
    import datetime

    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from .models import ActivityReport, Assignment
    from .reports import live

    now = timezone.localtime()
    this_month = now.date().replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    months = [this_month, last_month]
    context = {"report_months": months, "report_is_provider": member.is_provider}
    context["report_is_requester"] = member.is_requester
    if member.is_provider:
        has_report = Exists(live(ActivityReport.objects.filter(assignment=OuterRef("pk"))))
        context["report_to_file"] = list(
            Assignment.objects.filter(
                provider=member, status=Assignment.Status.ACCEPTED, request__starts_at__lte=now
            )
            .exclude(has_report)
            .select_related("request__requester")
            .order_by("request__starts_at")[:20]
        )
        context["report_filed"] = list(
            live(ActivityReport.objects.filter(assignment__provider=member))
            .select_related("assignment__request__requester")
            .order_by("-started_at")[:10]
        )
    if member.is_requester:
        mine = live(ActivityReport.objects.filter(assignment__request__requester=member)).select_related(
            "assignment__provider"
        )
        context["report_to_confirm"] = list(
            mine.filter(status=ActivityReport.Status.FILED).order_by("started_at")[:20]
        )
        context["report_recent"] = list(
            mine.exclude(status=ActivityReport.Status.FILED).order_by("-started_at")[:10]
        )
    return context
