"""The members' side of the boards: reading, posting, moderation as members see it."""

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community import services
from community.models import Board, Post, Reaction, Report, Subscription, Suspension, Thread
from tests.factories import member_of

from .conftest import make_thread

pytestmark = pytest.mark.django_db


def _thread_url(thread):
    return reverse("community:thread", args=[thread.board.slug, thread.pk])


def _new_thread(client, board, host, **data):
    fields = {"title": "保育園の見学について", "body": "見学のときに何を聞けばいいですか？", **data}
    return client.post(reverse("community:new_thread", args=[board.slug]), fields, **host)


# Reading and who may read ---------------------------------------------------------------------


def test_anonymous_visitor_reads_a_public_board_and_thread(client, board, member, host):
    thread = make_thread(board, member, title="夜泣きの乗り切り方", replies=[(member, "うちは抱っこ紐です")])
    response = client.get(reverse("community:board", args=[board.slug]), **host)
    assert response.status_code == 200
    assert "夜泣きの乗り切り方" in response.content.decode()
    assert "新しいスレッドを立てる" in response.content.decode()
    response = client.get(_thread_url(thread), **host)
    page = response.content.decode()
    assert response.status_code == 200
    assert "うちは抱っこ紐です" in page
    assert "ログインして返信する" in page
    assert "no-store" in response["Cache-Control"]


