import pytest

from home.municipality import create_municipality

from .factories import UserFactory, member_of


@pytest.fixture
def town_a(db):
    return create_municipality("三鷹市", "mitaka.example.jp", short_name="みたか", is_default=True)


@pytest.fixture
def town_b(db):
    return create_municipality("立川市", "tachikawa.example.jp", short_name="たちかわ")


@pytest.fixture
def superuser(db):
    return UserFactory(username="operator", is_superuser=True, is_staff=True)


@pytest.fixture
def make_member():
    return member_of


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    return f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {database.get('HOST') or ''}".rstrip()
