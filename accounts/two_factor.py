"""Two-factor sign-in for staff who read private data (counsellors, the 子ども家庭支援ネットワーク).

A session counts as two-factor when django-allauth's MFA step (TOTP) was completed in it; allauth
keeps that record in the session (``allauth.account.authentication``).
"""

import time

from allauth.account.authentication import get_authentication_records
from django.conf import settings


def is_verified(request):
    """True when this session's user completed a second factor (TOTP) in this session, within
    ``TWO_FACTOR_MAX_AGE`` seconds: a counsellor's laptop left signed in asks again next day."""
    from allauth.mfa.models import Authenticator

    records = get_authentication_records(request, request.user)
    oldest = time.time() - settings.TWO_FACTOR_MAX_AGE
    passed = any(record.get("method") == "mfa" and record.get("at", 0) >= oldest for record in records)
    # An authenticator reset by an operator (reset_two_factor) ends the sessions it verified.
    return passed and Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists()


def two_factor_required(view):
    """Let a view through only for a two-factor session; others go to the second-factor step.

    Anonymous users go to the admin sign-in first. The step (``accounts_two_factor``) asks for
    the TOTP code, or sets TOTP up when the user has none yet, then comes back to ``next``.
    """
    from functools import wraps
    from urllib.parse import urlencode

    from django.contrib.auth.views import redirect_to_login
    from django.shortcuts import redirect
    from django.urls import reverse

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("wagtailadmin_login"))
        if not is_verified(request):
            return redirect(
                f"{reverse('accounts_two_factor')}?{urlencode({'next': request.get_full_path()})}"
            )
        return view(request, *args, **kwargs)

    return wrapped
