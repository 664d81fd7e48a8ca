"""Who may do what, and where: the roles of DESIGN.md scoped to one municipality."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import GroupPagePermission

from home.models import MunicipalitySettings
from home.municipality import create_municipality
from tests.portal_pages import factories

pytestmark = pytest.mark.django_db


def perms(user, page):
    return page.permissions_for_user(user)


def test_citizen_reporter_drafts_only_under_own_regional_section_and_never_publishes(
    town_a, town_b, make_member
):
    reporter = make_member(town_a, "citizen_reporter")
    regional_a = perms(reporter, town_a.sections["regional"])
    assert regional_a.can_add_subpage()
    assert not regional_a.can_publish_subpage()
    assert not regional_a.can_publish()
    assert not perms(reporter, town_a.sections["municipal"]).can_add_subpage()
    assert not perms(reporter, town_b.sections["regional"]).can_add_subpage()


def test_municipal_staff_publish_only_under_own_municipal_section(town_a, town_b, make_member):
    staff = make_member(town_a, "municipal_staff")
    assert perms(staff, town_a.sections["municipal"]).can_publish_subpage()
    assert perms(staff, town_a.sections["municipal"]).can_edit()
    assert not perms(staff, town_a.sections["regional"]).can_add_subpage()
    assert not perms(staff, town_a.home).can_edit()
    assert not perms(staff, town_b.sections["municipal"]).can_add_subpage()


def test_npo_editors_write_but_cannot_publish_regional_pages(town_a, town_b, make_member):
    """Only the NPO's lead publishes 地域情報, so nothing skips the 編集会議."""
    editor = make_member(town_a, "npo_editor")
    regional = town_a.sections["regional"]
    assert perms(editor, regional).can_add_subpage()
    assert perms(editor, regional).can_edit()
    assert not perms(editor, regional).can_publish_subpage()
    assert not perms(editor, regional).can_publish()
    article = factories.article(town_a)
    assert perms(editor, article).can_edit()
    assert not perms(editor, article).can_publish()
    assert not perms(editor, article).can_unpublish()
    assert not perms(editor, town_a.sections["municipal"]).can_add_subpage()
    assert not perms(editor, town_b.sections["regional"]).can_add_subpage()


def test_the_npo_lead_publishes_only_under_own_regional_section(town_a, town_b, make_member):
    lead = make_member(town_a, "npo_lead")
    assert perms(lead, town_a.sections["regional"]).can_publish_subpage()
    assert perms(lead, factories.article(town_a)).can_publish()
    assert not perms(lead, town_a.sections["municipal"]).can_add_subpage()
    assert not perms(lead, town_b.sections["regional"]).can_add_subpage()
    assert not perms(lead, factories.article(town_b)).can_publish()


def test_only_the_npo_lead_gets_publish_and_unpublish_in_the_admin(client, town_a, make_member):
    article = factories.article(town_a, title="会議を通った記事")
    edit_url = reverse("wagtailadmin_pages:edit", args=[article.pk])
    unpublish_url = reverse("wagtailadmin_pages:unpublish", args=[article.pk])

    client.force_login(make_member(town_a, "npo_editor"))
    assert client.get(edit_url).status_code == 200
    assert 'name="action-publish"' not in client.get(edit_url).content.decode()
    assert client.post(unpublish_url).status_code in (302, 403)
    article.refresh_from_db()
    assert article.live

    client.force_login(make_member(town_a, "npo_lead"))
    assert 'name="action-publish"' in client.get(edit_url).content.decode()
    client.post(unpublish_url)
    article.refresh_from_db()
    assert not article.live


def test_creating_a_town_again_takes_back_rights_the_role_table_no_longer_gives(town_a, make_member):
    """Towns made before the NPO責任者 role: their editors lose 公開, their lead step moves."""
    editor_group = town_a.group("npo_editor")
    publish = Permission.objects.get(content_type__app_label="wagtailcore", codename="publish_page")
    GroupPagePermission.objects.create(
        group=editor_group, page=town_a.sections["regional"], permission=publish
    )
    lead_task = town_a.sections["regional"].get_workflow().tasks.last().specific
    lead_task.groups.set([editor_group])
    editor = make_member(town_a, "npo_editor")
    assert perms(editor, town_a.sections["regional"]).can_publish_subpage()

    create_municipality(town_a.settings.official_name, town_a.site.hostname)

    editor = type(editor).objects.get(pk=editor.pk)
    assert not perms(editor, town_a.sections["regional"]).can_publish_subpage()
    assert list(lead_task.groups.all()) == [town_a.group("npo_lead")]
    assert perms(make_member(town_a, "municipal_staff"), town_a.sections["municipal"]).can_publish_subpage()


