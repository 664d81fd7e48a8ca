"""The private workshop section (ワークショップ（非公開）) stays private through every channel.

Each channel is checked with a public page next to the private one, so a denial proves the
private page is left out, not that the channel is empty.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page
from wagtail.test.utils.form_data import querydict_from_html, rich_text

from home import page_cache
from home.models import LifeStage, StandardPage
from portal_pages.models import EventIndexPage, EventPage, NoticeIndexPage, NoticePage

from . import factories

pytestmark = pytest.mark.django_db

MEMO_TITLE = "第3回ワークショップ議事メモ"
MEMO_SECRET = "次回の取材先は中央子育てひろば、参加者の連絡先は別紙"
PRIVATE_NOTICE = "ワークショップ参加者へのお知らせ"
PRIVATE_EVENT = "ワークショップ取材練習会"
PUBLIC_PAGE = "ワークショップ公開報告"
PUBLIC_NOTICE = "一歳児健診のお知らせ"
PUBLIC_EVENT = "親子リトミック"
PRIVATE_TITLES = (MEMO_TITLE, PRIVATE_NOTICE, PRIVATE_EVENT)


@dataclass
class Workshop:
    section: Page
    memo: StandardPage
    notice: NoticePage
    event: EventPage


def publish(parent, page, stages=()):
    parent.add_child(instance=page)
    if stages:
        page.life_stages.set(LifeStage.objects.filter(slug__in=stages))
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def workshop(town_a):
    """Meeting notes, a notice and an event in town A's workshop; a public page of each kind beside them."""
    section = town_a.sections["workshop"]
    memo = publish(
        section,
        StandardPage(title=MEMO_TITLE, slug="memo-3", lead="議事メモ 編集会議", body=f"<p>{MEMO_SECRET}</p>"),
    )
    notices = publish(section, NoticeIndexPage(title="参加者へのお知らせ", slug="oshirase"))
    events = publish(section, EventIndexPage(title="ワークショップの予定", slug="yotei"))
    notice = publish(
        notices,
        NoticePage(title=PRIVATE_NOTICE, slug="sanka", lead="議事メモ 取材の割り当て", department="NPO"),
        stages=["age-1-2"],
    )
    start = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(days=7)
    event = publish(
        events,
        EventPage(
            title=PRIVATE_EVENT,
            slug="renshu",
            start=start,
            end=start + datetime.timedelta(hours=2),
            venue_text="市民センター 会議室",
        ),
        stages=["age-1-2"],
    )
    publish(
        town_a.sections["regional"],
        StandardPage(title=PUBLIC_PAGE, slug="hokoku", lead="議事メモ の 公開版"),
    )
    factories.notice(town_a, PUBLIC_NOTICE, stages=["age-1-2"])
    factories.event(town_a, PUBLIC_EVENT, stages=["age-1-2"])
    return Workshop(section=section, memo=memo, notice=notice, event=event)


def get(client, town, url, **params):
    return client.get(url, params, HTTP_HOST=town.site.hostname)


def assert_no_private_titles(html):
    for title in PRIVATE_TITLES:
        assert title not in html, title
    assert MEMO_SECRET not in html


# Reading the pages ---------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in_and_sees_nothing(client, town_a, workshop):
    for page in (workshop.memo, workshop.section, workshop.notice, workshop.event):
        response = get(client, town_a, page.url)
        assert response.status_code == 302, page.title
        assert response.url.startswith(reverse("wagtailcore_login"))
        assert f"next={page.relative_url(town_a.site)}" in response.url
        assert_no_private_titles(response.content.decode())


@pytest.mark.parametrize("role", ["citizen_reporter", "municipal_staff", "moderator", "counsellor", "member"])
def test_signed_in_member_of_another_group_is_sent_to_sign_in(client, town_a, workshop, make_member, role):
    client.force_login(make_member(town_a, role))

    response = get(client, town_a, workshop.memo.url)

    assert response.status_code == 302 and response.url.startswith(reverse("wagtailcore_login"))
    assert MEMO_SECRET not in response.content.decode()


@pytest.mark.parametrize("role", ["workshop", "npo_editor"])
def test_workshop_members_and_npo_editors_read_the_memo(client, town_a, workshop, make_member, role):
    client.force_login(make_member(town_a, role))

    response = get(client, town_a, workshop.memo.url)

    assert response.status_code == 200
    html = response.content.decode()
    assert MEMO_TITLE in html and MEMO_SECRET in html
    assert get(client, town_a, workshop.notice.url).status_code == 200