def test_anonymous_visitor_is_sent_to_sign_in_to_post(client, board, member, host):
    thread = make_thread(board, member)
    response = client.get(reverse("community:new_thread", args=[board.slug]), **host)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]
    response = client.post(
        reverse("community:reply", args=[board.slug, thread.pk]), {"body": "こんにちは"}, **host
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert Post.objects.filter(thread=thread).count() == 1


def test_board_of_another_town_is_not_found(client, town_b, host):
    other = Board.objects.get(site=town_b.site, slug="age-0-2")
    thread = make_thread(other, None)
    assert client.get(reverse("community:board", args=["no-such-board"]), **host).status_code == 404
    # The slug exists in town A too, so reach town B's thread through town A's host.
    assert client.get(_thread_url(thread), **host).status_code == 404


def test_workshop_board_is_private_to_the_workshop(client, town_a, host):
    workshop = Board.objects.get(site=town_a.site, slug="workshop")
    make_thread(workshop, None, title="次回の編集会議")
    url = reverse("community:board", args=["workshop"])
    assert client.get(url, **host).status_code == 404
    client.force_login(member_of(town_a, "member"))
    assert client.get(url, **host).status_code == 404
    assert "ワークショップ" not in client.get(reverse("community:index"), **host).content.decode()
    client.force_login(member_of(town_a, "workshop"))
    response = client.get(url, **host)
    assert response.status_code == 200
    assert "次回の編集会議" in response.content.decode()
    assert "ワークショップ" in client.get(reverse("community:index"), **host).content.decode()


# Posting --------------------------------------------------------------------------------------


def test_new_member_thread_waits_for_a_moderator(client, board, member, host):
    client.force_login(member)
    response = _new_thread(client, board, host, subscribe="on")
    assert response.status_code == 303
    post = Post.objects.get(author=member)
    assert post.status == Post.Status.PENDING
    assert Subscription.objects.filter(thread=post.thread, user=member).exists()
    page = client.get(response["Location"], **host).content.decode()
    assert "承認待ち" in page
    assert "モデレーターの確認後に公開されます" in page
    # Nobody else sees it, nor its thread.
    assert Client().get(_thread_url(post.thread), **host).status_code == 404
    board_page = Client().get(reverse("community:board", args=[board.slug]), **host).content.decode()
    assert "保育園の見学について" not in board_page


def test_trusted_member_posts_at_once(client, board, member, host, trusted):
    client.force_login(member)
    response = _new_thread(client, board, host)
    post = Post.objects.get(author=member)
    assert post.status == Post.Status.PUBLISHED
    assert "投稿しました" in client.get(response["Location"], **host).content.decode()
    assert (
        "見学のときに何を聞けばいいですか" in Client().get(_thread_url(post.thread), **host).content.decode()
    )


def test_suspended_member_is_refused_with_the_reason(client, town_a, board, member, host):
    Suspension.objects.create(user=member, site=town_a.site, reason="ルール違反")
    client.force_login(member)
    response = _new_thread(client, board, host)
    assert response.status_code == 200
    page = response.content.decode()
    assert "現在、投稿を停止されています" in page
    assert "見学のときに何を聞けばいいですか" in page
    assert not Post.objects.filter(author=member).exists()


def test_locked_thread_refuses_replies(client, board, member, host):
    thread = make_thread(board, None)
    Thread.objects.filter(pk=thread.pk).update(locked=True)
    client.force_login(member)
    response = client.post(
        reverse("community:reply", args=[board.slug, thread.pk]), {"body": "まだ書けますか"}, **host
    )
    assert "このスレッドは返信を締め切りました" in response.content.decode()
    assert not Post.objects.filter(author=member).exists()


def test_post_with_a_phone_number_is_held_with_the_reason(client, board, member, host):
    client.force_login(member)
    response = _new_thread(client, board, host, body="くわしくは090-1234-5678まで")
    post = Post.objects.get(author=member)
    assert post.status == Post.Status.HELD
    page = client.get(response["Location"], **host).content.decode()
    assert "電話番号のような数字が含まれています。" in page
    assert "モデレーターが確認します" in page


def test_full_width_phone_number_is_held(client, board, member, host, trusted):
    thread = make_thread(board, None)
    client.force_login(member)
    client.post(
        reverse("community:reply", args=[board.slug, thread.pk]),
        {"body": "連絡は０９０－１２３４－５６７８へ"},
        **host,
    )
    post = Post.objects.get(author=member)
    assert post.status == Post.Status.HELD
    assert post.hold_reason_codes() == ["phone"]


def test_scripts_and_markup_are_shown_as_text(client, board, member, host):
    payload = "<script>alert(1)</script>\n<img src=x onerror=alert(1)>"
    thread = make_thread(board, member, title="<b>太字</b>", body=payload)
    page = client.get(_thread_url(thread), **host).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x onerror" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<b>太字</b>" not in page


def test_bad_input_keeps_what_was_typed_with_japanese_errors(client, board, member, host):
    client.force_login(member)
    response = _new_thread(client, board, host, title="長" * 81, body="本文はここまで書きました")
    page = response.content.decode()
    assert response.status_code == 200
    assert "タイトルは80文字までにしてください（いま81文字です）。" in page
    assert "本文はここまで書きました" in page
    response = _new_thread(client, board, host, title="题名", body="　 ")
    assert "本文を書いてください。" in response.content.decode()
    response = _new_thread(client, board, host, body="あ" * 4001)
    assert "本文は4000文字までにしてください" in response.content.decode()
    assert not Post.objects.filter(author=member).exists()


def test_honeypot_saves_nothing(client, board, member, host):
    client.force_login(member)
    response = _new_thread(client, board, host, homepage="http://spam.example")
    assert response.status_code == 303
    assert not Post.objects.filter(author=member).exists()


def test_too_many_posts_are_refused_with_429_and_the_text_kept(client, board, member, host, trusted):
    client.force_login(member)
    for number in range(10):
        assert _new_thread(client, board, host, title=f"質問{number}").status_code == 303
    response = _new_thread(client, board, host, title="11件目の質問")
    assert response.status_code == 429
    page = response.content.decode()
    assert "しばらく時間をおいてから、もう一度お試しください。" in page
    assert "11件目の質問" in page
    assert Post.objects.filter(author=member).count() == 10


def test_posting_needs_the_csrf_token(board, member, host):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = _new_thread(client, board, host)
    assert response.status_code == 403
    assert not Post.objects.filter(author=member).exists()


# Replies, quotes, reactions -------------------------------------------------------------------


def test_quoting_shows_the_quoted_post(client, town_a, board, member, host, trusted):
    other = member_of(town_a, "member", nickname="ひよこママ")
    thread = make_thread(board, other, replies=[(other, "寝る前の絵本が効きました")])
    quoted = thread.posts.get(is_opening=False)
    client.force_login(member)
    form_page = client.get(f"{_thread_url(thread)}?quote={quoted.pk}", **host).content.decode()
    assert "「ひよこママ」の投稿を引用します" in form_page
    assert f'value="{quoted.pk}"' in form_page
    client.post(
        reverse("community:reply", args=[board.slug, thread.pk]),
        {"body": "うちも試してみます", "quote": quoted.pk},
        **host,
    )
    post = Post.objects.get(author=member)
    assert post.quote == quoted and post.is_public
    page = client.get(_thread_url(thread), **host).content.decode()
    assert "「ひよこママ」の投稿より" in page
    assert "引用して返信" in page


def test_helpful_toggles_and_counts(client, board, member, host):
    thread = make_thread(board, None)
    post = thread.posts.get()
    url = reverse("community:helpful", args=[post.pk])
    client.force_login(member)
    assert client.post(url, **host).status_code == 303
    post.refresh_from_db()
    assert post.helpful_count == 1
    page = client.get(_thread_url(thread), **host).content.decode()
    assert 'aria-pressed="true"' in page
    client.post(url, **host)
    post.refresh_from_db()
    assert post.helpful_count == 0
    assert not Reaction.objects.filter(post=post).exists()


def test_anonymous_cannot_mark_helpful(client, board, host):
    post = make_thread(board, None).posts.get()
    response = client.post(reverse("community:helpful", args=[post.pk]), **host)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_member_reports_a_post(client, board, member, host):
    post = make_thread(board, None).posts.get()
    client.force_login(member)
    form_page = client.get(reverse("community:report", args=[post.pk]), **host).content.decode()
    assert "<legend>通報の理由" in form_page
    assert "誹謗中傷・いやがらせ" in form_page
    response = client.post(
        reverse("community:report", args=[post.pk]), {"reason": "abuse", "note": "言葉がきつい"}, **host
    )
    assert response.status_code == 303
    assert Report.objects.get(post=post).reporter == member
    assert "通報を受け付けました" in client.get(response["Location"], **host).content.decode()
    again = client.post(reverse("community:report", args=[post.pk]), {"reason": "spam"}, **host)
    assert "この投稿はすでに通報済みです。" in again.content.decode()


def test_report_without_a_reason_asks_for_one(client, board, member, host):
    post = make_thread(board, None).posts.get()
    client.force_login(member)
    response = client.post(reverse("community:report", args=[post.pk]), {"note": "補足だけ"}, **host)
    page = response.content.decode()
    assert "通報の理由を選んでください。" in page
    assert "補足だけ" in page


def test_three_reports_hide_a_reply(client, town_a, board, host):
    thread = make_thread(board, None, replies=[(None, "宣伝です、ぜひどうぞ")])
    reply = thread.posts.get(is_opening=False)
    for _number in range(3):
        reporter = Client()
        reporter.force_login(member_of(town_a, "member"))
        reporter.post(reverse("community:report", args=[reply.pk]), {"reason": "spam"}, **host)
    reply.refresh_from_db()
    assert reply.status == Post.Status.HIDDEN
    assert "宣伝です、ぜひどうぞ" not in client.get(_thread_url(thread), **host).content.decode()


def test_subscriber_is_told_of_a_published_reply_without_its_text(
    client, town_a, board, member, host, trusted, django_capture_on_commit_callbacks
):
    subscriber = member_of(town_a, "member", email="sub@example.jp")
    thread = make_thread(board, subscriber, title="公園の情報")
    Subscription.objects.create(thread=thread, user=subscriber)
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("community:reply", args=[board.slug, thread.pk]), {"body": "ひみつの本文です"}, **host
        )
    assert [message.to for message in mail.outbox] == [["sub@example.jp"]]
    assert "公園の情報" in mail.outbox[0].body
    assert "ひみつの本文です" not in mail.outbox[0].body


