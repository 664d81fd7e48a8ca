"""The counsellors' inbox and case page in the Wagtail admin (issue 7, ねっと相談)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consult import services
from consult.models import AccessLog, CannedReply, Consultation, Status

from ..factories import member_of, sign_in_with_two_factors
from .conftest import QUESTION

pytestmark = pytest.mark.django_db

REPLY = "夜泣きは成長の一時期によくあることです。昼間にたっぷり体を動かしてみてください。"
NOTE = "前回の健診で体重の増えがゆるやかとの記録あり（内部確認用）"


def url(name, *args):
    return reverse(f"consult_inbox:{name}", args=args)


def html(response):
    return response.content.decode()


@pytest.fixture
def as_counsellor(client, counsellor):
    return sign_in_with_two_factors(client, counsellor)


# Who gets in -----------------------------------------------------------------------------------


def test_counsellor_of_other_town_gets_404_and_sees_none_in_list(client, town_a, town_b, make_case):
    case = make_case(town_a)
    sign_in_with_two_factors(client, member_of(town_b, "counsellor"))

    assert client.get(url("case", case.pk)).status_code == 404
    assert client.post(url("reply", case.pk), {"body": REPLY}).status_code == 404
    assert client.post(url("note", case.pk), {"body": NOTE}).status_code == 404
    assert client.post(url("export", case.pk)).status_code == 404
    response = client.get(url("index"))
    assert response.status_code == 200
    assert case.number not in html(response)
    assert not AccessLog.objects.filter(consultation=case, action=AccessLog.Action.OPEN).exists()


def test_counsellor_cannot_pick_a_town_they_do_not_serve(as_counsellor, town_b):
    assert as_counsellor.get(url("index"), {"town": town_b.site.pk}).status_code == 404


def test_admin_user_without_consult_role_gets_japanese_403(client, town_a, make_case):
    case = make_case(town_a)
    sign_in_with_two_factors(client, member_of(town_a, "moderator"))
    for target in (url("index"), url("case", case.pk), url("statistics"), url("log")):
        response = client.get(target)
        assert response.status_code == 403
        assert "権限がありません" in html(response) or "だけです" in html(response)
    assert client.post(url("reply", case.pk), {"body": REPLY}).status_code == 403
    assert not case.messages.filter(author_kind="counsellor").exists()


def test_superuser_without_role_cannot_read_cases(client, superuser, town_a, make_case):
    case = make_case(town_a)
    sign_in_with_two_factors(client, superuser)
    assert client.get(url("case", case.pk)).status_code == 403


def test_unverified_session_is_sent_to_second_factor_step(client, counsellor, town_a, make_case):
    case = make_case(town_a)
    client.force_login(counsellor)
    for target in (url("index"), url("case", case.pk)):
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/")
    response = client.post(url("reply", case.pk), {"body": REPLY})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/")
    assert not AccessLog.objects.filter(consultation=case).exclude(action="status").exists()


def test_anonymous_goes_to_sign_in(client, town_a, make_case):
    case = make_case(town_a)
    response = client.get(url("case", case.pk))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_menu_shows_consult_only_to_consult_roles(client, counsellor, town_a):
    sign_in_with_two_factors(client, counsellor)
    assert url("index") in html(client.get(reverse("wagtailadmin_home")))
    client.logout()
    sign_in_with_two_factors(client, member_of(town_a, "moderator"))
    assert url("index") not in html(client.get(reverse("wagtailadmin_home")))


def test_actions_change_nothing_by_get(as_counsellor, town_a, make_case):
    case = make_case(town_a)
    for name in ("reply", "note", "status", "assign", "export", "faq_draft"):
        assert as_counsellor.get(url(name, case.pk)).status_code == 405


# The network -----------------------------------------------------------------------------------


def test_network_sees_only_escalated_cases_and_cannot_reply(client, counsellor, network, town_a, make_case):
    handed = make_case(town_a)
    kept = make_case(town_a)
    services.escalate(handed, counsellor)
    sign_in_with_two_factors(client, network)

    listing = html(client.get(url("index")))
    assert handed.number in listing and kept.number not in listing
    assert client.get(url("case", kept.pk)).status_code == 404

    page = client.get(url("case", handed.pk))
    assert page.status_code == 200
    assert QUESTION in html(page)
    assert url("reply", handed.pk) not in html(page)
    assert url("status", handed.pk) not in html(page)

    client.post(url("reply", handed.pk), {"body": REPLY})
    client.post(url("status", handed.pk), {"status": Status.CLOSED})
    client.post(url("assign", handed.pk), {"assignee": network.pk})
    handed.refresh_from_db()
    assert not handed.messages.filter(author_kind="counsellor").exists()
    assert handed.status != Status.CLOSED
    assert client.post(url("export", handed.pk)).status_code == 302

    client.post(url("note", handed.pk), {"body": NOTE})
    assert handed.notes.get().author == network


def test_network_is_refused_by_the_services_too(counsellor, network, town_a, make_case):
    case = services.escalate(make_case(town_a), counsellor)
    with pytest.raises(services.ConsultError):
        services.counsellor_reply(case, network, REPLY)
    with pytest.raises(services.ConsultError):
        services.set_status(case, network, Status.CLOSED)
    with pytest.raises(services.ConsultError):
        services.log_export(case, network)
    services.add_note(case, network, NOTE)


# The list --------------------------------------------------------------------------------------


def test_list_shows_no_consultation_text(as_counsellor, town_a, make_case):
    case = make_case(town_a, nickname="はなママ")
    page = html(as_counsellor.get(url("index")))
    assert case.number in page
    assert "育児の不安・しつけ" in page and "0歳" in page
    assert QUESTION not in page and "はなママ" not in page
    assert not AccessLog.objects.filter(action=AccessLog.Action.OPEN).exists()


def test_urgent_cases_come_first_then_by_deadline(as_counsellor, town_a, make_case):
    late = make_case(town_a)
    soon = make_case(town_a)
    urgent = make_case(town_a, question="もう限界で、子どもを叩いてしまいそうです。")
    assert urgent.urgent
    now = timezone.now()
    Consultation.objects.filter(pk=late.pk).update(due_at=now + timedelta(days=5))
    Consultation.objects.filter(pk=soon.pk).update(due_at=now + timedelta(days=1))
    Consultation.objects.filter(pk=urgent.pk).update(due_at=now + timedelta(days=9))

    page = html(as_counsellor.get(url("index")))
    assert page.index(urgent.number) < page.index(soon.number) < page.index(late.number)
    assert "緊急" in page


def test_overdue_case_carries_a_text_label(as_counsellor, town_a, make_case):
    overdue = make_case(town_a)
    on_time = make_case(town_a)
    Consultation.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - timedelta(hours=1))

    page = html(as_counsellor.get(url("index")))
    row = page[page.index(overdue.number) :]
    row = row[: row.index("</tr>")]
    assert "期限超過" in row
    other = page[page.index(on_time.number) :]
    assert "期限超過" not in other[: other.index("</tr>")]
    assert "期限超過" in html(as_counsellor.get(url("case", overdue.pk)))


def test_answered_case_is_not_overdue(as_counsellor, counsellor, town_a, make_case):
    case = make_case(town_a)
    services.counsellor_reply(case, counsellor, REPLY)
    Consultation.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(days=1))
    page = html(as_counsellor.get(url("index"), {"status": "all", "overdue": "on"}))
    assert case.number not in page


def test_filters(as_counsellor, counsellor, town_a, make_case):
    food = make_case(town_a, category="food", child_age="1")
    urgent = make_case(town_a, question="夫が怖いです。")
    mine = make_case(town_a)
    services.assign(mine, counsellor, counsellor)
    closed = make_case(town_a)
    services.set_status(closed, counsellor, Status.CLOSED)
    overdue = make_case(town_a)
    Consultation.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - timedelta(days=1))

    def listed(**params):
        page = html(as_counsellor.get(url("index"), params))
        return {case.number for case in (food, urgent, mine, closed, overdue) if case.number in page}

    assert listed() == {food.number, urgent.number, mine.number, overdue.number}
    assert listed(status="all") == {food.number, urgent.number, mine.number, closed.number, overdue.number}
    assert listed(status="closed") == {closed.number}
    assert listed(status="in_progress") == {mine.number}
    assert listed(category="food") == {food.number}
    assert listed(urgency="urgent") == {urgent.number}
    assert urgent.number not in listed(urgency="normal")
    assert listed(assignee="me") == {mine.number}
    assert listed(assignee=str(counsellor.pk)) == {mine.number}
    assert mine.number not in listed(assignee="none")
    assert listed(overdue="on") == {overdue.number}


def test_counts_per_status(as_counsellor, counsellor, town_a, make_case):
    make_case(town_a)
    make_case(town_a)
    closed = make_case(town_a)
    services.set_status(closed, counsellor, Status.CLOSED)
    page = html(as_counsellor.get(url("index")))
    assert "新規 <strong>2</strong>件" in page
    assert "終了 <strong>1</strong>件" in page


def test_list_is_paginated(as_counsellor, town_a, make_case):
    for _ in range(31):
        make_case(town_a)
    first = html(as_counsellor.get(url("index")))
    assert "1 / 2 ページ" in first
    assert as_counsellor.get(url("index"), {"p": 2}).status_code == 200


def _inbox_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("index"), {"status": "all"}).status_code == 200
    return len(queries)


def test_inbox_queries_do_not_grow_with_cases(as_counsellor, counsellor, town_a, make_case):
    for _ in range(5):
        case = make_case(town_a)
        services.assign(case, counsellor, counsellor)
    five = _inbox_queries(as_counsellor)
    for index in range(25):
        case = make_case(town_a, question="叩いてしまいそう" if index % 3 == 0 else QUESTION)
        services.assign(case, counsellor, member_of(town_a, "counsellor") if index % 2 else counsellor)
    assert _inbox_queries(as_counsellor) == five


# The case page ---------------------------------------------------------------------------------


def test_case_page_shows_thread_notes_and_risk_terms_and_logs_open(
    as_counsellor, counsellor, town_a, make_case
):
    case = make_case(town_a, question="もう限界です。叩いてしまいそうで怖い。")
    services.add_note(case, counsellor, NOTE)
    response = as_counsellor.get(url("case", case.pk))
    page = html(response)
    assert "もう限界です" in page
    assert "内部メモ（相談者には表示されません）" in page and NOTE in page
    assert "叩いてしま" in page
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert case.number not in title, "the 相談番号 would stay in browser history"
    as_counsellor.get(url("case", case.pk))
    assert (
        AccessLog.objects.filter(consultation=case, user=counsellor, action=AccessLog.Action.OPEN).count()
        == 2
    )


def test_reply_emails_parent_without_any_text(
    as_counsellor, counsellor, town_a, make_case, django_capture_on_commit_callbacks
):
    case = make_case(town_a, reply_channel="email", email="parent@example.jp")
    services.add_note(case, counsellor, NOTE)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = as_counsellor.post(url("reply", case.pk), {"body": REPLY})
    assert response.status_code == 302

    case.refresh_from_db()
    assert case.status == Status.ANSWERED and case.first_replied_at is not None
    assert case.messages.filter(author_kind="counsellor", author=counsellor).get().body == REPLY
    to_parent = [message for message in mail.outbox if message.to == ["parent@example.jp"]]
    assert len(to_parent) == 1
    for message in mail.outbox:
        text = message.subject + message.body
        assert REPLY not in text and QUESTION not in text and NOTE not in text
        assert case.number not in text


def test_empty_reply_is_refused_and_typed_text_kept(as_counsellor, town_a, make_case):
    case = make_case(town_a)
    services.set_status(case, member_of(town_a, "counsellor"), Status.CLOSED)
    response = as_counsellor.post(url("reply", case.pk), {"body": REPLY})
    assert response.status_code == 200
    page = html(response)
    assert "終了した相談には回答できません" in page
    assert REPLY in page
    assert not case.messages.filter(author_kind="counsellor").exists()


def test_notes_are_never_in_any_email(
    as_counsellor, counsellor, network, town_a, make_case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(
            town_a, question="叩いてしまいそうです", reply_channel="email", email="parent@example.jp"
        )
        as_counsellor.post(url("note", case.pk), {"body": NOTE})
        assert case.notes.get().body == NOTE
        as_counsellor.post(url("reply", case.pk), {"body": REPLY})
        as_counsellor.post(url("escalate", case.pk))
        services.parent_reply(case, "ありがとうございます")
    assert mail.outbox
    for message in mail.outbox:
        assert NOTE not in message.subject + message.body


def test_answered_without_a_reply_is_refused_in_japanese(as_counsellor, town_a, make_case):
    case = make_case(town_a)
    response = as_counsellor.post(url("status", case.pk), {"status": Status.ANSWERED}, follow=True)
    assert "まだ回答していない相談を「回答済」にはできません" in html(response)
    case.refresh_from_db()
    assert case.status == Status.NEW


def test_status_change_is_logged(as_counsellor, counsellor, town_a, make_case):
    case = make_case(town_a)
    as_counsellor.post(url("status", case.pk), {"status": Status.CLOSED})
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    row = AccessLog.objects.get(consultation=case, action=AccessLog.Action.STATUS)
    assert row.user == counsellor and "終了" in row.detail


def test_assign_to_town_counsellors_only(as_counsellor, town_a, town_b, make_case):
    case = make_case(town_a)
    colleague = member_of(town_a, "counsellor")
    stranger = member_of(town_b, "counsellor")
    as_counsellor.post(url("assign", case.pk), {"assignee": stranger.pk})
    case.refresh_from_db()
    assert case.assignee is None
    as_counsellor.post(url("assign", case.pk), {"assignee": colleague.pk})
    case.refresh_from_db()
    assert case.assignee == colleague and case.status == Status.IN_PROGRESS
    page = html(as_counsellor.get(url("case", case.pk)))
    assert f'value="{stranger.pk}"' not in page


def test_escalation_asks_to_confirm_records_who_and_when_and_notifies_network_without_text(
    as_counsellor, counsellor, network, town_a, make_case, django_capture_on_commit_callbacks
):
    case = make_case(town_a)
    confirm = as_counsellor.get(url("escalate", case.pk))
    assert confirm.status_code == 200
    assert QUESTION not in html(confirm)
    case.refresh_from_db()
    assert case.escalated_at is None
    mail.outbox.clear()

    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        as_counsellor.post(url("escalate", case.pk))
    case.refresh_from_db()
    assert case.escalated_by == counsellor and case.escalated_at >= before and case.urgent
    assert AccessLog.objects.filter(
        consultation=case, user=counsellor, action=AccessLog.Action.ESCALATE
    ).exists()
    to_network = [message for message in mail.outbox if network.email in message.to]
    assert len(to_network) == 1
    assert QUESTION not in to_network[0].body and case.number not in to_network[0].body
    page = html(as_counsellor.get(url("case", case.pk)))
    assert "ネットワークへの引き継ぎ" in page


def test_urgent_case_notifies_network_without_text(
    network, town_a, make_case, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(town_a, question="死にたいと思うことがあります")
    assert case.urgent
    to_network = [message for message in mail.outbox if network.email in message.to]
    assert to_network
    assert all("死にたい" not in message.subject + message.body for message in to_network)
    # The network cannot open a case before it is handed over, so it is given the inbox.
    assert all(f"/admin/consult/case/{case.pk}/" not in message.body for message in to_network)
    assert all("/admin/consult/" in message.body for message in to_network)


def test_export_is_plain_text_without_notes_and_logged(as_counsellor, counsellor, town_a, make_case):
    case = make_case(town_a)
    services.counsellor_reply(case, counsellor, REPLY)
    services.add_note(case, counsellor, NOTE)
    response = as_counsellor.post(url("export", case.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "attachment" in response["Content-Disposition"]
    assert case.number not in response["Content-Disposition"]
    text = response.content.decode()
    assert QUESTION in text and REPLY in text and NOTE not in text
    assert AccessLog.objects.filter(
        consultation=case, user=counsellor, action=AccessLog.Action.EXPORT
    ).exists()


def test_open_reply_status_and_export_each_leave_a_log_row(as_counsellor, counsellor, town_a, make_case):
    case = make_case(town_a)
    as_counsellor.get(url("case", case.pk))
    as_counsellor.post(url("reply", case.pk), {"body": REPLY})
    as_counsellor.post(url("status", case.pk), {"status": Status.CLOSED})
    as_counsellor.post(url("export", case.pk))
    actions = set(
        AccessLog.objects.filter(consultation=case, user=counsellor).values_list("action", flat=True)
    )
    assert {"open", "reply", "status", "export"} <= actions
    for row in AccessLog.objects.filter(consultation=case):
        assert QUESTION not in row.detail and REPLY not in row.detail


def test_canned_reply_prefills_the_reply_box(as_counsellor, town_a, town_b, make_case):
    case = make_case(town_a)
    canned = CannedReply.objects.create(
        site=town_a.site, title="夜泣き", body="ご相談ありがとうございます。夜泣きについて"
    )
    other = CannedReply.objects.create(site=town_b.site, title="よその町", body="たちかわの定型文")
    page = html(as_counsellor.get(url("case", case.pk)))
    assert "夜泣き" in page and "よその町" not in page
    assert "consult/admin/canned.js" in page

    prefilled = html(as_counsellor.get(url("case", case.pk), {"canned": canned.pk}))
    textarea = prefilled[prefilled.index("<textarea") :]
    assert "ご相談ありがとうございます。夜泣きについて</textarea>" in textarea
    foreign = html(as_counsellor.get(url("case", case.pk), {"canned": other.pk}))
    assert "たちかわの定型文" not in foreign


def test_faq_button_only_with_consent(as_counsellor, town_a, make_case):
    with_consent = make_case(town_a, faq_consent=True)
    without = make_case(town_a)
    assert url("faq_draft", with_consent.pk) in html(as_counsellor.get(url("case", with_consent.pk)))
    assert url("faq_draft", without.pk) not in html(as_counsellor.get(url("case", without.pk)))
    assert as_counsellor.post(url("faq_draft", without.pk)).status_code == 404


def test_faq_draft_opens_the_new_page_in_the_editor(as_counsellor, counsellor, town_a, make_case):
    case = make_case(town_a, faq_consent=True)
    refused = as_counsellor.post(url("faq_draft", case.pk), follow=True)
    assert "まだ回答していない相談" in html(refused)

    services.counsellor_reply(case, counsellor, REPLY)
    response = as_counsellor.post(url("faq_draft", case.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/pages/") and response["Location"].endswith("/edit/")
    assert AccessLog.objects.filter(consultation=case, action=AccessLog.Action.FAQ).exists()
