"""Help requests and their assignments: the rules every screen calls.

A request is asked for by the requester (or by the advisor, taking a phone call); the advisor
proposes a provider; the provider accepts or declines; the two meet beforehand; either side
may cancel. Each step checks who acts and in which town, so a view only has to find the
record and call the step.

E-mail says only that something waits in the member area and where: never a name, a child,
a time or a place. The member reads the rest after signing in.

What the two members of an assignment see of each other is decided here too
(``counterpart`` and ``care_children``): while the assignment is active (accepted, and the
request neither cancelled nor done), the other side's name, phone and the meeting place, and
for the provider the children's first names, ages and allergies. Nothing else of another
member leaves this module.
"""

import datetime
import uuid
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from home.mail import absolute_url, role_addresses, send_each
from home.models import MunicipalitySettings

from .access import is_advisor
from .models import Activity, ActivityReport, Assignment, FeeRules, HelpRequest, Member

#: A weekly request makes at most this many occurrences (a year).
MAX_WEEKLY = 53


class RequestError(ValueError):
    """A rule of requests or assignments was broken; the message is for the person acting."""


# Who is who ---------------------------------------------------------------------------------


def approved_member(site, user):
    """The user's approved membership in ``site``, or None."""
    if user is None or not user.is_authenticated:
        return None
    return Member.objects.filter(site=site, user=user, status=Member.Status.APPROVED).first()


def _is_member_user(member, user):
    return user is not None and user.is_authenticated and member.user_id == user.pk


def overlapping_accepted(provider, starts_at, ends_at, exclude_request=None):
    """The provider's accepted assignments whose request overlaps [starts_at, ends_at)."""
    found = Assignment.objects.filter(
        provider=provider,
        status=Assignment.Status.ACCEPTED,
        request__starts_at__lt=ends_at,
        request__ends_at__gt=starts_at,
    ).exclude(request__status=HelpRequest.Status.CANCELLED)
    if exclude_request is not None:
        found = found.exclude(request=exclude_request)
    return found


# Asking -------------------------------------------------------------------------------------


def _weekly_starts(starts_at, weekly_until):
    """Start times every seven days (same local clock time) up to ``weekly_until`` inclusive."""
    local = timezone.localtime(starts_at)
    naive = local.replace(tzinfo=None)
    tz = timezone.get_current_timezone()
    result = []
    while naive.date() <= weekly_until and len(result) < MAX_WEEKLY:
        result.append(timezone.make_aware(naive, tz))
        naive += datetime.timedelta(days=7)
    return result


def ask(requester_member, data, children, created_by, weekly_until=None):
    """Create the request, or the weekly series up to ``weekly_until``; returns the list.

    ``data``: ``activity``, ``starts_at``, ``ends_at`` and optionally ``place_from``,
    ``place_to``, ``notes``.
    """
    member = requester_member
    if not (member.is_active and member.is_requester):
        raise RequestError(_("援助を頼めるのは、承認された依頼会員だけです。"))
    children = list(children)
    if not children:
        raise RequestError(_("預ける子どもを選んでください。"))
    if any(child.member_id != member.pk for child in children):
        raise RequestError(_("登録されている自分の子どもだけを選べます。"))
    starts_at, ends_at = data["starts_at"], data["ends_at"]
    if ends_at <= starts_at:
        raise RequestError(_("終了は開始より後にしてください。"))
    activity = data["activity"]
    if activity not in Activity.values:
        raise RequestError(_("援助の内容を選んでください。"))
    if activity == Activity.SICK_CHILD and not FeeRules.for_site(member.site).offers_sick_child_care:
        raise RequestError(_("このセンターでは病児・病後児の預かりを行っていません。"))
    if weekly_until is not None:
        if weekly_until < timezone.localtime(starts_at).date():
            raise RequestError(_("毎週の依頼の最終日は、初回より後にしてください。"))
        starts = _weekly_starts(starts_at, weekly_until)
        series = uuid.uuid4()
    else:
        starts = [starts_at]
        series = None
    length = ends_at - starts_at
    created = []
    with transaction.atomic():
        for start in starts:
            help_request = HelpRequest.objects.create(
                site=member.site,
                requester=member,
                activity=activity,
                starts_at=start,
                ends_at=start + length,
                series=series,
                place_from=data.get("place_from", ""),
                place_to=data.get("place_to", ""),
                notes=data.get("notes", ""),
                created_by=created_by,
            )
            help_request.children.set(children)
            created.append(help_request)
    return created


