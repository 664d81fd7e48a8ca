"""The parent's side of ねっと相談: asking, the receipt, checking back, the thread, my cases."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from consult import limits, services
from consult.models import Consultation, Message, Status

from ..factories import UserFactory
from .conftest import QUESTION

HOST = "mitaka.example.jp"
OTHER_HOST = "tachikawa.example.jp"
PASSPHRASE = "ひまわり畑で会いましょう"
GENERIC_ERROR = "相談番号または合言葉が違います"


@pytest.fixture(autouse=True)
def empty_cache():
    """The rate limits live in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


def parent(host=HOST, **extra):
    return Client(HTTP_HOST=host, **extra)


def ask_data(**overrides):
    data = {
        "category": "parenting",
        "child_age": "1",
        "question": QUESTION,
        "nickname": "はなママ",
        "reply_channel": "check",
        "email": "",
        "passphrase": PASSPHRASE,
        "passphrase_again": PASSPHRASE,
        "homepage": "",
    }
    data.update(overrides)
    return data


def html(response):
    return response.content.decode()


def check(client, number, passphrase=PASSPHRASE, **extra):
    return client.post(reverse("consult:check"), {"number": number, "passphrase": passphrase}, **extra)


def open_case(client, case):
    """Verify ``case`` in ``client``'s session with its number and passphrase."""
    response = check(client, case.number)
    assert response.status_code == 303
    return response


# Asking -----------------------------------------------------------------------------------------


def test_good_submission_shows_the_number_once_and_stores_no_plain_text(town_a):
    client = parent()
    response = client.post(reverse("consult:ask"), ask_data(email="hana@example.jp", reply_channel="email"))
    assert response.status_code == 303
    assert response["Location"] == reverse("consult:received")

    case = Consultation.objects.get()
    assert case.site == town_a.site
    assert case.messages.get().body == QUESTION
    assert case.nickname == "はなママ"
    assert case.email == "hana@example.jp"
    assert case.category == "parenting" and case.child_age == "1" and case.faq_consent is False

    receipt = client.get(reverse("consult:received"))
    assert case.number in html(receipt)
    assert "一度だけ表示されます" in html(receipt)
    assert case.number not in html(client.get(reverse("consult:received")))

    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM consult_message WHERE consultation_id = %s", [case.pk])
        (body,) = cursor.fetchone()
        cursor.execute("SELECT email, nickname FROM consult_consultation WHERE id = %s", [case.pk])
        email, nickname = cursor.fetchone()
    assert "夜泣き" not in body and QUESTION not in body
    assert "hana@example.jp" not in email and "@" not in email
    assert "はなママ" not in nickname


def test_the_number_is_in_no_address_and_the_thread_opens_after_sending(town_a):
    client = parent()
    response = client.post(reverse("consult:ask"), ask_data(), follow=True)
    case = Consultation.objects.get()
    for url, _status in response.redirect_chain:
        assert case.number not in url
    thread = client.get(reverse("consult:thread"))
    assert thread.status_code == 200
    assert QUESTION in html(thread)


def test_faq_consent_is_off_unless_ticked(town_a):
    client = parent()
    page = html(client.get(reverse("consult:ask")))
    consent = re.search(r'<input[^>]*name="faq_consent"[^>]*>', page).group(0)
    assert "checked" not in consent
    client.post(reverse("consult:ask"), ask_data(faq_consent="on"))
    assert Consultation.objects.get().faq_consent is True


def test_bad_input_gets_japanese_messages_keeps_what_was_typed_and_saves_nothing(town_a):
    long_question = "あ" * 4001
    response = parent().post(
        reverse("consult:ask"),
        ask_data(
            category="",
            question=long_question,
            nickname="<b>はな</b>ママ",
            passphrase="みじかい",
            passphrase_again="ちがう",
        ),
    )
    assert response.status_code == 200
    page = html(response)
    assert "入力内容を確認してください。" in page
    assert "相談したいことの種類を選んでください。" in page
    assert "相談したい内容は4000文字までにしてください" in page
    assert "合言葉は8文字以上にしてください" in page
    assert long_question in page
    assert "&lt;b&gt;はな&lt;/b&gt;ママ" in page
    assert "みじかい" not in page
    assert Consultation.objects.count() == 0 and Message.objects.count() == 0


def test_errors_are_linked_to_their_fields(town_a):
    page = html(parent().post(reverse("consult:ask"), ask_data(question="", category="")))
    assert re.search(r'<textarea[^>]*aria-describedby="[^"]*id_question_error', page)
    assert 'aria-invalid="true"' in page
    assert 'id="id_question_error"' in page
    assert re.search(r'<fieldset[^>]*aria-describedby="id_category_error', page)
    assert '<a href="#id_category_0">' in page


