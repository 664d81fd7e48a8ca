"""From case to FAQ: a consenting case becomes an anonymised Q&A draft, for counsellors only."""

import pytest
from wagtail.models import Page

from consult import services
from consult.faq import create_draft, find_personal_data, qa_index
from consult.models import AccessLog
from consult.pages import MARKER_START, QAIndexPage, QAPage

from ..factories import member_of

pytestmark = pytest.mark.django_db

ANSWER = "夜泣きは成長の途中でよく見られます。寝る前の流れを毎日同じにしてみてください。"


@pytest.fixture
def answered(make_case, counsellor):
    """``answered(town, question=…, **fields)``: a consenting case with one counsellor reply."""

    def make(town, question=None, reply=ANSWER, **fields):
        fields.setdefault("faq_consent", True)
        case = make_case(town, **({"question": question} if question else {}), **fields)
        replier = counsellor if town.site == counsellor.municipality else member_of(town, "counsellor")
        services.counsellor_reply(case, replier, reply)
        return case

    return make


def flags_of(text, **known):
    return [(flag.kind, flag.text) for flag in find_personal_data(text, **known)]


# Who may ------------------------------------------------------------------------------------


def test_a_counsellor_turns_a_consenting_case_into_a_draft_under_the_towns_qa_index(
    town_a, counsellor, answered
):
    case = answered(town_a, category="food", child_age="1")

    draft = create_draft(case, counsellor)

    page = QAPage.objects.get(pk=draft.page.pk)
    assert not page.live and page.has_unpublished_changes
    assert page.owner == counsellor
    assert page.title == "食事・離乳食についての相談"
    assert page.lead == "1歳のお子さんの食事・離乳食についての相談と、相談員の回答です。"
    assert (page.category, page.child_age) == ("food", "1")
    assert "夜泣きがひどくて、毎晩2時間おきに起きます。" in page.question
    assert ANSWER in page.answer
    revision = page.get_latest_revision()
    assert revision is not None and revision.user == counsellor
    assert revision.as_object().question == page.question
    index = page.get_parent().specific
    assert isinstance(index, QAIndexPage) and index.live
    assert index.get_parent().specific == town_a.sections["consult"]
    assert case.number not in page.slug + page.title + page.lead
    assert draft.flagged == []


def test_the_lead_counsellor_may_draft_too_and_both_drafts_share_one_index(
    town_a, lead, counsellor, answered
):
    first = create_draft(answered(town_a), lead).page
    second = create_draft(answered(town_a), counsellor).page

    assert first.get_parent() == second.get_parent()
    assert first.slug != second.slug
    assert QAIndexPage.objects.child_of(town_a.sections["consult"]).count() == 1
    assert qa_index(town_a.site).pk == first.get_parent().pk


def test_the_answer_is_every_counsellor_reply_and_the_question_the_parents_first_message(
    town_a, counsellor, answered
):
    case = answered(town_a, question="最初の相談です。")
    services.parent_reply(case, "追加の質問です。")
    services.counsellor_reply(case, counsellor, "二つ目の回答です。")

    page = create_draft(case, counsellor).page

    assert "最初の相談です。" in page.question and "追加の質問" not in page.question
    assert ANSWER in page.answer and "二つ目の回答です。" in page.answer
    assert "追加の質問" not in page.answer


def test_no_draft_without_the_parents_consent(town_a, counsellor, answered):
    case = answered(town_a, faq_consent=False)

    with pytest.raises(services.ConsultError, match="同意していない"):
        create_draft(case, counsellor)

    assert not QAPage.objects.exists()
    assert not AccessLog.objects.filter(action=AccessLog.Action.FAQ).exists()


@pytest.mark.parametrize("role", ["site_admin", "child_network", "npo_editor", "member"])
def test_only_counsellors_may_draft(town_a, answered, role):
    case = answered(town_a)
    services.escalate(case, member_of(town_a, "counsellor"))  # the network may read it, not draft

    with pytest.raises(services.ConsultError, match="相談員だけ"):
        create_draft(case, member_of(town_a, role))

    assert not QAPage.objects.exists()


def test_another_towns_counsellor_is_refused(town_a, town_b, answered):
    case = answered(town_a)

    with pytest.raises(services.ConsultError, match="相談員だけ"):
        create_draft(case, member_of(town_b, "counsellor"))

    assert not QAPage.objects.exists()
    assert not Page.objects.descendant_of(town_b.home).type(QAIndexPage).exists()


def test_an_unanswered_case_makes_no_draft(town_a, counsellor, make_case):
    case = make_case(town_a, faq_consent=True)

    with pytest.raises(services.ConsultError, match="回答"):
        create_draft(case, counsellor)

    assert not QAPage.objects.exists()


