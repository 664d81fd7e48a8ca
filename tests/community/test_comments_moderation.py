"""Comments on articles and blog posts follow the boards' trust rules; moderators decide the rest."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django_comments import get_form

from community import services
from community.comment_moderation import approve_comment, reject_comment, waiting_comments
from community.models import CommunitySettings, ModerationLog, Suspension
from community.pages import BlogPostPage, ensure_blog
from portal_pages.models import ArticleComment
from tests.portal_pages import factories

pytestmark = pytest.mark.django_db

PHONE = "くわしくは090-1234-5678まで電話ください。"


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()


def trust_everyone(town):
    settings_obj = CommunitySettings.for_site(town.site)
    settings_obj.trusted_after = 0
    settings_obj.save()


def send(client, town, page, comment="雨の日に助かりました。", **fields):
    data = get_form()(page).generate_security_data()
    data.update({"comment": comment, "name": "さくらママ", "reply_to": "0", **fields})
    return client.post(reverse("comments-post-comment"), data, HTTP_HOST=town.site.hostname)


def comment_on(page, text="はじめて書きます。", **fields):
    fields.setdefault("user_name", "さくらママ")
    fields.setdefault("user_email", "parent@example.jp")
    fields.setdefault("is_public", False)
    return ArticleComment.objects.create(content_object=page, site_id=1, comment=text, **fields)


def blog_post(town, blogger, title="双子と公園へ"):
    blog = ensure_blog(blogger, town.site)
    post = BlogPostPage(title=title, slug="koen", body="<p>広い公園でした。</p>", owner=blogger)
    blog.add_child(instance=post)
    post.save_revision(user=blogger).publish(skip_permission_checks=True)
    post.refresh_from_db()
    return post


# Who waits ------------------------------------------------------------------------------------


def test_new_members_comment_waits(client, town_a, make_member):
    article = factories.article(town_a)
    client.force_login(make_member(town_a, "member"))

    send(client, town_a, article, comment="はじめて書きます。")

    assert ArticleComment.objects.get().is_public is False


def test_trusted_members_comment_shows_at_once(client, town_a, make_member):
    trust_everyone(town_a)
    article = factories.article(town_a)
    client.force_login(make_member(town_a, "member", nickname="はるパパ"))

    send(client, town_a, article, comment="パパ向けの会、また行きます。")

    assert ArticleComment.objects.get().is_public is True
    assert (
        "パパ向けの会、また行きます。"
        in client.get(article.url, HTTP_HOST=town_a.site.hostname).content.decode()
    )


def test_member_with_approved_posts_and_comments_is_trusted(client, town_a, make_member):
    article = factories.article(town_a)
    member = make_member(town_a, "member")
    for n in range(CommunitySettings.for_site(town_a.site).trusted_after):
        comment_on(article, f"以前のコメント{n}", user=member, is_public=True)
    client.force_login(member)

    send(client, town_a, article, comment="また来ます。")

    assert ArticleComment.objects.get(comment="また来ます。").is_public is True


def test_phone_number_waits_even_from_a_trusted_member(client, town_a, make_member):
    trust_everyone(town_a)
    article = factories.article(town_a)
    client.force_login(make_member(town_a, "member"))

    send(client, town_a, article, comment=PHONE)

    assert ArticleComment.objects.get().is_public is False


def test_suspended_member_cannot_comment(client, town_a, make_member):
    trust_everyone(town_a)
    article = factories.article(town_a)
    member = make_member(town_a, "member")
    Suspension.objects.create(user=member, site=town_a.site, reason="誹謗中傷")
    client.force_login(member)

    response = send(client, town_a, article)

    assert response.status_code == 403
    assert "停止されています" in response.content.decode()
    assert not ArticleComment.objects.exists()


def test_suspension_in_another_town_does_not_stop_comments(client, town_a, town_b, make_member):
    trust_everyone(town_a)
    article = factories.article(town_a)
    member = make_member(town_a, "member")
    Suspension.objects.create(user=member, site=town_b.site, reason="別の町")
    client.force_login(member)

    assert send(client, town_a, article).status_code == 302
    assert ArticleComment.objects.get().is_public is True


def test_anonymous_comment_with_personal_data_waits_even_after_approvals(client, town_a):
    article = factories.article(town_a)
    for n in range(3):
        comment_on(article, f"以前{n}", user_email="regular@example.jp", is_public=True)

    send(client, town_a, article, comment="また行きます。", email="regular@example.jp")
    send(client, town_a, article, comment=PHONE, email="regular@example.jp")
    for message in mail.outbox:
        link = re.search(r"http://mitaka\.example\.jp(/comments/confirm/\S+/)", message.body).group(1)
        client.get(link, HTTP_HOST=town_a.site.hostname)

    assert ArticleComment.objects.get(comment="また行きます。").is_public is True
    assert ArticleComment.objects.get(comment=PHONE).is_public is False


# Blog posts take comments under the same rules -----------------------------------------------


def test_blog_post_comments_follow_the_same_rules(client, town_a, make_member):
    post = blog_post(town_a, make_member(town_a, "blogger", nickname="ふたごパパ"))
    newcomer = make_member(town_a, "member")
    client.force_login(newcomer)
    html = client.get(post.url, HTTP_HOST=town_a.site.hostname).content.decode()
    assert "コメントを書く" in html and 'name="comment"' in html

    send(client, town_a, post, comment="うちも双子です。")
    assert ArticleComment.objects.get(comment="うちも双子です。").is_public is False

    trust_everyone(town_a)
    send(client, town_a, post, comment="参考になりました。")
    assert ArticleComment.objects.get(comment="参考になりました。").is_public is True
    assert "参考になりました。" in client.get(post.url, HTTP_HOST=town_a.site.hostname).content.decode()


def test_anonymous_readers_are_asked_to_sign_in_to_comment_on_a_blog(client, town_a, make_member):
    post = blog_post(town_a, make_member(town_a, "blogger"))
    html = client.get(post.url, HTTP_HOST=town_a.site.hostname).content.decode()
    assert "サインイン" in html and 'name="comment"' not in html


# The moderators' queue ------------------------------------------------------------------------


def test_waiting_comments_are_those_of_the_towns_pages(town_a, town_b, make_member):
    article_a = factories.article(town_a)
    post_a = blog_post(town_a, make_member(town_a, "blogger"))
    article_b = factories.article(town_b)
    waiting_a = comment_on(article_a, "三鷹の記事へ")
    waiting_blog = comment_on(post_a, "三鷹のブログへ")
    comment_on(article_a, "公開済み", is_public=True)
    comment_on(article_a, "削除済み", is_removed=True)
    comment_on(article_b, "立川の記事へ")

    assert list(waiting_comments(town_a.site)) == [waiting_a, waiting_blog]
    assert [c.comment for c in waiting_comments(town_b.site)] == ["立川の記事へ"]


def test_moderator_approves_a_comment_and_it_is_logged(
    town_a, make_member, django_capture_on_commit_callbacks
):
    moderator = make_member(town_a, "moderator")
    article = factories.article(town_a)
    comment_on(article, "前からのコメント", user_email="follower@example.jp", is_public=True, followup=True)
    comment = comment_on(article)

    with django_capture_on_commit_callbacks(execute=True):
        approve_comment(comment, moderator)

    comment.refresh_from_db()
    assert comment.is_public is True and not waiting_comments(town_a.site).exists()
    log = ModerationLog.objects.get()
    assert (log.action, log.target_kind, log.target_id, log.actor) == (
        "approve",
        "comment",
        comment.pk,
        moderator,
    )
    assert log.site == town_a.site


def test_moderator_rejects_a_comment_and_the_commenter_gets_the_reason_only(
    town_a, make_member, django_capture_on_commit_callbacks
):
    moderator = make_member(town_a, "moderator")
    member = make_member(town_a, "member", email="commenter@example.jp")
    comment = comment_on(factories.article(town_a), "ここに悪口を書きました。", user=member)

    with django_capture_on_commit_callbacks(execute=True):
        reject_comment(comment, moderator, "ほかの方を傷つける表現があるため")

    comment.refresh_from_db()
    assert comment.is_removed is True and comment.is_public is False
    log = ModerationLog.objects.get()
    assert (log.action, log.target_kind, log.reason) == (
        "reject",
        "comment",
        "ほかの方を傷つける表現があるため",
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["commenter@example.jp"]
    assert "ほかの方を傷つける表現があるため" in message.body
    assert "悪口" not in message.body and "悪口" not in message.subject


def test_rejection_needs_a_reason(town_a, make_member):
    comment = comment_on(factories.article(town_a))
    with pytest.raises(services.Refused):
        reject_comment(comment, make_member(town_a, "moderator"), " ")


@pytest.mark.parametrize("role", ["member", "npo_editor", "blogger"])
def test_non_moderators_cannot_approve_or_reject(town_a, make_member, role):
    comment = comment_on(factories.article(town_a))
    user = make_member(town_a, role)

    with pytest.raises(services.Refused):
        approve_comment(comment, user)
    with pytest.raises(services.Refused):
        reject_comment(comment, user, "理由")

    comment.refresh_from_db()
    assert comment.is_public is False and comment.is_removed is False
    assert not ModerationLog.objects.exists()


def test_another_towns_moderator_cannot_approve(town_a, town_b, make_member):
    comment = comment_on(factories.article(town_a))
    with pytest.raises(services.Refused):
        approve_comment(comment, make_member(town_b, "moderator"))
