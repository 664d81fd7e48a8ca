import datetime
import io

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry

from portal_pages import review
from portal_pages.models import ArticlePage

from . import factories

pytestmark = pytest.mark.django_db

REPORT = "portal_pages_review:report"


class FailingEmailBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server unreachable")


def today():
    return timezone.localdate()


def due(page, days, **fields):
    """Set ``page``'s 次回見直し日 ``days`` from today (negative: overdue)."""
    fields["next_review"] = today() + datetime.timedelta(days=days)
    type(page).objects.filter(pk=page.pk).update(**fields)
    page.refresh_from_db()
    return page


def edit_url(page):
    return f"http://testserver/admin/pages/{page.pk}/edit/"


# The default review date ---------------------------------------------------------------------


def test_first_publish_sets_the_review_date_a_year_ahead(town_a):
    page = factories.article(town_a, "雨の日の児童館めぐり")
    assert page.next_review == today() + datetime.timedelta(days=365)


def test_a_date_chosen_by_the_editor_is_kept_on_publish(town_a):
    chosen = today() + datetime.timedelta(days=90)
    page = factories.notice(town_a, "保育園入園申し込みのお知らせ", next_review=chosen)
    revision = page.save_revision()
    revision.publish()
    page.refresh_from_db()
    assert page.next_review == chosen


# Report: 見直し期限切れのページ ------------------------------------------------------------------


def test_report_lists_overdue_live_pages_the_editor_may_edit_most_overdue_first(
    client, town_a, town_b, make_member
):
    editor = make_member(town_a, "npo_editor", nickname="さくら編集長", last_name="山田")
    owner = make_member(town_a, "npo_editor", nickname="もみじ")
    long_overdue = due(
        factories.article(town_a, "雨の日の児童館めぐり", owner=owner), -40, content_owner=editor
    )
    overdue = due(factories.facility(town_a, "中央子育てひろば", owner=owner), -3)
    due(factories.article(town_a, "今日が見直し日の記事", owner=owner), 0)
    due(factories.event(town_a, "来月の親子リトミック", owner=owner), 30)
    withdrawn = due(factories.article(town_a, "取り下げた記事", owner=owner), -5)
    withdrawn.unpublish()
    due(factories.notice(town_a, "行政のお知らせ"), -20)
    due(factories.article(town_b, "立川の記事"), -20)
    client.force_login(editor)

    response = client.get(reverse(REPORT))

    assert response.status_code == 200
    rows = list(response.context["object_list"])
    assert [row.pk for row in rows] == [long_overdue.pk, overdue.pk]
    first, second = rows
    assert (first.section_title, first.owner_name, first.days_overdue.days) == (
        "地域情報",
        "さくら編集長",
        40,
    )
    assert (second.owner_name, second.days_overdue.days) == ("もみじ", 3)
    html = response.content.decode()
    assert "見直し期限切れのページ" in html
    for heading in ("セクション", "見直しの担当", "次回見直し日", "超過日数"):
        assert heading in html
    assert "40日" in html and long_overdue.next_review.strftime("%Y年%-m月%-d日") in html
    assert f'href="/admin/pages/{long_overdue.pk}/edit/"' in html
    for hidden in (
        "今日が見直し日の記事",
        "来月の親子リトミック",
        "取り下げた記事",
        "行政のお知らせ",
        "立川の記事",
    ):
        assert hidden not in html
    assert "山田" not in html


def test_report_sorts_by_any_column_and_paginates(client, town_a, make_member, monkeypatch):
    monkeypatch.setattr(review.OverdueReviewReportView, "paginate_by", 2)
    client.force_login(make_member(town_a, "site_admin"))
    due(factories.notice(town_a, "お知らせ（20日超過）"), -20)
    due(factories.article(town_a, "記事（5日超過）"), -5)
    due(factories.service(town_a, "制度（60日超過）"), -60)

    def titles(**params):
        return [row.title for row in client.get(reverse(REPORT), params).context["object_list"]]

    assert titles() == ["制度（60日超過）", "お知らせ（20日超過）"]
    assert titles(p=2) == ["記事（5日超過）"]
    assert titles(ordering="days_overdue") == ["記事（5日超過）", "お知らせ（20日超過）"]
    assert titles(ordering="-next_review") == ["記事（5日超過）", "お知らせ（20日超過）"]
    assert titles(ordering="section_title") == ["記事（5日超過）", "制度（60日超過）"]
    assert titles(ordering="title; DROP TABLE") == ["制度（60日超過）", "お知らせ（20日超過）"]


