"""What the provider reads of the request once they accept; advisors keep the fee rules; the
fields the matching ranks by wait for the advisor."""

from django.urls import reverse
from wagtail.models import GroupSitePermission

from familysupport import membership
from familysupport import requests as services

from ..factories import UserFactory
from .test_matching import help_request, provider, requester
from .test_seams import member_client


def test_the_provider_reads_the_destination_and_the_familys_note_only_after_accepting(town_a, make_member):
    advisor = make_member(town_a, "fs_advisor")
    family = requester(town_a, name="山田花子", user=UserFactory())
    carer = provider(town_a, name="佐藤みどり", user=UserFactory())
    item = help_request(family, place_from="自宅", place_to="ひなた保育園", notes="卵アレルギーがあります。")
    assignment = services.propose(item, carer, advisor)
    url = reverse("familysupport:assignment", args=[assignment.pk])
    before = member_client(carer.user).get(url).content.decode()
    assert "ひなた保育園" not in before and "卵アレルギーがあります。" not in before

    services.accept(assignment, carer.user)
    after = member_client(carer.user).get(url).content.decode()
    assert "ひなた保育園" in after and "卵アレルギーがあります。" in after
    seen_by_family = services.counterpart(assignment, family.user)
    assert seen_by_family.notes == "" and seen_by_family.place_to == ""


def test_advisors_may_change_their_own_towns_fee_rules_only(town_a, town_b):
    granted = GroupSitePermission.objects.filter(
        group=town_a.group("fs_advisor"), permission__codename="change_feerules"
    )
    assert [row.site for row in granted] == [town_a.site]
    assert not GroupSitePermission.objects.filter(
        group=town_a.group("member"), permission__codename="change_feerules"
    ).exists()


def test_a_provider_raising_their_training_hours_waits_for_the_advisor(town_a):
    carer = provider(town_a, name="佐藤みどり", user=UserFactory(), training_hours=10)
    _applied, waiting = membership.update_details(
        carer, carer.user, {"training_hours": 40, "monthly_capacity": 20}
    )
    carer.refresh_from_db()
    assert set(waiting) == {"training_hours", "monthly_capacity"}
    assert carer.training_hours == 10 and carer.pending_changes["training_hours"] in (40, "40", "40.0")


def test_the_towns_advisors_hear_of_a_decline_without_who_or_why(
    town_a, town_b, make_member, django_capture_on_commit_callbacks
):
    from django.core import mail

    advisor = make_member(town_a, "fs_advisor", email="advisor-a@example.jp")
    make_member(town_b, "fs_advisor", email="advisor-b@example.jp")
    family = requester(town_a, name="山田花子", user=UserFactory())
    carer = provider(town_a, name="佐藤みどり", user=UserFactory())
    assignment = services.propose(help_request(family), carer, advisor)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decline(assignment, carer.user, "体調不良のため")
    (message,) = mail.outbox
    assert message.to == ["advisor-a@example.jp"]
    assert "辞退" in message.subject
    for private in ("山田", "佐藤", "体調不良"):
        assert private not in message.body
    assert f"/admin/famisapo/requests/{assignment.request_id}/" in message.body


def test_a_member_withdraws_once_nothing_is_left_to_settle(town_a, make_member):
    from familysupport.models import HelpRequest, Member

    family = requester(town_a, name="山田花子", user=UserFactory())
    membership.sync_groups(family)
    assert town_a.group("fs_requester") in family.user.groups.all()
    item = help_request(family)
    client = member_client(family.user)
    url = reverse("familysupport:withdraw")

    page = client.get(url).content.decode()
    assert "まだ終わっていない依頼があります" in page
    refused = client.post(url)
    assert refused.status_code == 409
    family.refresh_from_db()
    assert family.status == Member.Status.APPROVED

    HelpRequest.objects.filter(pk=item.pk).update(status=HelpRequest.Status.CANCELLED)
    assert client.post(url).status_code == 303
    family.refresh_from_db()
    assert family.status == Member.Status.WITHDRAWN
    assert town_a.group("fs_requester") not in family.user.groups.all()
    assert "退会の手続きが終わりました" in client.get(reverse("familysupport:me")).content.decode()


def test_withdrawing_needs_sign_in_and_touches_only_ones_own_membership(client, town_a):
    from familysupport.models import Member

    family = requester(town_a, name="山田花子", user=UserFactory())
    stranger = UserFactory()
    url = reverse("familysupport:withdraw")
    assert client.post(url, HTTP_HOST=town_a.site.hostname).status_code == 302
    assert member_client(stranger).post(url).status_code == 404
    family.refresh_from_db()
    assert family.status == Member.Status.APPROVED


def test_a_members_data_export_carries_their_family_support_details_only(town_a):
    from accounts.services import export_data

    family = requester(town_a, name="山田花子", user=UserFactory())
    carer = provider(town_a, name="佐藤みどり", user=UserFactory())
    help_request(family)
    (mine,) = export_data(family.user)["family_support"]
    assert mine["full_name"] == "山田花子" and mine["kind"] == "requester"
    assert mine["children"] and mine["requests"][0]["status"] == "調整中"
    assert "佐藤みどり" not in str(export_data(family.user))
    (theirs,) = export_data(carer.user)["family_support"]
    assert theirs["availability"] and "山田花子" not in str(export_data(carer.user))