@pytest.mark.parametrize(
    "role", ["child_network", "fs_advisor", "moderator", "member", "fs_provider", "fs_requester"]
)
def test_roles_without_page_rights_cannot_add_or_publish_anywhere(town_a, make_member, role):
    user = make_member(town_a, role)
    for page in [town_a.home, *town_a.sections.values()]:
        page_perms = perms(user, page)
        assert not page_perms.can_add_subpage()
        assert not page_perms.can_edit()
        assert not page_perms.can_publish()


@pytest.mark.parametrize("role", ["counsellor", "counsellor_lead"])
def test_counsellors_draft_qa_pages_in_consult_section_only(town_a, town_b, make_member, role):
    user = make_member(town_a, role)
    consult = town_a.sections["consult"]
    assert perms(user, consult).can_add_subpage()
    assert not perms(user, consult).can_publish_subpage()
    for key, page in town_a.sections.items():
        if key != "consult":
            assert not perms(user, page).can_add_subpage()
    assert not perms(user, town_b.sections["consult"]).can_add_subpage()


def test_site_admin_edits_the_whole_own_site_only(town_a, town_b, make_member):
    admin = make_member(town_a, "site_admin")
    assert perms(admin, town_a.home).can_publish()
    assert perms(admin, town_a.sections["consult"]).can_edit()
    assert not perms(admin, town_b.home).can_edit()


def test_superuser_may_do_everything_everywhere(town_a, town_b, superuser):
    for town in (town_a, town_b):
        assert perms(superuser, town.sections["regional"]).can_publish_subpage()


# The admin itself ---------------------------------------------------------------------------


def test_staff_roles_may_enter_the_admin_but_members_may_not(client, town_a, make_member):
    client.force_login(make_member(town_a, "counsellor"))
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    client.force_login(make_member(town_a, "member"))
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response["Location"]


def test_explorer_shows_own_towns_tree_only(client, town_a, town_b, make_member):
    client.force_login(make_member(town_a, "npo_editor"))
    response = client.get(reverse("wagtailadmin_explore_root"), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "地域情報" in html
    assert "立川市" not in html

    other = client.get(reverse("wagtailadmin_explore", args=[town_b.sections["regional"].id]))
    assert other.status_code in (302, 403)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[town_b.sections["regional"].id]))
    assert edit.status_code in (302, 403)


def test_admin_page_search_does_not_find_other_towns_pages(client, town_a, town_b, make_member):
    client.force_login(make_member(town_a, "site_admin"))
    search = reverse("wagtailadmin_pages:search")
    response = client.get(search, {"q": town_b.home.title})
    assert response.status_code == 200
    assert reverse("wagtailadmin_pages:edit", args=[town_b.home.id]) not in response.content.decode()
    own = client.get(search, {"q": town_a.home.title})
    assert reverse("wagtailadmin_pages:edit", args=[town_a.home.id]) in own.content.decode()


def _image(town, title):
    from wagtail.images import get_image_model

    return get_image_model().objects.create(
        title=title, collection=town.collection, file=get_test_image_file()
    )


def _document(town, title):
    return get_document_model().objects.create(
        title=title,
        collection=town.collection,
        file=SimpleUploadedFile("guide.pdf", b"%PDF-1.4 demo"),
    )


def test_images_and_documents_of_other_towns_are_invisible(client, town_a, town_b, make_member):
    _image(town_a, "三鷹の公園")
    _image(town_b, "立川の公園")
    _document(town_a, "三鷹の手引き")
    _document(town_b, "立川の手引き")
    client.force_login(make_member(town_a, "npo_editor"))

    images = client.get(reverse("wagtailimages:index")).content.decode()
    assert "三鷹の公園" in images
    assert "立川の公園" not in images
    documents = client.get(reverse("wagtaildocs:index")).content.decode()
    assert "三鷹の手引き" in documents
    assert "立川の手引き" not in documents