# Proposing and answering --------------------------------------------------------------------


def propose(request, provider, advisor, score=0, reasons=()):
    """The advisor proposes ``provider`` for ``request``; the provider is told by e-mail."""
    if not is_advisor(advisor, request.site):
        raise PermissionDenied
    if provider.site_id != request.site_id or not (provider.is_active and provider.is_provider):
        raise RequestError(_("打診できるのは、この自治体の承認された提供会員だけです。"))
    if provider.pk == request.requester_id:
        raise RequestError(_("依頼会員本人には打診できません。"))
    if overlapping_accepted(provider, request.starts_at, request.ends_at, request).exists():
        raise RequestError(_("この提供会員は、同じ時間に別の活動を引き受けています。"))
    now = timezone.now()
    with transaction.atomic():
        _lock(request)
        if request.status not in (HelpRequest.Status.OPEN, HelpRequest.Status.PROPOSED):
            raise RequestError(_("この依頼は打診できる状態ではありません。"))
        request.assignments.filter(status=Assignment.Status.PROPOSED).update(
            status=Assignment.Status.WITHDRAWN, responded_at=now
        )
        assignment = Assignment.objects.create(
            request=request,
            provider=provider,
            score=float(score),
            reasons=list(reasons),
            proposed_by=advisor,
            proposed_at=now,
        )
        request.status = HelpRequest.Status.PROPOSED
        request.save(update_fields=["status"])
        transaction.on_commit(partial(send_notice, "proposed", assignment.pk))
    return assignment


def _lock(request, assignment=None):
    """Lock ``request``'s row for the transaction and read its status (and the assignment's)
    afresh, so an answer and a cancellation or a new proposal never cross."""
    request.status = (
        HelpRequest.objects.select_for_update().values_list("status", flat=True).get(pk=request.pk)
    )
    if assignment is not None:
        assignment.status = Assignment.objects.values_list("status", flat=True).get(pk=assignment.pk)


def _answerable(assignment, provider_user):
    if not _is_member_user(assignment.provider, provider_user):
        raise PermissionDenied
    if assignment.status != Assignment.Status.PROPOSED:
        raise RequestError(_("この打診にはもう回答できません。"))


def accept(assignment, provider_user):
    """The proposed provider takes the request; the requester is told by e-mail."""
    request = assignment.request
    with transaction.atomic():
        _lock(request, assignment)
        _answerable(assignment, provider_user)
        if request.status != HelpRequest.Status.PROPOSED:
            raise RequestError(_("この打診にはもう回答できません。"))
        if overlapping_accepted(assignment.provider, request.starts_at, request.ends_at, request).exists():
            raise RequestError(_("同じ時間に、ほかの活動を引き受けています。"))
        assignment.status = Assignment.Status.ACCEPTED
        assignment.responded_at = timezone.now()
        assignment.save(update_fields=["status", "responded_at"])
        request.status = HelpRequest.Status.MATCHED
        request.save(update_fields=["status"])
        transaction.on_commit(partial(send_notice, "matched", assignment.pk))
    return assignment


def decline(assignment, provider_user, reason=""):
    """The proposed provider declines; the request goes back to the advisor as open."""
    request = assignment.request
    with transaction.atomic():
        _lock(request, assignment)
        _answerable(assignment, provider_user)
        assignment.status = Assignment.Status.DECLINED
        assignment.responded_at = timezone.now()
        assignment.decline_reason = (reason or "")[:200]
        assignment.save(update_fields=["status", "responded_at", "decline_reason"])
        if request.status == HelpRequest.Status.PROPOSED:
            request.status = HelpRequest.Status.OPEN
            request.save(update_fields=["status"])
        transaction.on_commit(partial(send_declined, assignment.pk))
    return assignment


