"""The members' side of requests: 「援助を頼む」, my requests, and answering a proposal.

Every page needs a signed-in, approved member of this town. A request or an assignment that is
not the member's own is a 404, the same as one that does not exist. Nothing here is cached.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from wagtail.models import Site

from home.ratelimits import hit
from home.ratelimits import member as by_member

from . import requests as services
from .assignment_forms import AskForm, DeclineForm
from .models import AgeBand, Assignment, HelpRequest, age_band

ASK_PER_MEMBER = "30/d"
NOTICE_KEY = "familysupport:requests_notice"
NOTICES = {
    "asked": gettext_lazy(
        "依頼を受け付けました。アドバイザーが提供会員を探して、決まったらメールでお知らせします。"
    ),
    "cancelled": gettext_lazy("依頼を取り消しました。"),
    "not_cancelled": gettext_lazy(
        "この依頼は取り消せません。活動の報告書が出ているときは、報告書の確認のところでお知らせください。"
    ),
    "accepted": gettext_lazy(
        "引き受けました。依頼会員の連絡先を確かめて、事前打ち合わせの日を決めてください。"
    ),
    "declined": gettext_lazy("辞退しました。アドバイザーにお知らせします。"),
}


class SeeOther(HttpResponseRedirect):
    status_code = 303


def _site(request):
    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    return site


def _member(request):
    """The signed-in user's approved membership in this town, or None."""
    return services.approved_member(_site(request), request.user)


def _notice(request, key):
    request.session[NOTICE_KEY] = key


def _pop_notice(request):
    return NOTICES.get(request.session.pop(NOTICE_KEY, None))


def _to_login(request):
    return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)


def _not_member(request, *, requester=False):
    return render(request, "familysupport/requests/not_member.html", {"for_requester": requester}, status=403)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def ask(request):
    if not request.user.is_authenticated:
        return _to_login(request)
    member = _member(request)
    if member is None or not member.is_requester:
        return _not_member(request, requester=True)
    form = AskForm(request.POST if request.method == "POST" else None, member=member)
    context = {"form": form, "member": member}
    if request.method == "POST" and form.is_valid():
        if hit(request, "familysupport.ask.member", by_member, ASK_PER_MEMBER):
            return render(
                request, "familysupport/requests/ask.html", {**context, "limited": True}, status=429
            )
        try:
            services.ask(
                member,
                form.request_data(),
                form.cleaned_data["children"],
                request.user,
                weekly_until=form.weekly_end(),
            )
        except services.RequestError as error:
            form.add_error(None, str(error))
        else:
            _notice(request, "asked")
            return SeeOther(reverse("familysupport:my_requests"))
    return render(request, "familysupport/requests/ask.html", context)


@never_cache
@require_http_methods(["GET", "HEAD"])
def my_requests(request):
    if not request.user.is_authenticated:
        return _to_login(request)
    member = _member(request)
    if member is None or not member.is_requester:
        return _not_member(request, requester=True)
    rows = requester_rows(member)
    return render(
        request,
        "familysupport/requests/mine.html",
        {"rows": rows, "member": member, "notice": _pop_notice(request)},
    )


def requester_rows(member, upcoming_only=False):
    """The requester's requests with, once matched, what they see of the provider."""
    requests = member.requests.prefetch_related("children").order_by("-starts_at", "-pk")
    if upcoming_only:
        requests = requests.filter(ends_at__gte=timezone.now()).exclude(status=HelpRequest.Status.CANCELLED)
    requests = list(requests[:100])
    accepted = {
        assignment.request_id: assignment
        for assignment in Assignment.objects.filter(
            request__in=requests, status=Assignment.Status.ACCEPTED
        ).select_related("provider", "request__requester")
    }
    reported = services.reported_ids(accepted)
    rows = []
    for help_request in requests:
        assignment = accepted.get(help_request.pk)
        rows.append(
            {
                "request": help_request,
                "counterpart": services.counterpart(assignment, member.user) if assignment else None,
                "can_cancel": help_request.status
                not in (HelpRequest.Status.DONE, HelpRequest.Status.CANCELLED)
                and help_request.pk not in reported,
            }
        )
    return rows


@never_cache
@require_http_methods(["POST"])
def cancel_request(request, pk):
    if not request.user.is_authenticated:
        return _to_login(request)
    member = _member(request)
    if member is None:
        raise Http404
    help_request = HelpRequest.objects.filter(pk=pk, requester=member).first()
    if help_request is None:
        raise Http404
    try:
        services.cancel(help_request, request.user)
    except services.RequestError:
        _notice(request, "not_cancelled")
    else:
        _notice(request, "cancelled")
    return SeeOther(reverse("familysupport:my_requests"))


def _own_assignment(request, pk):
    member = _member(request)
    if member is None:
        raise Http404
    assignment = (
        Assignment.objects.select_related("request__requester", "request__site", "provider")
        .filter(pk=pk, provider=member)
        .exclude(status=Assignment.Status.WITHDRAWN)
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


def proposal_summary(assignment):
    """What a provider may know before accepting: when, what, how many children of which age,
    and the family's 地区. No name, address or phone until they accept."""
    help_request = assignment.request
    day = timezone.localtime(help_request.starts_at).date()
    bands = [age_band(child.birth_date, day) for child in help_request.children.all()]
    return {
        "request": help_request,
        "child_count": len(bands),
        "ages": "・".join(str(AgeBand(band).label) for band in bands),
        "area": help_request.requester.area,
    }


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def assignment(request, pk):
    if not request.user.is_authenticated:
        return _to_login(request)
    assignment = _own_assignment(request, pk)
    decline_form = DeclineForm()
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                services.accept(assignment, request.user)
                _notice(request, "accepted")
                return SeeOther(reverse("familysupport:assignment", args=[assignment.pk]))
            if action == "decline":
                decline_form = DeclineForm(request.POST)
                if decline_form.is_valid():
                    services.decline(assignment, request.user, decline_form.cleaned_data["reason"])
                    _notice(request, "declined")
                    return SeeOther(reverse("familysupport:assignment", args=[assignment.pk]))
        except services.RequestError as problem:
            error = str(problem)
            assignment.refresh_from_db()
    context = {
        "assignment": assignment,
        "summary": proposal_summary(assignment),
        "decline_form": decline_form,
        "error": error,
        "notice": _pop_notice(request),
        "counterpart": services.counterpart(assignment, request.user),
        "children_in_care": services.care_children(assignment, request.user),
        "can_answer": assignment.status == Assignment.Status.PROPOSED,
        "title": _("援助の打診"),
    }
    return render(request, "familysupport/requests/assignment.html", context)