def test_citizen_reporter_sees_only_own_overdue_pages(client, town_a, make_member):
    reporter = make_member(town_a, "citizen_reporter", nickname="ひまわり記者")
    due(factories.article(town_a, "自分の記事", owner=reporter), -10)
    due(factories.article(town_a, "ほかの人の記事"), -10)
    client.force_login(reporter)

    html = client.get(reverse(REPORT)).content.decode()

    assert "自分の記事" in html and "ほかの人の記事" not in html


def test_report_with_nothing_overdue_says_so_in_japanese(client, town_a, make_member):
    due(factories.article(town_a, "まだ新しい記事"), 10)
    client.force_login(make_member(town_a, "npo_editor"))
    html = client.get(reverse(REPORT)).content.decode()
    assert "見直し日を過ぎたページはありません。" in html and "まだ新しい記事" not in html


@pytest.mark.parametrize("role", ["moderator", "child_network", "fs_advisor"])
def test_report_is_refused_to_staff_without_page_rights(client, town_a, make_member, role):
    due(factories.article(town_a, "雨の日の児童館めぐり"), -10)
    client.force_login(make_member(town_a, role))

    response = client.get(reverse(REPORT))

    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    assert "雨の日の児童館めぐり" not in client.get(response.url).content.decode()


def test_report_needs_a_login(client, town_a):
    response = client.get(reverse(REPORT))
    assert response.status_code == 302 and reverse("wagtailadmin_login") in response.url


def test_reports_menu_offers_the_report_to_page_editors_only(client, town_a, make_member):
    client.force_login(make_member(town_a, "npo_editor"))
    assert reverse(REPORT) in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(make_member(town_a, "moderator"))
    assert reverse(REPORT) not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_report_queries_do_not_grow_with_the_number_of_pages(client, town_a, make_member):
    client.force_login(make_member(town_a, "site_admin"))

    def count_queries():
        client.get(reverse(REPORT))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(REPORT)).status_code == 200
        return len(queries)

    due(factories.article(town_a, "記事0"), -1)
    due(factories.notice(town_a, "お知らせ0"), -2)
    few = count_queries()
    for n in range(1, 4):
        due(factories.event(town_a, f"イベント{n}"), -n)
        due(factories.service(town_a, f"制度{n}"), -n)
        due(factories.facility(town_a, f"施設{n}"), -n)
    assert count_queries() == few


# Reminders -----------------------------------------------------------------------------------


@pytest.fixture
def owners(town_a, make_member):
    return {
        "sakura": make_member(
            town_a, "npo_editor", nickname="さくら", email="sakura@example.jp", last_name="山田"
        ),
        "momiji": make_member(town_a, "municipal_staff", nickname="もみじ", email="momiji@example.jp"),
    }


def test_each_owner_gets_one_japanese_email_with_overdue_and_soon_pages(town_a, owners):
    sakura, momiji = owners["sakura"], owners["momiji"]
    overdue = due(factories.article(town_a, "雨の日の児童館めぐり", owner=momiji), -12, content_owner=sakura)
    soon = due(factories.facility(town_a, "中央子育てひろば", owner=sakura), 14)
    today_due = due(factories.event(town_a, "親子リトミック", owner=sakura), 0)
    notice = due(factories.notice(town_a, "保育園入園申し込みのお知らせ", owner=momiji), -1)
    due(factories.service(town_a, "児童手当", owner=momiji), 15)

    run = review.send_review_reminders()

    assert len(mail.outbox) == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    to_sakura, to_momiji = by_address["sakura@example.jp"], by_address["momiji@example.jp"]
    assert to_sakura.subject == "【子育てねっと】ページの見直しをお願いします（3件）"
    assert to_sakura.body.startswith("さくら さん\n")
    assert "■ 次回見直し日を過ぎたページ（1件）" in to_sakura.body
    assert "■ 14日以内に次回見直し日が来るページ（2件）" in to_sakura.body
    assert "・雨の日の児童館めぐり（次回見直し日：" in to_sakura.body and "12日過ぎています" in to_sakura.body
    assert "あと14日" in to_sakura.body and "今日です" in to_sakura.body
    for page in (overdue, soon, today_due):
        assert edit_url(page) in to_sakura.body
    assert to_momiji.subject == "【子育てねっと】ページの見直しをお願いします（1件）"
    assert "保育園入園申し込みのお知らせ" in to_momiji.body and edit_url(notice) in to_momiji.body
    assert "雨の日の児童館めぐり" not in to_momiji.body, "the content owner is reminded, not the page owner"
    assert "児童手当" not in to_momiji.body, "15 days ahead is not due yet"
    assert [len(reminder.pages) for reminder in run.sent] in ([3, 1], [1, 3])


