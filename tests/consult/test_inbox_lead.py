"""The lead counsellor's screens (定型文, 注意語, 操作記録) and the statistics page."""

import pytest
from django.urls import reverse

from consult import services
from consult.models import AccessLog, CannedReply, RiskTerm

from ..factories import member_of, sign_in_with_two_factors

pytestmark = pytest.mark.django_db

LEAD_SCREENS = ("canned", "canned_add", "risk_terms", "risk_term_add", "log")


def url(name, *args):
    return reverse(f"consult_inbox:{name}", args=args)


def html(response):
    return response.content.decode()


@pytest.fixture
def as_lead(client, lead):
    return sign_in_with_two_factors(client, lead)


def test_lead_screens_deny_plain_counsellors_and_the_network(client, counsellor, network, town_a):
    canned = CannedReply.objects.create(
        site=town_a.site, title="あいさつ", body="ご相談ありがとうございます。"
    )
    term = RiskTerm.objects.get(site=town_a.site, term="虐待")
    for user in (counsellor, network):
        sign_in_with_two_factors(client, user)
        for name in LEAD_SCREENS:
            response = client.get(url(name))
            assert response.status_code == 403
            assert "主任相談員だけです" in html(response)
        assert client.post(url("canned_delete", canned.pk)).status_code == 403
        assert client.post(url("risk_term_delete", term.pk)).status_code == 403
        client.logout()
    assert CannedReply.objects.filter(pk=canned.pk).exists() and RiskTerm.objects.filter(pk=term.pk).exists()


