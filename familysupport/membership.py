"""Membership of the centre: applying, the advisor's interview and decision, keeping details current.

Every rule about members lives here, so the member's pages, the back office, the demo and the
tests all go through the same checks:

- one application per person per town at a time (a rejected or withdrawn one may be followed
  by a new one);
- a requester names at least one child and an emergency contact; a provider gives at least one
  weekly slot of availability;
- the advisor approves only after recording the interview (面談); approval gives the next
  会員番号 of the town (``R-0001`` for 依頼会員, ``P-0001`` for 提供会員, ``B-0001`` for 両方会員)
  and puts the account in the town's member groups;
- a member's change to one of ``Member.KEY_FIELDS`` waits in ``pending_changes`` for the
  advisor; other changes apply at once;
- only an advisor of the member's own town acts on a member.

E-mails say what happened and where to read it; they carry no name, address, child or reason.
"""

import datetime
import unicodedata
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from home.mail import absolute_url, send_each
from home.models import MunicipalityRole, MunicipalitySettings

from .access import is_advisor
from .models import AgeBand, Availability, Child, Member, Qualification

#: The number's prefix for each kind of member.
NUMBER_PREFIX = {
    Member.Kind.REQUESTER: "R",
    Member.Kind.PROVIDER: "P",
    Member.Kind.BOTH: "B",
}
NUMBER_DIGITS = 4
#: Statuses that count as "holding an application" in a town.
OPEN_STATUSES = (Member.Status.APPLIED, Member.Status.INTERVIEWED, Member.Status.APPROVED)
UNDECIDED = (Member.Status.APPLIED, Member.Status.INTERVIEWED)

REQUESTER_FIELDS = ("household", "emergency_name", "emergency_phone", "needs_no_pets", "needs_no_smoking")
PROVIDER_FIELDS = (
    "experience",
    "experienced_ages",
    "qualifications",
    "takes_siblings",
    "has_pets",
    "smoking_at_home",
    "training_hours",
    "monthly_capacity",
)
COMMON_FIELDS = (
    "full_name",
    "full_name_kana",
    "phone",
    "postal_code",
    "address",
    "area",
    "insurance_enrolled",
    "insurance_date",
)
#: What an applicant or member may fill in themselves (the advisor's fields are not here).
MEMBER_FIELDS = (*COMMON_FIELDS, *REQUESTER_FIELDS, *PROVIDER_FIELDS)
#: What a member may change from their member area (``kind`` only through review).
EDITABLE_FIELDS = ("kind", *MEMBER_FIELDS)


class Refused(Exception):
    """An action refused, with the reason in Japanese for whoever asked for it."""


# Small helpers -------------------------------------------------------------------------------------


def normalise_phone(value):
    """Full-width digits and hyphens to half-width; spaces dropped ("０９０ー１２３４" → "090-1234")."""
    value = unicodedata.normalize("NFKC", value or "")
    for dash in ("ー", "−", "‐", "―", "–", "—"):
        value = value.replace(dash, "-")
    return "".join(value.split())


def _check_advisor(advisor, site):
    if advisor is None or not is_advisor(advisor, site):
        raise Refused(_("この操作ができるのは、この自治体のアドバイザーだけです。"))


def _member_values(kind, data):
    """The member fields of ``data`` that apply to ``kind``; the others are left at their defaults."""
    wanted = list(COMMON_FIELDS)
    if kind in (Member.Kind.REQUESTER, Member.Kind.BOTH):
        wanted += REQUESTER_FIELDS
    if kind in (Member.Kind.PROVIDER, Member.Kind.BOTH):
        wanted += PROVIDER_FIELDS
    values = {name: data[name] for name in wanted if name in data and data[name] is not None}
    for name in ("phone", "emergency_phone"):
        if name in values:
            values[name] = normalise_phone(values[name])
    for name, choices in (("experienced_ages", AgeBand), ("qualifications", Qualification)):
        if name in values:
            values[name] = [value for value in choices.values if value in set(values[name])]
    for name in ("full_name", "full_name_kana", "address", "area", "postal_code"):
        if name in values:
            values[name] = str(values[name]).strip()
    return values


