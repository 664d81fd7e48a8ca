"""The 援助活動報告書 (activity report) and its rules, for the member views and the back office.

The life of a report: the provider files it (FILED) → the requester confirms it (CONFIRMED)
or disputes it (DISPUTED) → the town's advisor approves it (APPROVED), and the help request
is done. A report is never edited in place: ``correct`` files a new version that supersedes
the old one (SUPERSEDED), and the new version goes through the same steps. A disputed report
is approved only after a correction; the advisor, having heard both members, may approve that
correction without waiting for a second confirmation.

A cancelled activity is a report too (``cancelled=True``), priced with the cancellation charge.
Each function checks who may act and raises ``Refused`` (a Japanese message for the screen)
otherwise. E-mails say only that something waits and where; never a child's name, an address
or what was written.
"""

from functools import partial

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from home.mail import absolute_url, role_addresses, send_each

from . import fees
from .access import is_advisor
from .models import ADVISOR_ROLES, ActivityReport, Assignment, FeeRules, HelpRequest

#: The fields of a report a provider (or a correction) sets.
REPORT_FIELDS = (
    "started_at",
    "ended_at",
    "activity",
    "child_notes",
    "incident",
    "transport_cost",
    "meal_cost",
    "cancelled",
    "cancelled_at",
)


class Refused(Exception):
    """The action is not allowed; ``str(error)`` is the Japanese message for the member."""


def live(queryset=None):
    """Reports that are the current version (not superseded)."""
    queryset = ActivityReport.objects.all() if queryset is None else queryset
    return queryset.exclude(status=ActivityReport.Status.SUPERSEDED)


def site_of(report):
    return report.assignment.request.site


def _is_provider(assignment, user):
    return user.is_authenticated and assignment.provider.user_id == user.pk


def _is_requester(report, user):
    return user.is_authenticated and report.assignment.request.requester.user_id == user.pk


def price(site, request, values, children_count):
    """The ``fees.Fee`` of a report's ``values`` for request ``request`` in ``site``."""
    rules = FeeRules.for_site(site)
    if values.get("cancelled"):
        cancelled_at = values.get("cancelled_at") or timezone.now()
        return fees.cancellation_charge(
            rules, request.starts_at, request.ends_at, cancelled_at, children_count
        )
    return fees.compute(
        rules,
        values["started_at"],
        values["ended_at"],
        children=children_count,
        transport=values.get("transport_cost") or 0,
        meals=values.get("meal_cost") or 0,
    )


def _apply(report, values, fee):
    for field in REPORT_FIELDS:
        if field in values:
            setattr(report, field, values[field])
    if report.cancelled:
        request = report.assignment.request
        report.started_at, report.ended_at = request.starts_at, request.ends_at
        report.cancelled_at = report.cancelled_at or timezone.now()
        report.transport_cost = report.meal_cost = 0
    else:
        report.cancelled_at = None
    report.fee, report.total, report.breakdown = fee.fee, fee.total, fee.as_dict()


def _children(request, children):
    """The report's children: those given, which must be the requester's; else the request's."""
    chosen = list(children) if children is not None else list(request.children.all())
    if not chosen:
        raise Refused(_("子どもを選んでください。"))
    if any(child.member_id != request.requester_id for child in chosen):
        raise Refused(_("この依頼の子どもを選んでください。"))
    return chosen


def _check_cancelled_request(request, values, user):
    """A request its requester (or an advisor) cancelled is reported as a cancellation; only
    the advisor may turn it into an activity that took place."""
    if request.status != HelpRequest.Status.CANCELLED or values.get("cancelled"):
        return
    if not is_advisor(user, request.site):
        raise Refused(_("この依頼は取り消されました。「取り消しになった」を選んで報告してください。"))


def file(assignment, provider_user, data, children=None):
    """The provider of an accepted assignment files its report (援助活動報告書)."""
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("request__site", "request__requester", "provider")
            .get(pk=assignment.pk)
        )
        if not _is_provider(assignment, provider_user):
            raise Refused(_("報告できるのは、この活動を引き受けた提供会員だけです。"))
        if assignment.status != Assignment.Status.ACCEPTED:
            raise Refused(_("引き受けた活動だけ報告できます。"))
        if live(assignment.reports.all()).exists():
            raise Refused(_("この活動の報告はもう出ています。直すときは訂正してください。"))
        request = assignment.request
        chosen = _children(request, children)
        values = {"activity": request.activity, **data}
        _check_cancelled_request(request, values, provider_user)
        report = ActivityReport(assignment=assignment, filed_by=provider_user, filed_at=timezone.now())
        _apply(report, values, price(request.site, request, values, len(chosen)))
        report.save()
        report.children.set(chosen)
        transaction.on_commit(partial(notify_requester, report.pk))
    return report


def confirm(report, requester_user):
    """The requester agrees with the report."""
    with transaction.atomic():
        report = _locked(report)
        if not _is_requester(report, requester_user):
            raise Refused(_("確認できるのは、この依頼をした依頼会員だけです。"))
        if report.status != ActivityReport.Status.FILED:
            raise Refused(_("この報告書は確認できる状態ではありません。"))
        report.status = ActivityReport.Status.CONFIRMED
        report.confirmed_at = timezone.now()
        report.save(update_fields=["status", "confirmed_at"])
    return report


