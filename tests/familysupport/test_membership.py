"""Membership of the Family Support Center: applying, the advisor's decision, keeping details
current, and who may see a member's data."""

import datetime

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from familysupport import membership
from familysupport.demo import load_familysupport_demo
from familysupport.models import Availability, Child, FeeRules, Member

from ..factories import UserFactory, member_of, sign_in_with_two_factors

pytestmark = pytest.mark.django_db

HOST = "mitaka.example.jp"
OTHER_HOST = "tachikawa.example.jp"
NAME = "山田 花子"
CHILD = "山田 ゆい"
ADDRESS = "三鷹市下連雀1-2-3"
PHONE = "090-1234-5678"


@pytest.fixture(autouse=True)
def empty_cache():
    """The rate limits live in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def advisor(town_a):
    return member_of(town_a, "fs_advisor")


@pytest.fixture
def as_advisor(advisor):
    return sign_in_with_two_factors(Client(HTTP_HOST=HOST), advisor)


def html(response):
    return response.content.decode()


def signed_in(user, host=HOST, **extra):
    client = Client(HTTP_HOST=host, **extra)
    client.force_login(user)
    return client


def admin_url(name, *args):
    return reverse(f"famisapo_admin:{name}", args=args)


def form_data(kind="requester", children=(), slots=(), **overrides):
    """What the application form posts: the member's fields and the two rows of rows."""
    data = {
        "kind": kind,
        "full_name": NAME,
        "full_name_kana": "やまだ はなこ",
        "phone": PHONE,
        "postal_code": "181-0013",
        "address": ADDRESS,
        "area": "下連雀",
        "household": "夫、長女（4歳）",
        "emergency_name": "山田 和子（祖母）",
        "emergency_phone": "090-9999-0000",
        "experience": "",
        "training_hours": "0",
        "monthly_capacity": "8",
        "insurance_date": "",
        "homepage": "",
        "children-TOTAL_FORMS": str(max(len(children), 1)),
        "children-INITIAL_FORMS": "0",
        "slots-TOTAL_FORMS": str(max(len(slots), 1)),
        "slots-INITIAL_FORMS": "0",
    }
    for index, child in enumerate(children):
        for name, value in child.items():
            data[f"children-{index}-{name}"] = value
    for index, slot in enumerate(slots):
        for name, value in slot.items():
            data[f"slots-{index}-{name}"] = value
    data.update(overrides)
    return data


GOOD_CHILD = {"name": CHILD, "birth_date": "2021-04-15", "allergies": "卵", "notes": "人見知りです"}
GOOD_SLOT = {"weekday": "0", "starts": "09:00", "ends": "17:00"}


def application(site, user=None, kind=Member.Kind.REQUESTER, name=NAME):
    """An application made through the service, as the form would."""
    return membership.apply(
        site,
        user,
        kind,
        {
            "full_name": name,
            "phone": PHONE,
            "address": ADDRESS,
            "emergency_name": "祖母",
            "emergency_phone": PHONE,
        },
        children=[{"name": CHILD, "birth_date": datetime.date(2021, 4, 15)}],
        availability=[{"weekday": 0, "starts": datetime.time(9), "ends": datetime.time(17)}],
    )


def approved(site, advisor, user=None, kind=Member.Kind.REQUESTER, name=NAME):
    member = application(site, user, kind, name)
    membership.record_interview(member, advisor, timezone.now(), "面談しました")
    return membership.approve(member, advisor)


