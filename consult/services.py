"""What can happen to a consultation. Views, the admin, commands and tests all call these.

Each change runs in one transaction, is written to the access log, and sends its notices only
once committed. Notices never carry what the parent or a counsellor wrote.
"""

import secrets
import unicodedata

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from home.models import MunicipalityRole

from . import notifications
from .deadlines import add_business_days
from .models import AccessLog, Consultation, ConsultSettings, InternalNote, Message, Status
from .triage import risk_hits

READER_ROLES = ("counsellor", "counsellor_lead")
LEAD_ROLES = ("counsellor_lead",)
NETWORK_ROLES = ("child_network",)
# A hash to check against when the number is unknown, so both answers take the same time.
_DUMMY_HASH = make_password("not-a-passphrase")


class ConsultError(Exception):
    """A change refused, with the reason in Japanese for whoever asked for it."""


# Who may do what ------------------------------------------------------------------------------


def roles_in(user, site):
    if not user.is_authenticated:
        return set()
    return set(MunicipalityRole.objects.filter(site=site, group__user=user).values_list("role", flat=True))


def is_counsellor(user, site):
    return bool(roles_in(user, site) & set(READER_ROLES))


def can_handle(user, consultation):
    """Only the town's counsellors answer the parent, change the state, assign or export a case.

    The 子ども家庭支援ネットワーク reads the cases handed to it and adds internal notes, but the
    conversation with the parent stays with the counsellors who started it.
    """
    return bool(roles_in(user, consultation.site) & set(READER_ROLES))


def can_read(user, consultation):
    """Counsellors of the case's town read every case; its 子ども家庭支援ネットワーク reads the
    cases handed to it. Nobody else, superusers included: the platform operator has no business
    in a family's consultation."""
    roles = roles_in(user, consultation.site)
    if roles & set(READER_ROLES):
        return True
    return bool(roles & set(NETWORK_ROLES)) and consultation.escalated_at is not None


def cases_for(user, site):
    """The consultations of ``site`` that ``user`` may read."""
    roles = roles_in(user, site)
    cases = Consultation.objects.filter(site=site)
    if roles & set(READER_ROLES):
        return cases
    if roles & set(NETWORK_ROLES):
        return cases.filter(escalated_at__isnull=False)
    return cases.none()


def town_counsellors(site):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__municipality_role__site=site,
            groups__municipality_role__role__in=READER_ROLES,
        )
        .distinct()
        .order_by("pk")
    )


# The parent's side ----------------------------------------------------------------------------


def new_number():
    """A 相談番号 such as 4821-0937: 8 random digits, easy to type on a phone."""
    while True:
        digits = f"{secrets.randbelow(10**8):08d}"
        number = f"{digits[:4]}-{digits[4:]}"
        if not Consultation.objects.filter(number=number).exists():
            return number


def normalise_number(raw):
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", raw or "") if ch in "0123456789")
    return f"{digits[:4]}-{digits[4:]}" if len(digits) == 8 else ""


def find_case(site, number, passphrase):
    """The case with this 相談番号 and passphrase in ``site``, or ``None``.

    Whether the number exists or not, one password hash is checked, so the answer takes the same
    time either way and tells a guesser nothing. Callers rate-limit (``consult.limits``).
    """
    number = normalise_number(number)
    case = Consultation.objects.filter(site=site, number=number).first() if number else None
    matched = check_password(passphrase or "", case.passphrase_hash if case else _DUMMY_HASH)
    return case if case is not None and matched else None


def due_at_for(site, start):
    conf = ConsultSettings.for_site(site)
    return add_business_days(start, conf.first_reply_business_days, closed_year_end=conf.closed_year_end)


@transaction.atomic
def submit(
    site,
    *,
    question,
    category,
    child_age,
    passphrase,
    reply_channel,
    email="",
    nickname="",
    member=None,
    faq_consent=False,
):
    """Receive a new consultation; returns it. Risk triage runs on the question at once."""
    now = timezone.now()
    hits = risk_hits(site, question)
    case = Consultation.objects.create(
        site=site,
        number=new_number(),
        passphrase_hash=make_password(passphrase),
        member=member if member is not None and member.is_authenticated else None,
        nickname=nickname.strip(),
        email=email.strip(),
        reply_channel=reply_channel,
        category=category,
        child_age=child_age,
        faq_consent=faq_consent,
        urgent=bool(hits),
        risk_terms="、".join(term for term, _kind in hits),
        due_at=due_at_for(site, now),
    )
    Message.objects.create(consultation=case, author_kind=Message.Author.PARENT, body=question.strip())
    notifications.notify_on_commit("new", case.pk)
    if case.urgent:
        notifications.notify_on_commit("urgent", case.pk)
    return case


@transaction.atomic
def parent_reply(case, body):
    """The parent answers back: the case goes back to the counsellors as 対応中."""
    case = Consultation.objects.select_for_update().get(pk=case.pk)
    if case.is_closed:
        raise ConsultError(_("この相談は終了しています。新しい相談として送ってください。"))
    Message.objects.create(consultation=case, author_kind=Message.Author.PARENT, body=body.strip())
    case.status = Status.IN_PROGRESS if case.status != Status.NEW else Status.NEW
    case.last_activity_at = timezone.now()
    case.save(update_fields=["status", "last_activity_at"])
    notifications.notify_on_commit("parent_replied", case.pk)
    return case


