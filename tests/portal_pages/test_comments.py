"""Comments on articles: threaded, new commenters held for approval, no private data shown."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django_comments import get_form

from portal_pages.comments import POST_LIMIT, TRUSTED_AFTER
from portal_pages.models import ArticleComment

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()


def form_data(page, **fields):
    data = get_form()(page).generate_security_data()
    data.update({"comment": "雨の日に助かりました。", "name": "さくらママ", "reply_to": "0", **fields})
    return data


def post(client, town, page, **fields):
    return client.post(
        reverse("comments-post-comment"), form_data(page, **fields), HTTP_HOST=town.site.hostname
    )


def test_articles_offer_a_japanese_comment_form_and_other_pages_do_not(client, town_a):
    article = factories.article(town_a)
    html = client.get(article.url, HTTP_HOST=town_a.site.hostname).content.decode()
    assert "コメントを書く" in html and "ニックネーム（公開されます）" in html
    assert "メールアドレス（公開されません）" in html
    notice = factories.notice(town_a)
    assert "コメントを書く" not in client.get(notice.url, HTTP_HOST=town_a.site.hostname).content.decode()


def test_anonymous_commenter_confirms_by_email_then_waits_for_approval(client, town_a):
    article = factories.article(town_a)
    response = post(client, town_a, article, email="parent@example.jp")
    assert response.status_code == 302
    assert not ArticleComment.objects.exists(), "nothing is posted before the e-mail is confirmed"
    assert len(mail.outbox) == 1
    message = mail.outbox[0].body
    assert "雨の日に助かりました。" in message
    link = re.search(r"http://mitaka\.example\.jp(/comments/confirm/\S+/)", message).group(1)

    confirmed = client.get(link, HTTP_HOST=town_a.site.hostname)
    assert confirmed.status_code == 200
    comment = ArticleComment.objects.get()
    assert comment.is_public is False, "a new commenter is held for a moderator"
    assert "モデレーターが確認してから公開されます" in confirmed.content.decode()


def test_trusted_members_comments_appear_at_once_under_their_nickname(client, town_a, make_member):
    article = factories.article(town_a)
    member = make_member(town_a, "member", nickname="はるパパ", first_name="陽", last_name="小林")
    for n in range(TRUSTED_AFTER):
        ArticleComment.objects.create(
            content_object=article, site_id=1, user=member, comment=f"以前のコメント{n}", is_public=True
        )
    client.force_login(member)
    response = post(client, town_a, article, name="はるパパ", comment="パパ向けの会、また行きます。")
    assert response.status_code == 302
    newest = ArticleComment.objects.order_by("-id").first()
    assert newest.is_public is True
    html = client.get(article.url, HTTP_HOST=town_a.site.hostname).content.decode()
    assert "パパ向けの会、また行きます。" in html
    assert "はるパパ" in html
    assert "小林" not in html and member.email not in html


def test_new_members_comment_is_held_and_not_shown(client, town_a, make_member):
    article = factories.article(town_a)
    client.force_login(make_member(town_a, "member", nickname="はじめて"))
    post(client, town_a, article, comment="はじめて書きます。")
    comment = ArticleComment.objects.get()
    assert comment.is_public is False
    html = client.get(article.url, HTTP_HOST=town_a.site.hostname).content.decode()
    assert "はじめて書きます。" not in html


def test_empty_comment_is_refused_with_the_typed_fields_kept(client, town_a):
    article = factories.article(town_a)
    response = post(client, town_a, article, comment="", email="parent@example.jp")
    assert response.status_code == 200
    html = response.content.decode()
    assert "入力内容を確認してください" in html
    assert 'value="parent@example.jp"' in html and 'value="さくらママ"' in html
    assert not ArticleComment.objects.exists()
    assert not mail.outbox


def test_tampered_security_hash_is_refused(client, town_a):
    article = factories.article(town_a)
    data = form_data(article, email="parent@example.jp", security_hash="0" * 40)
    response = client.post(reverse("comments-post-comment"), data, HTTP_HOST=town_a.site.hostname)
    assert response.status_code == 400
    assert not mail.outbox


def test_posting_is_rate_limited_per_address_with_a_japanese_message(client, town_a):
    article = factories.article(town_a)
    for n in range(POST_LIMIT):
        assert post(client, town_a, article, email=f"p{n}@example.jp").status_code == 302
    limited = post(client, town_a, article, email="late@example.jp")
    assert limited.status_code == 429
    assert "しばらくしてからお試しください" in limited.content.decode()
    assert len(mail.outbox) == POST_LIMIT


def test_replies_are_threaded(client, town_a, make_member):
    article = factories.article(town_a)
    first = ArticleComment.objects.create(
        content_object=article,
        site_id=1,
        user_name="さくらママ",
        comment="おすすめはありますか？",
        is_public=True,
    )
    ArticleComment.objects.create(
        content_object=article,
        site_id=1,
        user_name="記者",
        comment="東児童館です。",
        is_public=True,
        parent_id=first.id,
    )
    html = client.get(article.url, HTTP_HOST=town_a.site.hostname).content.decode()
    assert (
        html.index("おすすめはありますか？")
        < html.index("comment-list--replies")
        < html.index("東児童館です。")
    )


def test_the_form_as_rendered_posts_a_comment(client, town_a, make_member):
    """The hidden fields are written out by hand in the template: what the page gives is what
    the comment view accepts."""
    member = make_member(town_a, "member")
    client.force_login(member)
    article = factories.article(town_a)
    html = client.get(article.url, HTTP_HOST=town_a.site.hostname).content.decode()
    form = html[html.index('class="comment-form"') :]
    form = form[: form.index("</form>")]
    data = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', form))
    assert {"content_type", "object_pk", "timestamp", "security_hash", "reply_to", "next"} <= set(data)
    assert data["object_pk"] == str(article.pk) and data["reply_to"] == "0"
    data.update({"comment": "フォームから送りました。", "name": "さくらママ"})
    response = client.post(reverse("comments-post-comment"), data, HTTP_HOST=town_a.site.hostname)
    assert response.status_code in (200, 302)
    assert ArticleComment.objects.filter(
        comment="フォームから送りました。", object_pk=str(article.pk)
    ).exists()
