"""E-mail of ねっと相談. None of it carries what a parent or a counsellor wrote, nor the 相談番号.

Staff are told that something waits in the inbox and given its admin link (which itself asks
for their sign-in and second factor); the parent is told that a reply is ready and where to
read it. Every function takes the case's id and is called once the change is committed.
"""

from functools import partial

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task
from wagtail.admin.utils import get_admin_base_url

from home.mail import send_each
from home.models import MunicipalitySettings


def _case(case_id):
    from .models import Consultation

    return Consultation.objects.select_related("site", "member").filter(pk=case_id).first()


def _staff(site, roles):
    return (
        get_user_model()
        .objects.filter(
            is_active=True, groups__municipality_role__site=site, groups__municipality_role__role__in=roles
        )
        .exclude(email="")
        .distinct()
    )


def _admin_url(case):
    return f"{get_admin_base_url() or ''}{reverse('consult_inbox:case', args=[case.pk])}"


def _town(case):
    return MunicipalitySettings.for_site(case.site)


def send_new_case(case_id):
    case = _case(case_id)
    if case is None:
        return 0
    from .services import READER_ROLES

    town = _town(case)
    subject = _("[%(site)s] ねっと相談: 新しい相談が届きました") % {"site": town.display_title}
    context = {"town": town, "case": case, "url": _admin_url(case)}
    return send_each(
        _staff(case.site, READER_ROLES).values_list("email", flat=True),
        subject,
        "consult/mail/new_case.txt",
        context,
    )


def send_urgent_case(case_id):
    """The 子ども家庭支援ネットワーク and the counsellors: an urgent case arrived. No text."""
    case = _case(case_id)
    if case is None:
        return 0
    from .services import NETWORK_ROLES, READER_ROLES

    town = _town(case)
    subject = _("[%(site)s] 【緊急】ねっと相談: 緊急の可能性がある相談が届きました") % {
        "site": town.display_title
    }
    counsellors = _staff(case.site, READER_ROLES)
    # The network reads a case only once it is handed over: it gets the inbox, not the case.
    network = _staff(case.site, NETWORK_ROLES).exclude(pk__in=counsellors.values("pk"))
    inbox = f"{get_admin_base_url() or ''}{reverse('consult_inbox:index')}"
    template = "consult/mail/urgent_case.txt"
    sent = send_each(
        counsellors.values_list("email", flat=True),
        subject,
        template,
        {"town": town, "case": case, "url": _admin_url(case)},
    )
    return sent + send_each(
        network.values_list("email", flat=True),
        subject,
        template,
        {"town": town, "case": case, "url": inbox, "for_network": True},
    )


def send_escalated(case_id):
    case = _case(case_id)
    if case is None:
        return 0
    from .services import NETWORK_ROLES

    town = _town(case)
    subject = _("[%(site)s] 【引き継ぎ】ねっと相談から相談が引き継がれました") % {"site": town.display_title}
    context = {"town": town, "case": case, "url": _admin_url(case)}
    addresses = _staff(case.site, NETWORK_ROLES).values_list("email", flat=True)
    return send_each(addresses, subject, "consult/mail/escalated.txt", context)


def send_parent_replied(case_id):
    """The assignee (or, with none, the town's counsellors): the parent wrote back."""
    case = _case(case_id)
    if case is None:
        return 0
    from .services import READER_ROLES

    town = _town(case)
    staff = _staff(case.site, READER_ROLES)
    if case.assignee_id and staff.filter(pk=case.assignee_id).exists():
        staff = staff.filter(pk=case.assignee_id)
    subject = _("[%(site)s] ねっと相談: 相談者から返信がありました") % {"site": town.display_title}
    context = {"town": town, "case": case, "url": _admin_url(case)}
    return send_each(
        staff.values_list("email", flat=True), subject, "consult/mail/parent_replied.txt", context
    )


def send_reply_to_parent(case_id):
    """The parent, when they asked for e-mail: a reply is ready; read it on the site."""
    from .models import ReplyChannel

    case = _case(case_id)
    if case is None or case.reply_channel != ReplyChannel.EMAIL:
        return 0
    address = case.email or (case.member.email if case.member else "")
    if not address:
        return 0
    town = _town(case)
    root = case.site.root_url
    subject = _("[%(site)s] ねっと相談: 相談員から回答が届きました") % {"site": town.display_title}
    context = {"town": town, "url": f"{root}{reverse('consult:check')}"}
    return send_each([address], subject, "consult/mail/reply_to_parent.txt", context)


SENDERS = {
    "new": send_new_case,
    "urgent": send_urgent_case,
    "escalated": send_escalated,
    "parent_replied": send_parent_replied,
    "reply_to_parent": send_reply_to_parent,
}


@task()
def notify(kind, case_id):
    """Send one notice in the background (the immediate backend runs it in the request)."""
    return SENDERS[kind](case_id)


def notify_on_commit(kind, case_id):
    transaction.on_commit(partial(notify.enqueue, kind, case_id))
