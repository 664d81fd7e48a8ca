"""Two-factor sign-in for staff who read private data (counsellors, the 子ども家庭支援ネットワーク).

A session counts as two-factor when django-allauth's MFA step (TOTP) was completed in it; allauth
keeps that record in the session (``allauth.account.authentication``).
"""

from allauth.account.authentication import get_authentication_records


def is_verified(request):
    """True when this session's user completed a second factor (TOTP) in this session."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)