def test_mismatched_passphrase_is_refused(town_a):
    page = html(parent().post(reverse("consult:ask"), ask_data(passphrase_again="ひまわり畑で会いましょ")))
    assert "確認のための合言葉が一致しません" in page
    assert not Consultation.objects.exists()


def test_the_honeypot_looks_sent_but_saves_nothing(town_a):
    client = parent()
    response = client.post(reverse("consult:ask"), ask_data(homepage="http://spam.example"))
    assert response.status_code == 303
    assert response["Location"] == reverse("consult:received")
    assert not Consultation.objects.exists()
    assert "相談番号は、相談を送った直後に一度だけ表示されます" in html(client.get(response["Location"]))


def test_email_channel_needs_an_address(town_a):
    response = parent().post(reverse("consult:ask"), ask_data(reply_channel="email", email=""))
    assert "「メールで知らせてもらう」を選んだときは、メールアドレスを入力してください。" in html(response)
    assert not Consultation.objects.exists()


def test_email_channel_uses_the_members_address_when_left_empty(town_a):
    member = UserFactory(email="member@example.jp")
    client = parent()
    client.force_login(member)
    response = client.post(reverse("consult:ask"), ask_data(reply_channel="email", email=""))
    assert response.status_code == 303
    case = Consultation.objects.get()
    assert case.member == member and case.email == ""


def test_no_address_is_kept_when_the_parent_checks_back_themselves(town_a):
    parent().post(reverse("consult:ask"), ask_data(reply_channel="check", email="hana@example.jp"))
    assert Consultation.objects.get().email == ""


def test_the_form_shows_where_to_call_in_an_emergency(town_a):
    page = html(parent().get(reverse("consult:ask")))
    emergency = page.index("consult-emergency")
    assert emergency < page.index('name="question"')
    assert 'href="tel:189"' in page and "児童相談所 虐待対応ダイヤル" in page
    assert 'href="tel:%238000"' in page and "子ども医療電話相談" in page
    assert 'href="tel:110"' in page and "警察" in page
    assert 'href="tel:119"' in page


def test_the_emergency_numbers_come_from_the_towns_settings(town_a):
    town_a.settings.pediatric_emergency = "03-5555-8000"
    town_a.settings.save()
    page = html(parent().get(reverse("consult:ask")))
    assert 'href="tel:03-5555-8000"' in page


def test_radios_are_grouped_with_a_legend_and_every_field_has_a_label(town_a):
    page = html(parent().get(reverse("consult:ask")))
    assert re.search(r"<legend>相談したいこと", page)
    assert re.search(r"<legend>回答が届いたことの知らせ方", page)
    for name in (
        "child_age",
        "question",
        "nickname",
        "email",
        "passphrase",
        "passphrase_again",
        "faq_consent",
    ):
        assert f'<label for="id_{name}"' in page, name


# Checking back ----------------------------------------------------------------------------------


def test_check_with_the_right_number_and_passphrase_opens_the_thread(town_a, make_case):
    case = make_case(town_a)
    client = parent()
    response = check(client, case.number)
    assert response.status_code == 303
    assert response["Location"] == reverse("consult:thread")
    assert QUESTION in html(client.get(reverse("consult:thread")))


def test_wrong_passphrase_and_unknown_number_get_the_same_message(town_a, make_case):
    case = make_case(town_a)
    wrong = check(parent(), case.number, "ちがう合言葉ですよ")
    unknown_number = "0000-0000" if case.number != "0000-0000" else "1111-1111"
    unknown = check(parent(), unknown_number)
    alerts = []
    for response in (wrong, unknown):
        assert response.status_code == 200
        alerts.append(
            re.search(r'<div class="consult-errors" role="alert".*?</div>', html(response), re.S).group(0)
        )
    assert alerts[0] == alerts[1]
    assert GENERIC_ERROR in alerts[0]


def test_full_width_digits_without_hyphen_are_accepted(town_a, make_case):
    case = make_case(town_a)
    full_width = case.number.replace("-", "").translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert check(parent(), full_width).status_code == 303


def test_a_malformed_number_gets_a_clear_message(town_a):
    response = check(parent(), "12-34")
    assert "相談番号は8けたの数字で入力してください" in html(response)


