"""How django-allauth behaves on this site."""

import secrets

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth import get_user_model
from wagtail.models import Site


class AccountAdapter(DefaultAccountAdapter):
    """allauth's account adapter for member sign-up (保護者会員).

    A new member belongs to the municipality whose site they signed up on, and joins that
    town's 保護者会員 group. Their username is random: members sign in with their e-mail, and
    a username made from the e-mail (allauth's default) would carry part of the address into
    the admin, logs and django-axes records.
    """

    def is_open_for_signup(self, request):
        return True

    def populate_username(self, request, user):
        if user.username:
            return
        User = get_user_model()
        while True:
            username = f"member-{secrets.token_hex(5)}"
            if not User.objects.filter(username=username).exists():
                user.username = username
                return

    def save_user(self, request, user, form, commit=True):
        user.nickname = form.cleaned_data["nickname"]
        user.municipality = Site.find_for_request(request)
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            join_member_group(user)
        return user


def join_member_group(user):
    """Add ``user`` to their municipality's 保護者会員 group (``MunicipalityRole`` "member")."""
    from home.models import MunicipalityRole

    if user.municipality_id is None:
        return
    role = MunicipalityRole.objects.filter(site_id=user.municipality_id, role="member").select_related(
        "group"
    )
    for municipality_role in role:
        user.groups.add(municipality_role.group)
