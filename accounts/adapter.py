"""How django-allauth behaves on this site."""

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """allauth's account adapter with sign-up closed.

    Accounts are made by each municipality's site administrator in the Wagtail admin for now;
    the community issue (member accounts for parents) opens sign-up here, with its own form and
    e-mail verification.
    """

    def is_open_for_signup(self, request):
        return False