def _check_child(data, today):
    errors = []
    if not (data.get("name") or "").strip():
        errors.append(_("お子さんの名前を入力してください。"))
    birth = data.get("birth_date")
    if not isinstance(birth, datetime.date):
        errors.append(_("お子さんの生年月日を入力してください。"))
    elif birth > today:
        errors.append(_("お子さんの生年月日に、今日より後の日付は入力できません。"))
    return errors


def _check_slot(data):
    errors = []
    if data.get("weekday") not in range(7):
        errors.append(_("曜日を選んでください。"))
    starts, ends = data.get("starts"), data.get("ends")
    if not isinstance(starts, datetime.time) or not isinstance(ends, datetime.time):
        errors.append(_("活動できる時間の開始と終了を入力してください。"))
    elif ends <= starts:
        errors.append(_("活動できる時間の終了は、開始より後の時刻にしてください。"))
    return errors


def _town_name(site):
    settings_obj = MunicipalitySettings.objects.filter(site=site).first()
    return settings_obj.official_name if settings_obj and settings_obj.official_name else site.site_name


def _tell_applicant(member_id, approved):
    """Tell the applicant the outcome. The mail says only that, and where to read the rest."""
    member = Member.objects.select_related("site", "user").filter(pk=member_id).first()
    if member is None or member.user is None or not member.user.email:
        return 0
    town = _town_name(member.site)
    if approved:
        subject = lambda: _("【%(town)s】ファミリーサポートの会員登録が完了しました") % {"town": town}  # noqa: E731
    else:
        subject = lambda: _("【%(town)s】ファミリーサポートの申込みの結果のお知らせ") % {"town": town}  # noqa: E731
    context = {
        "approved": approved,
        "town": town,
        "url": absolute_url(member.site, reverse("familysupport:me")),
    }
    return send_each([member.user.email], subject, "familysupport/member/mail/decided.txt", context)


# Who holds what ----------------------------------------------------------------------------------


def current_member(site, user):
    """``user``'s application or membership in ``site``: the open one, else the latest decided one."""
    if user is None or not user.is_authenticated:
        return None
    rows = Member.objects.filter(site=site, user=user).order_by("-created_at", "-pk")
    return rows.filter(status__in=OPEN_STATUSES).first() or rows.first()


def has_open_application(site, user):
    return Member.objects.filter(site=site, user=user, status__in=OPEN_STATUSES).exists()


def sync_groups(member):
    """Put an approved member's account in the town's fs_requester / fs_provider groups, as the kind says."""
    if member.user_id is None:
        return
    links = {
        link.role: link.group
        for link in MunicipalityRole.objects.filter(
            site=member.site_id, role__in=("fs_requester", "fs_provider")
        ).select_related("group")
    }
    wanted = set()
    if member.status == Member.Status.APPROVED:
        if member.is_requester:
            wanted.add("fs_requester")
        if member.is_provider:
            wanted.add("fs_provider")
    for role, group in links.items():
        if role in wanted:
            member.user.groups.add(group)
        else:
            member.user.groups.remove(group)


# Applying ----------------------------------------------------------------------------------------


def application_problems(kind, data, children=(), availability=()):
    """What is missing or wrong in an application, as {field: [Japanese messages]} (empty if none).

    The keys are member fields, ``children`` and ``availability``. The form shows them all at
    once, together with its own messages.
    """
    values = _member_values(kind, data)
    children = [child for child in children if child]
    availability = [slot for slot in availability if slot]
    today = timezone.localdate()
    errors = {}
    for name, message in (
        ("full_name", _("氏名を入力してください。")),
        ("phone", _("電話番号を入力してください。")),
        ("address", _("住所を入力してください。")),
    ):
        if not values.get(name):
            errors[name] = [message]
    if kind in (Member.Kind.REQUESTER, Member.Kind.BOTH):
        if not children:
            errors["children"] = [_("依頼会員は、お子さんを少なくとも1人入力してください。")]
        else:
            problems = [problem for child in children for problem in _check_child(child, today)]
            if problems:
                errors["children"] = list(dict.fromkeys(problems))
        if not values.get("emergency_name"):
            errors["emergency_name"] = [_("緊急連絡先の氏名と続柄を入力してください。")]
        if not values.get("emergency_phone"):
            errors["emergency_phone"] = [_("緊急連絡先の電話番号を入力してください。")]
    if kind in (Member.Kind.PROVIDER, Member.Kind.BOTH):
        if not availability:
            errors["availability"] = [_("提供会員は、活動できる曜日と時間を少なくとも1つ入力してください。")]
        else:
            problems = [problem for slot in availability for problem in _check_slot(slot)]
            if problems:
                errors["availability"] = list(dict.fromkeys(problems))
    return errors