# Applying ----------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(town_a):
    client = Client(HTTP_HOST=HOST)
    for name in ("familysupport:apply", "familysupport:me", "familysupport:me_edit"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert client.post(reverse("familysupport:apply"), form_data(children=[GOOD_CHILD])).status_code == 302
    assert not Member.objects.exists()


def test_a_requester_applies_and_sees_the_application_in_the_member_area(town_a):
    user = member_of(town_a, "member")
    client = signed_in(user)
    page = client.get(reverse("familysupport:apply"))
    assert page.status_code == 200
    assert "会員の申込み" in html(page) and "依頼会員" in html(page)
    assert "no-cache" in page["Cache-Control"] or "no-store" in page["Cache-Control"]

    second_child = {"name": "山田 そら", "birth_date": "2023-01-02"}
    response = client.post(
        reverse("familysupport:apply"),
        form_data(children=[GOOD_CHILD, second_child], phone="０９０ー１２３４ー５６７８"),
    )
    assert response.status_code == 303
    assert response["Location"] == reverse("familysupport:applied")

    member = Member.objects.get()
    assert (member.site, member.user, member.kind) == (town_a.site, user, Member.Kind.REQUESTER)
    assert member.status == Member.Status.APPLIED and member.number == ""
    assert member.phone == PHONE and member.postal_code == "181-0013"
    assert [child.name for child in member.children.order_by("birth_date")] == [CHILD, "山田 そら"]
    assert member.children.get(name=CHILD).allergies == "卵"
    assert not member.availability.exists()

    assert "申込みを受け付けました" in html(client.get(reverse("familysupport:applied")))
    area = client.get(reverse("familysupport:me"))
    assert "申込み受付" in html(area) and NAME in html(area) and CHILD in html(area)
    # A second application in the same town goes to the member area instead.
    again = client.get(reverse("familysupport:apply"))
    assert again.status_code == 303 and again["Location"] == reverse("familysupport:me")


def test_a_provider_applies_with_hours_ages_and_qualifications(town_a):
    user = member_of(town_a, "member")
    data = form_data(
        kind="provider",
        slots=[GOOD_SLOT, {"weekday": "2", "starts": "13:00", "ends": "18:30"}],
        experienced_ages=["1-2", "3-5"],
        qualifications=["hoikushi"],
        takes_siblings="on",
        has_pets="on",
        training_hours="24",
    )
    response = signed_in(user).post(reverse("familysupport:apply"), data)
    assert response.status_code == 303
    member = Member.objects.get()
    assert member.kind == Member.Kind.PROVIDER
    assert member.experienced_ages == ["1-2", "3-5"] and member.qualifications == ["hoikushi"]
    assert member.takes_siblings and member.has_pets and not member.smoking_at_home
    assert [(slot.weekday, slot.starts, slot.ends) for slot in member.availability.all()] == [
        (0, datetime.time(9), datetime.time(17)),
        (2, datetime.time(13), datetime.time(18, 30)),
    ]
    # A provider's application keeps no requester's data, even if some was typed.
    assert member.emergency_name == "" and not member.children.exists()


def test_a_requester_without_a_child_gets_a_japanese_message_and_nothing_is_saved(town_a):
    user = member_of(town_a, "member")
    response = signed_in(user).post(reverse("familysupport:apply"), form_data(children=[]))
    assert response.status_code == 200
    page = html(response)
    assert "お子さんを少なくとも1人入力してください" in page
    assert f'value="{NAME}"' in page and f'value="{ADDRESS}"' in page
    assert not Member.objects.exists() and not Child.objects.exists()


def test_every_problem_shows_at_once(town_a):
    user = member_of(town_a, "member")
    data = form_data(kind="both", full_name="", emergency_phone="")
    page = html(signed_in(user).post(reverse("familysupport:apply"), data))
    assert "氏名を入力してください" in page
    assert "お子さんを少なくとも1人入力してください" in page
    assert "活動できる曜日と時間を少なくとも1つ入力してください" in page
    assert "緊急連絡先の電話番号を入力してください" in page
    assert not Member.objects.exists()


def test_a_provider_without_availability_gets_a_japanese_message_and_nothing_is_saved(town_a):
    user = member_of(town_a, "member")
    data = form_data(kind="provider", experience="保育園で10年働きました")
    response = signed_in(user).post(reverse("familysupport:apply"), data)
    assert response.status_code == 200
    page = html(response)
    assert "活動できる曜日と時間を少なくとも1つ入力してください" in page
    assert "保育園で10年働きました" in page
    assert not Member.objects.exists() and not Availability.objects.exists()


def test_bad_rows_and_fields_get_japanese_messages_and_keep_what_was_typed(town_a):
    user = member_of(town_a, "member")
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    data = form_data(
        kind="both",
        children=[{"name": CHILD, "birth_date": future}],
        slots=[{"weekday": "1", "starts": "18:00", "ends": "09:00"}],
        full_name="",
        postal_code="12345",
        emergency_name="",
    )
    response = signed_in(user).post(reverse("familysupport:apply"), data)
    page = html(response)
    assert "氏名を入力してください" in page
    assert "郵便番号は7けたの数字で入力してください" in page
    assert "今日より後の日付は入力できません" in page
    assert "終了は、開始より後の時刻にしてください" in page
    assert f'value="{CHILD}"' in page and 'value="12345"' in page
    assert not Member.objects.exists()


def test_the_emergency_contact_is_required_for_requesters(town_a):
    user = member_of(town_a, "member")
    data = form_data(children=[GOOD_CHILD], emergency_name="", emergency_phone="")
    page = html(signed_in(user).post(reverse("familysupport:apply"), data))
    assert "緊急連絡先の氏名と続柄を入力してください" in page
    assert not Member.objects.exists()


def test_add_row_shows_another_child_row_without_errors_or_saving(town_a):
    user = member_of(town_a, "member")
    data = form_data(children=[GOOD_CHILD], action="add_child", full_name="")
    page = html(signed_in(user).post(reverse("familysupport:apply"), data))
    assert 'name="children-1-name"' in page
    assert f'value="{CHILD}"' in page
    assert "入力内容を確認してください" not in page
    assert not Member.objects.exists()


def test_the_hidden_field_saves_nothing(town_a):
    user = member_of(town_a, "member")
    data = form_data(children=[GOOD_CHILD], homepage="http://spam.example")
    response = signed_in(user).post(reverse("familysupport:apply"), data)
    assert response.status_code == 303
    assert not Member.objects.exists()


def test_applications_are_rate_limited_per_address(town_a):
    for _ in range(membership_limit()):
        user = member_of(town_a, "member")
        response = signed_in(user).post(reverse("familysupport:apply"), form_data(children=[GOOD_CHILD]))
        assert response.status_code == 303
    user = member_of(town_a, "member")
    response = signed_in(user).post(reverse("familysupport:apply"), form_data(children=[GOOD_CHILD]))
    assert response.status_code == 429
    assert "しばらく時間をおいてから" in html(response) and f'value="{NAME}"' in html(response)
    assert not Member.objects.filter(user=user).exists()


def membership_limit():
    from familysupport.member_views import APPLY_PER_ADDRESS

    return int(APPLY_PER_ADDRESS.split("/")[0])


def test_csrf_is_enforced_on_the_application(town_a):
    user = member_of(town_a, "member")
    client = signed_in(user, enforce_csrf_checks=True)
    response = client.post(reverse("familysupport:apply"), form_data(children=[GOOD_CHILD]))
    assert response.status_code == 403
    assert not Member.objects.exists()


def test_one_application_per_town_but_another_town_is_separate(town_a, town_b):
    user = member_of(town_a, "member")
    application(town_a.site, user)
    with pytest.raises(membership.Refused, match="すでに申し込んでいます"):
        application(town_a.site, user)
    application(town_b.site, user)
    assert Member.objects.filter(user=user).count() == 2


def test_the_section_page_links_to_the_application_and_the_member_area(town_a):
    page = html(Client(HTTP_HOST=HOST).get(town_a.sections["familysupport"].url))
    assert "会員になる（申込み）" in page and reverse("familysupport:apply") in page
    assert "会員のページ" in page and reverse("familysupport:me") in page


# The advisor's decision --------------------------------------------------------------------------


def test_approval_needs_an_interview(town_a, advisor):
    member = application(town_a.site)
    with pytest.raises(membership.Refused, match="面談の記録"):
        membership.approve(member, advisor)
    member.refresh_from_db()
    assert member.status == Member.Status.APPLIED and member.number == ""


def test_numbers_are_per_town_and_kind_and_unique(town_a, town_b, advisor):
    advisor_b = member_of(town_b, "fs_advisor")
    first = approved(town_a.site, advisor, name="一人目")
    second = approved(town_a.site, advisor, name="二人目")
    provider = approved(town_a.site, advisor, kind=Member.Kind.PROVIDER, name="三人目")
    both = approved(town_a.site, advisor, kind=Member.Kind.BOTH, name="四人目")
    other_town = approved(town_b.site, advisor_b, name="立川の人")
    assert [first.number, second.number, provider.number, both.number] == [
        "R-0001",
        "R-0002",
        "P-0001",
        "B-0001",
    ]
    assert other_town.number == "R-0001"
    assert first.decided_by == advisor and first.decided_at is not None
    # A number written some other way is skipped, not repeated.
    Member.objects.filter(pk=second.pk).update(number="R-0009")
    assert approved(town_a.site, advisor, name="五人目").number == "R-0010"
    numbers = list(
        Member.objects.filter(site=town_a.site).exclude(number="").values_list("number", flat=True)
    )
    assert len(numbers) == len(set(numbers))


def test_approval_puts_the_account_in_the_town_groups_and_mails_the_outcome(
    town_a, advisor, django_capture_on_commit_callbacks
):
    user = member_of(town_a, "member")
    with django_capture_on_commit_callbacks(execute=True):
        approved(town_a.site, advisor, user=user, kind=Member.Kind.BOTH)
    groups = set(user.groups.values_list("pk", flat=True))
    assert town_a.group("fs_requester").pk in groups and town_a.group("fs_provider").pk in groups
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert NAME not in mail.outbox[0].body and "B-0001" not in mail.outbox[0].body


def test_reject_needs_a_reason_and_mails_the_outcome_without_private_data(
    town_a, advisor, django_capture_on_commit_callbacks
):
    user = member_of(town_a, "member")
    member = application(town_a.site, user)
    with pytest.raises(membership.Refused, match="不承認の理由"):
        membership.reject(member, advisor, "  ")
    reason = "提供会員の人数が足りず、いまは依頼をお受けできないためです。"
    with django_capture_on_commit_callbacks(execute=True):
        membership.reject(member, advisor, reason)
    member.refresh_from_db()
    assert member.status == Member.Status.REJECTED and member.rejection_reason == reason
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email] and "申込みの結果" in message.subject
    for private in (NAME, ADDRESS, PHONE, CHILD, reason):
        assert private not in message.body and private not in message.subject
    # The applicant reads the reason in the member area, and may apply again.
    page = html(signed_in(user).get(reverse("familysupport:me")))
    assert reason in page and "もう一度申し込む" in page


