"""Where the parts of the centre meet: requests and reports, the member area's panels, the
advisors' links, and who sees what of whom (issue 8, item 7), across two towns."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from familysupport import reports
from familysupport import requests as services
from familysupport.models import ActivityReport, Assignment, FeeRules, HelpRequest, Member
from tests.factories import UserFactory, sign_in_with_two_factors

from .test_matching import MONDAY, at, help_request, provider, requester
from .test_reports import Pair

HOST_A = "mitaka.example.jp"
HOST_B = "tachikawa.example.jp"
FAMILY = "山田 花子"
FAMILY_PHONE = "080-1234-5678"
CARER = "佐藤 恵子"
CARER_PHONE = "090-8765-4321"


def member_client(user, host=HOST_A):
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    return client


def admin_client(user, host=HOST_A):
    return sign_in_with_two_factors(Client(HTTP_HOST=host), user)


def html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def advisor(town_a, make_member):
    return make_member(town_a, "fs_advisor")


@pytest.fixture
def family(town_a):
    user = UserFactory(email="family@example.jp")
    return requester(town_a, name=FAMILY, user=user, area="下連雀", phone=FAMILY_PHONE)


@pytest.fixture
def carer(town_a):
    user = UserFactory(email="carer@example.jp")
    return provider(town_a, name=CARER, user=user, phone=CARER_PHONE)


def matched(family, carer, advisor, starts=None):
    """A request of ``family`` that ``carer`` accepted."""
    item = help_request(family, starts, place_from="自宅")
    assignment = services.propose(item, carer, advisor)
    services.accept(assignment, carer.user)
    assignment.refresh_from_db()
    return item, assignment


def approved_report(pair, advisor, **data):
    report = pair.file(**data)
    reports.confirm(report, pair.requester_user)
    return reports.approve(report, advisor)


# The section page and the member area ----------------------------------------------------------


@pytest.mark.django_db
def test_the_section_page_renders_for_visitors_and_members(town_a, family):
    url = town_a.sections["familysupport"].url
    assert reverse("familysupport:me") in html(Client(HTTP_HOST=HOST_A).get(url))
    assert reverse("familysupport:me") in html(member_client(family.user).get(url))


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [Member.Kind.REQUESTER, Member.Kind.PROVIDER, Member.Kind.BOTH])
def test_the_member_area_renders_for_each_kind_of_member(town_a, family, carer, advisor, kind):
    user = UserFactory()
    if kind == Member.Kind.PROVIDER:
        me = provider(town_a, name="本人 一郎", user=user)
    else:
        me = requester(town_a, name="本人 一郎", user=user, kind=kind)
    if me.is_provider:
        matched(family, me, advisor)
        proposed = services.propose(help_request(family, at(MONDAY, 15)), me, advisor)
    if me.is_requester:
        own, _assignment = matched(me, carer, advisor, at(MONDAY + datetime.timedelta(days=1), 10))
    page = html(member_client(user).get(reverse("familysupport:me")))
    assert "本人 一郎" in page and "援助活動報告書" in page
    if me.is_provider:
        assert reverse("familysupport:assignment", args=[proposed.pk]) in page
        assert FAMILY in page and FAMILY_PHONE in page  # the accepted one, before it takes place
        today = timezone.localdate()
        assert reverse("familysupport:summary", args=[today.year, today.month]) in page
    else:
        assert "打診への回答" not in page
    if me.is_requester:
        assert CARER in page and CARER_PHONE in page
        assert reverse("familysupport:cancel_request", args=[own.pk]) in page
    else:
        assert "援助を頼む" not in page


@pytest.mark.django_db
def test_the_member_area_reads_a_fixed_number_of_queries(town_a, carer, advisor):
    user = UserFactory()
    both = requester(town_a, name="本人 一郎", user=user, kind=Member.Kind.BOTH)
    client = member_client(user)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            html(client.get(reverse("familysupport:me")))
        return len(captured)

    def add(hour):
        family = requester(town_a, user=UserFactory())
        matched(family, both, advisor, at(MONDAY, hour))
        services.propose(help_request(family, at(MONDAY + datetime.timedelta(days=2), hour)), both, advisor)
        matched(both, carer, advisor, at(MONDAY + datetime.timedelta(days=1), hour))

    add(8)
    queries()  # the town's per-generation data (its site and home page) is read once
    first = queries()
    for hour in (10, 12, 14):
        add(hour)
    assert queries() == first


# Privacy: what a provider sees of a family -------------------------------------------------------


@pytest.mark.django_db
def test_a_provider_sees_the_family_only_while_the_assignment_is_active(pair_in_town_a, advisor):
    pair = pair_in_town_a
    url = reverse("familysupport:assignment", args=[pair.assignment.pk])
    client = member_client(pair.provider_user)
    page = html(client.get(url))
    assert "0422-00-0000" in page  # accepted and not yet approved: the contact is there
    approved_report(pair, advisor)
    pair.request.refresh_from_db()
    assert pair.request.status == HelpRequest.Status.DONE
    page = html(client.get(url))
    assert "0422-00-0000" not in page and "山田花子" not in page and "卵" not in page
    assert services.counterpart(pair.assignment, pair.requester_user) is None
    assert services.care_children(pair.assignment, pair.provider_user) == []
    mine = html(member_client(pair.requester_user).get(reverse("familysupport:my_requests")))
    assert pair.provider.full_name not in mine


@pytest.fixture
def pair_in_town_a(town_a, make_member):
    return Pair(town_a, make_member)


@pytest.mark.django_db
def test_a_provider_never_sees_other_families_in_the_member_area(town_a, family, carer, advisor):
    neighbour = requester(town_a, name="鈴木 次郎", user=UserFactory(), phone="080-9999-0000", area="井口")
    other_carer = provider(town_a, user=UserFactory())
    matched(neighbour, other_carer, advisor, at(MONDAY, 14))
    proposed = services.propose(help_request(neighbour, at(MONDAY, 9)), carer, advisor)
    client = member_client(carer.user)
    page = html(client.get(reverse("familysupport:me")))
    assert "鈴木" not in page and "080-9999-0000" not in page
    page = html(client.get(reverse("familysupport:assignment", args=[proposed.pk])))
    assert "鈴木" not in page and "080-9999-0000" not in page and "依頼 子1" not in page
    services.decline(proposed, carer.user, "都合がつかない")
    page = html(client.get(reverse("familysupport:assignment", args=[proposed.pk])))
    assert "鈴木" not in page and "080-9999-0000" not in page


@pytest.mark.django_db
def test_a_cancelled_request_hides_the_family_from_the_provider(family, carer, advisor):
    item, assignment = matched(family, carer, advisor)
    services.cancel(item, family.user)
    client = member_client(carer.user)
    assert FAMILY_PHONE not in html(client.get(reverse("familysupport:assignment", args=[assignment.pk])))
    assert FAMILY_PHONE not in html(client.get(reverse("familysupport:me")))


# Town A's members on town B's records --------------------------------------------------------------


@pytest.mark.django_db
def test_a_member_of_one_town_reaches_nothing_of_another(town_a, town_b, make_member):
    pair_b = Pair(town_b, make_member)
    report = pair_b.file()
    user = pair_b.provider_user
    # The same account, signed in on town A's site, is not a member there.
    here = member_client(user, HOST_A)
    assert here.get(reverse("familysupport:assignment", args=[pair_b.assignment.pk])).status_code == 404
    assert here.get(reverse("familysupport:report", args=[report.pk])).status_code == 404
    assert here.get(reverse("familysupport:report_new", args=[pair_b.assignment.pk])).status_code == 404
    # A member of town A on town B's records, from either site.
    pair_a = Pair(town_a, make_member)
    for host in (HOST_A, HOST_B):
        stranger = member_client(pair_a.requester_user, host)
        response = stranger.post(reverse("familysupport:cancel_request", args=[pair_b.request.pk]))
        assert response.status_code == 404
        assert (
            stranger.post(
                reverse("familysupport:report", args=[report.pk]), {"action": "confirm"}
            ).status_code
            == 404
        )
    pair_b.request.refresh_from_db()
    report.refresh_from_db()
    assert pair_b.request.status == HelpRequest.Status.MATCHED
    assert report.status == ActivityReport.Status.FILED


# Requests and reports: the status transitions ------------------------------------------------------


@pytest.mark.django_db
def test_a_request_with_a_report_can_no_longer_be_cancelled(
    pair_in_town_a, advisor, django_capture_on_commit_callbacks
):
    pair = pair_in_town_a
    report = pair.file()
    mail.outbox.clear()
    with pytest.raises(services.RequestError):
        services.cancel(pair.request, pair.requester_user)
    client = member_client(pair.requester_user)
    assert reverse("familysupport:cancel_request", args=[pair.request.pk]) not in html(
        client.get(reverse("familysupport:my_requests"))
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("familysupport:cancel_request", args=[pair.request.pk]))
    assert response.status_code == 303
    assert "取り消せません" in html(client.get(response["Location"]))
    pair.request.refresh_from_db()
    assert pair.request.status == HelpRequest.Status.MATCHED
    assert mail.outbox == []
    # Nor from the back office.
    client = admin_client(advisor)
    url = reverse("famisapo_admin:request", args=[pair.request.pk])
    assert "この依頼を取り消す" not in html(client.get(url))
    client.post(url, {"action": "cancel"})
    pair.request.refresh_from_db()
    assert pair.request.status == HelpRequest.Status.MATCHED
    reports.confirm(report, pair.requester_user)
    reports.approve(report, advisor)
    pair.request.refresh_from_db()
    assert pair.request.status == HelpRequest.Status.DONE


@pytest.mark.django_db
def test_an_answer_never_matches_or_reopens_a_cancelled_request(family, carer, advisor):
    item = help_request(family)
    services.propose(item, carer, advisor)
    # The provider's page was read before the family cancelled.
    opened = [Assignment.objects.select_related("request", "provider").get(request=item) for _ in range(2)]
    services.cancel(HelpRequest.objects.get(pk=item.pk), family.user)
    with pytest.raises(services.RequestError):
        services.accept(opened[0], carer.user)
    with pytest.raises(services.RequestError):
        services.decline(opened[1], carer.user, "")
    item.refresh_from_db()
    assert item.status == HelpRequest.Status.CANCELLED
    assert item.assignments.get().status == Assignment.Status.WITHDRAWN


@pytest.mark.django_db
def test_a_cancelled_request_is_reported_only_as_a_cancellation(pair_in_town_a, advisor):
    pair = pair_in_town_a
    services.cancel(pair.request, pair.requester_user, at=pair.request.starts_at - datetime.timedelta(days=2))
    with pytest.raises(reports.Refused):
        pair.file()
    report = pair.file(cancelled=True, cancelled_at=pair.request.starts_at - datetime.timedelta(days=2))
    assert report.cancelled and report.fee == 0
    # Nor can the provider turn it into an activity by correcting it.
    with pytest.raises(reports.Refused):
        reports.correct(
            report,
            pair.provider_user,
            {"cancelled": False, "started_at": pair.request.starts_at, "ended_at": pair.request.ends_at},
        )
    reports.confirm(report, pair.requester_user)
    reports.approve(report, advisor)
    pair.request.refresh_from_db()
    assert pair.request.status == HelpRequest.Status.CANCELLED
    # The advisor, having heard both, still may.
    corrected = reports.correct(
        report,
        advisor,
        {"cancelled": False, "started_at": pair.request.starts_at, "ended_at": pair.request.ends_at},
    )
    assert not corrected.cancelled and corrected.fee > 0


@pytest.mark.django_db
def test_the_report_form_of_a_cancelled_request_starts_as_a_cancellation(pair_in_town_a):
    pair = pair_in_town_a
    cancelled_at = pair.request.starts_at - datetime.timedelta(hours=3)
    services.cancel(pair.request, pair.requester_user, at=cancelled_at)
    client = member_client(pair.provider_user)
    url = reverse("familysupport:report_new", args=[pair.assignment.pk])
    page = html(client.get(url))
    assert re.search(r'<input[^>]*name="cancelled"[^>]*checked', page)
    assert 'name="cancelled_day" value="2026-06-10"' in page and 'value="07:00' in page
    typed = {
        "day": "2026-06-10",
        "starts": "10:00",
        "ends": "11:00",
        "activity": pair.request.activity,
        "children": [pair.child.pk],
        "child_notes": "公園で遊びました",
    }
    page = html(client.post(url, typed))
    assert "を選んで報告してください" in page and "公園で遊びました" in page
    assert not ActivityReport.objects.exists()
    response = client.post(
        url, {**typed, "cancelled": "on", "cancelled_day": "2026-06-10", "cancelled_time": "07:00"}
    )
    assert response.status_code == 303
    report = ActivityReport.objects.get()
    assert report.cancelled and report.breakdown["cancel_percent"] == 50


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [Assignment.Status.DECLINED, Assignment.Status.WITHDRAWN, Assignment.Status.PROPOSED]
)
def test_only_an_accepted_assignment_gets_a_report_form(pair_in_town_a, status):
    pair = pair_in_town_a
    Assignment.objects.filter(pk=pair.assignment.pk).update(status=status)
    client = member_client(pair.provider_user)
    assert client.get(reverse("familysupport:report_new", args=[pair.assignment.pk])).status_code == 404


@pytest.mark.django_db
def test_a_report_is_approved_once(pair_in_town_a, advisor):
    pair = pair_in_town_a
    report = approved_report(pair, advisor)
    with pytest.raises(reports.Refused):
        reports.approve(report, advisor)
    client = admin_client(advisor)
    client.post(reverse("famisapo_admin:report", args=[report.pk]), {"action": "approve"})
    report.refresh_from_db()
    assert report.status == ActivityReport.Status.APPROVED


@pytest.mark.django_db
def test_the_fee_uses_the_rules_of_the_requests_town(town_a, town_b, make_member):
    FeeRules.objects.update_or_create(site=town_b.site, defaults={"daytime_rate": 1000})
    FeeRules.objects.update_or_create(site=town_a.site, defaults={"daytime_rate": 700})
    assert Pair(town_b, make_member).file().fee == 1000
    assert Pair(town_a, make_member).file().fee == 700


# GET never changes anything; POST needs the CSRF token ------------------------------------------------


@pytest.mark.django_db
def test_gets_change_nothing_and_posts_need_the_csrf_token(family, carer, advisor):
    item = help_request(family)
    proposed = services.propose(item, carer, advisor)
    carer_client = member_client(carer.user)
    assert carer_client.get(reverse("familysupport:cancel_request", args=[item.pk])).status_code == 405
    carer_client.get(reverse("familysupport:assignment", args=[proposed.pk]), {"action": "accept"})
    proposed.refresh_from_db()
    assert proposed.status == Assignment.Status.PROPOSED

    strict = Client(HTTP_HOST=HOST_A, enforce_csrf_checks=True)
    strict.force_login(carer.user)
    assert (
        strict.post(reverse("familysupport:assignment", args=[proposed.pk]), {"action": "accept"}).status_code
        == 403
    )
    strict.force_login(family.user)
    assert strict.post(reverse("familysupport:cancel_request", args=[item.pk])).status_code == 403
    proposed.refresh_from_db()
    item.refresh_from_db()
    assert proposed.status == Assignment.Status.PROPOSED and item.status == HelpRequest.Status.PROPOSED


# The advisors' links --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_dispute_mail_opens_the_report_for_an_advisor_of_two_towns(
    town_a, town_b, make_member, django_capture_on_commit_callbacks
):
    advisor = make_member(town_a, "fs_advisor")
    advisor.groups.add(town_b.group("fs_advisor"))
    pair = Pair(town_b, make_member)
    report = pair.file()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reports.dispute(report, pair.requester_user, "時間が違います")
    (message,) = mail.outbox
    link = urlsplit(re.search(r"https?://\S+|/admin/\S+", message.body)[0])
    client = admin_client(advisor)
    page = html(client.get(f"{link.path}?{link.query}"))
    assert "時間が違います" in page


@pytest.mark.django_db
def test_the_members_mails_are_plain_text(town_a, family, carer, advisor, django_capture_on_commit_callbacks):
    town_a.settings.site_title = "みたか子育て&ネット"
    town_a.settings.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.propose(help_request(family), carer, advisor)
    assert "みたか子育て&ネット" in mail.outbox[-1].body and "&amp;" not in mail.outbox[-1].body
