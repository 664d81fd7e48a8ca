import pytest
from django.apps import apps
from wagtail.models import Site

from home.models import MunicipalityRole, MunicipalitySettings, SectionPage
from home.municipality import Municipality, create_municipality
from portal_pages.queries import STANDARD_INDEXES

from .factories import UserFactory, member_of


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test starts with an empty cache and no remembered sites: the database is rolled back
    between tests, but the local-memory cache (fragments, generations) and the per-process site
    lookups are not."""
    from django.core.cache import cache

    from home import page_cache

    cache.clear()
    page_cache.forget_site_lookups()


TOWNS = {
    "town_a": {"name": "三鷹市", "hostname": "mitaka.example.jp", "short_name": "みたか", "is_default": True},
    "town_b": {"name": "立川市", "hostname": "tachikawa.example.jp", "short_name": "たちかわ"},
}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The two towns most tests need, made once per test database rather than once per test.

    Building a municipality publishes a dozen pages and sets up its groups (about half a second);
    each test's changes to them are rolled back with the test, as any other data is.
    """
    with django_db_blocker.unblock():
        for town in TOWNS.values():
            create_municipality(**town)


def _fresh(town):
    """The municipality read back from the database, so no test sees another's in-memory edits."""
    site = Site.objects.get(hostname=town["hostname"], port=80)
    home = site.root_page.specific
    sections = {page.section: page for page in SectionPage.objects.child_of(home)}
    settings_obj = MunicipalitySettings.objects.select_related("collection").get(site=site)
    indexes = {}
    for section_key, entries in STANDARD_INDEXES.items():
        for model_name, *_rest in entries:
            model = apps.get_model("portal_pages", model_name)
            indexes[(section_key, model_name)] = model.objects.child_of(sections[section_key]).get()
    groups = {
        link.role: link.group for link in MunicipalityRole.objects.filter(site=site).select_related("group")
    }
    return Municipality(
        site=site,
        settings=settings_obj,
        home=home,
        sections=sections,
        collection=settings_obj.collection,
        groups=groups,
        indexes=indexes,
        created=False,
    )


@pytest.fixture
def town_a(db):
    return _fresh(TOWNS["town_a"])


@pytest.fixture
def town_b(db):
    return _fresh(TOWNS["town_b"])


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