def test_email_carries_no_page_content_and_no_one_elses_data(town_a, owners):
    due(
        factories.article(
            town_a,
            "雨の日の児童館めぐり",
            lead="雨の日でも親子で過ごせる児童館を、市民記者が訪ねました。",
            owner=owners["momiji"],
        ),
        -3,
        content_owner=owners["sakura"],
    )

    review.send_review_reminders()

    (message,) = mail.outbox
    assert "雨の日でも親子で過ごせる" not in message.body
    for private in ("山田", "momiji@example.jp", "もみじ"):
        assert private not in message.body
    assert message.to == ["sakura@example.jp"]


def test_running_twice_the_same_day_sends_nothing_the_second_time(town_a, owners):
    due(factories.article(town_a, "雨の日の児童館めぐり", owner=owners["sakura"]), -3)
    due(factories.facility(town_a, "中央子育てひろば", owner=owners["sakura"]), 5)
    morning = timezone.now().replace(hour=9)

    first = review.send_review_reminders(now=morning)
    second = review.send_review_reminders(now=morning + datetime.timedelta(hours=1))

    assert len(mail.outbox) == 1
    assert len(first.sent) == 1 and second.sent == []
    assert second.recently_reminded_pages == 2


def test_still_due_pages_are_reminded_again_a_week_later_not_before(town_a, owners):
    due(factories.article(town_a, "雨の日の児童館めぐり", owner=owners["sakura"]), -3)
    now = timezone.now()
    review.send_review_reminders(now=now)

    review.send_review_reminders(now=now + datetime.timedelta(days=6))
    assert len(mail.outbox) == 1
    review.send_review_reminders(now=now + datetime.timedelta(days=7))
    assert len(mail.outbox) == 2


def test_a_page_entering_the_window_is_reminded_the_next_day_without_repeating_the_others(town_a, owners):
    due(factories.article(town_a, "雨の日の児童館めぐり", owner=owners["sakura"]), -3)
    later = due(factories.facility(town_a, "中央子育てひろば", owner=owners["sakura"]), 15)
    now = timezone.now()
    review.send_review_reminders(now=now)

    review.send_review_reminders(now=now + datetime.timedelta(days=1))

    assert len(mail.outbox) == 2
    assert "中央子育てひろば" in mail.outbox[1].body and edit_url(later) in mail.outbox[1].body
    assert "雨の日の児童館めぐり" not in mail.outbox[1].body


def test_reminder_is_recorded_in_the_page_history(client, town_a, owners, superuser):
    page = due(factories.article(town_a, "雨の日の児童館めぐり", owner=owners["sakura"]), -3)

    review.send_review_reminders()

    entry = PageLogEntry.objects.get(page=page, action=review.REMINDER_ACTION)
    assert entry.data == {"next_review": page.next_review.isoformat(), "recipient": owners["sakura"].pk}
    client.force_login(superuser)
    history = client.get(reverse("wagtailadmin_pages:history", args=[page.pk])).content.decode()
    assert "見直しのお知らせをメールで送りました" in history


