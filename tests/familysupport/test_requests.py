"""Requests and assignments: the rules (familysupport.requests), the members' pages and the
advisors' screens, with who may see and do what."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from familysupport import requests as services
from familysupport.models import Activity, Assignment, FeeRules, HelpRequest, Member
from tests.factories import UserFactory, sign_in_with_two_factors

from .test_matching import MONDAY, at, help_request, provider, requester

HOST = "mitaka.example.jp"


@pytest.fixture
def advisor(town_a, make_member):
    return make_member(town_a, "fs_advisor")


@pytest.fixture
def family(town_a):
    user = UserFactory(email="family@example.jp")
    return requester(town_a, name="山田 花子", user=user, area="下連雀", phone="080-1234-5678")


@pytest.fixture
def carer(town_a):
    user = UserFactory(email="carer@example.jp")
    return provider(town_a, name="佐藤 恵子", user=user, phone="090-8765-4321")


def outing(starts=None):
    starts = starts or at(MONDAY, 10)
    return {
        "activity": Activity.PARENT_OUTING,
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(hours=2),
    }


def member_client(user):
    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    return client


PRIVATE = ("山田", "花子", "佐藤", "恵子", "080-1234-5678", "090-8765-4321", "上連雀", "下連雀", "依頼 子1")


def assert_no_private_text(message):
    text = f"{message.subject}\n{message.body}"
    for word in PRIVATE:
        assert word not in text, word


# Asking -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_weekly_request_makes_a_series(family):
    created = services.ask(
        family,
        outing(),
        family.children.all(),
        family.user,
        weekly_until=MONDAY + datetime.timedelta(days=21),
    )
    assert len(created) == 4
    assert len({item.series for item in created}) == 1 and created[0].series is not None
    assert [item.starts_at for item in created] == [
        at(MONDAY + datetime.timedelta(days=7 * n), 10) for n in range(4)
    ]
    assert all(list(item.children.all()) == list(family.children.all()) for item in created)


@pytest.mark.django_db
def test_asking_checks_requester_children_times_and_sick_child_care(town_a, family):
    other = requester(town_a)
    with pytest.raises(services.RequestError):
        services.ask(family, outing(), other.children.all(), family.user)
    backwards = {**outing(), "ends_at": at(MONDAY, 9)}
    with pytest.raises(services.RequestError):
        services.ask(family, backwards, family.children.all(), family.user)
    sick = {**outing(), "activity": Activity.SICK_CHILD}
    with pytest.raises(services.RequestError):
        services.ask(family, sick, family.children.all(), family.user)
    rules = FeeRules.for_site(town_a.site)
    rules.offers_sick_child_care = True
    rules.save()
    assert len(services.ask(family, sick, family.children.all(), family.user)) == 1
    applied = requester(town_a, status=Member.Status.APPLIED, number="")
    with pytest.raises(services.RequestError):
        services.ask(applied, outing(), applied.children.all(), None)
    only_provider = provider(town_a)
    with pytest.raises(services.RequestError):
        services.ask(only_provider, outing(), [], None)


# Proposing, answering, telling -------------------------------------------------------------------


@pytest.mark.django_db
def test_propose_accept_flow_tells_each_side_without_private_data(
    town_a, family, carer, advisor, django_capture_on_commit_callbacks
):
    item = services.ask(family, outing(), family.children.all(), family.user)[0]
    with django_capture_on_commit_callbacks(execute=True):
        assignment = services.propose(item, carer, advisor, 50, ["＋ 活動できる時間に入っています"])
    item.refresh_from_db()
    assert item.status == HelpRequest.Status.PROPOSED
    assert [m.to for m in mail.outbox] == [["carer@example.jp"]]
    assert reverse("familysupport:assignment", args=[assignment.pk]) in mail.outbox[0].body
    assert_no_private_text(mail.outbox[0])

    with django_capture_on_commit_callbacks(execute=True):
        services.accept(assignment, carer.user)
    item.refresh_from_db()
    assert item.status == HelpRequest.Status.MATCHED
    assert mail.outbox[1].to == ["family@example.jp"]
    assert_no_private_text(mail.outbox[1])


@pytest.mark.django_db
def test_a_new_proposal_withdraws_the_earlier_one_and_decline_reopens(town_a, family, carer, advisor):
    item = help_request(family)
    second = provider(town_a, user=UserFactory())
    first = services.propose(item, carer, advisor)
    services.propose(item, second, advisor)
    first.refresh_from_db()
    assert first.status == Assignment.Status.WITHDRAWN
    with pytest.raises(services.RequestError):
        services.accept(first, carer.user)

    current = item.assignments.get(status=Assignment.Status.PROPOSED)
    services.decline(current, second.user, "その日は都合がつかない")
    item.refresh_from_db()
    current.refresh_from_db()
    assert item.status == HelpRequest.Status.OPEN
    assert current.decline_reason == "その日は都合がつかない"


@pytest.mark.django_db
def test_who_may_propose_and_to_whom(town_a, town_b, family, carer, advisor, make_member):
    item = help_request(family)
    with pytest.raises(PermissionDenied):
        services.propose(item, carer, make_member(town_b, "fs_advisor"))
    with pytest.raises(PermissionDenied):
        services.propose(item, carer, carer.user)
    with pytest.raises(services.RequestError):
        services.propose(item, provider(town_b), advisor)
    with pytest.raises(services.RequestError):
        services.propose(item, provider(town_a, status=Member.Status.INTERVIEWED), advisor)
    both = requester(town_a, kind=Member.Kind.BOTH)
    own = help_request(both)
    with pytest.raises(services.RequestError):
        services.propose(own, both, advisor)


@pytest.mark.django_db
def test_only_the_proposed_provider_may_answer(town_a, family, carer, advisor):
    assignment = services.propose(help_request(family), carer, advisor)
    stranger = provider(town_a, user=UserFactory())
    for user in (stranger.user, family.user, advisor):
        with pytest.raises(PermissionDenied):
            services.accept(assignment, user)
        with pytest.raises(PermissionDenied):
            services.decline(assignment, user, "")


@pytest.mark.django_db
def test_meeting_is_recorded_by_the_advisor_or_either_member_once_accepted(town_a, family, carer, advisor):
    assignment = services.propose(help_request(family), carer, advisor)
    with pytest.raises(services.RequestError):
        services.record_meeting(assignment, advisor, at(MONDAY, 9), "自宅", "")
    services.accept(assignment, carer.user)
    services.record_meeting(assignment, family.user, at(MONDAY, 9), "三鷹駅南口", "アレルギーを確認")
    assignment.refresh_from_db()
    assert assignment.meeting_place == "三鷹駅南口"
    with pytest.raises(PermissionDenied):
        services.record_meeting(assignment, UserFactory(), at(MONDAY, 9), "x", "")


# What each side sees ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_counterpart_is_name_phone_place_and_only_while_accepted(
    town_a, family, carer, advisor, django_capture_on_commit_callbacks
):
    item = help_request(family, place_from="自宅")
    assignment = services.propose(item, carer, advisor)
    assert services.counterpart(assignment, carer.user) is None
    assert services.care_children(assignment, carer.user) == []

    services.accept(assignment, carer.user)
    services.record_meeting(assignment, advisor, at(MONDAY, 9), "三鷹駅南口")
    seen_by_carer = services.counterpart(assignment, carer.user)
    assert vars(seen_by_carer) == {
        "name": "山田 花子",
        "phone": "080-1234-5678",
        "meeting_place": "三鷹駅南口",
        "place_to": "",
        "notes": "",
    }
    seen_by_family = services.counterpart(assignment, family.user)
    assert vars(seen_by_family) == {
        "name": "佐藤 恵子",
        "phone": "090-8765-4321",
        "meeting_place": "三鷹駅南口",
        "place_to": "",
        "notes": "",
    }
    children = services.care_children(assignment, carer.user)
    assert [(c.first_name, c.allergies) for c in children] == [("子1", "卵")]
    assert children[0].age == 3
    with pytest.raises(PermissionDenied):
        services.counterpart(assignment, UserFactory())
    with pytest.raises(PermissionDenied):
        services.care_children(assignment, family.user)

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(item, family.user)
    assert services.counterpart(assignment, carer.user) is None
    assert mail.outbox[-1].to == ["carer@example.jp"]
    assert_no_private_text(mail.outbox[-1])


# The members' pages ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_requester_asks_for_help_on_the_site(family):
    client = member_client(family.user)
    response = client.get(reverse("familysupport:ask"))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    day = MONDAY.isoformat()
    response = client.post(
        reverse("familysupport:ask"),
        {
            "children": [family.children.first().pk],
            "activity": Activity.PARENT_OUTING,
            "day": day,
            "starts": "10:00",
            "ends": "12:00",
            "weekly": "on",
            "weekly_until": (MONDAY + datetime.timedelta(days=7)).isoformat(),
            "place_from": "自宅",
        },
    )
    assert response.status_code == 303
    assert family.requests.count() == 2
    page = client.get(reverse("familysupport:my_requests"))
    assert "依頼を受け付けました" in page.content.decode()


@pytest.mark.django_db
def test_member_pages_need_sign_in_and_membership(town_a, carer):
    anonymous = Client(HTTP_HOST=HOST)
    assert anonymous.get(reverse("familysupport:ask")).status_code == 302
    assert member_client(carer.user).get(reverse("familysupport:ask")).status_code == 403
    assert member_client(UserFactory()).get(reverse("familysupport:my_requests")).status_code == 403


@pytest.mark.django_db
def test_requester_sees_the_provider_only_once_matched_and_not_other_families(town_a, family, carer, advisor):
    item = help_request(family)
    assignment = services.propose(item, carer, advisor)
    client = member_client(family.user)
    assert "佐藤 恵子" not in client.get(reverse("familysupport:my_requests")).content.decode()
    services.accept(assignment, carer.user)
    page = client.get(reverse("familysupport:my_requests")).content.decode()
    assert "佐藤 恵子" in page and "090-8765-4321" in page

    neighbour = requester(town_a, user=UserFactory())
    theirs = help_request(neighbour, at(MONDAY, 15))
    response = client.post(reverse("familysupport:cancel_request", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == HelpRequest.Status.OPEN
    assert "依頼 花子" not in page


@pytest.mark.django_db
def test_provider_answers_own_proposal_and_cannot_open_anothers(town_a, family, carer, advisor):
    assignment = services.propose(help_request(family), carer, advisor)
    stranger = provider(town_a, user=UserFactory())
    url = reverse("familysupport:assignment", args=[assignment.pk])
    assert member_client(stranger.user).get(url).status_code == 404
    assert member_client(stranger.user).post(url, {"action": "accept"}).status_code == 404
    assert member_client(family.user).get(url).status_code == 404

    client = member_client(carer.user)
    page = client.get(url).content.decode()
    assert "山田" not in page and "080-1234-5678" not in page  # nothing private before accepting
    assert client.post(url, {"action": "accept"}).status_code == 303
    page = client.get(url).content.decode()
    assert "山田 花子" in page and "080-1234-5678" in page and "卵" in page


@pytest.mark.django_db
def test_provider_declines_with_a_reason(family, carer, advisor):
    assignment = services.propose(help_request(family), carer, advisor)
    client = member_client(carer.user)
    url = reverse("familysupport:assignment", args=[assignment.pk])
    assert client.post(url, {"action": "decline", "reason": "体調不良"}).status_code == 303
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.DECLINED
    assert assignment.request.status == HelpRequest.Status.OPEN


@pytest.mark.django_db
def test_member_area_panel_shows_proposals_and_upcoming_care(family, carer, advisor):
    from familysupport.panels import requests_panel

    assignment = services.propose(help_request(family), carer, advisor)
    panel = requests_panel(carer)
    assert [item["assignment"] for item in panel["fs_proposals"]] == [assignment]
    assert panel["fs_upcoming"] == []
    services.accept(assignment, carer.user)
    panel = requests_panel(carer)
    assert panel["fs_upcoming"][0]["counterpart"].name == "山田 花子"
    assert panel["fs_upcoming"][0]["children"][0].allergies == "卵"
    mine = requests_panel(family)["fs_requests"]
    assert mine[0]["counterpart"].phone == "090-8765-4321"


# The advisors' screens --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_advisor_sees_ranked_candidates_and_proposes(client, family, carer, advisor):
    item = help_request(family)
    sign_in_with_two_factors(client, advisor)
    url = reverse("famisapo_admin:request", args=[item.pk])
    page = client.get(url).content.decode()
    assert "佐藤 恵子" in page and "＋ 活動できる時間に入っています" in page and "この方に打診する" in page
    response = client.post(url, {"action": "propose", "provider": carer.pk})
    assert response.status_code == 302
    assignment = item.assignments.get()
    assert assignment.status == Assignment.Status.PROPOSED
    assert "＋ 活動できる時間に入っています" in assignment.reasons
    assert client.get(reverse("famisapo_admin:requests")).status_code == 200


@pytest.mark.django_db
def test_advisor_takes_a_request_by_phone(client, family, advisor):
    sign_in_with_two_factors(client, advisor)
    url = reverse("famisapo_admin:request_new")
    page = client.get(f"{url}?requester={family.pk}").content.decode()
    assert "依頼 子1" in page
    response = client.post(
        url,
        {
            "action": "save",
            "requester": family.pk,
            "children": [family.children.first().pk],
            "activity": Activity.NURSERY_TRANSPORT,
            "day": MONDAY.isoformat(),
            "starts": "17:00",
            "ends": "18:00",
        },
    )
    assert response.status_code == 302
    created = family.requests.get()
    assert created.created_by == advisor


@pytest.mark.django_db
def test_advisor_of_another_town_gets_404_and_others_403(client, town_b, family, make_member):
    item = help_request(family)
    url = reverse("famisapo_admin:request", args=[item.pk])
    sign_in_with_two_factors(client, make_member(town_b, "fs_advisor"))
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "cancel"}).status_code == 404
    other = Client()
    sign_in_with_two_factors(other, make_member(town_b, "moderator"))
    response = other.get(url)
    assert response.status_code == 403
    assert "権限がありません" in response.content.decode()
    assert other.get(reverse("famisapo_admin:month")).status_code == 403


@pytest.mark.django_db
def test_month_screen_proposes_only_the_checked_rows(client, town_a, family, carer, advisor):
    series = services.ask(
        family,
        outing(),
        family.children.all(),
        family.user,
        weekly_until=MONDAY + datetime.timedelta(days=14),
    )
    sign_in_with_two_factors(client, advisor)
    url = reverse("famisapo_admin:month")
    page = client.get(url, {"month": "2030-06", "weekly_only": "on"}).content.decode()
    assert "この内容で打診する" in page and "佐藤 恵子" in page
    assert len(mail.outbox) == 0
    picks = [f"{series[0].pk}:{carer.pk}", f"{series[2].pk}:{carer.pk}"]
    response = client.post(url, {"month": "2030-06", "weekly_only": "on", "pick": picks})
    assert response.status_code == 302
    statuses = [HelpRequest.objects.get(pk=item.pk).status for item in series]
    assert statuses == [HelpRequest.Status.PROPOSED, HelpRequest.Status.OPEN, HelpRequest.Status.PROPOSED]