def test_another_towns_workshop_member_cannot_read_the_memo(client, town_a, town_b, workshop, make_member):
    client.force_login(make_member(town_b, "workshop"))

    through_town_a = get(client, town_a, workshop.memo.url)
    through_town_b = get(client, town_b, workshop.memo.url)

    assert through_town_a.status_code == 302 and through_town_a.url.startswith(reverse("wagtailcore_login"))
    assert through_town_b.status_code == 404
    for response in (through_town_a, through_town_b):
        assert MEMO_SECRET not in response.content.decode()


# Listings, search, feeds, API, sitemap -------------------------------------------------------


@pytest.mark.parametrize("reader", [None, "citizen_reporter", "workshop"])
def test_main_navigation_and_home_page_never_show_the_workshop(client, town_a, workshop, make_member, reader):
    if reader:
        client.force_login(make_member(town_a, reader))

    html = get(client, town_a, "/").content.decode()

    assert_no_private_titles(html)
    assert "ワークショップ（非公開）" not in html
    assert f'href="{workshop.section.relative_url(town_a.site)}"' not in html
    assert PUBLIC_NOTICE in html and PUBLIC_EVENT in html
    assert f'href="{town_a.sections["regional"].relative_url(town_a.site)}"' in html


@pytest.mark.parametrize("reader", [None, "municipal_staff"])
def test_site_search_never_finds_the_workshop(client, town_a, workshop, make_member, reader):
    if reader:
        client.force_login(make_member(town_a, reader))

    response = get(client, town_a, reverse("search"), q="議事メモ")

    assert [hit.title for hit in response.context["results"].hits] == [PUBLIC_PAGE]
    assert_no_private_titles(response.content.decode())
    for query in (MEMO_TITLE, "中央子育てひろば", "取材の割り当て"):
        found = get(client, town_a, reverse("search"), q=query).context["results"]
        assert not [hit for hit in found.hits if hit.title in PRIVATE_TITLES], query
        assert not [hit for hit in found.promotions if hit.title in PRIVATE_TITLES], query


def test_life_stage_page_leaves_out_the_workshops_notice_and_event(client, town_a, workshop):
    html = get(client, town_a, reverse("life_stage", args=["age-1-2"])).content.decode()
    assert PUBLIC_NOTICE in html and PUBLIC_EVENT in html
    assert_no_private_titles(html)


@pytest.mark.parametrize(
    ("url", "public_title"),
    [
        ("/feeds/notices.rss", PUBLIC_NOTICE),
        ("/feeds/notices.atom", PUBLIC_NOTICE),
        ("/feeds/events.ics", PUBLIC_EVENT),
        ("/feeds/events/age-1-2.ics", PUBLIC_EVENT),
    ],
)
def test_feeds_leave_out_the_workshop(client, town_a, workshop, url, public_title):
    response = get(client, town_a, url)
    body = response.content.decode()
    assert response.status_code == 200
    assert public_title in body
    assert_no_private_titles(body)
    assert workshop.section.url not in body


def test_the_workshops_event_has_no_calendar_file(client, town_a, workshop):
    response = get(client, town_a, reverse("event_ics", args=[workshop.event.pk]))
    assert response.status_code == 404
    assert PRIVATE_EVENT not in response.content.decode()


def api(client, town, path, **params):
    return client.get(f"/api/v2/{path}", params, HTTP_HOST=town.site.hostname)


@pytest.mark.parametrize("reader", [None, "workshop"])
def test_api_never_lists_finds_or_returns_the_workshop(client, town_a, workshop, make_member, reader):
    if reader:
        client.force_login(make_member(town_a, reader))

    listing = api(client, town_a, "pages/")
    assert listing.status_code == 200
    assert listing.json()["meta"]["total_count"] == len(listing.json()["items"]), "everything on one page"
    titles = {item["title"] for item in listing.json()["items"]}
    assert PUBLIC_PAGE in titles and PUBLIC_NOTICE in titles
    assert not titles & {*PRIVATE_TITLES, workshop.section.title}

    searched = api(client, town_a, "pages/", search="議事メモ")
    assert [item["title"] for item in searched.json()["items"]] == [PUBLIC_PAGE]

    for page in (workshop.section, workshop.memo, workshop.notice, workshop.event):
        detail = api(client, town_a, f"pages/{page.pk}/")
        assert detail.status_code == 404, page.title
        assert page.title not in detail.content.decode()

    found = api(client, town_a, "pages/find/", html_path=workshop.memo.url)
    assert found.status_code == 404
    children = api(client, town_a, "pages/", child_of=workshop.section.pk)
    assert MEMO_TITLE not in children.content.decode()
    typed = api(client, town_a, "pages/", type="home.StandardPage")
    assert {item["title"] for item in typed.json()["items"]} == {PUBLIC_PAGE}


