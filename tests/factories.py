"""Factories shared by every test folder."""

import factory
from django.contrib.auth import get_user_model

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.jp")
    nickname = factory.Sequence(lambda n: f"ニックネーム{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def member_of(town, role, **kwargs):
    """A user in ``role`` of ``town`` (a ``home.municipality.Municipality``)."""
    user = UserFactory(municipality=town.site, **kwargs)
    user.groups.add(town.group(role))
    return user


def sign_in_with_two_factors(client, user):
    """Sign ``user`` in on ``client`` as if they had also passed the TOTP step (allauth's record).

    The user gets a TOTP authenticator when they have none, as they would at set-up.
    """
    import time

    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "username": user.get_username()},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client
