"""The portal page types: what each shows, event states, validation, and the stage pages."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal_pages.choices import EventState
from portal_pages.models import EventPage

from . import factories

pytestmark = pytest.mark.django_db


def get(client, town, url):
    return client.get(url, HTTP_HOST=town.site.hostname)


def test_service_page_reads_the_same_way_in_fixed_sections(client, town_a):
    page = factories.service(
        town_a,
        eligibility="<p>市内在住で0歳から18歳までの子を養育している方</p>",
        description="<p>月ごとに手当を支給します。</p>",
        amount="<p>月額1万円</p>",
        how_to_apply="<p>子育て支援課の窓口で申請します。</p>",
        what_to_bring="<ul><li>健康保険証</li><li>振込先口座の通帳</li></ul>",
        contact="<p>子育て支援課 電話0422-00-1234</p>",
    )
    html = get(client, town_a, page.url).content.decode()
    positions = [
        html.index(f"<dt>{label}</dt>")
        for label in ("対象", "内容", "金額", "申請方法", "必要なもの", "問い合わせ先")
    ]
    assert positions == sorted(positions)
    assert "振込先口座の通帳" in html


def test_notice_shows_department_category_and_attachments(client, town_a):
    page = factories.notice(town_a, department="保育課", category="childcare", stages=["age-1-2"])
    html = get(client, town_a, page.url).content.decode()
    assert "保育課" in html and "保育・幼児教育" in html
    assert reverse("life_stage", args=["age-1-2"]) in html


@pytest.mark.parametrize(
    ("offset_hours", "deadline_hours", "state"),
    [(48, None, EventState.OPEN), (48, -1, EventState.CLOSED), (-5, None, EventState.ENDED)],
)
def test_event_state_follows_from_its_dates(offset_hours, deadline_hours, state):
    now = timezone.now()
    event = EventPage(
        title="離乳食教室",
        start=now + datetime.timedelta(hours=offset_hours),
        end=now + datetime.timedelta(hours=offset_hours + 2),
        application_deadline=now + datetime.timedelta(hours=deadline_hours) if deadline_hours else None,
    )
    assert event.state == state


def test_event_page_shows_state_date_and_venue_facility(client, town_a):
    hall = factories.facility(town_a, title="ひなた児童館", address="東京都ひなた市東町1-2-3")
    page = factories.event(town_a, venue=hall, venue_text="", capacity=15, fee="300円")
    html = get(client, town_a, page.url).content.decode()
    assert "受付中" in html
    assert "ひなた児童館" in html and "東京都ひなた市東町1-2-3" in html
    assert "15人" in html and "300円" in html


def test_event_end_before_start_is_refused_in_japanese(town_a):
    now = timezone.now()
    event = EventPage(title="両親学級", slug="ryoshin", start=now, end=now - datetime.timedelta(hours=1))
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "終了日時は開始日時より後にしてください。" in str(error.value)


def test_facility_shows_amenities_and_hours(client, town_a):
    page = factories.facility(town_a, nursing_room=True, stroller_ok=True, opening_hours="午前9時〜午後5時")
    html = get(client, town_a, page.url).content.decode()
    assert "授乳室・ベビーカー可" in html
    assert "午前9時〜午後5時" in html


def test_article_shows_nickname_byline_never_the_real_name(client, town_a, make_member):
    reporter = make_member(
        town_a, "citizen_reporter", nickname="ひまわり記者", first_name="彩", last_name="高橋"
    )
    page = factories.article(town_a, reporter=reporter, workshop="子育て記者講座 第3期", tags=["児童館"])
    html = get(client, town_a, page.url).content.decode()
    assert "ひまわり記者" in html and "子育て記者講座 第3期" in html and "#児童館" in html
    assert "高橋" not in html and reporter.email not in html


def test_stage_page_gathers_services_events_notices_and_facilities_of_its_town(client, town_a, town_b):
    factories.service(town_a, title="一時保育", stages=["age-1-2"])
    factories.event(town_a, title="親子リトミック", stages=["age-1-2"])
    factories.notice(town_a, title="保育園の申し込み", stages=["age-1-2"])
    factories.facility(town_a, title="中央子育てひろば", stages=["age-1-2"])
    factories.service(town_a, title="学童保育", stages=["elementary"])
    factories.service(town_b, title="立川の一時保育", stages=["age-1-2"])
    html = get(client, town_a, reverse("life_stage", args=["age-1-2"])).content.decode()
    for title in ("一時保育", "親子リトミック", "保育園の申し込み", "中央子育てひろば"):
        assert title in html
    assert "学童保育" not in html
    assert "立川の一時保育" not in html


def test_home_page_lists_latest_notices_and_upcoming_events_only(client, town_a):
    factories.notice(town_a, title="児童手当の現況届")
    factories.event(town_a, title="これからの読み聞かせ会", days_ahead=3)
    factories.event(town_a, title="先月の読み聞かせ会", days_ahead=-30)
    html = get(client, town_a, "/").content.decode()
    assert "児童手当の現況届" in html
    assert "これからの読み聞かせ会" in html
    assert "先月の読み聞かせ会" not in html


def test_drafts_and_expired_notices_are_not_listed(client, town_a):
    live = factories.notice(town_a, title="公開中のお知らせ")
    expired = factories.notice(town_a, title="期限切れのお知らせ")
    expired.expire_at = timezone.now() - datetime.timedelta(minutes=1)
    expired.save()
    from django.core.management import call_command

    call_command("publish_scheduled")
    html = get(client, town_a, live.get_parent().url).content.decode()
    assert "公開中のお知らせ" in html
    assert "期限切れのお知らせ" not in html


def test_printed_pages_carry_a_qr_code_of_their_address(client, town_a):
    page = factories.service(town_a, title="一時保育")
    html = get(client, town_a, f"{page.url}?feedback=thanks").content.decode()
    qr = html.split('class="print-qr"')[1].split("</div>")[0]
    assert "<svg" in qr and "<path" in qr
    assert f"http://mitaka.example.jp{page.relative_url(town_a.site)}</p>" in qr, (
        "the printed address has no query string"
    )


def test_body_images_are_responsive_webp_and_lazy(client, town_a):
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    image = get_image_model().objects.create(
        title="ひろば", collection=town_a.settings.collection, file=get_test_image_file(size=(1600, 1000))
    )
    page = factories.article(town_a)
    page.body = [("image", {"image": image, "alt": "親子で遊ぶひろば", "caption": "中央ひろば"})]
    page.save_revision().publish()
    html = get(client, town_a, page.url).content.decode()
    figure = html.split('class="figure"')[1].split("</figure>")[0]
    assert re.search(r'<source [^>]*type="image/webp"', figure)
    assert "srcset=" in figure and " 400w" in figure and " 800w" in figure
    assert 'loading="lazy"' in figure and 'alt="親子で遊ぶひろば"' in figure


def test_person_choosers_offer_only_colleagues_of_the_same_town_by_nickname(
    client, town_a, town_b, make_member
):
    from django.urls import reverse

    reporter = make_member(town_a, "citizen_reporter", username="mitaka-reporter", nickname="ひまわり記者")
    make_member(town_a, "npo_editor", username="mitaka-editor", nickname="編集委員みどり")
    make_member(town_b, "npo_editor", username="tachikawa-editor", nickname="立川の編集委員")
    client.force_login(reporter)
    index = town_a.index("regional", "ArticleIndexPage")
    url = reverse("wagtailadmin_pages:add", args=["portal_pages", "articlepage", index.id])
    response = client.get(url)
    assert response.status_code == 200
    options = response.context["form"].fields["reporter"].queryset
    assert set(options.values_list("username", flat=True)) == {"mitaka-reporter", "mitaka-editor"}
    html = response.content.decode()
    assert "編集委員みどり" in html
    assert "立川の編集委員" not in html and "tachikawa-editor" not in html
