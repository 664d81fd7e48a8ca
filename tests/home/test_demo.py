import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from home.demo import DEMO_PASSWORD, DEMO_USERS
from home.models import MunicipalitySettings
from home.roles import ROLES

pytestmark = pytest.mark.django_db


def load():
    out = io.StringIO()
    call_command("load_demo", "--allow-production", stdout=out)
    return out.getvalue()


def test_demo_town_has_realistic_japanese_pages_a_logo_and_one_user_per_role():
    output = load()

    site = Site.objects.get(is_default_site=True)
    town = MunicipalitySettings.objects.get(site=site)
    assert town.official_name == "ひなた市"
    assert town.logo is not None
    assert get_image_model().objects.filter(collection=town.collection).count() >= 2

    pages = Page.objects.descendant_of(site.root_page, inclusive=True).specific()
    assert pages.count() >= 6
    texts = [str(getattr(page, "body", "")) or page.lead for page in pages]
    for page, text in zip(pages, texts, strict=True):
        assert text, f"{page.title} has demo text"
        assert "lorem" not in text.lower()
    assert "ファミリー・サポート・センター" in "".join(texts)

    roles = {spec.role for spec in DEMO_USERS}
    assert roles == {role.key for role in ROLES}
    User = get_user_model()
    for spec in DEMO_USERS:
        user = User.objects.get(username=spec.username)
        assert user.check_password(DEMO_PASSWORD)
        assert user.groups.filter(municipality_role__role=spec.role, municipality_role__site=site).exists()
        assert spec.username in output
    assert DEMO_PASSWORD in output
    assert User.objects.get(username="demo-operator").is_superuser


def test_demo_parent_signs_in_on_the_members_side_by_e_mail(client):
    load()
    response = client.post(
        "/accounts/login/",
        {"login": "Demo-Parent@example.jp", "password": DEMO_PASSWORD},
        HTTP_HOST="localhost",
    )
    assert response.status_code == 302
    assert response.wsgi_request.user.username == "demo-parent"


def test_loading_twice_changes_nothing():
    load()
    counts = (Page.objects.count(), get_user_model().objects.count(), get_image_model().objects.count())
    load()
    assert (
        Page.objects.count(),
        get_user_model().objects.count(),
        get_image_model().objects.count(),
    ) == counts


def test_demo_refuses_to_run_with_debug_off_unless_asked(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=False"):
        call_command("load_demo")
    assert not get_user_model().objects.exists()