@transaction.atomic
def parent_close(case):
    case = Consultation.objects.select_for_update().get(pk=case.pk)
    if not case.is_closed:
        case.status = Status.CLOSED
        case.closed_at = case.last_activity_at = timezone.now()
        case.save(update_fields=["status", "closed_at", "last_activity_at"])
        _log(case, None, AccessLog.Action.STATUS, _("相談者が終了しました"))
    return case


def mark_read_by_parent(case):
    if case.parent_has_unread:
        Consultation.objects.filter(pk=case.pk).update(parent_has_unread=False)
        case.parent_has_unread = False


# The counsellors' side ------------------------------------------------------------------------


def _log(case, user, action, detail=""):
    return AccessLog.objects.create(
        site_id=case.site_id,
        consultation=case,
        number=case.number,
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        detail=str(detail)[:200],
    )


def log_open(case, user):
    return _log(case, user, AccessLog.Action.OPEN)


def log_export(case, user):
    """Counsellors only: a file that leaves the system is the counsellors' responsibility."""
    _check_handler(case, user)
    return _log(case, user, AccessLog.Action.EXPORT)


def _check_reader(case, user):
    if not can_read(user, case):
        raise ConsultError(_("この相談を扱う権限がありません。"))


def _check_handler(case, user):
    _check_reader(case, user)
    if not can_handle(user, case):
        raise ConsultError(_("相談者への回答、状態や担当の変更は、この自治体の相談員が行います。"))


@transaction.atomic
def counsellor_reply(case, user, body):
    """A counsellor's reply to the parent: the case becomes 回答済 and the parent is told."""
    _check_handler(case, user)
    body = (body or "").strip()
    if not body:
        raise ConsultError(_("回答を入力してください。"))
    case = Consultation.objects.select_for_update().get(pk=case.pk)
    if case.is_closed:
        raise ConsultError(_("終了した相談には回答できません。先に状態を「対応中」に戻してください。"))
    now = timezone.now()
    Message.objects.create(consultation=case, author_kind=Message.Author.COUNSELLOR, author=user, body=body)
    case.status = Status.ANSWERED
    case.first_replied_at = case.first_replied_at or now
    case.last_activity_at = now
    case.parent_has_unread = True
    if case.assignee_id is None:
        case.assignee = user
    case.save(
        update_fields=["status", "first_replied_at", "last_activity_at", "parent_has_unread", "assignee"]
    )
    _log(case, user, AccessLog.Action.REPLY)
    notifications.notify_on_commit("reply_to_parent", case.pk)
    return case


@transaction.atomic
def add_note(case, user, body):
    _check_reader(case, user)
    body = (body or "").strip()
    if not body:
        raise ConsultError(_("メモを入力してください。"))
    note = InternalNote.objects.create(consultation=case, author=user, body=body)
    _log(case, user, AccessLog.Action.NOTE)
    return note


@transaction.atomic
def set_status(case, user, status):
    """Change the state by hand. 回答済 needs a counsellor's reply; 新規 cannot be set again."""
    _check_handler(case, user)
    case = Consultation.objects.select_for_update().get(pk=case.pk)
    if status not in Status.values or status == Status.NEW:
        raise ConsultError(_("その状態には変更できません。"))
    if status == Status.ANSWERED and not case.messages.filter(author_kind=Message.Author.COUNSELLOR).exists():
        raise ConsultError(_("まだ回答していない相談を「回答済」にはできません。先に回答を送ってください。"))
    if status == case.status:
        return case
    before = case.get_status_display()
    case.status = status
    case.closed_at = timezone.now() if status == Status.CLOSED else None
    case.last_activity_at = timezone.now()
    case.save(update_fields=["status", "closed_at", "last_activity_at"])
    _log(case, user, AccessLog.Action.STATUS, f"{before} → {case.get_status_display()}")
    return case


@transaction.atomic
def assign(case, user, assignee):
    """Give the case to one of the town's counsellors (``None`` to leave it unassigned)."""
    _check_handler(case, user)
    if assignee is not None and not town_counsellors(case.site).filter(pk=assignee.pk).exists():
        raise ConsultError(_("この自治体の相談員を選んでください。"))
    case = Consultation.objects.select_for_update().get(pk=case.pk)
    case.assignee = assignee
    if assignee is not None and case.status == Status.NEW:
        case.status = Status.IN_PROGRESS
    case.save(update_fields=["assignee", "status"])
    _log(
        case,
        user,
        AccessLog.Action.ASSIGN,
        assignee.get_full_name() or assignee.get_username() if assignee else "",
    )
    return case


@transaction.atomic
def escalate(case, user):
    """Hand the case to the town's 子ども家庭支援ネットワーク, recording who and when."""
    if not is_counsellor(user, case.site):
        raise ConsultError(_("引き継ぎは相談員が行います。"))
    case = Consultation.objects.select_for_update().get(pk=case.pk)
    if case.escalated_at is not None:
        raise ConsultError(_("この相談はすでにネットワークへ引き継がれています。"))
    case.escalated_at = timezone.now()
    case.escalated_by = user
    case.urgent = True
    case.save(update_fields=["escalated_at", "escalated_by", "urgent"])
    _log(case, user, AccessLog.Action.ESCALATE)
    notifications.notify_on_commit("escalated", case.pk)
    return case