def test_only_an_advisor_of_the_town_decides(town_a, town_b):
    member = application(town_a.site)
    for user in (
        member_of(town_b, "fs_advisor"),
        member_of(town_a, "counsellor"),
        member_of(town_a, "fs_provider"),
    ):
        with pytest.raises(membership.Refused, match="アドバイザーだけ"):
            membership.record_interview(member, user, timezone.now(), "")
        with pytest.raises(membership.Refused):
            membership.reject(member, user, "理由")


# Keeping details current -------------------------------------------------------------------------


def test_a_key_field_change_waits_for_the_advisor_and_others_apply_at_once(town_a, advisor):
    user = member_of(town_a, "member")
    member = approved(town_a.site, advisor, user=user)
    client = signed_in(user)
    form = client.get(reverse("familysupport:me_edit"))
    assert "変更は確認後に反映" in html(form)

    data = {
        "kind": "requester",
        "full_name": "山田 花",
        "full_name_kana": "やまだ はな",
        "phone": "080-1111-2222",
        "postal_code": "181-0013",
        "address": ADDRESS,
        "area": "下連雀",
        "household": "夫、長女",
        "emergency_name": "山田 和子（祖母）",
        "emergency_phone": "090-9999-0000",
        "insurance_date": "",
    }
    response = client.post(reverse("familysupport:me_edit"), data)
    assert response.status_code == 303
    member.refresh_from_db()
    assert member.phone == "080-1111-2222" and member.full_name_kana == "やまだ はな"
    assert member.full_name == NAME
    assert member.pending_changes == {"full_name": "山田 花"}
    page = html(client.get(reverse("familysupport:me")))
    assert "アドバイザーの確認待ち" in page and "山田 花" in page

    admin_page = html(as_client(advisor).get(admin_url("member_changes")))
    assert "山田 花" in admin_page
    as_client(advisor).post(admin_url("member", member.pk), {"action": "accept_changes"})
    member.refresh_from_db()
    assert member.full_name == "山田 花" and member.pending_changes == {}