def apply(site, user, kind, data, children=(), availability=()):
    """Record an application to ``site``'s centre and return the new ``Member``.

    ``data`` holds member fields (see ``MEMBER_FIELDS``); ``children`` dicts of name, birth_date,
    allergies, notes; ``availability`` dicts of weekday, starts, ends. Bad input raises a
    ``ValidationError`` keyed by field (``children``, ``availability``, ``emergency_name`` …) with
    every problem at once; holding an application already raises ``Refused``. Nothing is saved
    unless everything is.
    """
    if kind not in Member.Kind.values:
        raise ValidationError({"kind": [_("会員の種類を選んでください。")]})
    kind = Member.Kind(kind)
    values = _member_values(kind, data)
    children = [child for child in children if child] if kind != Member.Kind.PROVIDER else []
    availability = [slot for slot in availability if slot] if kind != Member.Kind.REQUESTER else []
    errors = application_problems(kind, values, children, availability)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        if user is not None:
            # One application at a time: a second submit waits for the first and then sees it.
            get_user_model().objects.select_for_update().filter(pk=user.pk).first()
            if has_open_application(site, user):
                raise Refused(
                    _(
                        "この自治体のファミリーサポートには、すでに申し込んでいます。会員のページで状態を確認できます。"
                    )
                )
        member = Member.objects.create(site=site, user=user, kind=kind, **values)
        Child.objects.bulk_create(
            Child(
                member=member,
                name=child["name"].strip(),
                birth_date=child["birth_date"],
                allergies=(child.get("allergies") or "").strip(),
                notes=(child.get("notes") or "").strip(),
            )
            for child in children
        )
        Availability.objects.bulk_create(
            Availability(member=member, weekday=slot["weekday"], starts=slot["starts"], ends=slot["ends"])
            for slot in availability
        )
    return member


# The advisor's side ------------------------------------------------------------------------------


def record_interview(member, advisor, at, notes):
    """Record the interview (面談) with the applicant; the application can then be decided."""
    _check_advisor(advisor, member.site)
    if member.status not in UNDECIDED:
        raise Refused(_("承認・不承認が決まった申込みには、面談を記録できません。"))
    if at is None:
        raise Refused(_("面談の日時を入力してください。"))
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    member.interview_at = at
    member.interview_notes = (notes or "").strip()
    member.status = Member.Status.INTERVIEWED
    member.save(update_fields=["interview_at", "interview_notes", "status"])
    return member


def next_number(site, kind):
    """The next free 会員番号 of ``kind`` in ``site`` (call inside the approval's lock)."""
    prefix = f"{NUMBER_PREFIX[kind]}-"
    last = (
        Member.objects.filter(site=site, number__startswith=prefix)
        .annotate(number_length=Length("number"))
        .order_by("-number_length", "-number")
        .values_list("number", flat=True)
        .first()
    )
    try:
        count = int(last[len(prefix) :]) if last else 0
    except ValueError:
        count = 0
    return f"{prefix}{count + 1:0{NUMBER_DIGITS}d}"


def _give_number(member):
    """Save ``member`` with the next number of its town and kind.

    The town's ``Site`` row is locked first, so concurrent approvals in one town take turns; a
    clash with a number written some other way is retried with the next one.
    """
    Site.objects.select_for_update().filter(pk=member.site_id).first()
    for _attempt in range(5):
        member.number = next_number(member.site_id, member.kind)
        try:
            with transaction.atomic():
                member.save(update_fields=["number", "status", "decided_by", "decided_at"])
            return
        except IntegrityError:
            continue
    raise Refused(_("会員番号を決められませんでした。少し待ってから、もう一度お試しください。"))


