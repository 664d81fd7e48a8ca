"""The second-factor step for staff who read private data (ねっと相談).

Staff sign in with their password through Wagtail's admin sign-in; views that show consultations
(``two_factor_required``) then send them here. Everything that touches the second factor is
django-allauth's own code: its forms check TOTP and recovery codes (rate-limited), its flows
activate TOTP and record the ``mfa`` authentication in the session, its adapter draws the QR
code. This module only chooses the step and keeps ``next``.
"""

from urllib.parse import urlencode

from allauth.account.decorators import reauthentication_required
from allauth.account.internal.flows.reauthentication import is_reauthentication_required
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.base.forms import ReauthenticateForm
from allauth.mfa.base.internal.flows import post_authentication
from allauth.mfa.internal.flows.add import validate_can_add_authenticator
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from allauth.mfa.totp.internal.flows import activate_totp
from allauth.mfa.utils import is_mfa_enabled
from allauth.utils import get_form_class
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from .two_factor import is_verified, two_factor_required


def next_url(request):
    """Where to go after the step: ``next`` when it stays on this host, else the admin."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("wagtailadmin_home")


def _with_next(url, next_to):
    return f"{url}?{urlencode({'next': next_to})}"


@never_cache
@sensitive_post_parameters("code")
def two_factor(request):
    """Ask for the TOTP code, or set TOTP up first; then go on to ``next``."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("wagtailadmin_login"))
    next_to = next_url(request)
    if is_verified(request):
        return redirect(next_to)
    if is_mfa_enabled(request.user, [Authenticator.Type.TOTP]):
        return _verify(request, next_to)
    return _set_up(request, next_to)


def _verify(request, next_to):
    """allauth's MFA re-authentication form: a TOTP code or an unused recovery code.

    A wrong code counts against allauth's ``login_failed`` rate limit for this user; a right one
    is recorded in the session exactly as allauth's own ``mfa_reauthenticate`` view does.
    """
    form_class = get_form_class(mfa_settings.FORMS, "reauthenticate", ReauthenticateForm)
    form = form_class(user=request.user, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect(next_to)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_to})


def _set_up(request, next_to):
    """Set up TOTP with allauth's activation form and flow, then count the session as verified."""
    try:
        validate_can_add_authenticator(request.user)
    except ValidationError as error:
        return render(
            request,
            "accounts/two_factor_start.html",
            {"errors": error.messages, "next": next_to},
        )
    if is_reauthentication_required(request, app="allauth.mfa"):
        # The secret is shown only after the password was checked again (allauth's rule for
        # adding an authenticator): a session left open on a shared PC is not enough.
        return render(
            request,
            "accounts/two_factor_start.html",
            {
                "reauthenticate_url": _with_next(
                    reverse("account_reauthenticate"), _with_next(reverse("accounts_two_factor"), next_to)
                ),
                "next": next_to,
            },
        )

    form_class = get_form_class(mfa_settings.FORMS, "activate_totp", ActivateTOTPForm)
    if request.method == "POST":
        form = form_class(user=request.user, data=request.POST)
        if form.is_valid():
            totp, _recovery_codes = activate_totp(request, form)
            post_authentication(request, totp)
            return redirect(_with_next(reverse("accounts_two_factor_recovery_codes"), next_to))
    else:
        # allauth makes a new secret for every unbound form; keep the one already shown, so that
        # reloading the page does not invalidate a QR code the person has just scanned.
        shown = request.session.get(SECRET_SESSION_KEY)
        form = form_class(user=request.user)
        if shown:
            form.secret = request.session[SECRET_SESSION_KEY] = shown

    adapter = get_mfa_adapter()
    totp_url = adapter.build_totp_url(request.user, form.secret)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": next_to,
            "qr_svg": _inline_svg(adapter.build_totp_svg(totp_url), _("認証アプリに読み取らせるQRコード")),
            "secret": form.secret,
            "issuer": adapter.get_totp_issuer(),
            "account_label": adapter.get_totp_label(request.user),
        },
    )


def _inline_svg(svg, label):
    """allauth's QR code SVG, ready to sit inside HTML: no XML prolog, named for screen readers.

    The SVG is made by the qrcode library from the otpauth URL alone (only path data), so it is
    safe to embed as it is.
    """
    svg = svg[svg.index("<svg") :]
    return mark_safe(
        svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" class="totp-qr" ', 1)
    )


@never_cache
@two_factor_required
@reauthentication_required(app="allauth.mfa")
def recovery_codes(request):
    """The recovery codes made with TOTP, shown right after set-up; then on to ``next``."""
    authenticator = Authenticator.objects.filter(
        user=request.user, type=Authenticator.Type.RECOVERY_CODES
    ).first()
    codes = authenticator.wrap().get_unused_codes() if authenticator else []
    return render(
        request,
        "accounts/two_factor_recovery_codes.html",
        {"codes": codes, "next": next_url(request)},
    )
