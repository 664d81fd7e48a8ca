"""Closed cases are purged after the town's retention period, keeping anonymous statistics."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from consult import services, statistics
from consult.models import (
    AccessLog,
    ArchivedConsultation,
    Consultation,
    ConsultSettings,
    InternalNote,
    Message,
    Status,
)


@pytest.fixture
def aged(make_case):
    """``aged(town, created=days, closed=days or None, replied=hours or None, **fields)``."""

    def make(town, *, created=400, closed=None, replied=None, **fields):
        case = make_case(town, **fields)
        now = timezone.now()
        created_at = now - timedelta(days=created)
        Consultation.objects.filter(pk=case.pk).update(
            created_at=created_at,
            status=Status.CLOSED if closed is not None else Status.IN_PROGRESS,
            closed_at=now - timedelta(days=closed) if closed is not None else None,
            first_replied_at=created_at + timedelta(hours=replied) if replied is not None else None,
        )
        return Consultation.objects.get(pk=case.pk)

    return make


def purge(*args):
    out = StringIO()
    call_command("consult_purge", *args, stdout=out)
    return out.getvalue()


def test_only_cases_closed_longer_than_the_period_are_purged(town_a, aged):
    expired = aged(town_a, closed=366)
    recent = aged(town_a, closed=300)
    still_open = aged(town_a, created=900)  # never closed, however old

    output = purge()

    assert f"{town_a.site.site_name}: 1 purged" in output
    assert set(Consultation.objects.values_list("pk", flat=True)) == {recent.pk, still_open.pk}
    assert not Consultation.objects.filter(pk=expired.pk).exists()


def test_each_town_keeps_cases_for_its_own_period(town_a, town_b, aged):
    ConsultSettings.objects.update_or_create(site=town_b.site, defaults={"retention_days": 30})
    in_a, in_b = aged(town_a, closed=60), aged(town_b, closed=60)

    output = purge()

    assert f"{town_a.site.site_name}: 0 purged" in output
    assert f"{town_b.site.site_name}: 1 purged" in output
    assert Consultation.objects.filter(pk=in_a.pk).exists()
    assert not Consultation.objects.filter(pk=in_b.pk).exists()


def test_purge_deletes_text_and_keeps_an_archive_row_and_the_access_log(town_a, counsellor, aged):
    case = aged(town_a, closed=400, replied=5, category="food", child_age="1")
    services.log_open(case, counsellor)
    services.add_note(case, counsellor, "面談を提案する。")
    number, created_at = case.number, timezone.localtime(case.created_at)
    Consultation.objects.filter(pk=case.pk).update(urgent=True)

    purge()

    assert not Message.objects.filter(consultation_id=case.pk).exists()
    assert not InternalNote.objects.filter(consultation_id=case.pk).exists()
    archived = ArchivedConsultation.objects.get(site=town_a.site)
    assert archived.month == date(created_at.year, created_at.month, 1)
    assert (archived.category, archived.child_age, archived.urgent) == ("food", "1", True)
    assert archived.first_reply_hours == pytest.approx(5)
    log = AccessLog.objects.filter(site=town_a.site, number=number)
    assert list(log.values_list("action", "consultation", "user")) == [
        (AccessLog.Action.PURGE, None, None),
        (AccessLog.Action.NOTE, None, counsellor.pk),
        (AccessLog.Action.OPEN, None, counsellor.pk),
    ]
    assert log.get(action=AccessLog.Action.PURGE).detail == ""


def test_a_second_run_purges_nothing(town_a, aged):
    aged(town_a, closed=400)
    assert f"{town_a.site.site_name}: 1 purged" in purge()
    assert f"{town_a.site.site_name}: 0 purged" in purge()
    assert ArchivedConsultation.objects.count() == 1
    assert AccessLog.objects.filter(action=AccessLog.Action.PURGE).count() == 1


def test_dry_run_only_counts(town_a, town_b, aged):
    case = aged(town_b, closed=400)
    settings_rows = ConsultSettings.objects.count()
    logs = AccessLog.objects.count()

    output = purge("--dry-run")

    assert f"{town_b.site.site_name}: 1 would be purged" in output
    assert Consultation.objects.filter(pk=case.pk).exists()
    assert Message.objects.filter(consultation=case).exists()
    assert not ArchivedConsultation.objects.exists()
    assert AccessLog.objects.count() == logs
    assert ConsultSettings.objects.count() == settings_rows


def test_statistics_are_unchanged_by_a_purge(town_a, counsellor, aged):
    ConsultSettings.objects.update_or_create(site=town_a.site, defaults={"retention_days": 30})
    purged = [
        aged(town_a, created=150, closed=120, replied=3, category="food", child_age="0"),
        aged(town_a, created=100, closed=90, category="family", child_age="3-5"),
    ]
    services.escalate(purged[1], counsellor)
    aged(town_a, created=20, closed=10, replied=8, category="food", child_age="2")  # kept: recent
    aged(town_a, created=40, replied=30, category="nursery", child_age="1")  # kept: open
    before = statistics.summary(town_a.site)

    assert f"{town_a.site.site_name}: 2 purged" in purge()

    after = statistics.summary(town_a.site)
    assert after["total"] == 4
    assert after["escalated"] == 1
    assert after["first_reply"]["within_deadline_pct"] is not None
    assert after == before


def test_purge_needs_no_key(settings, town_a, aged):
    """Nothing is decrypted to purge, so cases written under a key since dropped still go."""
    settings.CONSULT_ENCRYPTION_KEYS = ["fhXUGfr0bTp8XTq1NpsdEGXFzOlJXH3BnfoHcItNrS0="]
    case = aged(town_a, closed=400, nickname="はなこ", email="hanako@example.jp")
    settings.CONSULT_ENCRYPTION_KEYS = ["yHa0f8TmBQm0aDX8VvBvTJUbF3FTdH0sQ0n-3YpQmD4="]

    assert f"{town_a.site.site_name}: 1 purged" in purge()
    assert not Consultation.objects.filter(pk=case.pk).exists()