def test_lead_screens_need_the_second_factor(client, lead):
    client.force_login(lead)
    response = client.get(url("canned"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/")


def test_lead_of_another_town_gets_404_for_this_towns_records(client, town_a, town_b):
    canned = CannedReply.objects.create(site=town_a.site, title="あいさつ", body="本文")
    term = RiskTerm.objects.get(site=town_a.site, term="虐待")
    sign_in_with_two_factors(client, member_of(town_b, "counsellor_lead"))
    assert "あいさつ" not in html(client.get(url("canned")))
    assert client.get(url("canned_edit", canned.pk)).status_code == 404
    assert client.post(url("canned_delete", canned.pk)).status_code == 404
    assert client.post(url("risk_term_delete", term.pk)).status_code == 404
    assert client.get(url("canned"), {"town": town_a.site.pk}).status_code == 404


def test_lead_keeps_canned_replies(as_lead, town_a):
    response = as_lead.post(
        url("canned_add"), {"title": "夜泣き", "body": "夜泣きについてのご相談ですね。", "sort_order": 1}
    )
    assert response.status_code == 302
    reply = CannedReply.objects.get(site=town_a.site)
    assert "夜泣き" in html(as_lead.get(url("canned")))

    as_lead.post(
        url("canned_edit", reply.pk), {"title": "夜泣き（改）", "body": "本文を直しました。", "sort_order": 2}
    )
    reply.refresh_from_db()
    assert reply.title == "夜泣き（改）" and reply.body == "本文を直しました。"

    confirm = as_lead.get(url("canned_delete", reply.pk))
    assert "夜泣き（改）" in html(confirm) and "削除します" in html(confirm)
    assert CannedReply.objects.filter(pk=reply.pk).exists()
    as_lead.post(url("canned_delete", reply.pk))
    assert not CannedReply.objects.filter(pk=reply.pk).exists()


def test_canned_reply_form_keeps_input_on_error(as_lead):
    response = as_lead.post(url("canned_add"), {"title": "", "body": "途中まで書いた本文", "sort_order": 0})
    assert response.status_code == 200
    assert "途中まで書いた本文" in html(response)
    assert not CannedReply.objects.exists()


def test_lead_keeps_risk_terms_and_triage_uses_them(as_lead, town_a, make_case):
    assert "叩いてしま" in html(as_lead.get(url("risk_terms")))
    as_lead.post(url("risk_term_add"), {"term": "ベランダから", "kind": "self_harm"})
    assert RiskTerm.objects.filter(site=town_a.site, term="ベランダから").exists()
    assert make_case(town_a, question="ベランダから飛び降りたくなります").urgent

    duplicate = as_lead.post(url("risk_term_add"), {"term": "べらんだから", "kind": "abuse"})
    assert duplicate.status_code == 200
    assert "この語句はすでに登録されています。" in html(duplicate)

    term = RiskTerm.objects.get(site=town_a.site, term="ベランダから")
    as_lead.post(url("risk_term_delete", term.pk))
    assert not RiskTerm.objects.filter(pk=term.pk).exists()
    assert not make_case(town_a, question="ベランダから飛び降りたくなります").urgent


def test_lead_reads_the_access_log_with_filters(as_lead, counsellor, town_a, town_b, make_case):
    first = make_case(town_a)
    second = make_case(town_a)
    services.log_open(first, counsellor)
    services.counsellor_reply(first, counsellor, "お返事です")
    services.log_open(second, counsellor)
    foreign = make_case(town_b)
    services.log_open(foreign, member_of(town_b, "counsellor"))

    page = html(as_lead.get(url("log")))
    assert first.number in page and second.number in page and foreign.number not in page
    assert "お返事です" not in page

    by_number = html(as_lead.get(url("log"), {"number": first.number.replace("-", "")}))
    assert first.number in by_number and second.number not in by_number

    by_action = html(as_lead.get(url("log"), {"action": "reply"}))
    assert first.number in by_action and second.number not in by_action

    other = member_of(town_a, "counsellor")
    services.log_open(second, other)
    by_user = as_lead.get(url("log"), {"user": other.pk})
    rows = list(by_user.context["rows"])
    assert rows and all(row.user == other for row in rows)


def test_access_log_is_paginated(as_lead, counsellor, town_a, make_case):
    case = make_case(town_a)
    for _ in range(55):
        services.log_open(case, counsellor)
    assert AccessLog.objects.filter(site=town_a.site).count() >= 55
    first = as_lead.get(url("log"))
    assert len(first.context["rows"]) == 50
    assert "1 / 2 ページ" in html(first)
    assert len(as_lead.get(url("log"), {"p": 2}).context["rows"]) >= 5


def test_lead_menu_lists_lead_screens_only_for_leads(client, lead, counsellor):
    sign_in_with_two_factors(client, lead)
    assert url("log") in html(client.get(reverse("wagtailadmin_home")))
    client.logout()
    sign_in_with_two_factors(client, counsellor)
    home = html(client.get(reverse("wagtailadmin_home")))
    assert url("index") in home and url("log") not in home


def test_user_of_two_towns_picks_the_town(client, town_a, town_b, make_case):
    user = member_of(town_a, "counsellor_lead")
    user.groups.add(town_b.group("counsellor_lead"))
    case_b = make_case(town_b)
    CannedReply.objects.create(site=town_b.site, title="たちかわの定型文", body="本文")
    sign_in_with_two_factors(client, user)

    default = html(client.get(reverse("consult_inbox:index")))
    assert 'name="town"' in default
    picked = html(client.get(reverse("consult_inbox:index"), {"town": town_b.site.pk}))
    assert case_b.number in picked
    assert "たちかわの定型文" in html(client.get(url("canned"), {"town": town_b.site.pk}))
    client.post(
        f"{url('canned_add')}?town={town_b.site.pk}", {"title": "二つ目", "body": "本文", "sort_order": 0}
    )
    assert CannedReply.objects.get(title="二つ目").site == town_b.site


# Statistics ------------------------------------------------------------------------------------


def test_statistics_for_counsellors_without_personal_data(client, counsellor, town_a, make_case):
    case = make_case(town_a, nickname="はなママ", category="food", child_age="1")
    sign_in_with_two_factors(client, counsellor)
    response = client.get(url("statistics"))
    assert response.status_code == 200
    page = html(response)
    assert "<caption>" in page and "食事・離乳食" in page and "1歳" in page
    assert case.number not in page and "はなママ" not in page and "夜泣き" not in page


def test_statistics_denied_to_network_and_others(client, network, town_a):
    sign_in_with_two_factors(client, network)
    assert client.get(url("statistics")).status_code == 403
    client.logout()
    sign_in_with_two_factors(client, member_of(town_a, "fs_advisor"))
    assert client.get(url("statistics")).status_code == 403