def test_an_unknown_number_still_checks_one_passphrase(town_a, make_case, monkeypatch):
    case = make_case(town_a)
    calls = []
    real = services.check_password

    def counting(password, encoded, *args, **kwargs):
        calls.append(encoded)
        return real(password, encoded, *args, **kwargs)

    monkeypatch.setattr(services, "check_password", counting)
    unknown = "0000-0001" if case.number != "0000-0001" else "0000-0002"
    check(parent(), unknown)
    assert len(calls) == 1
    check(parent(), case.number, "ちがう合言葉ですよ")
    assert len(calls) == 2


def test_checking_is_limited_per_address(town_a, make_case):
    case = make_case(town_a)
    client = parent(REMOTE_ADDR="203.0.113.9")
    for index in range(10):
        response = check(client, f"1000-{index:04d}")
        assert response.status_code == 200
    limited = check(client, case.number)
    assert limited.status_code == 429
    page = html(limited)
    assert "しばらく時間をおいてから" in page
    assert case.number in page  # the number typed stays
    assert PASSPHRASE not in page
    assert check(parent(REMOTE_ADDR="203.0.113.10"), case.number).status_code == 303


def test_checking_one_number_is_limited_across_addresses(town_a, make_case):
    case = make_case(town_a)
    for index in range(5):
        response = check(parent(REMOTE_ADDR=f"198.51.100.{index}"), case.number, "ちがう合言葉ですよ")
        assert response.status_code == 200
    assert check(parent(REMOTE_ADDR="198.51.100.200"), case.number).status_code == 429


def test_sending_is_limited_per_address_and_keeps_what_was_typed(town_a):
    client = parent(REMOTE_ADDR="192.0.2.5")
    for _index in range(5):
        assert client.post(reverse("consult:ask"), ask_data()).status_code == 303
    response = client.post(reverse("consult:ask"), ask_data(question="六回目の相談です。"))
    assert response.status_code == 429
    page = html(response)
    assert "1時間ほどたってから" in page
    assert "六回目の相談です。" in page
    assert PASSPHRASE not in page
    assert Consultation.objects.count() == 5


def test_sending_is_limited_per_member(town_a):
    member = UserFactory()
    assert limits.ASK_PER_MEMBER == "10/d"
    for index in range(10):
        client = parent(REMOTE_ADDR=f"192.0.2.{100 + index // 5}")
        client.force_login(member)
        assert client.post(reverse("consult:ask"), ask_data()).status_code == 303
    client = parent(REMOTE_ADDR="192.0.2.250")
    client.force_login(member)
    assert client.post(reverse("consult:ask"), ask_data()).status_code == 429


# Who sees which case ----------------------------------------------------------------------------


def test_another_browser_cannot_see_the_thread(town_a):
    client = parent()
    client.post(reverse("consult:ask"), ask_data())
    case = Consultation.objects.get()

    stranger = parent()
    response = stranger.get(reverse("consult:thread"))
    assert response.status_code == 303 and response["Location"] == reverse("consult:check")
    for action in ("open", "reply", "close_confirmed", "forget"):
        response = stranger.post(
            reverse("consult:thread"), {"case": case.pk, "action": action, "body": "のぞき"}
        )
        assert response.status_code == 404
    assert not case.messages.filter(body="のぞき").exists()
    assert Consultation.objects.get().status == Status.NEW


def test_posting_another_cases_id_is_not_found(town_a, make_case):
    mine = make_case(town_a)
    other = make_case(town_a, question="となりの家の相談です。")
    client = parent()
    open_case(client, mine)
    for action in ("open", "reply", "close", "close_confirmed"):
        response = client.post(reverse("consult:thread"), {"case": other.pk, "action": action, "body": "x"})
        assert response.status_code == 404
    assert client.post(reverse("consult:thread"), {"case": "abc", "action": "open"}).status_code == 404
    assert "となりの家の相談です。" not in html(client.get(reverse("consult:thread")))
    other.refresh_from_db()
    assert other.status == Status.NEW and other.messages.count() == 1


def test_another_towns_host_cannot_find_the_case(town_a, town_b, make_case):
    case = make_case(town_a)
    response = check(parent(OTHER_HOST), case.number)
    assert response.status_code == 200 and GENERIC_ERROR in html(response)

    client = parent()
    open_case(client, case)
    response = client.get(reverse("consult:thread"), HTTP_HOST=OTHER_HOST)
    assert response.status_code == 303
    response = client.post(
        reverse("consult:thread"), {"case": case.pk, "action": "open"}, HTTP_HOST=OTHER_HOST
    )
    assert response.status_code == 404


