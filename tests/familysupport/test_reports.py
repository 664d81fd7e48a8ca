"""Activity reports: who may file, confirm, dispute, approve and correct; statements, statistics
and their exports; what the e-mails leave out."""

import csv
import datetime
import io
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from familysupport import reports, statistics
from familysupport.models import Activity, ActivityReport, Assignment, Child, HelpRequest, Member
from tests.factories import sign_in_with_two_factors

TOKYO = ZoneInfo("Asia/Tokyo")
CHILD_NAME = "山田はなこ"
ADDRESS = "三鷹市下連雀9-9-9 秘密ハイツ101"
numbers = itertools.count(1)


def at(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=TOKYO)


def member(town, user, kind, name):
    return Member.objects.create(
        site=town.site,
        user=user,
        kind=kind,
        status=Member.Status.APPROVED,
        number=f"T{next(numbers):05d}",
        full_name=name,
        phone="0422-00-0000",
        address=ADDRESS,
        decided_at=at("2026-05-01T10:00"),
    )


class Pair:
    """An approved requester with one child, an approved provider and an accepted assignment."""

    def __init__(self, town, make_member, start="2026-06-10T10:00", end="2026-06-10T11:00", requester=None):
        self.town = town
        self.requester_user = make_member(town, "fs_requester")
        self.provider_user = make_member(town, "fs_provider")
        self.requester = requester or member(town, self.requester_user, Member.Kind.REQUESTER, "山田花子")
        if requester is not None:
            self.requester_user = requester.user
        self.provider = member(town, self.provider_user, Member.Kind.PROVIDER, "佐藤提供")
        self.child = self.requester.children.first() or Child.objects.create(
            member=self.requester, name=CHILD_NAME, birth_date=datetime.date(2022, 4, 1), allergies="卵"
        )
        self.request = HelpRequest.objects.create(
            site=town.site,
            requester=self.requester,
            activity=Activity.PARENT_OUTING,
            starts_at=at(start),
            ends_at=at(end),
            place_from=ADDRESS,
            status=HelpRequest.Status.MATCHED,
        )
        self.request.children.set([self.child])
        self.assignment = Assignment.objects.create(
            request=self.request, provider=self.provider, status=Assignment.Status.ACCEPTED
        )

    def file(self, **data):
        values = {
            "started_at": self.request.starts_at,
            "ended_at": self.request.ends_at,
            "child_notes": f"{CHILD_NAME}は元気でした",
            **data,
        }
        return reports.file(self.assignment, self.provider_user, values, [self.child])


@pytest.fixture
def pair(town_a, make_member):
    return Pair(town_a, make_member)


@pytest.fixture
def advisor_a(town_a, make_member):
    return make_member(town_a, "fs_advisor")


@pytest.fixture
def advisor_b(town_b, make_member):
    return make_member(town_b, "fs_advisor")


def approved(pair, advisor, **data):
    report = pair.file(**data)
    reports.confirm(report, pair.requester_user)
    return reports.approve(report, advisor)


# Filing ---------------------------------------------------------------------------------------


