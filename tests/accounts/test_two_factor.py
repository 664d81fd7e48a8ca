"""The second-factor step (issue 7): staff who read consultations sign in with two factors."""

import re
import time
from html import unescape
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from accounts.two_factor import is_verified, two_factor_required
from tests.factories import PASSWORD, UserFactory, sign_in_with_two_factors

NEXT = "/admin/pages/"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """allauth counts attempts in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def two_factor_url(next_to=NEXT):
    return f"{reverse('accounts_two_factor')}?next={next_to}"


def current_code(secret):
    """The TOTP code an authenticator app would show now (allauth's own HOTP helpers)."""
    if 30 - time.time() % 30 < 1:  # don't let the code expire between here and the POST
        time.sleep(1.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def session_is_verified(client, user):
    request = RequestFactory().get("/")
    request.session = client.session
    request.user = user
    return is_verified(request)


def with_totp(user):
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user).generate_codes()
    return secret, codes


@pytest.fixture
def counsellor(db):
    return UserFactory(username="soudan", email="soudan@example.jp", is_staff=True)


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_the_admin_sign_in_first(client):
    response = client.get(two_factor_url())
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == reverse("wagtailadmin_login")
    assert parse_qs(target.query)["next"] == [two_factor_url()]


def test_counsellor_without_totp_is_told_why_and_asked_for_the_password_first(client, counsellor):
    client.force_login(counsellor)
    response = client.get(two_factor_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "二段階認証の設定" in html
    assert "個人情報" in html
    assert 'class="site-header"' in html, "the page is in the site's own frame"
    reauthenticate = reverse("account_reauthenticate")
    assert f'href="{reauthenticate}?next=' in html
    assert '<svg role="img"' not in html, "no secret before the password was checked again"
    assert not session_is_verified(client, counsellor)


def test_counsellor_sets_up_totp_and_lands_on_next_verified(client, counsellor):
    client.force_login(counsellor)
    start = client.get(two_factor_url())
    reauthenticate_url = unescape(
        re.search(r'href="(/accounts/reauthenticate/\?next=[^"]+)"', start.content.decode())[1]
    )

    page = client.get(reauthenticate_url)
    assert page.status_code == 200
    assert "パスワード" in page.content.decode()
    assert 'class="site-header"' in page.content.decode()
    back = client.post(reauthenticate_url, {"password": PASSWORD})
    assert back.status_code == 302
    assert urlsplit(back["Location"]).path == reverse("accounts_two_factor")
    assert parse_qs(urlsplit(back["Location"]).query)["next"] == [NEXT]

    setup = client.get(back["Location"])
    html = setup.content.decode()
    assert setup.status_code == 200
    assert re.search(r'<svg role="img" aria-label="[^"]+" class="totp-qr"', html), "QR code inline"
    assert "<?xml" not in html
    assert "data:image" not in html
    secret = setup.context["secret"]
    assert f">{secret}</code>" in html, "the secret is shown for manual entry"
    assert client.get(two_factor_url()).context["secret"] == secret, "a reload keeps the scanned secret"

    done = client.post(reverse("accounts_two_factor"), {"code": current_code(secret), "next": NEXT})
    assert done.status_code == 302
    assert Authenticator.objects.filter(user=counsellor, type=Authenticator.Type.TOTP).exists()
    assert session_is_verified(client, counsellor)

    codes_page = client.get(done["Location"])
    assert codes_page.status_code == 200
    codes = RecoveryCodes(
        Authenticator.objects.get(user=counsellor, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    assert codes and all(code in codes_page.content.decode() for code in codes)
    assert f'href="{NEXT}"' in codes_page.content.decode()

    onwards = client.get(two_factor_url())
    assert onwards.status_code == 302
    assert onwards["Location"] == NEXT


def test_a_wrong_code_at_set_up_is_refused_in_japanese(client, counsellor):
    client.force_login(counsellor)
    reauthenticate = f"{reverse('account_reauthenticate')}?next={reverse('accounts_two_factor')}"
    client.post(reauthenticate, {"password": PASSWORD})
    secret = client.get(two_factor_url()).context["secret"]
    wrong = "000000" if current_code(secret) != "000000" else "111111"
    response = client.post(reverse("accounts_two_factor"), {"code": wrong, "next": NEXT})
    assert response.status_code == 200
    assert "コードが正しくありません" in response.content.decode()
    assert not Authenticator.objects.filter(user=counsellor).exists()
    assert not session_is_verified(client, counsellor)


def test_with_totp_a_wrong_code_keeps_the_session_unverified_and_a_right_one_verifies(client, counsellor):
    secret, _codes = with_totp(counsellor)
    client.force_login(counsellor)
    page = client.get(two_factor_url())
    assert page.status_code == 200
    assert "確認コードの入力" in page.content.decode()

    right = current_code(secret)
    wrong = "000000" if right != "000000" else "111111"
    refused = client.post(reverse("accounts_two_factor"), {"code": wrong, "next": NEXT})
    assert refused.status_code == 200
    assert "コードが正しくありません" in refused.content.decode()
    assert not session_is_verified(client, counsellor)

    accepted = client.post(reverse("accounts_two_factor"), {"code": right, "next": NEXT})
    assert accepted.status_code == 302
    assert accepted["Location"] == NEXT
    assert session_is_verified(client, counsellor)
    mfa = [r for r in client.session["account_authentication_methods"] if r["method"] == "mfa"]
    assert mfa and mfa[0]["type"] == "totp"


def test_a_recovery_code_also_verifies_once(client, counsellor):
    _secret, codes = with_totp(counsellor)
    client.force_login(counsellor)
    response = client.post(reverse("accounts_two_factor"), {"code": codes[0], "next": NEXT})
    assert response["Location"] == NEXT
    assert session_is_verified(client, counsellor)
    client.logout()
    client.force_login(counsellor)
    again = client.post(reverse("accounts_two_factor"), {"code": codes[0], "next": NEXT})
    assert again.status_code == 200
    assert not session_is_verified(client, counsellor)


def test_wrong_codes_are_rate_limited(client, counsellor):
    secret, _codes = with_totp(counsellor)
    client.force_login(counsellor)
    for _ in range(5):
        client.post(reverse("accounts_two_factor"), {"code": "12345x", "next": NEXT})
    blocked = client.post(reverse("accounts_two_factor"), {"code": current_code(secret), "next": NEXT})
    assert blocked.status_code == 200
    assert "ログイン失敗が連続しています" in blocked.content.decode()
    assert not session_is_verified(client, counsellor)


def test_an_unsafe_next_is_not_followed(client, counsellor):
    secret, _codes = with_totp(counsellor)
    client.force_login(counsellor)
    response = client.post(
        reverse("accounts_two_factor"), {"code": current_code(secret), "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    assert "evil" not in client.get(two_factor_url("https://evil.example/"))["Location"]
    assert "evil" not in client.get(two_factor_url("//evil.example/"))["Location"]


def test_a_verified_session_of_one_user_does_not_count_for_the_next(client, counsellor):
    other = UserFactory(username="other", is_staff=True)
    sign_in_with_two_factors(client, counsellor)
    assert session_is_verified(client, counsellor)

    client.force_login(other)
    assert not session_is_verified(client, other)
    assert client.get(two_factor_url()).status_code == 200, "the step is asked again"

    # Even if a sign-in kept the old records, they name the user they were made for.
    session = client.session
    session["account_authentication_methods"] = [{"method": "mfa", "at": time.time(), "type": "totp"}]
    session["account_authentication_methods_user"] = str(counsellor.pk)
    session.save()
    assert not session_is_verified(client, other)


def test_two_factor_required_lets_only_a_verified_session_through(client, counsellor):
    @two_factor_required
    def inbox(request):
        return HttpResponse("相談一覧")

    factory = RequestFactory()

    anonymous = factory.get("/admin/consult/?page=2")
    anonymous.session = SessionStore()
    anonymous.user = AnonymousUser()
    response = inbox(anonymous)
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("wagtailadmin_login")

    unverified = factory.get("/admin/consult/?page=2")
    client.force_login(counsellor)
    unverified.session = client.session
    unverified.user = counsellor
    response = inbox(unverified)
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == reverse("accounts_two_factor")
    assert parse_qs(target.query)["next"] == ["/admin/consult/?page=2"]

    verified = factory.get("/admin/consult/")
    verified.session = sign_in_with_two_factors(client, counsellor).session
    verified.user = counsellor
    assert inbox(verified).content.decode() == "相談一覧"


@pytest.mark.django_db
def test_a_second_factor_older_than_the_max_age_is_asked_again(client, counsellor, settings):
    sign_in_with_two_factors(client, counsellor)
    assert session_is_verified(client, counsellor)
    session = client.session
    for record in session["account_authentication_methods"]:
        record["at"] -= settings.TWO_FACTOR_MAX_AGE + 60
    session.save()
    assert not session_is_verified(client, counsellor)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/accounts/2fa/",
        "/accounts/2fa/recovery-codes/",
        "/accounts/2fa/totp/deactivate/",
        "/accounts/2fa/totp/activate/",
        "/accounts/password/change/",
        "/accounts/email/",
    ],
)
def test_allauths_own_management_pages_are_not_served(client, counsellor, path):
    client.force_login(counsellor)
    assert client.get(path).status_code == 404
    assert client.post(path, {}).status_code in (403, 404)


def test_a_password_alone_cannot_reach_recovery_codes_or_replace_the_totp(client, counsellor):
    """The attack a reviewer found: password re-authentication, then allauth's MFA pages."""
    with_totp(counsellor)
    client.force_login(counsellor)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code in (200, 302)
    for url in (reverse("accounts_two_factor_recovery_codes"), reverse("mfa_download_recovery_codes")):
        response = client.get(url)
        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == reverse("accounts_two_factor")
    assert Authenticator.objects.filter(user=counsellor, type=Authenticator.Type.TOTP).count() == 1
    assert "二段階認証の設定" not in client.get(two_factor_url()).content.decode()
    assert not session_is_verified(client, counsellor)


@pytest.mark.django_db
def test_a_differently_spelt_username_is_not_a_fresh_set_of_tries(client):
    UserFactory(username="counsellor1", email="c1@example.jp", is_staff=True)
    for spelling in ("Counsellor1", "COUNSELLOR1", "c1@example.jp"):
        response = client.post(reverse("wagtailadmin_login"), {"username": spelling, "password": PASSWORD})
        assert not response.wsgi_request.user.is_authenticated, spelling


def test_reset_two_factor_command_makes_the_person_set_it_up_again(client, counsellor):
    with_totp(counsellor)
    sign_in_with_two_factors(client, counsellor)
    assert session_is_verified(client, counsellor)
    call_command("reset_two_factor", "soudan", stdout=StringIO())
    assert not Authenticator.objects.filter(user=counsellor).exists()
    assert not session_is_verified(client, counsellor), "the reset ends sessions it verified"
    client.force_login(counsellor)
    assert "二段階認証の設定" in client.get(two_factor_url()).content.decode()


def test_system_check_is_clean():
    call_command("check", fail_level="WARNING")
