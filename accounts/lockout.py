"""Which account a sign-in attempt is for, as django-axes counts failures.

Members type their e-mail in any case at /accounts/login/; staff type their username at
/admin/login/. Axes would count each spelling on its own (five more tries for each), so every
attempt is mapped to the account's stored username, the same key axes resets on a success.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q


def _typed(request, credentials):
    credentials = credentials or {}
    typed = credentials.get("email") or credentials.get("username")
    if typed is None and request is not None:
        data = getattr(request, "POST", {})
        typed = data.get("login") or data.get("username") or data.get("email")
    return (typed or "").strip()


def canonical_username(request, credentials):
    """``AXES_USERNAME_CALLABLE``: the username of the account meant, else the typed text folded."""
    typed = _typed(request, credentials)
    if not typed:
        return typed
    User = get_user_model()
    if "@" in typed:
        from allauth.account.models import EmailAddress

        matches = User.objects.filter(
            Q(email__iexact=typed)
            | Q(pk__in=EmailAddress.objects.filter(email__iexact=typed).values("user_id"))
        )
    else:
        exact = User.objects.filter(username=typed).values_list("username", flat=True).first()
        if exact is not None:
            return exact
        matches = User.objects.filter(username__iexact=typed)
    usernames = list(matches.values_list("username", flat=True)[:2])
    if len(usernames) == 1:
        return usernames[0]
    return typed.casefold()