def approve(member, advisor):
    """Approve an interviewed application: a 会員番号, the member groups, and a mail to the applicant."""
    _check_advisor(advisor, member.site)
    with transaction.atomic():
        member = (
            Member.objects.select_for_update(of=("self",)).select_related("site", "user").get(pk=member.pk)
        )
        if member.status == Member.Status.APPROVED:
            raise Refused(_("この申込みは、すでに承認されています。"))
        if member.status not in UNDECIDED:
            raise Refused(_("この申込みは、もう承認できません。"))
        if member.interview_at is None:
            raise Refused(_("承認の前に、面談の記録を入力してください。"))
        member.status = Member.Status.APPROVED
        member.decided_by = advisor
        member.decided_at = timezone.now()
        if not member.number:
            _give_number(member)
        else:
            member.save(update_fields=["status", "decided_by", "decided_at"])
        sync_groups(member)
        member_id = member.pk
        transaction.on_commit(lambda: _tell_applicant(member_id, approved=True))
    return member


def reject(member, advisor, reason):
    """Reject an application with a reason, shown to the applicant in their member area."""
    _check_advisor(advisor, member.site)
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("不承認の理由を入力してください。申込んだ人に伝えられます。"))
    with transaction.atomic():
        member = (
            Member.objects.select_for_update(of=("self",)).select_related("site", "user").get(pk=member.pk)
        )
        if member.status not in UNDECIDED:
            raise Refused(_("承認・不承認が決まった申込みは、不承認にできません。"))
        member.status = Member.Status.REJECTED
        member.rejection_reason = reason
        member.decided_by = advisor
        member.decided_at = timezone.now()
        member.save(update_fields=["status", "rejection_reason", "decided_by", "decided_at"])
        member_id = member.pk
        transaction.on_commit(lambda: _tell_applicant(member_id, approved=False))
    return member


# The member keeps their details current ----------------------------------------------------------


