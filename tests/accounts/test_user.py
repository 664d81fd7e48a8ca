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


@pytest.mark.django_db
def test_sign_in_is_locked_after_five_failures_with_a_japanese_429(client, town_a):
    from django.urls import reverse

    from tests.factories import PASSWORD, member_of

    user = member_of(town_a, "npo_editor", username="editor")
    login = reverse("wagtailadmin_login")
    for _ in range(4):
        response = client.post(login, {"username": "editor", "password": "wrong"})
        assert response.status_code == 200
    assert client.post(login, {"username": "editor", "password": "wrong"}).status_code == 429
    locked = client.post(login, {"username": "editor", "password": PASSWORD})
    assert locked.status_code == 429
    assert "しばらくサインインできません" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert user.username not in locked.content.decode(), "the page does not echo who was locked"


@pytest.mark.django_db
def test_sign_in_works_and_a_success_clears_earlier_failures(client, town_a):
    from django.urls import reverse

    from tests.factories import PASSWORD, member_of

    member_of(town_a, "npo_editor", username="editor")
    login = reverse("wagtailadmin_login")
    for _ in range(4):
        client.post(login, {"username": "editor", "password": "wrong"})
    assert client.post(login, {"username": "editor", "password": PASSWORD}).status_code == 302
    client.logout()
    for _ in range(4):
        client.post(login, {"username": "editor", "password": "wrong"})
    assert client.post(login, {"username": "editor", "password": PASSWORD}).status_code == 302
