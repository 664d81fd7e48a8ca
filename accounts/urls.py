"""/accounts/…: the second-factor step, and only those django-allauth views it needs.

allauth's own account and MFA management pages are deliberately not mounted: they would let a
password alone (through allauth's password re-authentication) show recovery codes or remove and
replace the second factor. Sign-in stays Wagtail's (with django-axes); a lost authenticator is
reset by an operator (``manage.py reset_two_factor``).
"""

from allauth.account.views import reauthenticate
from allauth.mfa.recovery_codes.views import download_recovery_codes
from django.urls import path
from django.views.generic import RedirectView

from . import views
from .two_factor import two_factor_required

urlpatterns = [
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
    path("reauthenticate/", reauthenticate, name="account_reauthenticate"),
    # Names allauth reverses internally: its sign-in and code re-authentication are ours.
    path(
        "login/",
        RedirectView.as_view(pattern_name="wagtailadmin_login", query_string=True),
        name="account_login",
    ),
    path("two-factor/code/", views.two_factor, name="mfa_reauthenticate"),
]