def _json_value(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _check_owner(member, user):
    if user is None or not user.is_authenticated or member.user_id != user.pk:
        raise Refused(_("自分の会員情報だけを変更できます。"))
    if member.status in (Member.Status.REJECTED, Member.Status.WITHDRAWN):
        raise Refused(_("この申込みの内容は、もう変更できません。"))


def update_details(member, user, data):
    """The member changes their details. Returns ``(applied, waiting)``: the names of the fields
    changed at once, and those of ``Member.KEY_FIELDS`` now waiting for the advisor."""
    _check_owner(member, user)
    kind = data.get("kind") or member.kind
    if kind not in Member.Kind.values:
        raise ValidationError({"kind": [_("会員の種類を選んでください。")]})
    values = _member_values(Member.Kind.BOTH, data)
    if "kind" in data:
        values["kind"] = kind
    for name, message in (
        ("full_name", _("氏名を入力してください。")),
        ("phone", _("電話番号を入力してください。")),
        ("address", _("住所を入力してください。")),
    ):
        if name in values and not values[name]:
            raise ValidationError({name: [message]})

    applied, waiting = [], []
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        pending = dict(member.pending_changes or {})
        for name, value in values.items():
            current = getattr(member, name)
            if name in Member.KEY_FIELDS:
                if _json_value(value) == _json_value(current):
                    pending.pop(name, None)
                else:
                    pending[name] = _json_value(value)
                    waiting.append(name)
            elif value != current:
                setattr(member, name, value)
                applied.append(name)
        member.pending_changes = pending
        member.save(update_fields=[*applied, "pending_changes"])
    return applied, waiting


def review_changes(member, advisor, accept):
    """The advisor accepts (``accept=True``) or refuses the member's waiting key-field changes."""
    _check_advisor(advisor, member.site)
    with transaction.atomic():
        member = (
            Member.objects.select_for_update(of=("self",)).select_related("site", "user").get(pk=member.pk)
        )
        pending = dict(member.pending_changes or {})
        if not pending:
            raise Refused(_("確認待ちの変更はありません。"))
        changed = []
        if accept:
            for name, value in pending.items():
                if name not in Member.KEY_FIELDS:
                    continue
                if name == "kind" and value not in Member.Kind.values:
                    continue
                setattr(member, name, value)
                changed.append(name)
        member.pending_changes = {}
        member.save(update_fields=[*changed, "pending_changes"])
        if "kind" in changed:
            sync_groups(member)
    return member


# Children and availability, kept by the member ---------------------------------------------------


def save_child(member, user, data, child=None):
    """Add a child (``child`` None) or change one of the member's own children."""
    _check_owner(member, user)
    if child is not None and child.member_id != member.pk:
        raise Refused(_("自分のお子さんの情報だけを変更できます。"))
    problems = _check_child(data, timezone.localdate())
    if problems:
        raise ValidationError({"__all__": problems})
    child = child or Child(member=member)
    child.name = data["name"].strip()
    child.birth_date = data["birth_date"]
    child.allergies = (data.get("allergies") or "").strip()
    child.notes = (data.get("notes") or "").strip()
    child.save()
    return child


def delete_child(member, user, child):
    _check_owner(member, user)
    if child.member_id != member.pk:
        raise Refused(_("自分のお子さんの情報だけを削除できます。"))
    if member.is_requester and member.children.count() <= 1:
        raise Refused(_("依頼会員は、お子さんを少なくとも1人登録しておく必要があります。"))
    if child.requests.exists():
        raise Refused(
            _("援助の依頼に使われたお子さんの情報は削除できません。変更はアドバイザーにご連絡ください。")
        )
    child.delete()


def save_slot(member, user, data, slot=None):
    """Add (``slot`` None) or change one weekly slot of the member's availability."""
    _check_owner(member, user)
    if slot is not None and slot.member_id != member.pk:
        raise Refused(_("自分の活動できる時間だけを変更できます。"))
    problems = _check_slot(data)
    if problems:
        raise ValidationError({"__all__": problems})
    slot = slot or Availability(member=member)
    slot.weekday, slot.starts, slot.ends = data["weekday"], data["starts"], data["ends"]
    slot.save()
    return slot


def delete_slot(member, user, slot):
    _check_owner(member, user)
    if slot.member_id != member.pk:
        raise Refused(_("自分の活動できる時間だけを削除できます。"))
    if member.is_provider and member.availability.count() <= 1:
        raise Refused(_("提供会員は、活動できる時間を少なくとも1つ登録しておく必要があります。"))
    slot.delete()


# Withdrawing -------------------------------------------------------------------------------------


def withdrawal_blockers(member):
    """Why ``member`` cannot withdraw yet, in Japanese: help still to give or receive, or a report
    still to settle. Empty when they can."""
    from .models import ActivityReport, Assignment, HelpRequest

    blockers = []
    live_requests = HelpRequest.objects.filter(
        status__in=(HelpRequest.Status.OPEN, HelpRequest.Status.PROPOSED, HelpRequest.Status.MATCHED)
    )
    if live_requests.filter(requester=member).exists():
        blockers.append(
            _("まだ終わっていない依頼があります。取り消すか、活動が終わってから退会してください。")
        )
    if Assignment.objects.filter(
        provider=member,
        status__in=(Assignment.Status.PROPOSED, Assignment.Status.ACCEPTED),
        request__status__in=(HelpRequest.Status.PROPOSED, HelpRequest.Status.MATCHED),
    ).exists():
        blockers.append(_("引き受けた、または打診中の活動があります。終わってから退会してください。"))
    unsettled = ActivityReport.objects.filter(
        status__in=(
            ActivityReport.Status.FILED,
            ActivityReport.Status.CONFIRMED,
            ActivityReport.Status.DISPUTED,
        )
    )
    if unsettled.filter(Q(assignment__provider=member) | Q(assignment__request__requester=member)).exists():
        blockers.append(_("承認されていない援助活動報告書があります。承認されてから退会してください。"))
    return blockers


def withdraw(member, user):
    """The member leaves the centre (退会). Their records stay for the centre's statistics and
    statements; the account leaves the town's family-support groups."""
    _check_owner(member, user)
    with transaction.atomic():
        member = (
            Member.objects.select_for_update(of=("self",)).select_related("site", "user").get(pk=member.pk)
        )
        if member.status in (Member.Status.REJECTED, Member.Status.WITHDRAWN):
            raise Refused(_("すでに退会しているか、申込みが終わっています。"))
        blockers = withdrawal_blockers(member)
        if blockers:
            raise Refused(blockers[0])
        member.status = Member.Status.WITHDRAWN
        member.pending_changes = {}
        member.save(update_fields=["status", "pending_changes"])
        sync_groups(member)
    return member