def test_superuser_sees_every_towns_images(client, town_a, town_b, superuser):
    _image(town_a, "三鷹の公園")
    _image(town_b, "立川の公園")
    client.force_login(superuser)
    images = client.get(reverse("wagtailimages:index")).content.decode()
    assert "三鷹の公園" in images and "立川の公園" in images


def test_site_admin_edits_own_settings_but_not_another_towns(client, town_a, town_b, make_member):
    client.force_login(make_member(town_a, "site_admin"))
    url_a = reverse("wagtailsettings:edit", args=["home", "municipalitysettings", town_a.site.pk])
    url_b = reverse("wagtailsettings:edit", args=["home", "municipalitysettings", town_b.site.pk])
    assert client.get(url_a).status_code == 200
    assert client.get(url_b).status_code in (302, 403)


def test_other_roles_cannot_edit_municipality_settings(client, town_a, make_member):
    client.force_login(make_member(town_a, "npo_editor"))
    url = reverse("wagtailsettings:edit", args=["home", "municipalitysettings", town_a.site.pk])
    assert client.get(url).status_code in (302, 403)


def test_settings_reject_a_colour_white_text_cannot_be_read_on(client, town_a, make_member):
    client.force_login(make_member(town_a, "site_admin"))
    url = reverse("wagtailsettings:edit", args=["home", "municipalitysettings", town_a.site.pk])
    form = {
        "official_name": "三鷹市",
        "short_name": "みたか",
        "site_title": "",
        "brand_colour": "#ffee99",
        "postal_code": "",
        "address": "東京都三鷹市野崎一丁目1番1号",
        "phone": "",
        "office_name": "",
        "office_hours": "",
        "child_guidance_dial": "189",
        "pediatric_emergency": "#8000",
        "police": "110",
        "fire_ambulance": "119",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "コントラスト比" in html
    assert "東京都三鷹市野崎一丁目1番1号" in html, "the form keeps what was typed"
    assert MunicipalitySettings.objects.get(site=town_a.site).brand_colour == "#1a6b4f"

    form["brand_colour"] = "#0b4f8a"
    client.post(url, form)
    assert MunicipalitySettings.objects.get(site=town_a.site).brand_colour == "#0b4f8a"


def test_superuser_search_finds_every_town(client, town_a, town_b, superuser):
    client.force_login(superuser)
    response = client.get(reverse("wagtailadmin_pages:search"), {"q": town_b.home.title})
    assert reverse("wagtailadmin_pages:edit", args=[town_b.home.id]) in response.content.decode()


def test_explorer_filters_offer_only_own_sites_and_colleagues(client, town_a, town_b, make_member):
    make_member(town_b, "npo_editor", username="tachikawa-editor")
    editor = make_member(town_a, "npo_editor", username="mitaka-editor")
    client.force_login(editor)
    html = client.get(reverse("wagtailadmin_explore", args=[town_a.sections["regional"].id])).content.decode()
    assert "三鷹市子育てねっと" in html
    assert "立川市子育てねっと" not in html
    assert "tachikawa-editor" not in html


@pytest.mark.parametrize(
    "report",
    [
        "wagtailadmin_reports:site_history",
        "wagtailadmin_reports:aging_pages",
        "wagtailadmin_reports:locked_pages",
        "wagtailadmin_reports:workflow",
        "wagtailadmin_home",
    ],
)
def test_reports_and_dashboard_show_nothing_of_other_towns(client, town_a, town_b, make_member, report):
    client.force_login(make_member(town_a, "site_admin"))
    response = client.get(reverse(report))
    assert response.status_code == 200
    assert "立川市" not in response.content.decode()


def test_cross_site_page_types_report_is_for_operators_only(client, town_a, town_b, make_member, superuser):
    url = reverse("wagtailadmin_reports:page_types_usage")
    client.force_login(make_member(town_a, "site_admin"))
    assert client.get(url).status_code in (302, 403)
    assert url not in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(superuser)
    assert client.get(url).status_code == 200
    assert url in client.get(reverse("wagtailadmin_home")).content.decode()
