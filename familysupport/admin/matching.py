"""Requests and matching in the back office (/admin/famisapo/requests/…), for the advisors.

The list of requests, a request taken by phone, a request's page (the ranked candidates with
their reasons, 「この方に打診する」, the assignment's state and the prior meeting), and
「月間の一括調整」: the optimiser's proposal for a month, reviewed before anything is sent.
Every screen works in ``request.town`` (``access.advisor_required``); another town's request
is a 404.
"""

import datetime

from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import matching
from .. import requests as services
from ..access import advisor_required, advisor_towns
from ..assignment_forms import MeetingForm, MonthForm, PhoneRequestForm, RequestFilterForm
from ..models import Assignment, HelpRequest, Member

CANDIDATES_SHOWN = 20
REQUESTS_SHOWN = 200


def _month_range(day):
    start = timezone.make_aware(datetime.datetime(day.year, day.month, 1))
    end = timezone.make_aware(datetime.datetime(day.year + day.month // 12, day.month % 12 + 1, 1))
    return start, end


@method_decorator([never_cache, advisor_required], name="dispatch")
class AdvisorView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "group"
    http_method_names = ["get", "head"]

    @property
    def town(self):
        return self.request.town

    def town_url(self, name, *args):
        url = reverse(f"famisapo_admin:{name}", args=args)
        return f"{url}?town={self.town.pk}" if len(advisor_towns(self.request)) > 1 else url

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": self.town_url("requests"), "label": _("援助の依頼")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_page_subtitle(self):
        return self.town.site_name if len(advisor_towns(self.request)) > 1 else ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        many = len(advisor_towns(self.request)) > 1
        context.update(town=self.town, town_query=f"town={self.town.pk}" if many else "")
        return context

    def town_request(self, pk):
        return get_object_or_404(
            HelpRequest.objects.select_related("requester", "site"), pk=pk, site=self.town
        )


class RequestListView(AdvisorView):
    template_name = "familysupport/admin/matching/requests.html"
    page_title = gettext_lazy("援助の依頼")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = RequestFilterForm(self.request.GET or None)
        found = HelpRequest.objects.filter(site=self.town).select_related("requester")
        if form.is_valid():
            if form.cleaned_data["status"]:
                found = found.filter(status=form.cleaned_data["status"])
            if form.cleaned_data["month"]:
                start, end = _month_range(form.cleaned_data["month"])
                found = found.filter(starts_at__gte=start, starts_at__lt=end)
        found = found.prefetch_related("children").order_by("starts_at", "pk")
        context.update(form=form, help_requests=found[:REQUESTS_SHOWN], total=found.count())
        return context


class RequestCreateView(AdvisorView):
    """A request taken by phone: pick the requester, show their children, fill in the rest."""

    template_name = "familysupport/admin/matching/request_form.html"
    page_title = gettext_lazy("電話で依頼を受ける")
    http_method_names = ["get", "head", "post"]

    def requester(self):
        pk = self.request.POST.get("requester") or self.request.GET.get("requester")
        if not pk or not str(pk).isdigit():
            return None
        return Member.objects.filter(site=self.town, pk=pk, status=Member.Status.APPROVED).first()

    def form(self):
        requester = self.requester()
        data = self.request.POST if self.request.method == "POST" else None
        initial = {"requester": requester} if requester else None
        return PhoneRequestForm(data, site=self.town, requester=requester, initial=initial)

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = form or self.form()
        return context

    def post(self, request, *args, **kwargs):
        form = self.form()
        if request.POST.get("action") == "children" or not form.is_valid():
            if request.POST.get("action") == "children":
                form = PhoneRequestForm(
                    None, site=self.town, requester=self.requester(), initial=request.POST.dict()
                )
            return self.render_to_response(self.get_context_data(form=form))
        try:
            created = services.ask(
                form.cleaned_data["requester"],
                form.request_data(),
                form.cleaned_data["children"],
                request.user,
                weekly_until=form.weekly_end(),
            )
        except services.RequestError as error:
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("依頼を%(n)d件受け付けました。") % {"n": len(created)})
        return _redirect(self.town_url("request", created[0].pk))


def _redirect(url):
    return HttpResponseRedirect(url)


class RequestView(AdvisorView):
    """One request: its details, the assignment's state, candidates, the meeting, cancelling."""

    template_name = "familysupport/admin/matching/request.html"
    http_method_names = ["get", "head", "post"]

    def get_page_title(self):
        return _("援助の依頼")

    def get_context_data(self, meeting_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        help_request = self.help_request
        assignments = list(
            help_request.assignments.select_related("provider").order_by("-proposed_at", "-pk")
        )
        current = next(
            (a for a in assignments if a.status in (Assignment.Status.PROPOSED, Assignment.Status.ACCEPTED)),
            None,
        )
        candidates = []
        if help_request.status in (HelpRequest.Status.OPEN, HelpRequest.Status.PROPOSED):
            candidates = matching.rank(help_request, limit=CANDIDATES_SHOWN)
        if meeting_form is None and current and current.status == Assignment.Status.ACCEPTED:
            local = timezone.localtime(current.meeting_at) if current.meeting_at else None
            meeting_form = MeetingForm(
                initial={
                    "day": local.date() if local else None,
                    "time": local.time() if local else None,
                    "place": current.meeting_place,
                    "notes": current.meeting_notes,
                }
            )
        context.update(
            help_request=help_request,
            children=list(help_request.children.all()),
            assignments=assignments,
            current=current,
            candidates=candidates,
            meeting_form=meeting_form,
            can_cancel=help_request.status not in (HelpRequest.Status.DONE, HelpRequest.Status.CANCELLED)
            and not services.has_report(help_request),
        )
        return context

    def get(self, request, *args, pk, **kwargs):
        self.help_request = self.town_request(pk)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, pk, **kwargs):
        self.help_request = help_request = self.town_request(pk)
        action = request.POST.get("action")
        here = self.town_url("request", help_request.pk)
        try:
            if action == "propose":
                provider = Member.objects.filter(site=self.town, pk=request.POST.get("provider") or 0).first()
                found = matching.rank(help_request, providers=[provider], limit=1) if provider else []
                if not found:
                    messages.error(request, _("この方には打診できません。"))
                    return _redirect(here)
                services.propose(help_request, provider, request.user, found[0].score, found[0].reasons)
                messages.success(request, _("%(name)sさんに打診しました。") % {"name": provider.full_name})
            elif action == "meeting":
                current = help_request.assignments.filter(status=Assignment.Status.ACCEPTED).first()
                form = MeetingForm(request.POST)
                if current is None:
                    messages.error(request, _("引き受けた提供会員がいません。"))
                elif not form.is_valid():
                    return self.render_to_response(self.get_context_data(meeting_form=form))
                else:
                    services.record_meeting(
                        current,
                        request.user,
                        form.meeting_at(),
                        form.cleaned_data["place"],
                        form.cleaned_data["notes"],
                    )
                    messages.success(request, _("事前打ち合わせを記録しました。"))
            elif action == "cancel":
                services.cancel(help_request, request.user)
                messages.success(request, _("依頼を取り消しました。"))
        except services.RequestError as error:
            messages.error(request, str(error))
        return _redirect(here)


class MonthView(AdvisorView):
    """「月間の一括調整」: the optimiser's proposal for a month; nothing is sent until confirmed."""

    template_name = "familysupport/admin/matching/month.html"
    page_title = gettext_lazy("月間の一括調整")
    http_method_names = ["get", "head", "post"]

    def month_requests(self, form):
        start, end = _month_range(form.cleaned_data["month"])
        found = HelpRequest.objects.filter(
            site=self.town, status=HelpRequest.Status.OPEN, starts_at__gte=start, starts_at__lt=end
        )
        if form.cleaned_data["weekly_only"]:
            found = found.exclude(series=None)
        return found

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        form = MonthForm(data if "month" in data else None, initial={"weekly_only": True})
        plan = None
        if form.is_valid():
            plan = matching.propose_month(self.month_requests(form))
        context.update(form=form, plan=plan)
        return context

    def post(self, request, *args, **kwargs):
        form = MonthForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data())
        picked = set(request.POST.getlist("pick"))
        plan = matching.propose_month(self.month_requests(form))
        sent = 0
        with transaction.atomic():
            for proposal in plan.proposals:
                if f"{proposal.request.pk}:{proposal.provider.pk}" not in picked:
                    continue
                try:
                    services.propose(
                        proposal.request, proposal.provider, request.user, proposal.score, proposal.reasons
                    )
                except services.RequestError:
                    continue
                sent += 1
        skipped = len(picked) - sent
        messages.success(request, _("%(n)d件を打診しました。") % {"n": sent})
        if skipped > 0:
            messages.warning(
                request,
                _("%(n)d件は状況が変わったため打診していません。もう一度確かめてください。") % {"n": skipped},
            )
        url = self.town_url("requests")
        return _redirect(f"{url}{'&' if '?' in url else '?'}status=proposed")


urlpatterns = [
    path("requests/", RequestListView.as_view(), name="requests"),
    path("requests/new/", RequestCreateView.as_view(), name="request_new"),
    path("requests/<int:pk>/", RequestView.as_view(), name="request"),
    path("requests/month/", MonthView.as_view(), name="month"),
]

MENU_ITEMS = [
    (gettext_lazy("援助の依頼"), "requests", 200),
    (gettext_lazy("電話で依頼を受ける"), "request_new", 210),
    (gettext_lazy("月間の一括調整"), "month", 220),
]
