import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    GroupSitePermission,
    Page,
    Site,
)

from home.models import HomePage, MunicipalityRole, MunicipalitySettings, SectionPage
from home.municipality import MunicipalityError, create_municipality, section_page
from home.roles import ROLES, SECTIONS


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Site,
            Page,
            Collection,
            Group,
            MunicipalityRole,
            MunicipalitySettings,
            GroupPagePermission,
            GroupCollectionPermission,
            GroupSitePermission,
        )
    }


def test_creates_site_sections_collection_and_one_group_per_role(db):
    call_command("create_municipality", "--name", "三鷹市", "--hostname", "mitaka.example.jp")

    site = Site.objects.get(hostname="mitaka.example.jp")
    assert isinstance(site.root_page.specific, HomePage)
    assert site.is_default_site, "the first municipality becomes the default site"
    sections = SectionPage.objects.child_of(site.root_page)
    assert [page.title for page in sections.order_by("path")] == [s.title for s in SECTIONS]
    assert all(page.live for page in sections)

    settings = MunicipalitySettings.objects.get(site=site)
    assert settings.official_name == "三鷹市"
    assert settings.collection.name == "三鷹市"
    assert settings.child_guidance_dial == "189"
    assert settings.pediatric_emergency == "#8000"

    names = set(Group.objects.filter(municipality_role__site=site).values_list("name", flat=True))
    assert names == {f"三鷹市 {role.label}" for role in ROLES}


def test_running_again_changes_nothing(town_a):
    before = _counts()
    again = create_municipality("三鷹市", "mitaka.example.jp")
    assert again.created is False
    assert _counts() == before


def test_hostname_of_another_municipality_is_refused_and_nothing_is_created(town_a):
    before = _counts()
    with pytest.raises(CommandError, match=re.escape("mitaka.example.jp は既に「三鷹市」で使われています")):
        call_command("create_municipality", "--name", "立川市", "--hostname", "mitaka.example.jp")
    assert _counts() == before


def test_same_name_on_a_second_hostname_is_refused(town_a):
    before = _counts()
    with pytest.raises(MunicipalityError, match=re.escape("既にホスト名 mitaka.example.jp で登録")):
        create_municipality("三鷹市", "mitaka2.example.jp")
    assert _counts() == before


@pytest.mark.parametrize("hostname", ["", "http://x.example.jp", "a b.jp", "x.jp:80"])
def test_malformed_hostname_is_refused(db, hostname):
    with pytest.raises(MunicipalityError, match="ホスト名"):
        create_municipality("三鷹市", hostname)
    assert not Site.objects.filter(hostname=hostname).exists()


def test_a_half_finished_municipality_is_completed(town_a):
    town_a.sections["consult"].delete()
    MunicipalityRole.objects.filter(site=town_a.site, role="counsellor").delete()

    again = create_municipality("三鷹市", "mitaka.example.jp")

    assert section_page(again.site, "consult") is not None
    assert again.group("counsellor").municipality_role.site == town_a.site


def test_two_municipalities_have_separate_trees_collections_and_groups(town_a, town_b):
    assert town_a.site.root_page_id != town_b.site.root_page_id
    assert not town_b.home.is_descendant_of(town_a.home)
    assert town_a.collection != town_b.collection
    assert not set(town_a.groups.values()) & set(town_b.groups.values())
    assert section_page(town_b.site, "regional").get_parent().id == town_b.home.id
