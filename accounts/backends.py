"""Signing members in by e-mail address."""

from allauth.account.auth_backends import AuthenticationBackend


class EmailBackend(AuthenticationBackend):
    """allauth's backend, limited to the ``email`` that its sign-in form passes.

    allauth's own backend also tries ``username`` case-insensitively and as an e-mail; that would
    let the Wagtail admin sign-in (which passes ``username``) accept other spellings. Here only
    the members' form signs in by e-mail; the admin keeps exact usernames (``ModelBackend``).
    django-axes counts every spelling as the same account (``accounts.lockout``).
    """

    def _authenticate(self, request, **credentials):
        email = credentials.get("email")
        if not email:
            return None
        return self._authenticate_by_email(email, credentials.get("password") or "")
