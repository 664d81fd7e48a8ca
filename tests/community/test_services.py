"""The rules of the boards: who waits, who is trusted, reports, holds, and moderators' actions."""

import pytest
from django.core import mail

from community import services
from community.models import Board, CommunitySettings, ModerationLog, Post, Report, Thread


@pytest.fixture
def board(town_a):
    return Board.objects.get(site=town_a.site, slug="age-0-2")


@pytest.fixture
def moderator(town_a, make_member):
    return make_member(town_a, "moderator")


@pytest.fixture
def member(town_a, make_member):
    return make_member(town_a, "member")


def _settings(site, **values):
    settings_obj = CommunitySettings.for_site(site)
    for name, value in values.items():
        setattr(settings_obj, name, value)
    settings_obj.save()
    return settings_obj


def test_every_town_gets_the_topic_boards_and_a_private_workshop_board(town_a, town_b):
    for town in (town_a, town_b):
        titles = list(Board.objects.filter(site=town.site).values_list("title", flat=True))
        assert titles[:7] == [
            "妊娠・出産",
            "0〜2歳",
            "3〜5歳",
            "小学生",
            "地域のおすすめ",
            "ひとり親",
            "多胎児",
        ]
        assert Board.objects.get(site=town.site, slug="workshop").private


def test_a_new_members_post_waits_and_is_not_public(board, member):
    post = services.start_thread(board, member, "夜泣きについて", "毎晩2時間おきに起きます。")
    assert post.status == Post.Status.PENDING
    assert post.thread.title == "夜泣きについて"
    assert list(services.public_threads(board)) == []


def test_trust_comes_with_enough_approved_posts_and_goes_with_an_upheld_report(board, member, moderator):
    _settings(board.site, trusted_after=2)
    first = services.start_thread(board, member, "離乳食", "何から始めましたか。")
    services.approve(first, moderator)
    assert not services.is_trusted(member, board.site)
    second = services.reply(first.thread, member, "にんじんから始めました。")
    services.approve(second, moderator)
    assert services.is_trusted(member, board.site)
    third = services.reply(first.thread, member, "おかゆもよかったです。")
    assert third.status == Post.Status.PUBLISHED

    other = services.start_thread(board, moderator, "お知らせ", "掲示板のルールです。")
    Report.objects.create(post=third, reporter=other.author, reason=Report.Reason.ABUSE)
    services.reject(third, moderator, "ほかの方への配慮をお願いします。")
    assert not services.is_trusted(member, board.site), "an upheld report takes the trust away"
    assert services.reply(first.thread, member, "すみませんでした。").status == Post.Status.PENDING


def test_personal_information_is_held_even_for_a_trusted_member(board, moderator):
    post = services.start_thread(board, moderator, "連絡先", "０９０－１２３４－５６７８に電話ください")
    assert post.status == Post.Status.HELD
    assert post.hold_reason_codes() == ["phone"]


def test_the_report_threshold_hides_a_post_until_reviewed(board, moderator, town_a, make_member):
    _settings(board.site, report_threshold=2)
    post = services.start_thread(board, moderator, "公園", "井の頭公園の遊具が新しくなりました。")
    assert post.is_public
    reporters = [make_member(town_a, "member") for _ in range(2)]
    services.report(post, reporters[0], Report.Reason.SPAM)
    post.refresh_from_db()
    assert post.is_public, "one report is below the threshold"
    with pytest.raises(services.Refused, match="すでに通報済み"):
        services.report(post, reporters[0], Report.Reason.SPAM)
    services.report(post, reporters[1], Report.Reason.ABUSE)
    post.refresh_from_db()
    assert post.status == Post.Status.HIDDEN
    assert ModerationLog.objects.filter(action="hide", target_id=post.pk, actor=None).exists()

    services.approve(post, moderator)
    post.refresh_from_db()
    assert post.is_public
    assert set(post.reports.values_list("outcome", flat=True)) == {Report.Outcome.DISMISSED}


def test_reports_need_a_member_who_is_not_the_author(board, moderator, member):
    post = services.start_thread(board, moderator, "公園", "遊具が新しくなりました。")
    with pytest.raises(services.Refused):
        services.report(post, moderator, Report.Reason.SPAM)


def test_rejection_needs_a_reason_and_tells_the_author_without_the_text(
    board, member, moderator, django_capture_on_commit_callbacks
):
    member.email = "member@example.jp"
    member.save()
    post = services.start_thread(board, member, "相談", "ひみつの本文です")
    with pytest.raises(services.Refused, match="理由"):
        services.reject(post, moderator, "  ")
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING

    with pytest.raises(services.Refused):
        services.reject(post, member, "自分で")

    with django_capture_on_commit_callbacks(execute=True):
        services.reject(post, moderator, "広告のため掲載できません。")
    post.refresh_from_db()
    assert post.status == Post.Status.REJECTED
    log = ModerationLog.objects.get(action="reject", target_id=post.pk)
    assert log.actor == moderator and log.reason == "広告のため掲載できません。"
    (message,) = mail.outbox
    assert message.to == ["member@example.jp"]
    assert "広告のため掲載できません。" in message.body and "ひみつの本文" not in message.body