def test_a_member_sees_only_their_own_cases_newest_first(town_a, town_b, make_case):
    member, other_member = UserFactory(), UserFactory()
    older = make_case(town_a, member=member, category="food")
    newer = make_case(town_a, member=member, category="nursery")
    theirs = make_case(town_a, member=other_member)
    anonymous = make_case(town_a)
    elsewhere = make_case(town_b, member=member)
    Consultation.objects.filter(pk=older.pk).update(parent_has_unread=True)

    client = parent()
    client.force_login(member)
    page = html(client.get(reverse("consult:mine")))
    assert newer.number in page and older.number in page
    assert page.index(newer.number) < page.index(older.number)
    for hidden in (theirs, anonymous, elsewhere):
        assert hidden.number not in page
    assert page.count("新しい回答あり") == 1

    response = client.post(reverse("consult:thread"), {"case": older.pk, "action": "open"})
    assert response.status_code == 303
    assert QUESTION in html(client.get(reverse("consult:thread")))
    assert client.post(reverse("consult:thread"), {"case": theirs.pk, "action": "open"}).status_code == 404
    assert client.post(reverse("consult:thread"), {"case": elsewhere.pk, "action": "open"}).status_code == 404


def test_mine_asks_an_anonymous_parent_to_sign_in(town_a):
    response = parent().get(reverse("consult:mine"))
    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_forgetting_the_case_ends_the_view(town_a, make_case):
    case = make_case(town_a)
    client = parent()
    open_case(client, case)
    response = client.post(reverse("consult:thread"), {"case": case.pk, "action": "forget"})
    assert response.status_code == 303
    assert "相談の表示を終えました" in html(client.get(response["Location"]))
    assert client.get(reverse("consult:thread")).status_code == 303
    assert client.post(reverse("consult:thread"), {"case": case.pk, "action": "open"}).status_code == 404


# The thread -------------------------------------------------------------------------------------


def test_internal_notes_never_reach_the_parent_and_replies_do(town_a, make_case, counsellor):
    counsellor.first_name, counsellor.last_name = "花子", "相談"
    counsellor.save()
    case = make_case(town_a)
    services.add_note(case, counsellor, "内部メモ：家庭訪問を検討する")
    services.counsellor_reply(case, counsellor, "夜泣きは多くの子に見られます。")
    client = parent()
    open_case(client, case)
    page = html(client.get(reverse("consult:thread")))
    assert "夜泣きは多くの子に見られます。" in page
    assert "相談員" in page
    assert "内部メモ：家庭訪問を検討する" not in page
    assert "家庭訪問" not in page
    assert counsellor.username not in page and "花子" not in page
    assert "新しい回答が届いています" in page
    case.refresh_from_db()
    assert case.parent_has_unread is False


def test_answering_back_moves_the_case_to_in_progress(town_a, make_case, counsellor):
    case = make_case(town_a)
    services.counsellor_reply(case, counsellor, "回答です。")
    client = parent()
    open_case(client, case)
    response = client.post(
        reverse("consult:thread"), {"case": case.pk, "action": "reply", "body": "ありがとうございます。"}
    )
    assert response.status_code == 303
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert case.messages.last().body == "ありがとうございます。"
    assert "返信を送りました" in html(client.get(reverse("consult:thread")))


def test_answering_back_is_limited_and_keeps_what_was_typed(town_a, make_case, settings):
    case = make_case(town_a)
    client = parent(REMOTE_ADDR="192.0.2.77")
    open_case(client, case)
    assert limits.REPLY_PER_CASE == "20/h"
    for index in range(20):
        data = {"case": case.pk, "action": "reply", "body": f"追伸{index}"}
        assert client.post(reverse("consult:thread"), data).status_code == 303
    response = client.post(
        reverse("consult:thread"), {"case": case.pk, "action": "reply", "body": "二十一通目の返信"}
    )
    assert response.status_code == 429
    page = html(response)
    assert "続けて返信されたため" in page
    assert "二十一通目の返信" in page
    assert case.messages.count() == 21


def test_an_empty_reply_gets_a_message_and_saves_nothing(town_a, make_case):
    case = make_case(town_a)
    client = parent()
    open_case(client, case)
    response = client.post(reverse("consult:thread"), {"case": case.pk, "action": "reply", "body": "   "})
    assert response.status_code == 200
    assert "返信の内容を書いてください。" in html(response)
    assert case.messages.count() == 1