def test_a_refused_change_is_dropped(town_a, advisor):
    user = member_of(town_a, "member")
    member = approved(town_a.site, advisor, user=user)
    applied, waiting = membership.update_details(
        member, user, {"address": "三鷹市上連雀9-9", "area": "上連雀"}
    )
    assert applied == ["area"] and waiting == ["address"]
    membership.review_changes(member, advisor, accept=False)
    member.refresh_from_db()
    assert member.address == ADDRESS and member.area == "上連雀" and member.pending_changes == {}


def test_a_kind_change_accepted_moves_the_account_to_the_right_groups(town_a, advisor):
    user = member_of(town_a, "member")
    member = approved(town_a.site, advisor, user=user)
    membership.update_details(member, user, {"kind": "both"})
    assert not user.groups.filter(pk=town_a.group("fs_provider").pk).exists()
    membership.review_changes(member, advisor, accept=True)
    assert user.groups.filter(pk=town_a.group("fs_provider").pk).exists()


def test_children_and_hours_are_kept_by_the_member(town_a, advisor):
    user = member_of(town_a, "member")
    member = approved(town_a.site, advisor, user=user, kind=Member.Kind.BOTH)
    client = signed_in(user)
    response = client.post(
        reverse("familysupport:child_add"), {"name": "山田 そら", "birth_date": "2024-02-03"}
    )
    assert response.status_code == 303
    assert member.children.count() == 2
    child = member.children.get(name=CHILD)
    client.post(reverse("familysupport:child_delete", args=[child.pk]))
    assert member.children.count() == 1
    last = member.children.get()
    refused = client.post(reverse("familysupport:child_delete", args=[last.pk]))
    assert "少なくとも1人" in html(refused) and member.children.count() == 1

    bad = client.post(reverse("familysupport:slot_add"), {"weekday": "3", "starts": "15:00", "ends": "10:00"})
    assert "終了は、開始より後の時刻にしてください" in html(bad)
    client.post(reverse("familysupport:slot_add"), {"weekday": "3", "starts": "10:00", "ends": "15:00"})
    assert member.availability.count() == 2


