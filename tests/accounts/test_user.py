import pytest
from django.contrib.auth import get_user_model

from tests.factories import UserFactory


def test_the_project_uses_its_own_user_model():
    assert get_user_model()._meta.label == "accounts.User"


@pytest.mark.django_db
def test_public_name_is_the_nickname_never_the_real_name():
    user = UserFactory(first_name="花子", last_name="山田", nickname="さくらママ")
    assert user.public_name == "さくらママ"
    user.nickname = ""
    assert user.public_name == "匿名さん"


@pytest.mark.django_db
def test_deleting_a_municipality_keeps_its_members_accounts(town_a):
    user = UserFactory(municipality=town_a.site)
    town_a.site.delete()
    user.refresh_from_db()
    assert user.municipality is None