def test_moderator_of_another_town_cannot_act(board, member, town_b, make_member):
    post = services.start_thread(board, member, "相談", "本文")
    outsider = make_member(town_b, "moderator")
    for action in (
        lambda: services.approve(post, outsider),
        lambda: services.suspend(member, board.site, outsider, "x"),
    ):
        with pytest.raises(services.Refused):
            action()
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING


def test_a_suspended_member_cannot_post_until_the_suspension_is_lifted(board, member, moderator):
    services.suspend(member, board.site, moderator, "繰り返しの宣伝")
    with pytest.raises(services.Refused, match="停止"):
        services.start_thread(board, member, "こんにちは", "よろしくお願いします。")
    assert not Thread.objects.filter(title="こんにちは").exists()
    services.unsuspend(member, board.site, moderator)
    assert services.start_thread(board, member, "こんにちは", "よろしくお願いします。").pk
    actions = list(ModerationLog.objects.filter(target_id=member.pk).values_list("action", flat=True))
    assert sorted(actions) == ["suspend", "unsuspend"]


def test_locked_thread_takes_no_replies_and_pinning_is_logged(board, moderator, member):
    post = services.start_thread(board, moderator, "掲示板のルール", "みんなで気持ちよく使いましょう。")
    services.set_thread_flags(post.thread, moderator, pinned=True, locked=True)
    with pytest.raises(services.Refused, match="締め切り"):
        services.reply(post.thread, member, "了解です")
    assert {"pin", "lock"} <= set(ModerationLog.objects.values_list("action", flat=True))


def test_no_member_edits_or_deletes_anothers_post(board, moderator, member):
    post = services.start_thread(board, moderator, "公園", "遊具が新しくなりました。")
    with pytest.raises(services.Refused):
        services.edit_own(post, member, "書き換え")
    with pytest.raises(services.Refused):
        services.delete_own(post, member)
    post.refresh_from_db()
    assert post.body == "遊具が新しくなりました。"


def test_private_board_is_for_the_workshop_only(town_a, make_member):
    workshop_board = Board.objects.get(site=town_a.site, slug="workshop")
    member = make_member(town_a, "member")
    with pytest.raises(services.Refused):
        services.start_thread(workshop_board, member, "参加します", "よろしく")
    participant = make_member(town_a, "workshop")
    assert services.start_thread(workshop_board, participant, "次回の編集会議", "オンラインで参加します").pk


def test_subscribers_hear_of_a_published_reply_without_its_text(
    board, moderator, member, django_capture_on_commit_callbacks
):
    member.email = "member@example.jp"
    member.save()
    post = services.start_thread(board, moderator, "ひろば情報", "今週のひろばの予定です。", subscribe=False)
    services.approve(post, moderator)
    first = services.reply(post.thread, member, "ありがとうございます", subscribe=True)
    services.approve(first, moderator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(post.thread, moderator, "秘密ではない返信の本文")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["member@example.jp"]
    assert "ひろば情報" in message.body and "秘密ではない返信の本文" not in message.body


def test_editing_a_reported_or_refused_post_sends_it_back_to_a_moderator(
    board, moderator, town_a, make_member
):
    _settings(board.site, trusted_after=0, report_threshold=1)
    author = make_member(town_a, "member")
    post = services.start_thread(board, author, "公園", "遊具が新しくなりました。")
    assert post.is_public, "trusted at once with a threshold of 0"
    services.report(post, make_member(town_a, "member"), Report.Reason.ABUSE)
    post.refresh_from_db()
    assert post.status == Post.Status.HIDDEN
    services.edit_own(post, author, "遊具が新しくなりました（書き直しました）。")
    assert post.status == Post.Status.PENDING
    services.reject(post, moderator, "ルールに反します。")
    services.edit_own(post, author, "もう一度書きました。")
    assert post.status == Post.Status.PENDING


def test_the_section_page_lists_the_workshop_board_only_to_the_workshop(client, town_a, make_member):
    section = town_a.sections["community"].relative_url(town_a.site)
    html = client.get(section, HTTP_HOST=town_a.site.hostname).content.decode()
    assert "0〜2歳" in html and "/keijiban/boards/workshop/" not in html
    client.force_login(make_member(town_a, "workshop"))
    html = client.get(section, HTTP_HOST=town_a.site.hostname).content.decode()
    assert "/keijiban/boards/workshop/" in html