def record_meeting(assignment, advisor_or_member, at, place, notes=""):
    """Record the prior meeting (事前打ち合わせ) of an accepted assignment."""
    user = advisor_or_member
    allowed = (
        is_advisor(user, assignment.request.site)
        or _is_member_user(assignment.provider, user)
        or _is_member_user(assignment.request.requester, user)
    )
    if not allowed:
        raise PermissionDenied
    if assignment.status != Assignment.Status.ACCEPTED:
        raise RequestError(_("事前打ち合わせは、提供会員が引き受けたあとに記録します。"))
    assignment.meeting_at = at
    assignment.meeting_place = place or ""
    assignment.meeting_notes = notes or ""
    assignment.save(update_fields=["meeting_at", "meeting_place", "meeting_notes"])
    return assignment


def has_report(request):
    """Whether the activity of ``request`` has its report (援助活動報告書) already."""
    return bool(reported_ids([request.pk]))


def reported_ids(request_ids):
    """The ids among ``request_ids`` of requests whose activity has a current report (one query)."""
    return set(
        ActivityReport.objects.filter(assignment__request__in=list(request_ids))
        .exclude(status=ActivityReport.Status.SUPERSEDED)
        .values_list("assignment__request_id", flat=True)
    )


def cancel(request, by_user, at=None):
    """The requester or an advisor cancels; open proposals are withdrawn.

    An accepted assignment stays as it was, so the provider can file the cancellation in the
    activity report (a late cancellation may be charged); the provider is told by e-mail. Once
    the provider has filed the report, the request is the report's business: no cancelling.
    """
    if not (is_advisor(by_user, request.site) or _is_member_user(request.requester, by_user)):
        raise PermissionDenied
    at = at or timezone.now()
    with transaction.atomic():
        _lock(request)
        if request.status in (HelpRequest.Status.DONE, HelpRequest.Status.CANCELLED):
            raise RequestError(_("この依頼は取り消せません。"))
        if has_report(request):
            raise RequestError(
                _("活動の報告書が出ている依頼は取り消せません。違うところは報告書でお知らせください。")
            )
        request.assignments.filter(status=Assignment.Status.PROPOSED).update(
            status=Assignment.Status.WITHDRAWN, responded_at=at
        )
        accepted = request.assignments.filter(status=Assignment.Status.ACCEPTED).first()
        request.status = HelpRequest.Status.CANCELLED
        request.cancelled_at = at
        request.save(update_fields=["status", "cancelled_at"])
        if accepted is not None:
            transaction.on_commit(partial(send_notice, "cancelled", accepted.pk))
    return request


# What each side sees of the other -----------------------------------------------------------


@dataclass(frozen=True)
class Counterpart:
    """What one member of an accepted assignment sees of the other: nothing more."""

    name: str
    phone: str
    meeting_place: str
    # For the provider: where the help ends (送迎先) and what the family asked them to know.
    place_to: str = ""
    notes: str = ""


@dataclass(frozen=True)
class CareChild:
    """What a provider needs to know of a child in their care."""

    first_name: str
    age: int
    allergies: str


def _party(assignment, viewer_user):
    if _is_member_user(assignment.provider, viewer_user):
        return "provider"
    if _is_member_user(assignment.request.requester, viewer_user):
        return "requester"
    raise PermissionDenied


def _visible(assignment):
    """Active: accepted, and its request neither cancelled nor done (the report approved)."""
    return (
        assignment.status == Assignment.Status.ACCEPTED
        and assignment.request.status == HelpRequest.Status.MATCHED
    )


