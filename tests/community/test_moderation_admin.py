"""The moderators' screens in the Wagtail admin (掲示板の管理 / モデレーション)."""

import json

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community import services
from community.models import Board, ModerationLog, Post, Report, Suspension, Thread
from portal_pages.models import ArticleComment

from ..factories import member_of
from ..portal_pages import factories

pytestmark = pytest.mark.django_db

BODY = "夜泣きがひどくて困っています。みなさんはどうしていますか。"
REASON = "ほかの人を傷つける表現が含まれているため掲載できません。"


def url(name, *args):
    return reverse(f"community_moderation:{name}", args=args)


def html(response):
    return response.content.decode()


def board_of(town):
    return Board.objects.filter(site=town.site, private=False).first()


@pytest.fixture
def moderator(town_a):
    return member_of(town_a, "moderator", nickname="見守り係")


@pytest.fixture
def as_moderator(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def author(town_a):
    return member_of(town_a, "member", nickname="ひよこママ", first_name="花子", last_name="山田")


def new_post(town, author, body=BODY, title="夜泣きについて"):
    return services.start_thread(board_of(town), author, title, body)


def comment_on(page, user, text="はじめてコメントします。"):
    """A comment waiting for a moderator (as ``portal_pages.comments`` leaves a new member's)."""
    return ArticleComment.objects.create(
        content_object=page,
        site_id=1,
        comment=text,
        user=user,
        user_name=user.username,
        user_email=user.email,
        is_public=False,
    )


# Who gets in ------------------------------------------------------------------------------------


def test_moderator_sees_own_towns_waiting_posts_and_not_other_towns(as_moderator, town_a, town_b, author):
    mine = new_post(town_a, author, body="三鷹の公園で遊べる場所を教えてください。")
    other = new_post(town_b, member_of(town_b, "member"), body="立川の児童館の開館時間は？")
    assert mine.status == Post.Status.PENDING

    response = as_moderator.get(url("queue"))

    assert response.status_code == 200
    page = html(response)
    assert "三鷹の公園で遊べる場所" in page
    assert "立川の児童館" not in page
    assert "ひよこママ" in page
    assert url("member", author.pk) in page
    assert other.pk  # (the other town's post exists, it is just not listed)


@pytest.mark.parametrize("role", ["citizen_reporter", "counsellor", "blogger"])
def test_admin_user_without_moderator_role_gets_japanese_403(client, town_a, author, role):
    post = new_post(town_a, author)
    client.force_login(member_of(town_a, role))
    for target in (url("queue"), url("threads"), url("log"), url("edit_post", post.pk)):
        response = client.get(target)
        assert response.status_code == 403
        assert "権限がありません" in html(response)
    assert client.post(url("approve", "post", post.pk)).status_code == 403
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING


def test_plain_member_cannot_enter(client, town_a, author):
    client.force_login(author)
    response = client.get(url("queue"))
    assert response.status_code in (302, 403)
    assert "確認待ちの投稿" not in html(response)


def test_moderator_of_other_town_gets_404(client, town_a, town_b, author):
    post = new_post(town_a, author)
    client.force_login(member_of(town_b, "moderator"))

    assert client.get(url("edit_post", post.pk)).status_code == 404
    assert client.post(url("approve", "post", post.pk)).status_code == 404
    assert client.post(url("reject", "post", post.pk), {"reason": REASON}).status_code == 404
    assert client.post(url("thread_flags", post.thread_id), {"pinned": "1"}).status_code == 404
    assert client.get(url("member", author.pk)).status_code == 404
    assert client.get(url("queue"), {"town": town_a.site.pk}).status_code == 404
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING
    assert not Thread.objects.get(pk=post.thread_id).pinned


def test_moderator_of_two_towns_picks_with_town_parameter(client, town_a, town_b, author):
    user = member_of(town_a, "moderator")
    user.groups.add(town_b.group("site_admin"))
    new_post(town_a, author, body="三鷹の投稿です。")
    new_post(town_b, member_of(town_b, "member"), body="立川の投稿です。")
    client.force_login(user)

    assert "立川の投稿です" in html(client.get(url("queue"), {"town": town_b.site.pk}))
    assert "三鷹の投稿です" not in html(client.get(url("queue"), {"town": town_b.site.pk}))
    assert "三鷹の投稿です" in html(client.get(url("queue"), {"town": town_a.site.pk}))
    picker = html(client.get(url("queue"), {"town": town_b.site.pk}))
    assert '<label for="moderation-town">自治体</label>' in picker
    assert f'<option value="{town_b.site.pk}" selected>' in picker
    assert f'<option value="{town_a.site.pk}">' in picker


def test_menu_shows_moderation_with_count_only_to_moderators(client, town_a, author, moderator):
    new_post(town_a, author)
    new_post(town_a, author, title="二つ目")
    client.force_login(moderator)
    page = html(client.get(reverse("wagtailadmin_home")))
    # The sidebar is JSON in the page, with its Japanese escaped.
    assert json.dumps("モデレーション（2件）") in page
    assert json.dumps("/admin/moderation/") in page

    client.force_login(member_of(town_a, "citizen_reporter"))
    assert '"name": "moderation"' not in html(client.get(reverse("wagtailadmin_home")))


# The queue --------------------------------------------------------------------------------------


def test_queue_shows_hold_reasons_and_report_reasons(as_moderator, town_a, author, moderator):
    held = new_post(town_a, author, body="電話は090-1234-5678までどうぞ")
    assert held.status == Post.Status.HELD
    published = new_post(town_a, moderator, body="ここに集まりましょう")
    assert published.status == Post.Status.PUBLISHED
    for index in range(3):
        services.report(published, member_of(town_a, "member"), Report.Reason.ABUSE if index else "spam")
    published.refresh_from_db()
    assert published.status == Post.Status.HIDDEN

    page = html(as_moderator.get(url("queue")))

    assert "電話番号のような数字が含まれています。" in page
    assert "未確認の通報 3件" in page
    assert "誹謗中傷・いやがらせ（2）" in page
    assert "宣伝・スパム（1）" in page

    held_only = html(as_moderator.get(url("queue"), {"kind": "held"}))
    assert "090-1234-5678" in held_only
    assert "ここに集まりましょう" not in held_only


def test_queue_escapes_the_body_and_hides_private_data(as_moderator, town_a, author):
    new_post(town_a, author, body="<script>alert(1)</script>こんにちは")
    page = html(as_moderator.get(url("queue")))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert author.email not in page
    assert "山田" not in page and "花子" not in page


def test_queue_filters_by_board(as_moderator, town_a, author):
    first, second = Board.objects.filter(site=town_a.site, private=False)[:2]
    services.start_thread(first, author, "一つ目の掲示板", "一つ目の本文です")
    services.start_thread(second, author, "二つ目の掲示板", "二つ目の本文です")
    page = html(as_moderator.get(url("queue"), {"board": second.pk}))
    assert "二つ目の本文です" in page
    assert "一つ目の本文です" not in page


def test_queue_queries_do_not_grow_with_the_number_of_posts(as_moderator, town_a):
    page = factories.article(town_a)

    def count_for(number):
        authors = [member_of(town_a, "member") for _ in range(3)]
        for index in range(number):
            new_post(town_a, authors[index % 3], body=f"投稿 {index} 電話 090-1234-{5000 + index}")
            comment_on(page, authors[index % 3], f"コメント {index}")
        as_moderator.get(url("queue"))  # warm the caches (sessions, site settings)
        with CaptureQueriesContext(connection) as queries:
            response = as_moderator.get(url("queue"))
        assert response.status_code == 200
        return len(queries)

    few = count_for(5)
    many = count_for(25)  # 30 posts and 30 comments in all
    assert Post.objects.filter(status__in=Post.WAITING).count() == 30
    assert many <= few


def test_approve_publishes_the_post_and_logs_the_moderator(as_moderator, town_a, author, moderator):
    post = new_post(town_a, author)

    response = as_moderator.post(url("approve", "post", post.pk))

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert post.moderated_by == moderator
    log = ModerationLog.objects.get(target_kind="post", target_id=post.pk)
    assert log.action == ModerationLog.Action.APPROVE
    assert log.actor == moderator
    assert log.site == town_a.site


def test_reject_requires_a_reason(as_moderator, town_a, author):
    post = new_post(town_a, author)

    response = as_moderator.post(url("reject", "post", post.pk), {"reason": "  "})

    assert response.status_code == 400
    assert "却下の理由を入力してください" in html(response)
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING
    assert not ModerationLog.objects.filter(target_id=post.pk).exists()


def test_reject_emails_the_author_the_reason_without_the_body(
    as_moderator, town_a, author, moderator, django_capture_on_commit_callbacks
):
    post = new_post(town_a, author)
    page = html(as_moderator.get(url("reject", "post", post.pk)))
    assert "却下の理由" in page and BODY in page

    with django_capture_on_commit_callbacks(execute=True):
        response = as_moderator.post(url("reject", "post", post.pk), {"reason": REASON})

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == Post.Status.REJECTED
    assert post.rejection_reason == REASON
    assert ModerationLog.objects.get(target_id=post.pk, action="reject").actor == moderator
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [author.email]
    assert REASON in message.body
    assert BODY not in message.body and BODY not in message.subject


def test_bulk_approve_of_three_posts(as_moderator, town_a, author, moderator):
    posts = [new_post(town_a, author, title=f"スレッド{index}") for index in range(4)]
    chosen = posts[:3]

    response = as_moderator.post(
        url("queue"), {"action": "approve", "items": [f"post:{post.pk}" for post in chosen]}, follow=True
    )

    assert "投稿3件とコメント0件を承認しました。" in html(response)
    statuses = dict(Post.objects.filter(pk__in=[p.pk for p in posts]).values_list("pk", "status"))
    assert [statuses[p.pk] for p in chosen] == [Post.Status.PUBLISHED] * 3
    assert statuses[posts[3].pk] == Post.Status.PENDING
    assert ModerationLog.objects.filter(action="approve", actor=moderator).count() == 3


def test_bulk_reject_with_one_reason(as_moderator, town_a, author, django_capture_on_commit_callbacks):
    posts = [new_post(town_a, author, title=f"スレッド{index}") for index in range(2)]
    items = [f"post:{post.pk}" for post in posts]

    response = as_moderator.post(
        url("queue"), {"action": "reject", "items": items, "reason": ""}, follow=True
    )
    assert "却下の理由を入力してください" in html(response)
    assert not Post.objects.filter(pk__in=[p.pk for p in posts], status=Post.Status.REJECTED).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = as_moderator.post(
            url("queue"), {"action": "reject", "items": items, "reason": REASON}, follow=True
        )
    assert "投稿2件とコメント0件を却下しました。" in html(response)
    assert set(
        Post.objects.filter(pk__in=[p.pk for p in posts]).values_list("rejection_reason", flat=True)
    ) == {REASON}
    assert len(mail.outbox) == 2


def test_bulk_ignores_posts_of_other_towns(as_moderator, town_a, town_b):
    other = new_post(town_b, member_of(town_b, "member"))
    as_moderator.post(url("queue"), {"action": "approve", "items": [f"post:{other.pk}", "bogus:1"]})
    other.refresh_from_db()
    assert other.status == Post.Status.PENDING


def test_moderator_edit_changes_body_and_logs_reason(as_moderator, town_a, author, moderator):
    post = new_post(town_a, author, body="電話は090-1234-5678です")
    page = html(as_moderator.get(url("edit_post", post.pk)))
    assert "電話番号のような数字が含まれています。" in page
    assert 'for="id_body"' in page and 'for="id_reason"' in page

    response = as_moderator.post(
        url("edit_post", post.pk), {"body": "電話は（削除しました）です", "reason": "電話番号を削除"}
    )

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == "電話は（削除しました）です"
    assert post.hold_reasons == ""
    assert post.status == Post.Status.HELD
    log = ModerationLog.objects.get(target_id=post.pk, action="edit")
    assert (log.actor, log.reason) == (moderator, "電話番号を削除")


# Threads ----------------------------------------------------------------------------------------


def test_pin_and_lock_a_thread(as_moderator, town_a, moderator):
    post = new_post(town_a, moderator, title="お知らせ：掲示板の使い方")
    thread = post.thread
    page = html(as_moderator.get(url("threads")))
    assert "お知らせ：掲示板の使い方" in page

    as_moderator.post(url("thread_flags", thread.pk), {"pinned": "1"})
    as_moderator.post(url("thread_flags", thread.pk), {"locked": "1"})
    thread.refresh_from_db()
    assert thread.pinned and thread.locked
    assert "固定中" in html(as_moderator.get(url("threads")))

    as_moderator.post(url("thread_flags", thread.pk), {"pinned": "0", "locked": "0"})
    thread.refresh_from_db()
    assert not thread.pinned and not thread.locked
    actions = list(ModerationLog.objects.filter(target_kind="thread").values_list("action", flat=True))
    assert sorted(actions) == sorted(["pin", "lock", "unpin", "unlock"])


# Members ----------------------------------------------------------------------------------------


def test_member_page_shows_nickname_and_counts_never_email_or_real_name(as_moderator, town_a, author):
    approved = new_post(town_a, author, title="承認される")
    rejected = new_post(town_a, author, title="却下される")
    new_post(town_a, author, title="待っている")
    admin = member_of(town_a, "site_admin")
    services.approve(approved, admin)
    services.reject(rejected, admin, REASON)

    response = as_moderator.get(url("member", author.pk))

    assert response.status_code == 200
    page = html(response)
    assert "ひよこママ" in page and author.username in page
    assert author.email not in page
    assert "山田" not in page and "花子" not in page
    assert "公開された投稿" in page


def test_suspend_then_member_cannot_post_then_unsuspend(as_moderator, town_a, author, moderator):
    response = as_moderator.post(url("member", author.pk), {"action": "suspend", "reason": ""})
    assert response.status_code == 400
    assert "投稿停止の理由を入力してください" in html(response)
    assert not Suspension.objects.filter(user=author).exists()

    response = as_moderator.post(url("member", author.pk), {"action": "suspend", "reason": "荒らし行為"})
    assert response.status_code == 302
    assert Suspension.objects.get(user=author, site=town_a.site).suspended_by == moderator
    assert "停止中" in html(as_moderator.get(url("member", author.pk)))
    with pytest.raises(services.Refused):
        new_post(town_a, author)

    as_moderator.post(url("member", author.pk), {"action": "unsuspend"})
    assert not Suspension.objects.filter(user=author).exists()
    assert new_post(town_a, author).pk
    actions = ModerationLog.objects.filter(target_kind="member", target_id=author.pk)
    assert set(actions.values_list("action", "actor")) == {
        ("suspend", moderator.pk),
        ("unsuspend", moderator.pk),
    }


def test_moderator_cannot_be_suspended(as_moderator, town_a, moderator):
    other = member_of(town_a, "moderator")
    new_post(town_a, other)
    response = as_moderator.post(
        url("member", other.pk), {"action": "suspend", "reason": "テスト"}, follow=True
    )
    assert "投稿停止にできません" in html(response)
    assert not Suspension.objects.filter(user=other).exists()


# The log ----------------------------------------------------------------------------------------


def test_log_lists_actions_newest_first(as_moderator, town_a, author, moderator):
    first = new_post(town_a, author, title="一つ目")
    second = new_post(town_a, author, title="二つ目")
    as_moderator.post(url("approve", "post", first.pk))
    as_moderator.post(url("reject", "post", second.pk), {"reason": "宣伝のため"})

    response = as_moderator.get(url("log"))

    assert response.status_code == 200
    page = html(response)
    assert "モデレーション記録" in page
    assert "見守り係" in page
    assert page.index("宣伝のため") < page.index(f"投稿 #{first.pk}")
    assert "承認" in page and "却下" in page


# Comments ---------------------------------------------------------------------------------------


def test_queue_lists_waiting_comments_of_own_town_only(as_moderator, town_a, town_b, author):
    comment_on(factories.article(town_a), author, "雨の日に助かりました。")
    comment_on(factories.article(town_b, title="立川の記事"), member_of(town_b, "member"), "立川のコメント")

    page = html(as_moderator.get(url("queue")))

    assert "コメント" in page
    assert "雨の日に助かりました。" in page
    assert "雨の日の児童館めぐり" in page
    assert "ひよこママ" in page
    assert author.email not in page
    assert "立川のコメント" not in page


def test_approve_and_reject_a_comment(
    as_moderator, town_a, author, moderator, django_capture_on_commit_callbacks
):
    article = factories.article(town_a)
    good = comment_on(article, author, "とても参考になりました。")
    bad = comment_on(article, author, "ひどいコメント本文")

    as_moderator.post(url("approve", "comment", good.pk))
    good.refresh_from_db()
    assert good.is_public

    response = as_moderator.post(url("reject", "comment", bad.pk), {"reason": ""})
    assert response.status_code == 400
    bad.refresh_from_db()
    assert not bad.is_removed

    with django_capture_on_commit_callbacks(execute=True):
        as_moderator.post(url("reject", "comment", bad.pk), {"reason": REASON})
    bad.refresh_from_db()
    assert bad.is_removed and not bad.is_public
    assert REASON in mail.outbox[-1].body
    assert "ひどいコメント本文" not in mail.outbox[-1].body
    logged = ModerationLog.objects.filter(target_kind="comment", actor=moderator)
    assert set(logged.values_list("action", "target_id")) == {("approve", good.pk), ("reject", bad.pk)}


def test_bulk_approve_posts_and_comments_together(as_moderator, town_a, author):
    post = new_post(town_a, author)
    comment = comment_on(factories.article(town_a), author)

    response = as_moderator.post(
        url("queue"),
        {"action": "approve", "items": [f"post:{post.pk}", f"comment:{comment.pk}"]},
        follow=True,
    )

    assert "投稿1件とコメント1件を承認しました。" in html(response)
    post.refresh_from_db()
    comment.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert comment.is_public


def test_moderator_of_other_town_gets_404_on_comment(client, town_a, town_b, author):
    comment = comment_on(factories.article(town_a), author)
    client.force_login(member_of(town_b, "moderator"))

    assert client.post(url("approve", "comment", comment.pk)).status_code == 404
    assert client.get(url("reject", "comment", comment.pk)).status_code == 404
    client.post(url("queue"), {"action": "approve", "items": [f"comment:{comment.pk}"]})
    comment.refresh_from_db()
    assert not comment.is_public
