"""Risk triage marks a consultation 緊急 and tells the network, without any of its text."""

import pytest
from django.core import mail

from consult.models import Consultation, RiskTerm
from consult.triage import SEED_TERMS, fold, risk_hits


def test_every_town_gets_the_seed_terms(town_a, town_b):
    seeded = sum(len(terms) for terms in SEED_TERMS.values())
    for town in (town_a, town_b):
        assert RiskTerm.objects.filter(site=town.site).count() == seeded
    assert RiskTerm.objects.filter(site=town_a.site, term="虐待", kind=RiskTerm.Kind.ABUSE).exists()


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("夫からのＤＶがあります", "DV"),  # full-width letters
        ("夫からのdvがあります", "DV"),  # lower case
        ("夫からのｄｖがあります", "DV"),  # full-width lower case
        ("ついタタイテシマいそうになります", "たたいてしま"),  # katakana for hiragana
        ("ねぐれくとかもしれません", "ネグレクト"),  # hiragana for katakana
        ("ﾈｸﾞﾚｸﾄかもしれません", "ネグレクト"),  # half-width katakana
        ("子どもを叩いてしまいそうで怖いです", "叩いてしま"),  # a stem inside a longer word
    ],
)
def test_terms_match_across_widths_and_kana(town_a, text, term):
    assert term in [hit for hit, _kind in risk_hits(town_a.site, text)]


def test_folding_is_the_same_on_both_sides():
    assert fold("ＤＶ") == fold("dv") == fold("ｄｖ")
    assert fold("タタク") == fold("たたく")


def test_a_hit_marks_the_case_urgent_and_mails_the_network_without_text(
    town_a, counsellor, network, make_case, django_capture_on_commit_callbacks
):
    question = "毎日夫に怒鳴られて、子どもの前で暴力をふるわれます。逃げたいです。"
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(town_a, question=question, category="family")

    case = Consultation.objects.get(pk=case.pk)
    assert case.urgent
    assert set(case.risk_terms.split("、")) == {"怒鳴", "暴力", "逃げたい"}

    urgent = [message for message in mail.outbox if "緊急" in message.subject]
    assert {address for message in urgent for address in message.to} == {network.email, counsellor.email}
    for message in mail.outbox:
        text = message.subject + message.body
        for fragment in (question, "夫に", "怒鳴", "逃げたい", "ふるわれ", case.number):
            assert fragment not in text


def test_a_plain_question_is_not_urgent(town_a, network, make_case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(town_a, question="離乳食を食べてくれません。どうしたらよいですか。", category="food")
    case = Consultation.objects.get(pk=case.pk)
    assert not case.urgent
    assert case.risk_terms == ""
    assert not [message for message in mail.outbox if "緊急" in message.subject]
    assert network.email not in [address for message in mail.outbox for address in message.to]


def test_terms_of_another_town_do_not_apply(town_a, town_b, make_case):
    RiskTerm.objects.create(site=town_b.site, term="夜泣き", kind=RiskTerm.Kind.NEGLECT)
    question = "夜泣きが続いて眠れません。"
    assert not make_case(town_a, question=question).urgent
    assert make_case(town_b, question=question).urgent


def test_a_term_removed_by_the_town_no_longer_matches(town_a, town_b, make_case):
    RiskTerm.objects.filter(site=town_a.site, term="放置").delete()
    question = "上の子を少しの間放置してしまいました。"
    assert not make_case(town_a, question=question).urgent
    assert make_case(town_b, question=question).urgent