# Who sees what -----------------------------------------------------------------------------------


def as_client(user, host=HOST):
    return sign_in_with_two_factors(Client(HTTP_HOST=host), user)


def test_another_member_sees_nothing_of_someone_elses_membership(town_a, advisor):
    owner = member_of(town_a, "member")
    member = approved(town_a.site, advisor, user=owner)
    child = member.children.get()
    stranger = member_of(town_a, "member")
    client = signed_in(stranger)
    page = html(client.get(reverse("familysupport:me")))
    assert NAME not in page and CHILD not in page and "R-0001" not in page
    assert client.get(reverse("familysupport:child_edit", args=[child.pk])).status_code == 404
    assert client.post(reverse("familysupport:child_delete", args=[child.pk])).status_code == 404
    assert Child.objects.filter(pk=child.pk).exists()


def test_a_provider_never_sees_a_requesters_details(town_a, advisor):
    requester = approved(town_a.site, advisor, user=member_of(town_a, "member"))
    provider_user = member_of(town_a, "member")
    provider = approved(town_a.site, advisor, user=provider_user, kind=Member.Kind.PROVIDER, name="提供 太郎")
    client = signed_in(provider_user)
    page = html(client.get(reverse("familysupport:me")))
    assert "提供 太郎" in page and provider.number in page
    assert NAME not in page and CHILD not in page and requester.number not in page
    child = requester.children.get()
    assert client.get(reverse("familysupport:child_edit", args=[child.pk])).status_code == 404
    assert client.get(reverse("familysupport:child_add")).status_code == 404
    # Nor the back office.
    assert client.get(admin_url("member", requester.pk)).status_code in (302, 403)


def test_the_member_area_is_per_town(town_a, town_b, advisor):
    user = member_of(town_a, "member")
    approved(town_a.site, advisor, user=user)
    other = html(signed_in(user, host=OTHER_HOST).get(reverse("familysupport:me")))
    assert NAME not in other and "まだファミリーサポートの会員ではありません" in other


def test_advisor_of_another_town_gets_404(town_a, town_b, advisor):
    member = application(town_a.site)
    client = as_client(member_of(town_b, "fs_advisor"))
    assert client.get(admin_url("member", member.pk)).status_code == 404
    assert client.post(admin_url("member", member.pk), {"action": "approve"}).status_code == 404
    assert client.get(admin_url("member_reject", member.pk)).status_code == 404
    assert NAME not in html(client.get(admin_url("applications")))