def dispute(report, requester_user, reason):
    """The requester disagrees; the town's advisors are told that a report needs them."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("異議の内容を書いてください。"))
    with transaction.atomic():
        report = _locked(report)
        if not _is_requester(report, requester_user):
            raise Refused(_("異議を出せるのは、この依頼をした依頼会員だけです。"))
        if report.status != ActivityReport.Status.FILED:
            raise Refused(_("この報告書には異議を出せません。"))
        report.status = ActivityReport.Status.DISPUTED
        report.dispute_reason = reason
        report.save(update_fields=["status", "dispute_reason"])
        transaction.on_commit(partial(notify_advisors, report.pk))
    return report


def can_approve(report):
    """Confirmed by the requester, or a correction made after a dispute."""
    if report.status == ActivityReport.Status.CONFIRMED:
        return True
    corrected_after_dispute = report.supersedes_id is not None and bool(report.supersedes.dispute_reason)
    return corrected_after_dispute and report.status in (
        ActivityReport.Status.FILED,
        ActivityReport.Status.DISPUTED,
    )


def approve(report, advisor):
    """The town's advisor approves the report; the help request is then done (or cancelled)."""
    with transaction.atomic():
        report = _locked(report)
        if not is_advisor(advisor, site_of(report)):
            raise Refused(_("承認できるのは、この自治体のアドバイザーだけです。"))
        if not can_approve(report):
            if report.status == ActivityReport.Status.DISPUTED:
                raise Refused(_("異議のある報告書は、訂正してから承認してください。"))
            raise Refused(_("依頼会員が確認した報告書だけ承認できます。"))
        now = timezone.now()
        report.status = ActivityReport.Status.APPROVED
        report.approved_by, report.approved_at = advisor, now
        report.save(update_fields=["status", "approved_by", "approved_at"])
        request = report.assignment.request
        if report.cancelled:
            request.status = HelpRequest.Status.CANCELLED
            request.cancelled_at = request.cancelled_at or report.cancelled_at
            request.save(update_fields=["status", "cancelled_at"])
        else:
            request.status = HelpRequest.Status.DONE
            request.save(update_fields=["status"])
    return report


def can_correct(report, user):
    """The town's advisor, at any stage; the provider, until the advisor has approved."""
    if report.status == ActivityReport.Status.SUPERSEDED:
        return False
    if is_advisor(user, site_of(report)):
        return True
    return _is_provider(report.assignment, user) and report.status != ActivityReport.Status.APPROVED


def correct(report, user, data, children=None):
    """File a corrected version: version + 1, superseding ``report``, whose content stays as it
    was (only its status becomes SUPERSEDED). Returns the new version."""
    with transaction.atomic():
        old = _locked(report)
        if not can_correct(old, user):
            raise Refused(_("この報告書は訂正できません。"))
        request = old.assignment.request
        chosen = _children(request, children if children is not None else old.children.all())
        values = {field: getattr(old, field) for field in REPORT_FIELDS}
        values.update(data)
        _check_cancelled_request(request, values, user)
        new = ActivityReport(
            assignment=old.assignment,
            version=old.version + 1,
            supersedes=old,
            filed_by=user,
            filed_at=timezone.now(),
            child_notes=old.child_notes,
            incident=old.incident,
        )
        _apply(new, values, price(request.site, request, values, len(chosen)))
        old.status = ActivityReport.Status.SUPERSEDED
        old.save(update_fields=["status"])
        new.save()
        new.children.set(chosen)
        transaction.on_commit(partial(notify_requester, new.pk))
    return new


def _locked(report):
    return (
        ActivityReport.objects.select_for_update(of=("self",))
        .select_related(
            "assignment__request__site",
            "assignment__request__requester",
            "assignment__provider",
            "supersedes",
        )
        .get(pk=report.pk)
    )


# E-mail ---------------------------------------------------------------------------------------


def notify_requester(report_id):
    """The requester: a report waits for their confirmation. Only the link, no content."""
    report = (
        ActivityReport.objects.select_related(
            "assignment__request__site", "assignment__request__requester__user"
        )
        .filter(pk=report_id)
        .first()
    )
    user = report and report.assignment.request.requester.user
    if user is None or not user.email:
        return 0
    site = site_of(report)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[%(site)s] ファミリーサポート: 援助活動報告書が届きました") % {"site": site.site_name}
    context = {
        "site": site,
        "url": absolute_url(site, reverse("familysupport:report", args=[report.pk])),
        "corrected": report.version > 1,
    }
    return send_each([user.email], subject, "familysupport/reports/mail/filed.txt", context)


def notify_advisors(report_id):
    """The town's advisors: a requester disputed a report. Only the admin link."""
    from wagtail.admin.utils import get_admin_base_url

    report = ActivityReport.objects.select_related("assignment__request__site").filter(pk=report_id).first()
    if report is None:
        return 0
    site = site_of(report)
    addresses = role_addresses(site, ADVISOR_ROLES)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[%(site)s] ファミリーサポート: 援助活動報告書に異議が出ました") % {
            "site": site.site_name
        }
    # The town in the link: an advisor of several towns opens the first of them by default.
    url = f"{get_admin_base_url() or ''}{reverse('famisapo_admin:report', args=[report.pk])}?town={site.pk}"
    return send_each(
        addresses, subject, "familysupport/reports/mail/disputed.txt", {"site": site, "url": url}
    )