def test_subscription_toggle_on_the_thread_page(client, board, member, host):
    thread = make_thread(board, None)
    client.force_login(member)
    url = reverse("community:subscribe", args=[board.slug, thread.pk])
    client.post(url, {"subscribe": "1"}, **host)
    assert Subscription.objects.filter(thread=thread, user=member).exists()
    assert "メールの知らせを止める" in client.get(_thread_url(thread), **host).content.decode()
    client.post(url, {"subscribe": "0"}, **host)
    assert not Subscription.objects.filter(thread=thread, user=member).exists()


# Own posts ------------------------------------------------------------------------------------


def test_member_cannot_edit_or_delete_anothers_post(client, town_a, board, member, host):
    post = make_thread(board, member_of(town_a, "member")).posts.get()
    client.force_login(member)
    for name in ("community:edit", "community:delete"):
        url = reverse(name, args=[post.pk])
        assert client.get(url, **host).status_code in (403, 404)
        assert client.post(url, {"body": "書き換え"}, **host).status_code in (403, 404)
    post.refresh_from_db()
    assert post.body == "みなさんどうしていますか"


def test_member_edits_and_deletes_their_own_post(client, board, member, host, trusted):
    thread = make_thread(board, None, replies=[(member, "最初の返信")])
    post = thread.posts.get(author=member)
    client.force_login(member)
    assert "最初の返信" in client.get(reverse("community:edit", args=[post.pk]), **host).content.decode()
    client.post(reverse("community:edit", args=[post.pk]), {"body": "直した返信"}, **host)
    post.refresh_from_db()
    assert post.body == "直した返信" and post.edited_at is not None
    confirm = client.get(reverse("community:delete", args=[post.pk]), **host)
    assert "この投稿を削除しますか？" in confirm.content.decode()
    response = client.post(reverse("community:delete", args=[post.pk]), **host)
    assert response.status_code == 303
    assert not Post.objects.filter(pk=post.pk).exists()
    assert "投稿を削除しました。" in client.get(response["Location"], **host).content.decode()