@pytest.mark.parametrize("role", ["counsellor", "moderator", "site_admin"])
def test_other_staff_get_a_japanese_403(town_a, role):
    member = application(town_a.site)
    client = as_client(member_of(town_a, role))
    for url in (admin_url("applications"), admin_url("members"), admin_url("member", member.pk)):
        response = client.get(url)
        assert response.status_code == 403
        assert "アドバイザーだけ" in html(response)
        assert NAME not in html(response)


def test_the_advisor_screens_ask_for_the_second_factor(town_a, advisor):
    client = Client(HTTP_HOST=HOST)
    client.force_login(advisor)
    response = client.get(admin_url("applications"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts_two_factor"))


def test_the_advisor_interviews_approves_and_rejects_from_the_screens(town_a, advisor, as_advisor):
    member = application(town_a.site, member_of(town_a, "member"))
    listing = as_advisor.get(admin_url("applications"))
    assert listing.status_code == 200 and NAME in html(listing)
    assert "no-store" in listing["Cache-Control"] or "no-cache" in listing["Cache-Control"]

    detail = html(as_advisor.get(admin_url("member", member.pk)))
    assert CHILD in detail and ADDRESS in detail and "先に面談の記録" in detail

    as_advisor.post(admin_url("member", member.pk), {"action": "approve"})
    member.refresh_from_db()
    assert member.status == Member.Status.APPLIED

    response = as_advisor.post(
        admin_url("member", member.pk), {"action": "interview", "at": "2025-04-15T10:00", "notes": "問題なし"}
    )
    assert response.status_code == 302
    as_advisor.post(admin_url("member", member.pk), {"action": "approve"})
    member.refresh_from_db()
    assert member.status == Member.Status.APPROVED and member.number == "R-0001"
    assert member.interview_notes == "問題なし"

    found = html(as_advisor.get(admin_url("members"), {"q": "R-0001"}))
    assert NAME in found
    assert NAME not in html(as_advisor.get(admin_url("members"), {"q": "存在しない名前"}))

    other = application(town_a.site, name="却下 される")
    empty = as_advisor.post(admin_url("member_reject", other.pk), {"reason": " "})
    assert empty.status_code == 400 and "不承認の理由を入力してください" in html(empty)
    as_advisor.post(admin_url("member_reject", other.pk), {"reason": "定員のため"})
    other.refresh_from_db()
    assert other.status == Member.Status.REJECTED


def test_the_advisor_filters_applications_by_status_and_kind(town_a, advisor, as_advisor):
    application(town_a.site, name="依頼 一郎")
    application(town_a.site, kind=Member.Kind.PROVIDER, name="提供 二郎")
    page = html(as_advisor.get(admin_url("applications"), {"kind": "provider"}))
    assert "提供 二郎" in page and "依頼 一郎" not in page
    assert "依頼 一郎" not in html(as_advisor.get(admin_url("applications"), {"status": "rejected"}))


@pytest.mark.parametrize("name", ["applications", "members"])
def test_list_queries_do_not_grow_with_the_number_of_members(town_a, advisor, as_advisor, name):
    def count_for(number):
        for index in range(number):
            if name == "members":
                approved(town_a.site, advisor, name=f"会員{index}")
            else:
                application(town_a.site, name=f"申込み{index}")
        as_advisor.get(admin_url(name))
        with CaptureQueriesContext(connection) as queries:
            response = as_advisor.get(admin_url(name))
        assert response.status_code == 200
        return len(queries)

    few = count_for(5)
    many = count_for(25)
    assert many <= few


# Demo --------------------------------------------------------------------------------------------


def test_the_demo_is_idempotent_and_numbers_are_unique(town_a):
    UserFactory(username="demo-requester")
    UserFactory(username="demo-provider")
    load_familysupport_demo(town_a.site)
    count = Member.objects.filter(site=town_a.site).count()
    load_familysupport_demo(town_a.site)
    assert Member.objects.filter(site=town_a.site).count() == count
    assert FeeRules.objects.filter(site=town_a.site).exists()
    requester = Member.objects.get(user__username="demo-requester")
    provider = Member.objects.get(user__username="demo-provider")
    assert requester.is_active and requester.children.count() == 2
    assert provider.is_active and provider.availability.count() == 5
    assert Member.objects.filter(site=town_a.site, status=Member.Status.APPLIED).count() == 1
    numbers = list(
        Member.objects.filter(site=town_a.site).exclude(number="").values_list("number", flat=True)
    )
    assert len(numbers) == len(set(numbers)) >= 20