def test_closing_asks_first_then_refuses_replies(town_a, make_case):
    case = make_case(town_a)
    client = parent()
    open_case(client, case)
    confirm = client.post(reverse("consult:thread"), {"case": case.pk, "action": "close"})
    assert confirm.status_code == 200
    assert "この相談を終了しますか？" in html(confirm)
    case.refresh_from_db()
    assert case.status == Status.NEW

    response = client.post(reverse("consult:thread"), {"case": case.pk, "action": "close_confirmed"})
    assert response.status_code == 303
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.closed_at is not None
    page = html(client.get(reverse("consult:thread")))
    assert "この相談は終了しています" in page
    assert 'value="reply"' not in page

    refused = client.post(reverse("consult:thread"), {"case": case.pk, "action": "reply", "body": "もう一つ"})
    assert "この相談は終了しています。新しい相談として送ってください。" in html(refused)
    assert not case.messages.filter(body="もう一つ").exists()


def test_what_a_parent_writes_is_escaped(town_a):
    client = parent()
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    assert client.post(reverse("consult:ask"), ask_data(question=payload)).status_code == 303
    page = html(client.get(reverse("consult:thread")))
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


# Every page -------------------------------------------------------------------------------------


def _pages(client, case):
    member_client = parent()
    member_client.force_login(UserFactory())
    open_case(client, case)
    return {
        "ask": client.get(reverse("consult:ask")),
        "check": client.get(reverse("consult:check")),
        "thread": client.get(reverse("consult:thread")),
        "received": client.get(reverse("consult:received")),
        "mine": member_client.get(reverse("consult:mine")),
    }


def test_every_form_carries_the_csrf_token_and_posts(town_a, make_case):
    case = make_case(town_a, member=None)
    for name, response in _pages(parent(), case).items():
        page = html(response)
        forms = re.findall(r"<form\b[^>]*>.*?</form>", page, flags=re.S)
        consult_forms = [form for form in forms if "search" not in form.split(">", 1)[0]]
        for form in consult_forms:
            assert 'method="post"' in form.split(">", 1)[0], name
            assert 'name="csrfmiddlewaretoken"' in form, name


def test_a_post_without_the_csrf_token_is_refused(town_a):
    client = parent(enforce_csrf_checks=True)
    assert client.post(reverse("consult:ask"), ask_data()).status_code == 403
    assert not Consultation.objects.exists()


def test_no_page_is_cached(town_a, make_case):
    case = make_case(town_a)
    client = parent()
    responses = _pages(client, case)
    responses["check_post"] = check(parent(), "0000-0000")
    for name, response in responses.items():
        control = response["Cache-Control"]
        for word in ("no-cache", "no-store", "private"):
            assert word in control, name


def test_the_consult_section_links_to_the_form_and_the_check(town_a):
    from home.models import SectionPage

    section = SectionPage.objects.child_of(town_a.home).get(section="consult")
    page = html(parent().get(section.url))
    assert f'href="{reverse("consult:ask")}">相談する<' in page
    assert f'href="{reverse("consult:check")}">回答を確認する<' in page


def test_a_member_without_an_open_case_is_sent_to_their_list(town_a):
    client = parent()
    client.force_login(UserFactory())
    response = client.get(reverse("consult:thread"))
    assert response.status_code == 303 and response["Location"] == reverse("consult:mine")


def test_an_open_case_closes_itself_after_a_while_unused_and_with_the_browser(town_a, make_case):
    from consult import views

    case = make_case(town_a)
    client = parent()
    open_case(client, case)
    assert client.session.get_expire_at_browser_close()
    assert client.get(reverse("consult:thread")).status_code == 200

    session = client.session
    session[views.CASE_SEEN_KEY] -= views.OPEN_CASE_IDLE_SECONDS + 1
    session.save()
    response = client.get(reverse("consult:thread"))
    assert response.status_code == 303
    assert response["Location"] == reverse("consult:check")
    assert (
        client.post(reverse("consult:thread"), {"case": case.pk, "action": "reply", "body": "x"}).status_code
        == 404
    )


def test_ipv6_addresses_count_by_their_64_network(town_a):
    for index in range(5):
        client = parent(REMOTE_ADDR=f"2001:db8:1:2::{index + 1}")
        assert client.post(reverse("consult:ask"), ask_data()).status_code == 303
    assert (
        parent(REMOTE_ADDR="2001:db8:1:2::ffff").post(reverse("consult:ask"), ask_data()).status_code == 429
    )
    assert parent(REMOTE_ADDR="2001:db8:1:3::1").post(reverse("consult:ask"), ask_data()).status_code == 303
