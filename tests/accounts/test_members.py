"""Member accounts for parents (issue 6, item 1): sign-up, sign-in, reset, my account."""

import json
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import public_name_of
from accounts.two_factor import is_verified
from consult import services as consult
from consult.models import Consultation, InternalNote, Message
from tests.factories import PASSWORD, UserFactory, member_of

User = get_user_model()
MITAKA = "mitaka.example.jp"
TACHIKAWA = "tachikawa.example.jp"
NEW_PASSWORD = "sakura-sora-umi-2026"
QUESTION = "夜泣きが続いていて、どうしたらよいか相談したいです。"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """allauth counts attempts in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def browser(host=MITAKA, **extra):
    return Client(HTTP_HOST=host, **extra)


def sign_up(client, **fields):
    data = {
        "email": "hanako@example.jp",
        "nickname": "さくらママ",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **fields,
    }
    return client.post(reverse("account_signup"), data)


def link_in(message, path_start):
    return urlsplit(re.search(rf"https?://\S+{re.escape(path_start)}\S+", message.body)[0]).path


def make_case(town, question=QUESTION, **fields):
    return consult.submit(
        town.site,
        question=question,
        passphrase="ひまわり畑で会いましょう",
        category="parenting",
        child_age="0",
        reply_channel="check",
        **fields,
    )


def verified_member(town, email, **kwargs):
    user = member_of(town, "member", email=email, **kwargs)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def sign_in(client, login, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


# Sign-up ---------------------------------------------------------------------------------


def test_sign_up_confirm_the_email_and_land_signed_in_in_the_right_town(town_a, town_b):
    client = browser(TACHIKAWA)
    page = client.get(reverse("account_signup"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="site-header"' in html
    for label in ("メールアドレス", "ニックネーム", "パスワード"):
        assert label in html
    assert 'for="id_nickname"' in html

    response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "確認のメールを送りました" in client.get(response["Location"]).content.decode()
    assert signed_in_user(client) is None, "not signed in before the address is confirmed"

    user = User.objects.get(email="hanako@example.jp")
    assert user.nickname == "さくらママ"
    assert user.public_name == "さくらママ"
    assert user.municipality == town_b.site
    assert town_b.group("member") in user.groups.all()
    assert town_a.group("member") not in user.groups.all()
    assert "hanako" not in user.username, "the username carries nothing of the e-mail"

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hanako@example.jp"]
    assert "メールアドレスの確認" in message.subject
    confirm = link_in(message, "/accounts/confirm-email/")

    page = client.get(confirm)
    assert page.status_code == 200
    assert "登録を完了" in page.content.decode()
    done = client.post(confirm)
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts_me")
    assert signed_in_user(client) == user
    assert EmailAddress.objects.get(user=user).verified

    me = client.get(reverse("accounts_me")).content.decode()
    assert "さくらママ" in me
    home = client.get("/")
    assert home.status_code == 200
    assert "hanako@example.jp" not in home.content.decode(), "the e-mail is never on public pages"


def test_bad_input_keeps_what_was_typed_with_japanese_errors_linked_to_fields(town_a):
    client = browser()
    response = sign_up(client, nickname="", password2="something-else-entirely")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="hanako@example.jp"' in html
    assert "ニックネームを入力してください。" in html
    assert "入力内容を確認してください" in html
    assert 'href="#id_nickname"' in html
    assert re.search(r'<input[^>]*name="nickname"[^>]*aria-invalid="true"', html)
    assert re.search(r'aria-describedby="[^"]*id_nickname_error', html)
    assert not User.objects.filter(email="hanako@example.jp").exists()
    assert not mail.outbox

    at_sign = sign_up(client, nickname="hanako@example.jp").content.decode()
    assert "メールアドレスはニックネームに使えません。" in at_sign
    assert 'value="hanako@example.jp"' in at_sign


def test_an_address_already_registered_gets_no_second_account_and_the_page_says_nothing(town_a):
    verified_member(town_a, "hanako@example.jp")
    client = browser()
    response = sign_up(client, email="Hanako@Example.JP", nickname="べつのひと")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email__iexact="hanako@example.jp").count() == 1
    assert not User.objects.filter(nickname="べつのひと").exists()
    assert len(mail.outbox) == 1
    assert "すでに登録されています" in mail.outbox[0].body, "the owner is told, not the visitor"


def test_a_filled_honeypot_creates_nothing(town_a):
    client = browser()
    page = client.get(reverse("account_signup")).content.decode()
    assert re.search(r'<div class="honeypot" aria-hidden="true">.*name="homepage"', page, re.S)
    response = sign_up(client, homepage="http://spam.example/")
    assert response.status_code == 302
    assert not User.objects.filter(email="hanako@example.jp").exists()
    assert not mail.outbox


def test_an_unconfirmed_member_cannot_sign_in(town_a):
    sign_up(browser())
    mail.outbox.clear()
    client = browser()
    response = sign_in(client, "hanako@example.jp", NEW_PASSWORD)
    assert signed_in_user(client) is None
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not mail.outbox, "no second mail within allauth's 3-minute cooldown"


# Sign-in ---------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["hanako@example.jp", "Hanako@Example.JP", "HANAKO@EXAMPLE.JP"])
def test_a_member_signs_in_by_email_in_any_case(town_a, spelling):
    user = verified_member(town_a, "hanako@example.jp")
    client = browser()
    page = client.get(reverse("account_login")).content.decode()
    assert 'for="id_login"' in page and 'for="id_password"' in page
    response = sign_in(client, spelling)
    assert response.status_code == 302
    assert signed_in_user(client) == user
    me = client.get(reverse("accounts_me")).content.decode()
    assert user.nickname in me
    assert user.username not in me, "allauth's messages name the member by nickname"


def test_a_wrong_password_is_refused_in_japanese_and_keeps_the_address(town_a):
    verified_member(town_a, "hanako@example.jp")
    response = sign_in(browser(), "hanako@example.jp", "wrong-password")
    html = response.content.decode()
    assert response.status_code == 200
    assert "メールアドレスもしくはパスワードが正しくありません" in html
    assert 'value="hanako@example.jp"' in html


def test_axes_locks_the_account_after_five_failures_whatever_the_spelling(town_a):
    user = verified_member(town_a, "hanako@example.jp")
    client = browser()
    for spelling in ("Hanako@Example.JP", "hanako@example.jp"):
        sign_in(client, spelling, "wrong")
    admin = reverse("wagtailadmin_login")
    for spelling in (user.username, user.username.upper()):
        client.post(admin, {"username": spelling, "password": "wrong"})
    sign_in(client, "HANAKO@example.jp", "wrong")

    locked = sign_in(client, "hanako@EXAMPLE.jp", PASSWORD)
    assert locked.status_code == 429
    assert "しばらくサインインできません" in locked.content.decode()
    assert signed_in_user(client) is None
    assert client.post(admin, {"username": user.username, "password": PASSWORD}).status_code == 429


def test_the_admin_sign_in_still_takes_exact_usernames_only(town_a):
    user = verified_member(town_a, "hanako@example.jp")
    for spelling in ("hanako@example.jp", user.username.upper()):
        client = browser()
        client.post(reverse("wagtailadmin_login"), {"username": spelling, "password": PASSWORD})
        assert signed_in_user(client) is None, spelling


def test_staff_with_totp_get_the_code_step_when_signing_in_as_members(town_a):
    counsellor = member_of(town_a, "counsellor", email="soudan@example.jp", is_staff=True)
    EmailAddress.objects.create(user=counsellor, email="soudan@example.jp", verified=True, primary=True)
    secret = generate_totp_secret()
    TOTP.activate(counsellor, secret)
    client = browser()
    response = sign_in(client, "soudan@example.jp")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert signed_in_user(client) is None, "the password alone does not sign in"

    if 30 - time.time() % 30 < 1:
        time.sleep(1.1)
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    done = client.post(reverse("mfa_authenticate"), {"code": code})
    assert done.status_code == 302
    assert signed_in_user(client) == counsellor
    request = done.wsgi_request
    request.session = client.session
    assert is_verified(request), "the code at sign-in counts as the second factor"


def test_staff_without_an_email_record_still_set_up_totp_after_the_password(town_a):
    """Mandatory e-mail verification is for new members; staff made in the admin have no record."""
    counsellor = UserFactory(username="soudan", email="soudan@example.jp", is_staff=True)
    client = browser()
    client.force_login(counsellor)
    setup = f"{reverse('accounts_two_factor')}?next=/admin/"
    back = client.post(f"{reverse('account_reauthenticate')}?next={setup}", {"password": PASSWORD})
    assert back.status_code == 302
    page = client.get(setup)
    assert page.status_code == 200
    assert page.context["secret"]
    assert not Authenticator.objects.filter(user=counsellor).exists()


def test_sign_out_asks_and_then_signs_out(town_a):
    client = browser()
    client.force_login(verified_member(town_a, "hanako@example.jp"))
    assert "サインアウトしますか" in client.get(reverse("account_logout")).content.decode()
    assert client.post(reverse("account_logout")).status_code == 302
    assert signed_in_user(client) is None


# Sign-in targets ---------------------------------------------------------------------------


def test_my_cases_send_a_signed_out_member_to_the_member_sign_in(town_a):
    response = browser().get(reverse("consult:mine"))
    target = urlsplit(response["Location"])
    assert response.status_code == 302
    assert target.path == reverse("account_login")
    assert parse_qs(target.query)["next"] == [reverse("consult:mine")]


def test_admin_pages_still_send_to_the_admin_sign_in(town_a):
    assert urlsplit(browser().get("/admin/pages/")["Location"]).path == reverse("wagtailadmin_login")
    staff_step = browser().get(reverse("accounts_two_factor"))
    assert urlsplit(staff_step["Location"]).path == reverse("wagtailadmin_login")


# Password reset ----------------------------------------------------------------------------


def test_password_reset_by_email(town_a):
    user = verified_member(town_a, "hanako@example.jp", nickname="さくらママ", first_name="花子")
    client = browser()
    assert client.get(reverse("account_reset_password")).status_code == 200
    response = client.post(reverse("account_reset_password"), {"email": "Hanako@example.jp"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hanako@example.jp"]
    for personal in ("さくらママ", "花子", user.username, "hanako@"):
        assert personal not in message.body, personal
    key_link = link_in(message, "/accounts/password/reset/key/")

    form_page = client.get(key_link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else key_link
    done = client.post(set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("account_reset_password_from_key_done")

    fresh = browser()
    sign_in(fresh, "hanako@example.jp", NEW_PASSWORD)
    assert signed_in_user(fresh) == user


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(town_a):
    response = browser().post(reverse("account_reset_password"), {"email": "nobody@example.jp"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert not mail.outbox


# My account --------------------------------------------------------------------------------


def test_my_account_changes_the_nickname(town_a):
    user = verified_member(town_a, "hanako@example.jp")
    client = browser()
    client.force_login(user)
    assert client.post(reverse("accounts_me"), {"nickname": "そらパパ"}).status_code == 302
    user.refresh_from_db()
    assert user.public_name == "そらパパ"
    refused = client.post(reverse("accounts_me"), {"nickname": ""})
    assert "ニックネームを入力してください。" in refused.content.decode()
    user.refresh_from_db()
    assert user.nickname == "そらパパ"


def test_my_account_needs_a_sign_in(town_a):
    for name in ("accounts_me", "accounts_export", "accounts_delete"):
        response = browser().get(reverse(name))
        assert urlsplit(response["Location"]).path == reverse("account_login")


def test_data_export_has_my_profile_cases_and_own_messages_only(town_a):
    user = verified_member(town_a, "hanako@example.jp", nickname="さくらママ")
    other = verified_member(town_a, "other@example.jp")
    counsellor = member_of(town_a, "counsellor", first_name="相談員の", last_name="鈴木")
    case = make_case(town_a, member=user)
    consult.parent_reply(case, "ありがとうございます。続きです。")
    Message.objects.create(
        consultation=case,
        author_kind=Message.Author.COUNSELLOR,
        author=counsellor,
        body="相談員からの回答です。",
    )
    InternalNote.objects.create(consultation=case, author=counsellor, body="内部メモ：要見守り")
    theirs = make_case(town_a, question="ほかの人の相談です。", member=other)

    client = browser()
    client.force_login(user)
    response = client.get(reverse("accounts_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    raw = response.content.decode()
    data = json.loads(raw)

    assert data["profile"]["nickname"] == "さくらママ"
    assert data["profile"]["email"] == "hanako@example.jp"
    assert data["profile"]["municipality"] == town_a.site.site_name
    [exported] = data["consultations"]
    assert exported["number"] == case.number
    assert exported["created_at"]
    assert [m["body"] for m in exported["messages"]] == [QUESTION, "ありがとうございます。続きです。"]
    for absent in (
        "相談員からの回答です。",
        "内部メモ",
        "鈴木",
        theirs.number,
        "ほかの人の相談です。",
        "other@",
    ):
        assert absent not in raw, absent


def test_deleting_my_account_needs_the_password_and_keeps_consultations(town_a):
    user = verified_member(town_a, "hanako@example.jp")
    case = make_case(town_a, member=user)
    client = browser()
    client.force_login(user)
    page = client.get(reverse("accounts_delete")).content.decode()
    assert "元に戻せません" in page and 'for="id_password"' in page

    wrong = client.post(reverse("accounts_delete"), {"password": "wrong", "confirm": "on"})
    assert wrong.status_code == 200
    assert "パスワードが正しくありません。" in wrong.content.decode()
    unticked = client.post(reverse("accounts_delete"), {"password": PASSWORD})
    assert "確認のチェックを入れてください。" in unticked.content.decode()
    assert User.objects.filter(pk=user.pk).exists()

    done = client.post(reverse("accounts_delete"), {"password": PASSWORD, "confirm": "on"})
    assert done.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert not EmailAddress.objects.filter(email="hanako@example.jp").exists()
    assert signed_in_user(client) is None
    case = Consultation.objects.get(pk=case.pk)
    assert case.member is None
    assert case.messages.get().body == QUESTION
    assert str(public_name_of(case.member)) == "退会したメンバー"


@pytest.mark.parametrize("is_staff", [True, False])
def test_staff_accounts_are_not_deleted_from_my_account(town_a, is_staff):
    staff = member_of(town_a, "counsellor", is_staff=is_staff)
    client = browser()
    client.force_login(staff)
    response = client.post(reverse("accounts_delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 200
    assert "サイト管理者に依頼" in response.content.decode()
    assert User.objects.filter(pk=staff.pk).exists()


# Rate limits, CSRF and what is not served ---------------------------------------------------


def test_sign_up_is_rate_limited_per_address_with_a_japanese_page(town_a):
    client = browser()
    for _ in range(10):
        assert sign_up(client, nickname="").status_code == 200
    blocked = sign_up(client)
    assert blocked.status_code == 429
    assert "しばらくお待ちください" in blocked.content.decode()
    assert not User.objects.filter(email="hanako@example.jp").exists()


def test_password_reset_is_rate_limited_per_email_address(town_a):
    verified_member(town_a, "hanako@example.jp")
    client = browser()
    for _ in range(3):
        assert (
            client.post(reverse("account_reset_password"), {"email": "hanako@example.jp"}).status_code == 302
        )
    blocked = client.post(reverse("account_reset_password"), {"email": "HANAKO@example.jp"})
    assert blocked.status_code == 429
    assert "しばらくお待ちください" in blocked.content.decode()
    assert len(mail.outbox) == 3


@pytest.mark.parametrize(
    "name", ["account_signup", "account_login", "account_reset_password", "accounts_me", "accounts_delete"]
)
def test_forms_refuse_a_post_without_the_csrf_token(town_a, name):
    client = browser(enforce_csrf_checks=True)
    client.force_login(verified_member(town_a, "hanako@example.jp"))
    assert client.post(reverse(name), {"nickname": "x"}).status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/2fa/",
        "/accounts/2fa/recovery-codes/",
        "/accounts/2fa/totp/deactivate/",
        "/accounts/2fa/totp/activate/",
        "/accounts/password/change/",
        "/accounts/password/set/",
        "/accounts/email/",
        "/accounts/login/code/",
    ],
)
def test_allauths_management_pages_stay_unmounted_for_members(town_a, path):
    client = browser()
    client.force_login(verified_member(town_a, "hanako@example.jp"))
    assert client.get(path).status_code == 404