def test_my_posts_show_where_each_stands(client, board, member, host):
    make_thread(board, member, title="公開中のスレッド")
    make_thread(board, member, title="待っているスレッド", status="pending")
    held = make_thread(board, member, title="保留のスレッド", status="held").posts.get()
    held.hold_reasons = "phone"
    held.save()
    rejected = make_thread(board, member, title="却下のスレッド", status="rejected").posts.get()
    rejected.rejection_reason = "個人が特定される内容のため"
    rejected.save()
    client.force_login(member)
    page = client.get(reverse("community:mine"), **host).content.decode()
    for text in (
        "公開中",
        "承認待ち",
        "保留",
        "電話番号のような数字が含まれています。",
        "非公開",
        "個人が特定される内容のため",
    ):
        assert text in page


def test_my_posts_need_sign_in(client, host):
    response = client.get(reverse("community:mine"), **host)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_export_has_the_members_board_posts(board, member):
    from accounts.services import export_data

    make_thread(board, member, title="エクスポートの確認", body="私の投稿")
    exported = export_data(member)["board_posts"]
    assert exported[0]["thread"] == "エクスポートの確認"
    assert exported[0]["body"] == "私の投稿"
    assert exported[0]["status"] == "公開中"


def test_section_page_lists_the_boards(client, town_a, host):
    page = client.get(town_a.sections["community"].url, **host).content.decode()
    assert reverse("community:board", args=["age-0-2"]) in page
    assert reverse("community:board", args=["workshop"]) not in page
    assert "自分の投稿" in page


# Bounded queries ------------------------------------------------------------------------------


def _queries(client, url, host):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, **host).status_code == 200
    return len(queries)


def test_thread_page_queries_do_not_grow_with_posts(client, town_a, board, member, host):
    def thread_with(count):
        authors = [member_of(town_a, "member") for _number in range(3)]
        thread = make_thread(board, authors[0], replies=[(authors[n % 3], f"返信{n}") for n in range(count)])
        posts = list(thread.posts.order_by("pk"))
        for post in posts[1:]:
            post.quote = posts[0]
            post.save()
        Reaction.objects.create(post=posts[1], user=member)
        return thread

    client.force_login(member)
    small = _thread_url(thread_with(5))
    client.get(small, **host)  # The first request warms caches (site, settings) once.
    few = _queries(client, small, host)
    many = _queries(client, _thread_url(thread_with(30)), host)
    assert many == few


def test_board_page_queries_do_not_grow_with_threads(client, town_a, member, host):
    board = Board.objects.get(site=town_a.site, slug="osusume")
    client.force_login(member)
    for _number in range(5):
        make_thread(board, member_of(town_a, "member"))
    client.get(reverse("community:board", args=[board.slug]), **host)
    few = _queries(client, reverse("community:board", args=[board.slug]), host)
    for _number in range(25):
        make_thread(board, member_of(town_a, "member"))
    many = _queries(client, reverse("community:board", args=[board.slug]), host)
    assert many == few


# Demo -----------------------------------------------------------------------------------------


def test_demo_posts_are_public_and_made_once(town_a):
    from community.demo import load_demo_posts

    load_demo_posts(town_a.site)
    count = Post.objects.filter(thread__board__site=town_a.site).count()
    assert count > 0
    assert not Post.objects.filter(thread__board__site=town_a.site).exclude(status="published").exists()
    load_demo_posts(town_a.site)
    assert Post.objects.filter(thread__board__site=town_a.site).count() == count
    assert services.public_threads(Board.objects.get(site=town_a.site, slug="osusume")).exists()


def test_board_lists_pinned_first_twenty_a_page(client, town_a, host):
    board = Board.objects.get(site=town_a.site, slug="shogakusei")
    pinned = make_thread(board, None, title="固定されたお知らせ")
    Thread.objects.filter(pk=pinned.pk).update(pinned=True)
    for number in range(20):
        make_thread(board, None, title=f"スレッド{number}", replies=[(None, "返信")])
    page = client.get(reverse("community:board", args=[board.slug]), **host).content.decode()
    assert page.count('class="board-thread"') == 20
    assert page.index("固定されたお知らせ") < page.index("スレッド19")
    assert "返信 1件" in page
    assert "?page=2" in page


def test_deleting_the_opening_post_removes_the_thread(client, board, member, host):
    thread = make_thread(board, member, replies=[(None, "返信")])
    client.force_login(member)
    response = client.post(reverse("community:delete", args=[thread.posts.get(is_opening=True).pk]), **host)
    assert response["Location"] == reverse("community:board", args=[board.slug])
    assert not Thread.objects.filter(pk=thread.pk).exists()