def test_making_a_draft_is_in_the_access_log_without_any_text(town_a, counsellor, answered):
    case = answered(town_a, question="090-1234-5678 に電話ください。")

    page = create_draft(case, counsellor).page

    entry = AccessLog.objects.get(action=AccessLog.Action.FAQ)
    assert (entry.consultation, entry.user, entry.number) == (case, counsellor, case.number)
    assert str(page.pk) in entry.detail and "要確認 1件" in entry.detail
    assert "090" not in entry.detail


# What is flagged ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("携帯は090-1234-5678です。", "090-1234-5678"),
        ("携帯は０９０－１２３４－５６７８です。", "０９０－１２３４－５６７８"),
        ("自宅は03(1234)5678です。", "03(1234)5678"),
        ("自宅は（03）1234-5678です。", "（03）1234-5678"),
        ("番号は09012345678です。", "09012345678"),
        ("市役所は0422-00-1234です。", "0422-00-1234"),
    ],
)
def test_phone_numbers_are_flagged(text, expected):
    assert flags_of(text) == [("phone", expected)]


@pytest.mark.parametrize(
    "text",
    [
        "毎晩2時間おきに起きます。",
        "生後3-4か月です。",
        "2026年4月1日から入園します。",
        "体重は8.5kgです。",
        "#8000 に電話",
    ],
)
def test_everyday_numbers_are_not_flagged(text):
    assert flags_of(text) == []


def test_mail_addresses_urls_and_postal_codes_are_flagged():
    text = "hanako.t@example.jp か ｈａｎａ＠ｅｘａｍｐｌｅ．ｊｐ に。ブログは https://example.jp/blog/1 です。〒181-0013"
    assert flags_of(text) == [
        ("email", "hanako.t@example.jp"),
        ("email", "ｈａｎａ＠ｅｘａｍｐｌｅ．ｊｐ"),
        ("url", "https://example.jp/blog/1"),
        ("postal", "〒181-0013"),
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("住所はひなた市中央一丁目1番1号です。", "ひなた市中央一丁目1番1号"),
        ("家は3丁目5-2のアパートです。", "3丁目5-2"),
        ("12番地の公園", "12番地"),
        ("東京都三鷹市下連雀3-4-5に住んでいます。", "東京都三鷹市下連雀3-4-5"),
    ],
)
def test_street_addresses_are_flagged(text, expected):
    assert flags_of(text) == [("address", expected)]


def test_people_and_places_are_flagged_with_sudachi():
    text = "田中花子です。娘のゆいが吉祥寺の保育園に通っています。山田さんに相談しました。"
    assert flags_of(text) == [
        ("person", "田中花子"),
        ("person", "ゆい"),
        ("place", "吉祥寺"),
        ("person", "山田"),
    ]


def test_the_parents_own_nickname_is_flagged():
    assert flags_of("さくらママより", known=("さくらママ", "")) == [("known", "さくらママ")]


def test_the_draft_replaces_each_finding_with_a_visible_marker_and_lists_it(town_a, counsellor, answered):
    case = answered(
        town_a,
        question="田中です。連絡は090-1234-5678かhanako@example.jpへ。ひなた市中央一丁目1番1号に住んでいます。",
        reply="田中さん、ご相談ありがとうございます。",
        nickname="はなママ",
    )

    draft = create_draft(case, counsellor)

    page = draft.page
    assert "〔要確認（人名）〕です。" in page.question
    assert "〔要確認（電話番号）〕" in page.question
    assert "〔要確認（メールアドレス）〕" in page.question
    assert "〔要確認（住所）〕" in page.question
    assert "〔要確認（人名）〕さん" in page.answer
    # What was found is not kept on the page (nor in its revision or the search index).
    stored = page.question + page.answer + str(page.get_latest_revision().content)
    for found in ("田中", "090-1234-5678", "hanako@example.jp", "中央一丁目"):
        assert found not in stored
    assert [(flag.kind, flag.text) for flag in draft.flagged] == [
        ("person", "田中"),
        ("phone", "090-1234-5678"),
        ("email", "hanako@example.jp"),
        ("address", "ひなた市中央一丁目1番1号"),
        ("person", "田中"),
    ]
    assert [flag.label for flag in draft.flagged][:2] == ["人名", "電話番号"]
    assert MARKER_START not in page.title + page.lead


def test_what_the_parent_typed_is_escaped_and_kept_in_paragraphs(town_a, counsellor, answered):
    case = answered(town_a, question="<script>alert(1)</script>こんにちは\n二行目\n\n次の段落 & <b>")

    page = create_draft(case, counsellor).page

    assert "<script>" not in page.question
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;こんにちは<br>二行目</p><p>次の段落 &amp; &lt;b&gt;</p>"
        in page.question
    )