def test_provider_files_report_and_requester_is_told_without_private_data(
    pair, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = pair.file(transport_cost=300)
    assert report.status == ActivityReport.Status.FILED
    assert (report.fee, report.total) == (800, 1100)
    assert report.breakdown["billed_minutes"] == 60
    assert list(report.children.all()) == [pair.child]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [pair.requester_user.email]
    text = message.subject + message.body
    assert reverse("familysupport:report", args=[report.pk]) in text
    for private in (CHILD_NAME, ADDRESS, "卵", "元気", pair.provider.full_name):
        assert private not in text


def test_only_the_provider_of_the_assignment_may_file(pair, make_member, town_a):
    stranger = make_member(town_a, "fs_provider")
    for user in (stranger, pair.requester_user):
        with pytest.raises(reports.Refused):
            reports.file(
                pair.assignment,
                user,
                {"started_at": at("2026-06-10T10:00"), "ended_at": at("2026-06-10T11:00")},
            )
    assert not ActivityReport.objects.exists()


@pytest.mark.parametrize(
    "status", [Assignment.Status.PROPOSED, Assignment.Status.DECLINED, Assignment.Status.WITHDRAWN]
)
def test_only_an_accepted_assignment_is_reported(pair, status):
    pair.assignment.status = status
    pair.assignment.save()
    with pytest.raises(reports.Refused):
        pair.file()


def test_a_second_report_is_refused(pair):
    pair.file()
    with pytest.raises(reports.Refused):
        pair.file()


def test_children_of_another_family_are_refused(pair, town_a, make_member):
    other = Pair(town_a, make_member)
    with pytest.raises(reports.Refused):
        reports.file(
            pair.assignment,
            pair.provider_user,
            {"started_at": at("2026-06-10T10:00"), "ended_at": at("2026-06-10T11:00")},
            [other.child],
        )


def test_cancelled_activity_is_a_report_with_the_cancellation_charge(pair):
    same_day = pair.file(cancelled=True, cancelled_at=at("2026-06-10T08:00"), transport_cost=500)
    assert same_day.cancelled and same_day.fee == 400 and same_day.total == 400
    assert same_day.transport_cost == 0
    assert (same_day.started_at, same_day.ended_at) == (pair.request.starts_at, pair.request.ends_at)
    day_before = reports.correct(same_day, pair.provider_user, {"cancelled_at": at("2026-06-09T20:00")})
    assert day_before.fee == 0 and day_before.breakdown["cancel_percent"] == 0


# Confirm, dispute, approve --------------------------------------------------------------------


def test_only_the_requester_confirms_or_disputes(pair, advisor_a):
    report = pair.file()
    for user in (pair.provider_user, advisor_a):
        with pytest.raises(reports.Refused):
            reports.confirm(report, user)
        with pytest.raises(reports.Refused):
            reports.dispute(report, user, "違います")
    with pytest.raises(reports.Refused):
        reports.dispute(report, pair.requester_user, "  ")
    reports.confirm(report, pair.requester_user)
    report.refresh_from_db()
    assert report.status == ActivityReport.Status.CONFIRMED and report.confirmed_at
    with pytest.raises(reports.Refused):
        reports.dispute(report, pair.requester_user, "やはり違います")


def test_advisor_of_the_town_approves_a_confirmed_report(pair, advisor_a, advisor_b):
    report = pair.file()
    with pytest.raises(reports.Refused):
        reports.approve(report, advisor_a)  # not confirmed yet
    reports.confirm(report, pair.requester_user)
    for user in (advisor_b, pair.provider_user, pair.requester_user):
        with pytest.raises(reports.Refused):
            reports.approve(report, user)
    reports.approve(report, advisor_a)
    report.refresh_from_db()
    pair.request.refresh_from_db()
    assert report.status == ActivityReport.Status.APPROVED and report.approved_by == advisor_a
    assert pair.request.status == HelpRequest.Status.DONE


def test_disputed_report_is_approved_only_after_a_correction(
    pair, advisor_a, django_capture_on_commit_callbacks
):
    report = pair.file()
    with django_capture_on_commit_callbacks(execute=True):
        reports.dispute(report, pair.requester_user, "終わりは10:45でした")
    assert any(advisor_a.email in message.to for message in mail.outbox)
    assert all("10:45" not in message.body for message in mail.outbox)
    with pytest.raises(reports.Refused):
        reports.approve(report, advisor_a)
    v2 = reports.correct(report, advisor_a, {"ended_at": at("2026-06-10T10:45")})
    reports.approve(v2, advisor_a)
    v2.refresh_from_db()
    assert v2.status == ActivityReport.Status.APPROVED


def test_correction_is_a_new_version_and_leaves_the_old_one_as_it_was(pair, advisor_a):
    v1 = pair.file()
    before = ActivityReport.objects.filter(pk=v1.pk).values().get()
    v2 = reports.correct(v1, pair.provider_user, {"ended_at": at("2026-06-10T12:10"), "meal_cost": 200})
    after = ActivityReport.objects.filter(pk=v1.pk).values().get()
    assert after.pop("status") == ActivityReport.Status.SUPERSEDED
    before.pop("status")
    assert after == before
    assert (v2.version, v2.supersedes_id, v2.status) == (2, v1.pk, ActivityReport.Status.FILED)
    assert (v2.fee, v2.total) == (2000, 2200)  # 130 min billed as 150
    assert list(v2.children.all()) == [pair.child]
    with pytest.raises(reports.Refused):
        reports.correct(v1, pair.provider_user, {})  # the old version is history


def test_provider_cannot_correct_an_approved_report_but_the_advisor_can(pair, advisor_a):
    report = approved(pair, advisor_a)
    with pytest.raises(reports.Refused):
        reports.correct(report, pair.provider_user, {"meal_cost": 100})
    with pytest.raises(reports.Refused):
        reports.correct(report, pair.requester_user, {"meal_cost": 100})
    v2 = reports.correct(report, advisor_a, {"meal_cost": 100})
    assert v2.version == 2 and v2.total == 900


# Statements and statistics --------------------------------------------------------------------


def test_monthly_statement_and_summary_sum_the_current_versions(town_a, make_member, advisor_a):
    first = Pair(town_a, make_member, "2026-03-31T10:00", "2026-03-31T11:00")
    second = Pair(town_a, make_member, "2026-04-01T10:00", "2026-04-01T12:00", requester=first.requester)
    third = Pair(town_a, make_member, "2026-04-20T18:30", "2026-04-20T19:30", requester=first.requester)
    approved(first, advisor_a)
    v1 = approved(second, advisor_a, transport_cost=200)
    v2 = reports.correct(v1, advisor_a, {"transport_cost": 300})
    with pytest.raises(reports.Refused):
        reports.approve(v2, advisor_a)  # a correction goes back to the requester
    reports.confirm(v2, first.requester_user)
    reports.approve(v2, advisor_a)
    third.file()

    april = statistics.requester_statement(first.requester, 2026, 4)
    assert april["approved_count"] == 1 and april["approved"]["total"] == 1600 + 300
    assert april["waiting_count"] == 1 and april["waiting"]["total"] == 850
    march = statistics.requester_statement(first.requester, 2026, 3)
    assert march["approved"]["total"] == 800

    summary = statistics.provider_summary(second.provider, 2026, 4)
    assert summary["approved"]["fee"] == 1600

    town = statistics.town_statements(town_a.site, 2026, 4)
    assert [row["member"] for row in town["rows"]] == [first.requester]
    assert (town["totals"]["count"], town["totals"]["total"], town["totals"]["waiting"]) == (1, 1900, 1)
    providers = statistics.town_provider_summaries(town_a.site, 2026, 4)
    assert providers["totals"]["fee"] == 1600 and len(providers["rows"]) == 2


def test_statistics_split_march_and_april_into_fiscal_years(
    town_a, town_b, make_member, advisor_a, advisor_b
):
    march = Pair(town_a, make_member, "2026-03-31T23:00", "2026-04-01T01:00")
    april = Pair(town_a, make_member, "2026-04-01T10:00", "2026-04-01T11:30")
    elsewhere = Pair(town_b, make_member, "2026-04-02T10:00", "2026-04-02T11:00")
    approved(march, advisor_a)
    approved(april, advisor_a, meal_cost=150)
    approved(elsewhere, advisor_b)

    fy2025 = statistics.summary(town_a.site, 2025)
    fy2026 = statistics.summary(town_a.site, 2026)
    assert (fy2025["year"]["activities"], fy2025["year"]["fee"], fy2025["year"]["minutes"]) == (1, 1800, 120)
    assert fy2025["months"][-1]["month"] == datetime.date(2026, 3, 1)
    assert fy2025["months"][-1]["activities"] == 1
    assert (fy2026["year"]["activities"], fy2026["year"]["fee"], fy2026["year"]["total"]) == (1, 1200, 1350)
    assert fy2026["months"][0]["month"] == datetime.date(2026, 4, 1)
    assert fy2026["months"][0]["hours"] == 1.5
    outing = next(row for row in fy2026["activities"] if row["activity"] == Activity.PARENT_OUTING)
    assert outing["activities"] == 1
    kinds = {row["kind"]: row["current"] for row in fy2026["members"]}
    assert kinds[Member.Kind.REQUESTER] == 2 and kinds[Member.Kind.PROVIDER] == 2
    years = statistics.fiscal_years(town_a.site, 2026, count=2)
    assert [(row["fiscal_year"], row["activities"]) for row in years] == [(2025, 1), (2026, 1)]


def test_statistics_are_a_few_queries(town_a, make_member, advisor_a, django_assert_max_num_queries):
    for day in range(1, 6):
        approved(Pair(town_a, make_member, f"2026-05-0{day}T10:00", f"2026-05-0{day}T11:00"), advisor_a)
    with django_assert_max_num_queries(3):
        statistics.summary(town_a.site, 2026)


# The back office ------------------------------------------------------------------------------


def admin_client(user):
    return sign_in_with_two_factors(Client(HTTP_HOST="mitaka.example.jp"), user)


def test_exports_parse_with_japanese_headers(pair, advisor_a):
    approved(pair, advisor_a)
    client = admin_client(advisor_a)
    response = client.get(reverse("famisapo_admin:statistics_csv"), {"year": 2026})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["月別（2026年度）"]
    assert rows[1][:4] == ["年月", "活動件数", "取り消し件数", "活動時間（時間）"]
    assert rows[4][:2] == ["2026年6月", "1"]
    assert any(row[:1] == ["会員の種類"] for row in rows)

    response = client.get(reverse("famisapo_admin:statistics_xlsx"), {"year": 2026})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook[workbook.sheetnames[0]]
    assert sheet["A1"].value == "年月" and sheet["B1"].value == "活動件数"
    assert sheet["A4"].value == "2026年6月" and sheet["B4"].value == 1
    assert "会員の種類別" in workbook.sheetnames
    text = response.content + b"".join(rows_text.encode() for row in rows for rows_text in row)
    assert CHILD_NAME.encode() not in text


def test_advisor_approves_from_the_queue(pair, advisor_a):
    report = pair.file()
    reports.confirm(report, pair.requester_user)
    client = admin_client(advisor_a)
    queue = client.get(reverse("famisapo_admin:reports"))
    assert queue.status_code == 200 and pair.provider.full_name in queue.content.decode()
    assert "no-cache" in queue["Cache-Control"] or "no-store" in queue["Cache-Control"]
    page = client.get(reverse("famisapo_admin:report", args=[report.pk]))
    assert page.status_code == 200 and "この報告書を承認する" in page.content.decode()
    response = client.post(reverse("famisapo_admin:report", args=[report.pk]), {"action": "approve"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ActivityReport.Status.APPROVED
    for name in ("famisapo_admin:statements", "famisapo_admin:statistics"):
        assert client.get(reverse(name)).status_code == 200


def test_advisor_of_another_town_gets_404(pair, advisor_b):
    report = pair.file()
    reports.confirm(report, pair.requester_user)
    client = admin_client(advisor_b)
    assert client.get(reverse("famisapo_admin:report", args=[report.pk])).status_code == 404
    assert (
        client.post(reverse("famisapo_admin:report", args=[report.pk]), {"action": "approve"}).status_code
        == 404
    )
    assert client.get(reverse("famisapo_admin:report_correct", args=[report.pk])).status_code == 404
    report.refresh_from_db()
    assert report.status == ActivityReport.Status.CONFIRMED


def test_non_advisors_get_the_japanese_403(pair, town_a, make_member):
    client = admin_client(make_member(town_a, "counsellor"))
    for name in ("famisapo_admin:reports", "famisapo_admin:statistics", "famisapo_admin:statistics_csv"):
        response = client.get(reverse(name))
        assert response.status_code == 403
        assert "アドバイザー" in response.content.decode()


def test_advisor_correction_from_the_admin(pair, advisor_a):
    report = pair.file()
    reports.dispute(report, pair.requester_user, "時間が違います")
    client = admin_client(advisor_a)
    url = reverse("famisapo_admin:report_correct", args=[report.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "day": "2026-06-10",
        "starts": "10:00",
        "ends": "10:30",
        "activity": Activity.PARENT_OUTING,
        "children": [pair.child.pk],
        "transport_cost": "0",
        "meal_cost": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    v2 = ActivityReport.objects.get(supersedes=report)
    assert v2.version == 2 and reports.can_approve(v2)


# The members' pages ---------------------------------------------------------------------------


def member_client(user):
    client = Client(HTTP_HOST="mitaka.example.jp")
    client.force_login(user)
    return client


def form_data(pair, **changes):
    return {
        "day": "2026-06-10",
        "starts": "10:00",
        "ends": "11:10",
        "activity": Activity.PARENT_OUTING,
        "children": [pair.child.pk],
        "child_notes": "よく遊びました",
        "incident": "",
        "transport_cost": "0",
        "meal_cost": "120",
        **changes,
    }


def test_provider_files_from_the_form_and_requester_confirms(pair):
    url = reverse("familysupport:report_new", args=[pair.assignment.pk])
    provider = member_client(pair.provider_user)
    page = provider.get(url)
    assert page.status_code == 200 and "csrfmiddlewaretoken" in page.content.decode()
    assert "no-cache" in page["Cache-Control"] or "no-store" in page["Cache-Control"]
    response = provider.post(url, form_data(pair))
    assert response.status_code == 303
    report = ActivityReport.objects.get()
    assert (report.fee, report.total) == (1200, 1320)
    assert provider.get(url).status_code == 303  # already filed: goes to the report

    requester = member_client(pair.requester_user)
    page = requester.get(reverse("familysupport:report", args=[report.pk]))
    assert page.status_code == 200 and "確認しました" in page.content.decode()
    response = requester.post(reverse("familysupport:report", args=[report.pk]), {"action": "confirm"})
    assert response.status_code == 303
    report.refresh_from_db()
    assert report.status == ActivityReport.Status.CONFIRMED
    statement = requester.get(reverse("familysupport:statement", args=[2026, 6]))
    assert statement.status_code == 200 and "1320円" in statement.content.decode()
    summary = provider.get(reverse("familysupport:summary", args=[2026, 6]))
    assert summary.status_code == 200 and "1320円" in summary.content.decode()


def test_form_keeps_typed_text_on_error(pair):
    provider = member_client(pair.provider_user)
    url = reverse("familysupport:report_new", args=[pair.assignment.pk])
    response = provider.post(url, form_data(pair, ends="", child_notes="おやつを食べて昼寝しました"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "おやつを食べて昼寝しました" in html and "終了の時刻を入力してください。" in html
    assert not ActivityReport.objects.exists()


def test_dispute_from_the_report_page_keeps_text_when_empty(pair):
    report = pair.file()
    requester = member_client(pair.requester_user)
    url = reverse("familysupport:report", args=[report.pk])
    assert requester.post(url, {"action": "dispute", "reason": ""}).status_code == 400
    assert requester.post(url, {"action": "dispute", "reason": "開始は10:15でした"}).status_code == 303
    report.refresh_from_db()
    assert report.status == ActivityReport.Status.DISPUTED


def test_other_peoples_reports_and_assignments_are_404(pair, town_a, make_member):
    report = pair.file()
    other = Pair(town_a, make_member)
    stranger = member_client(other.provider_user)
    assert stranger.get(reverse("familysupport:report", args=[report.pk])).status_code == 404
    assert (
        stranger.post(reverse("familysupport:report", args=[report.pk]), {"action": "confirm"}).status_code
        == 404
    )
    assert stranger.get(reverse("familysupport:report_correct", args=[report.pk])).status_code == 404
    assert stranger.get(reverse("familysupport:report_new", args=[pair.assignment.pk])).status_code == 404
    requester = member_client(pair.requester_user)
    assert requester.get(reverse("familysupport:report_new", args=[pair.assignment.pk])).status_code == 404
    assert requester.get(reverse("familysupport:report_correct", args=[report.pk])).status_code == 404
    report.refresh_from_db()
    assert report.status == ActivityReport.Status.FILED


def test_signed_out_visitors_go_to_sign_in(pair):
    response = Client(HTTP_HOST="mitaka.example.jp").get(reverse("familysupport:statement", args=[2026, 6]))
    assert response.status_code == 302


def test_member_panel_lists_reports_to_file_and_to_confirm(pair):
    from familysupport.panels import reports_panel

    assert reports_panel(pair.provider)["report_to_file"] == [pair.assignment]
    report = pair.file()
    assert reports_panel(pair.provider)["report_to_file"] == []
    assert reports_panel(pair.requester)["report_to_confirm"] == [report]
    html = render_to_string("familysupport/panels/reports.html", reports_panel(pair.requester))
    assert reverse("familysupport:report", args=[report.pk]) in html and "利用明細" in html
    html = render_to_string("familysupport/panels/reports.html", reports_panel(pair.provider))
    assert "活動のまとめ" in html and CHILD_NAME not in html
