"""The Wagtail API v2 answers for the requesting municipality only, read-only, with no private data."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import CollectionViewRestriction, PageViewRestriction

from portal_pages.models import NoticePage
from tests.factories import UserFactory

from . import factories


def api(client, town, path, **params):
    return client.get(f"/api/v2/{path}", params, HTTP_HOST=town.site.hostname)


def titles(response):
    assert response.status_code == 200, response.content
    return {item["title"] for item in response.json()["items"]}


def make_image(collection, title):
    return get_image_model().objects.create(title=title, file=get_test_image_file(), collection=collection)


def make_document(collection, title):
    upload = SimpleUploadedFile("guide.pdf", b"%PDF-1.4 childcare guide", content_type="application/pdf")
    return get_document_model().objects.create(title=title, file=upload, collection=collection)


@pytest.fixture
def two_towns_pages(town_a, town_b):
    return (
        factories.notice(town_a, "三鷹市の健診のお知らせ"),
        factories.notice(town_b, "立川市の健診のお知らせ"),
    )


def test_pages_listing_shows_only_the_requesting_towns_pages(client, town_a, town_b, two_towns_pages):
    mitaka_notice, tachikawa_notice = two_towns_pages

    assert titles(api(client, town_a, "pages/", type="portal_pages.NoticePage")) == {"三鷹市の健診のお知らせ"}
    assert titles(api(client, town_b, "pages/", type="portal_pages.NoticePage")) == {"立川市の健診のお知らせ"}

    everything = api(client, town_a, "pages/", limit=20).json()
    ids = {item["id"] for item in everything["items"]}
    assert mitaka_notice.id in ids
    assert town_a.home.id in ids
    assert tachikawa_notice.id not in ids
    assert town_b.home.id not in ids
    assert everything["meta"]["total_count"] == len(ids)


def test_page_detail_of_another_town_is_not_found(client, town_a, town_b, two_towns_pages):
    mitaka_notice, tachikawa_notice = two_towns_pages

    assert api(client, town_a, f"pages/{mitaka_notice.id}/").status_code == 200
    assert api(client, town_a, f"pages/{tachikawa_notice.id}/").status_code == 404
    assert api(client, town_b, f"pages/{tachikawa_notice.id}/").status_code == 200
    assert api(client, town_a, "pages/find/", id=tachikawa_notice.id).status_code == 404


def test_site_parameter_cannot_reach_another_town(client, town_a, town_b, two_towns_pages):
    response = api(client, town_a, "pages/", site=town_b.site.hostname)

    assert response.status_code == 400
    assert "立川市" not in response.content.decode()


def test_tree_filters_cannot_reach_another_town(client, town_a, town_b, two_towns_pages):
    tachikawa_index = town_b.index("municipal", "NoticeIndexPage")

    for name in ("child_of", "descendant_of"):
        response = api(client, town_a, "pages/", **{name: tachikawa_index.id})
        assert response.status_code == 400
        assert "立川市" not in response.content.decode()


def test_drafts_and_unpublished_changes_never_appear(client, town_a):
    index = town_a.index("municipal", "NoticeIndexPage")
    draft = NoticePage(title="下書きのお知らせ", slug="draft", live=False)
    index.add_child(instance=draft)
    draft.save_revision()
    published = factories.notice(town_a, "公開中のお知らせ")
    published.title = "まだ公開していない修正"
    published.save_revision()

    listing = api(client, town_a, "pages/", type="portal_pages.NoticePage")
    assert titles(listing) == {"公開中のお知らせ"}
    assert api(client, town_a, f"pages/{draft.id}/").status_code == 404
    assert api(client, town_a, f"pages/{published.id}/").json()["title"] == "公開中のお知らせ"


def test_private_pages_never_appear_even_for_a_signed_in_member(client, town_a, make_member):
    members_only = factories.notice(town_a, "会員限定のお知らせ")
    PageViewRestriction.objects.create(page=members_only, restriction_type=PageViewRestriction.LOGIN)
    with_password = factories.notice(town_a, "パスワード付きのお知らせ")
    PageViewRestriction.objects.create(
        page=with_password, restriction_type=PageViewRestriction.PASSWORD, password="hinata"
    )
    factories.notice(town_a, "誰でも読めるお知らせ")
    client.force_login(make_member(town_a, "member"))

    assert titles(api(client, town_a, "pages/", type="portal_pages.NoticePage")) == {"誰でも読めるお知らせ"}
    assert api(client, town_a, f"pages/{members_only.id}/").status_code == 404
    assert api(client, town_a, f"pages/{with_password.id}/").status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_api_refuses_every_method_but_get(client, town_a, superuser, method):
    notice = factories.notice(town_a)
    client.force_login(superuser)
    send = getattr(client, method)

    for path in ("pages/", f"pages/{notice.id}/", "images/", "documents/"):
        response = send(f"/api/v2/{path}", {}, HTTP_HOST=town_a.site.hostname)
        assert response.status_code == 405, path
    assert NoticePage.objects.filter(id=notice.id).exists()


def _facility_with_everything(town):
    return factories.facility(
        town,
        "中央子育てひろば",
        stages=["age-0", "age-1-2"],
        latitude="35.683300",
        longitude="139.559700",
        nursing_room=True,
    )


PAGE_TYPES = {
    "NoticePage": (lambda town: factories.notice(town, stages=["pregnancy"]), {"department": "子育て支援課"}),
    "ServicePage": (
        lambda town: factories.service(town, stages=["age-0"]),
        {"amount": "<p>月額1万円〜1万5千円</p>"},
    ),
    "EventPage": (
        lambda town: factories.event(town, stages=["age-1-2"], venue=_facility_with_everything(town)),
        {"state": "open", "fee": "無料"},
    ),
    "FacilityPage": (_facility_with_everything, {"latitude": "35.683300", "nursing_room": True}),
    "ArticlePage": (
        lambda town: factories.article(town, stages=["teen"], tags=["雨の日"]),
        {"tags": ["雨の日"]},
    ),
}


@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_every_field_of_each_page_type_serialises(client, town_a, page_type):
    make, expected = PAGE_TYPES[page_type]
    page = make(town_a)
    model = type(page)

    listing = api(client, town_a, "pages/", type=f"portal_pages.{page_type}", fields="*")
    assert listing.status_code == 200, listing.content
    [item] = [item for item in listing.json()["items"] if item["id"] == page.id]
    detail = api(client, town_a, f"pages/{page.id}/").json()

    for data in (item, detail):
        assert {field.name for field in model.api_fields} <= set(data)
        assert data["life_stages"] == [stage.slug for stage in page.life_stages.all()]
        for name, value in expected.items():
            assert data[name] == value
    if page_type == "EventPage":
        assert detail["venue"]["title"] == "中央子育てひろば"


def test_article_never_exposes_the_owners_or_reporters_personal_data(client, town_a):
    owner = UserFactory(
        first_name="花子", last_name="山田", email="hanako.yamada@example.jp", nickname="ひなママ"
    )
    reporter = UserFactory(
        first_name="次郎", last_name="佐藤", email="jiro.sato@example.jp", nickname="さとパパ"
    )
    article = factories.article(town_a, "雨の日の児童館めぐり", owner=owner, reporter=reporter)
    private_values = [
        owner.email,
        owner.first_name,
        owner.last_name,
        owner.username,
        reporter.email,
        reporter.first_name,
        reporter.last_name,
        reporter.username,
    ]

    responses = [
        api(client, town_a, "pages/", type="portal_pages.ArticlePage", fields="*"),
        api(client, town_a, f"pages/{article.id}/"),
        api(client, town_a, f"pages/{article.id}/", fields="*"),
    ]
    for response in responses:
        assert response.status_code == 200
        body = response.content.decode()
        assert "雨の日の児童館めぐり" in body
        for value in private_values:
            assert value not in body
    for name in ("owner", "reporter"):
        assert api(client, town_a, f"pages/{article.id}/", fields=name).status_code == 400
    assert api(client, town_a, "pages/", type="portal_pages.ArticlePage", owner=owner.id).status_code == 400


def test_images_listing_and_detail_are_scoped_to_the_towns_collection(client, town_a, town_b):
    nested = town_a.settings.collection.add_child(name="三鷹市 イベント写真")
    mitaka = make_image(town_a.settings.collection, "三鷹の公園")
    mitaka_event = make_image(nested, "三鷹のイベント")
    tachikawa = make_image(town_b.settings.collection, "立川の公園")
    make_image(town_a.settings.collection.get_parent(), "どの市にも属さない画像")

    assert titles(api(client, town_a, "images/")) == {"三鷹の公園", "三鷹のイベント"}
    assert titles(api(client, town_b, "images/")) == {"立川の公園"}
    assert api(client, town_a, f"images/{mitaka_event.id}/").status_code == 200
    assert api(client, town_a, f"images/{tachikawa.id}/").status_code == 404
    assert api(client, town_b, f"images/{mitaka.id}/").status_code == 404


def test_documents_listing_and_detail_are_scoped_to_the_towns_collection(client, town_a, town_b):
    mitaka = make_document(town_a.settings.collection, "三鷹市 子育てガイド")
    tachikawa = make_document(town_b.settings.collection, "立川市 子育てガイド")

    assert titles(api(client, town_a, "documents/")) == {"三鷹市 子育てガイド"}
    assert titles(api(client, town_b, "documents/")) == {"立川市 子育てガイド"}
    assert api(client, town_a, f"documents/{tachikawa.id}/").status_code == 404
    assert api(client, town_b, f"documents/{mitaka.id}/").status_code == 404


def test_media_in_a_restricted_collection_never_appear(client, town_a, make_member):
    staff_only = town_a.settings.collection.add_child(name="三鷹市 職員用")
    CollectionViewRestriction.objects.create(
        collection=staff_only, restriction_type=CollectionViewRestriction.LOGIN
    )
    make_image(staff_only, "職員用の画像")
    make_document(staff_only, "職員用の文書")
    make_image(town_a.settings.collection, "公開の画像")
    make_document(town_a.settings.collection, "公開の文書")
    client.force_login(make_member(town_a, "member"))

    assert titles(api(client, town_a, "images/")) == {"公開の画像"}
    assert titles(api(client, town_a, "documents/")) == {"公開の文書"}