def test_sitemap_leaves_out_the_workshop(client, town_a, workshop):
    response = get(client, town_a, "/sitemap.xml")
    xml = response.content.decode()
    assert response.status_code == 200
    assert town_a.sections["regional"].url in xml
    for page in (workshop.section, workshop.memo, workshop.notice, workshop.event):
        assert page.url not in xml, page.title


# The whole-page cache ------------------------------------------------------------------------


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True
    cache.clear()
    page_cache.forget_site_lookups()
    yield
    cache.clear()


def test_members_reading_is_never_served_to_an_anonymous_visitor(
    client, town_a, workshop, make_member, page_cache_on
):
    from django.test import Client

    member = Client()
    member.force_login(make_member(town_a, "workshop"))
    assert MEMO_SECRET in get(member, town_a, workshop.memo.url).content.decode()
    get(member, town_a, "/")

    memo = get(client, town_a, workshop.memo.url)
    home = get(client, town_a, "/")

    assert memo.status_code == 302 and MEMO_SECRET not in memo.content.decode()
    assert memo.get("X-Page-Cache") != "hit"
    assert home["X-Page-Cache"] == "miss", "the member's home page was not stored for others"
    assert_no_private_titles(home.content.decode())


def test_a_cached_refusal_is_never_served_to_a_member(client, town_a, workshop, make_member, page_cache_on):
    from django.test import Client

    for _ in range(2):
        assert get(Client(), town_a, workshop.memo.url).status_code == 302
    client.force_login(make_member(town_a, "workshop"))

    response = get(client, town_a, workshop.memo.url)

    assert response.status_code == 200 and MEMO_SECRET in response.content.decode()


# Writing in the workshop ---------------------------------------------------------------------


def add_url(parent):
    return reverse("wagtailadmin_pages:add", args=["home", "standardpage", parent.pk])


def test_workshop_member_drafts_a_memo_but_cannot_publish_it(client, town_a, make_member):
    member = make_member(town_a, "workshop", nickname="つばめ")
    section = town_a.sections["workshop"]
    assert section.permissions_for_user(member).can_add_subpage()
    client.force_login(member)

    form = client.get(add_url(section))
    assert form.status_code == 200
    data = querydict_from_html(form.content.decode(), form_id="page-edit-form")
    data.update(
        {
            "title": "第4回ワークショップ議事メモ",
            "slug": "memo-4",
            "lead": "取材先の割り当て",
            "body": rich_text("<p>次回は児童館を取材します。</p>"),
            "action-publish": "action-publish",
        }
    )
    response = client.post(add_url(section), data)

    assert response.status_code == 302
    draft = StandardPage.objects.child_of(section).get(slug="memo-4")
    assert draft.title == "第4回ワークショップ議事メモ" and draft.owner == member
    assert not draft.live, "a workshop member saves drafts; publishing is for the NPO editors"
    permissions = draft.permissions_for_user(member)
    assert permissions.can_edit() and not permissions.can_publish()


@pytest.mark.parametrize("role", ["citizen_reporter", "municipal_staff", "moderator"])
def test_roles_outside_the_workshop_cannot_add_pages_there(client, town_a, make_member, role):
    user = make_member(town_a, role)
    section = town_a.sections["workshop"]
    assert not section.permissions_for_user(user).can_add_subpage()
    client.force_login(user)

    response = client.get(add_url(section))

    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")


def test_another_towns_workshop_member_can_neither_add_nor_edit_there(
    client, town_a, town_b, workshop, make_member
):
    outsider = make_member(town_b, "workshop")
    assert town_b.sections["workshop"].permissions_for_user(outsider).can_add_subpage()
    assert not town_a.sections["workshop"].permissions_for_user(outsider).can_add_subpage()
    assert not workshop.memo.permissions_for_user(outsider).can_edit()
    client.force_login(outsider)

    edit = client.get(reverse("wagtailadmin_pages:edit", args=[workshop.memo.pk]))

    assert edit.status_code == 302 and MEMO_SECRET not in edit.content.decode()
