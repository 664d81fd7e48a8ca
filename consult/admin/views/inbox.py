"""The inbox: a town's cases as numbers and labels only. Reading happens on the (logged) case page."""

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ... import services
from ...models import Status
from ..forms import ALL, OPEN, InboxFilterForm, person_label
from .base import ConsultAdminView

PER_PAGE = 30


def overdue_q(now):
    """Not answered once yet, past its first-reply deadline, and not closed."""
    return Q(first_replied_at__isnull=True, due_at__lt=now) & ~Q(status=Status.CLOSED)


def is_overdue(case, now):
    return case.first_replied_at is None and case.due_at < now and case.status != Status.CLOSED


class InboxView(ConsultAdminView):
    template_name = "consult/admin/inbox.html"
    page_title = _("ねっと相談の受信箱")
    header_icon = "mail"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def filtered(self, cases, form, now):
        status = form.value("status") or OPEN
        if status == OPEN:
            cases = cases.exclude(status=Status.CLOSED)
        elif status != ALL:
            cases = cases.filter(status=status)
        if category := form.value("category"):
            cases = cases.filter(category=category)
        urgency = form.value("urgency")
        if urgency in ("urgent", "normal"):
            cases = cases.filter(urgent=urgency == "urgent")
        assignee = form.value("assignee")
        if assignee == "me":
            cases = cases.filter(assignee=self.request.user)
        elif assignee == "none":
            cases = cases.filter(assignee__isnull=True)
        elif assignee:
            cases = cases.filter(assignee_id=assignee)
        if form.value("overdue"):
            cases = cases.filter(overdue_q(now))
        return cases

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        user, site = self.request.user, self.site
        counsellors = list(services.town_counsellors(site))
        form = InboxFilterForm(self.request.GET or None, counsellors=counsellors)
        cases = services.cases_for(user, site)
        counts = cases.aggregate(
            **{status: Count("pk", filter=Q(status=status)) for status in Status.values},
            overdue=Count("pk", filter=overdue_q(now)),
            urgent_open=Count("pk", filter=Q(urgent=True) & ~Q(status=Status.CLOSED)),
        )
        listed = (
            self.filtered(cases, form, now)
            .select_related("assignee")
            .order_by("-urgent", "due_at", "pk")
            .only(
                "pk",
                "number",
                "category",
                "child_age",
                "created_at",
                "due_at",
                "first_replied_at",
                "status",
                "urgent",
                "escalated_at",
                "assignee",
            )
        )
        page = Paginator(listed, PER_PAGE).get_page(self.request.GET.get("p"))
        for case in page:
            case.overdue = is_overdue(case, now)
            case.assignee_label = person_label(case.assignee) if case.assignee else ""
        context.update(
            form=form,
            page_obj=page,
            cases=page.object_list,
            status_counts=[(value, label, counts[value]) for value, label in Status.choices],
            overdue_count=counts["overdue"],
            urgent_count=counts["urgent_open"],
            is_network=not services.is_counsellor(user, site),
            now=now,
        )
        return context
