import re
import time
from unittest import mock

import pytest
from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import PageViewRestriction

from portal_pages import feedback
from portal_pages.models import PageFeedback, Rating

from . import factories

pytestmark = pytest.mark.django_db

QUESTION = "この情報は役に立ちましたか？"


@pytest.fixture(autouse=True)
def empty_cache():
    """The rate limits live in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


def token_for(page_id, age=60):
    """A widget token as if the page had been rendered ``age`` seconds ago."""
    with mock.patch("time.time", return_value=time.time() - age):
        return feedback.sign_page(page_id)


def post(client, town, page, **data):
    headers = {key: data.pop(key) for key in list(data) if key.startswith("HTTP_") or key == "REMOTE_ADDR"}
    fields = {"rating": Rating.USEFUL, "comment": "", "token": token_for(page.pk)}
    fields.update(data)
    fields = {key: value for key, value in fields.items() if value is not None}
    url = reverse("page_feedback", args=[page.pk])
    return client.post(url, fields, HTTP_HOST=town.site.hostname, **headers)


# The widget on a cached page ------------------------------------------------------------------


def test_every_content_page_type_asks_the_question_with_three_labelled_choices(client, town_a):
    pages = [
        factories.notice(town_a),
        factories.service(town_a),
        factories.event(town_a),
        factories.facility(town_a),
        factories.article(town_a),
    ]
    for page in pages:
        html = client.get(page.url, HTTP_HOST=town_a.site.hostname).content.decode()
        assert QUESTION in html, page.title
        assert '<form class="feedback__form" method="post"' in html
        assert f'action="/feedback/{page.pk}/"' in html
        for value, label in Rating.choices:
            assert f'<label for="feedback-{value}">{label}</label>' in html
        assert re.search(r"<legend[^>]*>この情報は役に立ちましたか？</legend>", html)
        assert 'maxlength="500"' in html
        assert "お名前や連絡先など個人が特定できる情報は書かないでください。返信はできません。" in html
        honeypot = re.search(r'<div class="visually-hidden" aria-hidden="true">.*?</div>', html, re.S).group()
        assert (
            'name="website"' in honeypot and 'tabindex="-1"' in honeypot and 'autocomplete="off"' in honeypot
        )


def test_page_with_the_widget_has_no_csrf_token_and_sets_no_cookie(client, town_a):
    page = factories.notice(town_a)
    response = client.get(page.url, HTTP_HOST=town_a.site.hostname)
    html = response.content.decode()
    assert QUESTION in html
    assert "csrfmiddlewaretoken" not in html
    assert not response.cookies
    assert "Set-Cookie" not in response.headers


def test_widget_token_is_signed_for_its_page(client, town_a):
    page = factories.facility(town_a)
    html = client.get(page.url, HTTP_HOST=town_a.site.hostname).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    assert feedback.token_age(token, page.pk) < 60


def test_index_pages_do_not_ask_for_feedback(client, town_a):
    index = town_a.index("municipal", "NoticeIndexPage")
    response = client.get(index.url, HTTP_HOST=town_a.site.hostname)
    assert QUESTION not in response.content.decode()


def test_thanks_replaces_the_form_after_posting(client, town_a):
    page = factories.notice(town_a)
    response = client.get(f"{page.url}?feedback=thanks", HTTP_HOST=town_a.site.hostname)
    html = response.content.decode()
    assert "ご意見ありがとうございました。" in html
    assert "feedback__form" not in html


# Accepting feedback ---------------------------------------------------------------------------


def test_rendered_widget_can_be_posted_and_saves_then_redirects_to_thanks(client, town_a, monkeypatch):
    monkeypatch.setattr(feedback, "MIN_TOKEN_AGE", 0)
    page = factories.notice(town_a)
    html = client.get(page.url, HTTP_HOST=town_a.site.hostname).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)

    response = post(client, town_a, page, rating=Rating.UNCLEAR, token=token, website="")

    assert response.status_code == 303
    assert response["Location"] == f"{page.relative_url(town_a.site)}?feedback=thanks#feedback"
    saved = PageFeedback.objects.get()
    assert (saved.page_id, saved.rating, saved.comment) == (page.pk, Rating.UNCLEAR, "")
    thanks = client.get(response["Location"], HTTP_HOST=town_a.site.hostname).content.decode()
    assert "ご意見ありがとうございました。" in thanks


def test_japanese_comment_round_trips(client, town_a):
    page = factories.service(town_a)
    comment = (
        "申請に必要な書類（マイナンバーカードの写し等）が分かりにくいです。\r\n窓口の受付時間も知りたい。"
    )

    response = post(client, town_a, page, rating=Rating.INSUFFICIENT, comment=comment)

    assert response.status_code == 303
    assert PageFeedback.objects.get().comment == comment.replace("\r\n", "\n")


def test_comment_of_exactly_500_characters_with_browser_line_breaks_is_accepted(client, town_a):
    page = factories.service(town_a)
    comment = "あ" * 249 + "\r\n" + "い" * 250

    response = post(client, town_a, page, comment=comment)

    assert response.status_code == 303
    assert len(PageFeedback.objects.get().comment) == 500


def test_same_origin_header_is_accepted(client, town_a):
    page = factories.notice(town_a)
    response = post(client, town_a, page, HTTP_ORIGIN=f"https://{town_a.site.hostname}")
    assert response.status_code == 303
    assert PageFeedback.objects.count() == 1


def test_nothing_identifying_the_reader_is_stored(client, town_a):
    page = factories.notice(town_a)
    post(client, town_a, page, REMOTE_ADDR="203.0.113.7")
    row = PageFeedback.objects.values().get()
    assert set(row) == {"id", "page_id", "rating", "comment", "created_at"}
    assert "203.0.113.7" not in str(row)


# Refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"token": None}, "ページを開き直してから"),
        ({"token": ""}, "ページを開き直してから"),
        ({"token": "tampered"}, "ページを開き直してから"),
        ({"rating": "excellent"}, "から1つ選んでください"),
        ({"rating": None}, "から1つ選んでください"),
        ({"comment": "あ" * 501}, "ご意見は500文字以内で書いてください"),
    ],
    ids=["no-token", "empty-token", "garbage-token", "bad-rating", "no-rating", "long-comment"],
)
def test_bad_input_is_refused_with_a_japanese_message_and_nothing_saved(client, town_a, data, message):
    page = factories.notice(town_a)
    response = post(client, town_a, page, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PageFeedback.objects.exists()


def test_refused_form_keeps_what_was_typed_with_a_fresh_token(client, town_a):
    page = factories.notice(town_a)
    response = post(client, town_a, page, rating=Rating.UNCLEAR, comment="受付時間は？", token="")
    html = response.content.decode()
    assert response.status_code == 400
    assert "受付時間は？</textarea>" in html
    assert 'value="unclear" required checked' in html
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    assert feedback.token_age(token, page.pk) < 60


def test_tampered_token_is_refused(client, town_a):
    page = factories.notice(town_a)
    value, timestamp, signature = token_for(page.pk).split(":")
    response = post(client, town_a, page, token=f"{value}:{timestamp}:{signature[:-1]}x")
    assert response.status_code == 400
    assert not PageFeedback.objects.exists()


def test_token_of_another_page_is_refused(client, town_a):
    page, other = factories.notice(town_a), factories.notice(town_a, title="別のお知らせ")
    response = post(client, town_a, page, token=token_for(other.pk))
    assert response.status_code == 400
    assert "ページを開き直してから" in response.content.decode()
    assert not PageFeedback.objects.exists()


def test_token_signed_for_another_purpose_is_refused(client, town_a):
    page = factories.notice(town_a)
    with mock.patch("time.time", return_value=time.time() - 60):
        token = signing.TimestampSigner().sign(str(page.pk))
    response = post(client, town_a, page, token=token)
    assert response.status_code == 400
    assert not PageFeedback.objects.exists()


def test_post_faster_than_a_person_reads_is_refused(client, town_a):
    page = factories.notice(town_a)
    response = post(client, town_a, page, token=feedback.sign_page(page.pk))
    assert response.status_code == 400
    assert "送信が早すぎます" in response.content.decode()
    assert not PageFeedback.objects.exists()


def test_token_older_than_a_day_is_refused_but_an_hour_old_cached_page_is_fine(client, town_a):
    page = factories.notice(town_a)
    response = post(client, town_a, page, token=token_for(page.pk, age=feedback.MAX_TOKEN_AGE + 60))
    assert response.status_code == 400
    assert "時間がたちすぎました" in response.content.decode()
    assert not PageFeedback.objects.exists()

    assert post(client, town_a, page, token=token_for(page.pk, age=3600)).status_code == 303


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example.com"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_REFERER": "https://evil.example.com/page"},
        {"HTTP_ORIGIN": "https://tachikawa.example.jp"},
    ],
    ids=["other-origin", "null-origin", "other-referer", "other-town"],
)
def test_cross_origin_post_is_forbidden(client, town_a, headers):
    page = factories.notice(town_a)
    response = post(client, town_a, page, **headers)
    assert response.status_code == 403
    assert "このサイトのページからのみ送信できます" in response.content.decode()
    assert not PageFeedback.objects.exists()


def test_draft_page_does_not_accept_feedback(client, town_a):
    page = factories.notice(town_a)
    page.unpublish()
    assert post(client, town_a, page).status_code == 404
    assert not PageFeedback.objects.exists()


def test_private_page_does_not_accept_feedback(client, town_a):
    page = factories.notice(town_a)
    PageViewRestriction.objects.create(page=page, restriction_type="password", password="himitsu")
    assert post(client, town_a, page).status_code == 404
    assert not PageFeedback.objects.exists()


def test_other_towns_page_does_not_accept_feedback_through_this_town(client, town_a, town_b):
    page_b = factories.notice(town_b)
    assert post(client, town_a, page_b).status_code == 404
    assert not PageFeedback.objects.exists()
    assert post(client, town_b, page_b).status_code == 303


def test_section_page_does_not_accept_feedback(client, town_a):
    section = town_a.sections["regional"]
    assert post(client, town_a, section).status_code == 404


def test_get_is_not_allowed(client, town_a):
    page = factories.notice(town_a)
    response = client.get(reverse("page_feedback", args=[page.pk]), HTTP_HOST=town_a.site.hostname)
    assert response.status_code == 405


def test_filled_honeypot_is_thanked_but_not_saved(client, town_a):
    page = factories.notice(town_a)
    response = post(client, town_a, page, website="https://spam.example.com")
    assert response.status_code == 200
    assert "ご意見ありがとうございました。" in response.content.decode()
    assert not PageFeedback.objects.exists()


# Rate limits ----------------------------------------------------------------------------------


def test_feedback_is_rate_limited_per_address(client, town_a):
    pages = [factories.notice(town_a, title=f"お知らせ{n}") for n in range(feedback.POSTS_PER_ADDRESS + 1)]
    for page in pages[:-1]:
        assert post(client, town_a, page, REMOTE_ADDR="198.51.100.1").status_code == 303

    response = post(client, town_a, pages[-1], REMOTE_ADDR="198.51.100.1")

    assert response.status_code == 429
    assert "10分ほどたってから、もう一度お試しください" in response.content.decode()
    assert PageFeedback.objects.count() == feedback.POSTS_PER_ADDRESS
    assert post(client, town_a, pages[-1], REMOTE_ADDR="198.51.100.2").status_code == 303


def test_refused_posts_count_towards_the_address_limit(client, town_a):
    page = factories.notice(town_a)
    for _attempt in range(feedback.POSTS_PER_ADDRESS):
        assert post(client, town_a, page, token="").status_code == 400
    assert post(client, town_a, page).status_code == 429
    assert not PageFeedback.objects.exists()


def test_one_answer_per_page_per_address(client, town_a):
    page = factories.notice(town_a)
    assert post(client, town_a, page).status_code == 303

    response = post(client, town_a, page, rating=Rating.UNCLEAR)

    assert response.status_code == 429
    assert "このページへのご意見は、さきほど受け付けました" in response.content.decode()
    assert PageFeedback.objects.count() == 1


def test_address_is_kept_only_as_a_keyed_hash(client, town_a):
    page = factories.notice(town_a)
    post(client, town_a, page, REMOTE_ADDR="192.0.2.44")
    keys = list(cache._cache)
    assert keys
    assert not any("192.0.2.44" in key for key in keys)


# Editors --------------------------------------------------------------------------------------


def give_feedback(page, *ratings_and_comments):
    for rating, comment in ratings_and_comments:
        feedback.save_feedback(page, rating, comment)


def test_page_feedback_view_shows_counts_and_comments_to_an_editor_of_the_page(client, town_a, make_member):
    page = factories.article(town_a)
    give_feedback(
        page,
        (Rating.UNCLEAR, "地図がほしいです"),
        (Rating.UNCLEAR, ""),
        (Rating.USEFUL, ""),
        (Rating.INSUFFICIENT, "駐車場の有無を知りたい"),
    )
    client.force_login(make_member(town_a, "npo_editor"))

    response = client.get(reverse("portal_pages_feedback:page", args=[page.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    counts = dict(response.context["rating_counts"])
    assert counts == {"役に立った": 1, "わかりにくい": 2, "情報が足りない": 1}
    assert '<th scope="row">わかりにくい</th><td>2</td>' in html
    assert "地図がほしいです" in html and "駐車場の有無を知りたい" in html


def test_page_feedback_view_is_forbidden_to_another_towns_editor(client, town_a, town_b, make_member):
    page = factories.article(town_a)
    give_feedback(page, (Rating.UNCLEAR, "三鷹のご意見"))
    client.force_login(make_member(town_b, "npo_editor"))

    response = client.get(reverse("portal_pages_feedback:page", args=[page.pk]))

    assert response.status_code == 403
    assert "読者の声を見る権限がありません" in response.content.decode()
    assert "三鷹のご意見" not in response.content.decode()


def test_page_feedback_view_is_forbidden_to_a_reporter_who_cannot_edit_the_page(client, town_a, make_member):
    page = factories.article(town_a)
    client.force_login(make_member(town_a, "citizen_reporter"))
    assert client.get(reverse("portal_pages_feedback:page", args=[page.pk])).status_code == 403


def test_page_feedback_view_is_open_to_the_reporter_who_owns_the_page(client, town_a, make_member):
    reporter = make_member(town_a, "citizen_reporter")
    page = factories.article(town_a, owner=reporter)
    client.force_login(reporter)
    assert client.get(reverse("portal_pages_feedback:page", args=[page.pk])).status_code == 200


def test_page_feedback_view_is_forbidden_to_municipal_staff_for_a_regional_page(client, town_a, make_member):
    page = factories.article(town_a)
    client.force_login(make_member(town_a, "municipal_staff"))
    assert client.get(reverse("portal_pages_feedback:page", args=[page.pk])).status_code == 403


def test_page_editor_links_to_the_page_feedback(client, town_a, make_member):
    page = factories.article(town_a)
    client.force_login(make_member(town_a, "npo_editor"))
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert reverse("portal_pages_feedback:page", args=[page.pk]) in response.content.decode()


def test_report_ranks_pages_by_unclear_and_omits_other_towns(client, town_a, town_b, make_member):
    clear = factories.article(town_a, title="わかりやすい記事")
    muddled = factories.article(town_a, title="わかりにくい記事")
    somewhat = factories.facility(town_a, title="少しわかりにくい施設")
    municipal = factories.notice(town_a, title="行政のお知らせ")
    other_town = factories.article(town_b, title="立川の記事")
    give_feedback(clear, (Rating.USEFUL, ""), (Rating.USEFUL, "よかった"))
    give_feedback(muddled, *[(Rating.UNCLEAR, "")] * 3, (Rating.INSUFFICIENT, "日時が書いていない"))
    give_feedback(somewhat, (Rating.UNCLEAR, ""))
    give_feedback(municipal, *[(Rating.UNCLEAR, "")] * 5)
    give_feedback(other_town, *[(Rating.UNCLEAR, "")] * 9)
    client.force_login(make_member(town_a, "npo_editor"))

    response = client.get(reverse("portal_pages_feedback:report"))

    assert response.status_code == 200
    rows = list(response.context["object_list"])
    assert [page.title for page in rows] == ["わかりにくい記事", "少しわかりにくい施設", "わかりやすい記事"]
    assert (rows[0].unclear_count, rows[0].insufficient_count, rows[0].useful_count) == (3, 1, 0)
    assert rows[2].last_comment_at is not None and rows[1].last_comment_at is None
    html = response.content.decode()
    assert "立川の記事" not in html and "行政のお知らせ" not in html
    assert "わかりにくい" in html and "最新のご意見" in html


def test_report_is_forbidden_to_staff_without_page_rights(client, town_a, make_member):
    client.force_login(make_member(town_a, "moderator"))
    assert client.get(reverse("portal_pages_feedback:report")).status_code == 403


def test_report_queries_do_not_grow_with_the_number_of_pages(client, town_a, make_member):
    client.force_login(make_member(town_a, "npo_editor"))
    url = reverse("portal_pages_feedback:report")

    def count_queries():
        client.get(url)  # warm per-user permission caches the same way for both runs
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    for n in range(2):
        give_feedback(factories.article(town_a, title=f"記事{n}"), (Rating.UNCLEAR, "わかりにくい"))
    few = count_queries()
    for n in range(2, 8):
        give_feedback(factories.facility(town_a, title=f"施設{n}"), (Rating.USEFUL, ""))
    assert count_queries() == few
