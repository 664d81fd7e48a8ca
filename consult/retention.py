"""Retention: closed cases are deleted once a town's retention period has passed.

What is left of a purged case is one ``ArchivedConsultation`` row (month, category, child's age,
urgency, escalation, hours to the first reply and whether it met the deadline — no text, no person, no number), so the statistics do not
change, and one ``AccessLog`` row (操作「保存期間後の削除」 with the 相談番号) so the lead
counsellor can still account for it. Messages and internal notes go with the case (CASCADE);
earlier access-log rows stay, detached from it (SET_NULL).

``manage.py consult_purge`` runs this every night; a run with nothing due changes nothing.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models, transaction
from django.utils import timezone
from wagtail.models import Site

from .models import AccessLog, ArchivedConsultation, Consultation, ConsultSettings, Status

# Fields read from a case being purged: none of them is encrypted, so a purge never needs a key.
_ARCHIVED_FIELDS = (
    "pk",
    "number",
    "created_at",
    "category",
    "child_age",
    "urgent",
    "escalated_at",
    "first_replied_at",
    "due_at",
)


@dataclass
class PurgeResult:
    site: Site
    retention_days: int
    purged: int


def retention_days(site):
    """The town's retention period, read without creating its settings row (dry runs write nothing)."""
    conf = ConsultSettings.objects.filter(site=site).first() or ConsultSettings(site=site)
    return conf.retention_days


def expired_cases(site, now=None):
    """The town's closed cases whose retention period has run out. Open cases are never due."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days(site))
    return Consultation.objects.filter(
        site=site, status=Status.CLOSED, closed_at__isnull=False, closed_at__lt=cutoff
    )


def first_reply_hours(created_at, first_replied_at):
    if first_replied_at is None:
        return None
    return (first_replied_at - created_at).total_seconds() / 3600


def month_of(moment):
    local = timezone.localtime(moment)
    return date(local.year, local.month, 1)


def _delete_undecrypted(pks):
    """Delete the cases and what cascades from them without loading (so decrypting) any text.

    Django's deletion collector loads whole related rows whenever a delete signal has a receiver
    (Wagtail connects one for every model), so each cascade is deleted first, loading only pks.
    """
    for relation in Consultation._meta.related_objects:
        if relation.on_delete is models.CASCADE:
            children = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": pks})
            children.only("pk").delete()
    Consultation.objects.filter(pk__in=pks).only("pk").delete()


def purge_site(site, *, now=None, dry_run=False):
    """Delete ``site``'s expired cases in one transaction; returns a ``PurgeResult``.

    The cases are locked while they are archived and deleted, so a case reopened at the same
    moment is either purged before the reopening or not at all.
    """
    days = retention_days(site)
    if dry_run:
        return PurgeResult(site, days, expired_cases(site, now).count())
    with transaction.atomic():
        rows = list(expired_cases(site, now).select_for_update().order_by("pk").values(*_ARCHIVED_FIELDS))
        if not rows:
            return PurgeResult(site, days, 0)
        ArchivedConsultation.objects.bulk_create(
            ArchivedConsultation(
                site=site,
                month=month_of(row["created_at"]),
                category=row["category"],
                child_age=row["child_age"],
                urgent=row["urgent"],
                escalated=row["escalated_at"] is not None,
                first_reply_hours=first_reply_hours(row["created_at"], row["first_replied_at"]),
                replied_in_time=(
                    row["first_replied_at"] <= row["due_at"] if row["first_replied_at"] is not None else None
                ),
            )
            for row in rows
        )
        AccessLog.objects.bulk_create(
            AccessLog(
                site=site, consultation=None, number=row["number"], user=None, action=AccessLog.Action.PURGE
            )
            for row in rows
        )
        _delete_undecrypted([row["pk"] for row in rows])
    return PurgeResult(site, days, len(rows))


def purge_all(*, now=None, dry_run=False):
    """Purge every town, each in its own transaction; returns their ``PurgeResult`` in site order."""
    return [purge_site(site, now=now, dry_run=dry_run) for site in Site.objects.order_by("pk")]