def counterpart(assignment, viewer_user):
    """The other side's name, phone and the meeting place, while the assignment is active.

    None before acceptance, after a decline or withdrawal, once the request is cancelled and
    once it is done (its report approved); ``PermissionDenied`` for anyone who is not one of
    the two members.
    """
    side = _party(assignment, viewer_user)
    if not _visible(assignment):
        return None
    other = assignment.request.requester if side == "provider" else assignment.provider
    place = assignment.meeting_place or (assignment.request.place_from if side == "provider" else "")
    if side != "provider":
        return Counterpart(name=other.full_name, phone=other.phone, meeting_place=place)
    request = assignment.request
    return Counterpart(
        name=other.full_name,
        phone=other.phone,
        meeting_place=place,
        place_to=request.place_to,
        notes=request.notes,
    )


def _first_name(name):
    parts = name.replace("\u3000", " ").split()
    return parts[-1] if parts else name


def _age(birth_date, on_date):
    return (
        on_date.year - birth_date.year - ((on_date.month, on_date.day) < (birth_date.month, birth_date.day))
    )


def care_children(assignment, provider_user):
    """The children of an accepted assignment as its provider needs them; [] otherwise."""
    if not _is_member_user(assignment.provider, provider_user):
        raise PermissionDenied
    if not _visible(assignment):
        return []
    day = timezone.localtime(assignment.request.starts_at).date()
    return [
        CareChild(
            first_name=_first_name(child.name), age=_age(child.birth_date, day), allergies=child.allergies
        )
        for child in assignment.request.children.all()
    ]


# E-mail -------------------------------------------------------------------------------------


NOTICES = {
    # kind: (who is told, the mail's template)
    "proposed": ("provider", "familysupport/requests/mail/proposed.txt"),
    "matched": ("requester", "familysupport/requests/mail/matched.txt"),
    "cancelled": ("provider", "familysupport/requests/mail/cancelled.txt"),
}


def _subject(kind, town):
    subjects = {
        "proposed": _("[%(site)s] ファミリーサポート: 援助の打診が届いています"),
        "matched": _("[%(site)s] ファミリーサポート: 提供会員が決まりました"),
        "cancelled": _("[%(site)s] ファミリーサポート: 依頼が取り消されました"),
    }
    return subjects[kind] % {"site": town.display_title}


def send_notice(kind, assignment_id):
    """Tell a member that something waits in their member area. No private detail."""
    assignment = (
        Assignment.objects.select_related("provider__user", "request__requester__user", "request__site")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None:
        return 0
    who, template = NOTICES[kind]
    member = assignment.provider if who == "provider" else assignment.request.requester
    address = member.user.email if member.user_id and member.user.is_active else ""
    if not address:
        return 0
    site = assignment.request.site
    town = MunicipalitySettings.for_site(site)
    if who == "provider":
        url = absolute_url(site, reverse("familysupport:assignment", args=[assignment.pk]))
    else:
        url = absolute_url(site, reverse("familysupport:my_requests"))
    return send_each([address], lambda: _subject(kind, town), template, {"town": town, "url": url})


def send_declined(assignment_id):
    """Tell the town's advisors that a proposal was declined and the request waits again.

    Only the admin link: no name, date or reason (the advisor reads those after signing in).
    """
    from wagtail.admin.utils import get_admin_base_url

    from .models import ADVISOR_ROLES

    assignment = Assignment.objects.select_related("request__site").filter(pk=assignment_id).first()
    if assignment is None:
        return 0
    site = assignment.request.site
    town = MunicipalitySettings.for_site(site)
    path = reverse("famisapo_admin:request", args=[assignment.request_id])
    url = f"{get_admin_base_url() or site.root_url}{path}?town={site.pk}"
    return send_each(
        role_addresses(site, ADVISOR_ROLES),
        lambda: _("[%(site)s] ファミリーサポート: 打診が辞退されました") % {"site": town.display_title},
        "familysupport/requests/mail/declined.txt",
        {"town": town, "url": url},
    )
