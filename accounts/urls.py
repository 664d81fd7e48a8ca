"""/accounts/…: member sign-up and sign-in, the member's own page, and the staff second factor.

Only the django-allauth views these flows need are mounted, one by one. allauth's own account
and MFA management pages (``/accounts/2fa/…``, password change, e-mail management) are
deliberately not: allauth re-authenticates them with a password alone, which would let a
password show recovery codes or remove and replace the second factor. A member who forgot or
wants to change the password uses the reset by e-mail; a lost authenticator is reset by an
operator (``manage.py reset_two_factor``).
"""

from allauth.account import views as account_views
from allauth.mfa.base.views import authenticate as mfa_authenticate
from allauth.mfa.recovery_codes.views import download_recovery_codes
from django.urls import path, re_path

from . import my_account, views
from .two_factor import two_factor_required

urlpatterns = [
    # Members (保護者会員): sign-up with e-mail confirmation, sign-in by e-mail, password reset.
    path("signup/", account_views.signup, name="account_signup"),
    path("login/", account_views.login, name="account_login"),
    path("logout/", account_views.logout, name="account_logout"),
    path("inactive/", account_views.account_inactive, name="account_inactive"),
    path("confirm-email/", account_views.email_verification_sent, name="account_email_verification_sent"),
    re_path(r"^confirm-email/(?P<key>[-:\w]+)/$", account_views.confirm_email, name="account_confirm_email"),
    path("password/reset/", account_views.password_reset, name="account_reset_password"),
    path("password/reset/done/", account_views.password_reset_done, name="account_reset_password_done"),
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        account_views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    path(
        "password/reset/key/done/",
        account_views.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
    # マイアカウント.
    path("me/", my_account.me, name="accounts_me"),
    path("me/export/", my_account.export, name="accounts_export"),
    path("me/delete/", my_account.delete, name="accounts_delete"),
    # The code step of a sign-in at /accounts/login/ by someone with TOTP (allauth's stage;
    # it serves only a sign-in in progress and changes no authenticator).
    path("two-factor/authenticate/", mfa_authenticate, name="mfa_authenticate"),
    # Staff: the second-factor step before private data (ねっと相談).
    path("two-factor/", views.two_factor, name="accounts_two_factor"),
    path(
        "two-factor/recovery-codes/",
        views.recovery_codes,
        name="accounts_two_factor_recovery_codes",
    ),
    path(
        "two-factor/recovery-codes/download/",
        two_factor_required(download_recovery_codes),
        name="mfa_download_recovery_codes",
    ),
    # allauth's password check before TOTP is first set up.
    path("reauthenticate/", account_views.reauthenticate, name="account_reauthenticate"),
    # Name allauth reverses internally: its code re-authentication is our step.
    path("two-factor/code/", views.two_factor, name="mfa_reauthenticate"),
]