def test_owners_without_an_address_or_inactive_are_skipped_and_reported(town_a, owners, make_member):
    no_address = make_member(town_a, "npo_editor", username="no-address", email="")
    inactive = make_member(
        town_a, "npo_editor", username="left-the-npo", email="left@example.jp", is_active=False
    )
    due(factories.article(town_a, "アドレスのない人の記事", owner=no_address), -3)
    due(factories.article(town_a, "退会した人の記事", owner=inactive), -3)
    due(factories.article(town_a, "担当者のいない記事"), -3)

    run = review.send_review_reminders()

    assert mail.outbox == []
    assert sorted(reminder.user.username for reminder in run.unreachable) == ["left-the-npo", "no-address"]
    assert run.unowned_pages == 1
    summary = run.summary()
    assert "0人に見直しのお知らせを送りました（ページ0件）。" in summary
    assert "メールアドレスがない、または無効な利用者のため送れませんでした" in summary
    assert "no-address" in summary and "担当者のいないページ：1件" in summary


def test_dry_run_sends_and_records_nothing(town_a, owners):
    due(factories.article(town_a, "雨の日の児童館めぐり", owner=owners["sakura"]), -3)

    run = review.send_review_reminders(dry_run=True)

    assert mail.outbox == [] and not PageLogEntry.objects.filter(action=review.REMINDER_ACTION).exists()
    assert "確認のみ（メールは送っていません）：1人に送る予定です（ページ1件）。" in run.summary()
    review.send_review_reminders()
    assert len(mail.outbox) == 1, "a dry run does not count as a reminder"


def test_a_failed_send_is_not_recorded_and_is_retried_next_run(town_a, owners, settings):
    due(factories.article(town_a, "雨の日の児童館めぐり", owner=owners["sakura"]), -3)
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"

    stdout = io.StringIO()
    with pytest.raises(CommandError, match="1人への送信に失敗しました"):
        call_command("send_review_reminders", stdout=stdout)
    assert "送信に失敗しました：" in stdout.getvalue()
    assert not PageLogEntry.objects.filter(action=review.REMINDER_ACTION).exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert len(review.send_review_reminders().sent) == 1
    assert len(mail.outbox) == 1


def test_command_prints_a_summary_and_its_dry_run_sends_nothing(town_a, owners):
    due(factories.article(town_a, "雨の日の児童館めぐり", owner=owners["sakura"]), -3)
    due(factories.event(town_a, "親子リトミック", owner=owners["sakura"]), 7)

    dry = io.StringIO()
    call_command("send_review_reminders", "--dry-run", stdout=dry)
    assert "確認のみ" in dry.getvalue() and mail.outbox == []
    assert f"・{owners['sakura'].username}：見直し日を過ぎたページ1件、14日以内1件" in dry.getvalue()

    first, second = io.StringIO(), io.StringIO()
    call_command("send_review_reminders", stdout=first)
    call_command("send_review_reminders", stdout=second)
    assert "1人に見直しのお知らせを送りました（ページ2件）。" in first.getvalue()
    assert "0人に見直しのお知らせを送りました（ページ0件）。" in second.getvalue()
    assert "7日以内にお知らせ済みのため省いたページ：2件" in second.getvalue()
    assert len(mail.outbox) == 1


def test_reminder_queries_do_not_grow_with_the_number_of_pages(town_a, owners):
    def count_queries():
        PageLogEntry.objects.filter(action=review.REMINDER_ACTION).delete()
        with CaptureQueriesContext(connection) as queries:
            review.send_review_reminders()
        return len(queries)

    due(factories.article(town_a, "記事0", owner=owners["sakura"]), -1)
    due(factories.notice(town_a, "お知らせ0", owner=owners["momiji"]), -1)
    few = count_queries()
    for n in range(1, 4):
        due(factories.article(town_a, f"記事{n}", owner=owners["sakura"]), -n)
        due(factories.notice(town_a, f"お知らせ{n}", owner=owners["momiji"]), n)
    assert count_queries() == few


def test_content_page_models_cover_every_portal_page_type():
    names = {model.__name__ for model in review.content_page_models()}
    assert {"NoticePage", "ServicePage", "EventPage", "FacilityPage", "ArticlePage"} <= names
    assert ArticlePage in review.content_page_models()
