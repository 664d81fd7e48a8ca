"""What members and moderators do on the boards: the one place that decides it.

Views and admin screens call these functions; each checks who may act, changes the records
in one transaction and writes the moderators' log. A refusal raises ``Refused`` with the
reason in Japanese, for the view to show.
"""

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from home.models import MunicipalityRole
from home.roles import PRIVATE_SECTION_READERS

from . import notifications, screening
from .models import (
    Board,
    CommunitySettings,
    ModerationLog,
    Post,
    Reaction,
    Report,
    Subscription,
    Suspension,
    Thread,
)

MODERATOR_ROLES = ("moderator", "site_admin")


class Refused(Exception):
    """An action refused, with the reason in Japanese for whoever asked for it."""


# Who may do what ------------------------------------------------------------------------------


def roles_in(user, site):
    if not user.is_authenticated:
        return set()
    cache = user.__dict__.setdefault("_community_roles", {})
    if site.pk not in cache:
        cache[site.pk] = set(
            MunicipalityRole.objects.filter(site=site, group__user=user).values_list("role", flat=True)
        )
    return cache[site.pk]


def is_moderator(user, site):
    return user.is_authenticated and (user.is_superuser or bool(roles_in(user, site) & set(MODERATOR_ROLES)))


def can_read_board(user, board):
    """Public boards are for everyone; a private board only for the workshop and NPO editors."""
    if not board.private:
        return True
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(roles_in(user, board.site) & set(PRIVATE_SECTION_READERS))


def boards_for(user, site):
    return [board for board in Board.objects.filter(site=site) if can_read_board(user, board)]


def is_suspended(user, site):
    return user.is_authenticated and Suspension.objects.filter(user=user, site=site).exists()


def approved_count(user, site):
    """How many of ``user``'s posts and comments in ``site``'s town a moderator let through."""
    from portal_pages.models import ArticleComment

    posts = Post.objects.filter(author=user, thread__board__site=site, status=Post.Status.PUBLISHED).count()
    # A member belongs to one town, and comments are on that town's articles.
    comments = ArticleComment.objects.filter(user=user, is_public=True, is_removed=False).count()
    return posts + comments


def has_upheld_reports(user, site):
    return Report.objects.filter(
        post__author=user, post__thread__board__site=site, outcome=Report.Outcome.UPHELD
    ).exists()


def is_trusted(user, site):
    """A member who posts at once: enough approved posts and comments, no upheld report.

    Moderators and the town's staff are trusted; a suspended member never is.
    """
    if not user.is_authenticated or is_suspended(user, site):
        return False
    if is_moderator(user, site):
        return True
    if has_upheld_reports(user, site):
        return False
    return approved_count(user, site) >= CommunitySettings.for_site(site).trusted_after


def status_for(user, site, text):
    """The status a new post or comment by ``user`` starts in, and why it is held (if it is)."""
    reasons = screening.screen(text, site)
    if reasons:
        return Post.Status.HELD, reasons
    if is_trusted(user, site):
        return Post.Status.PUBLISHED, []
    return Post.Status.PENDING, []


def _check_may_post(user, board):
    if not user.is_authenticated:
        raise Refused(_("投稿するにはログインしてください。"))
    if not can_read_board(user, board):
        raise Refused(_("この掲示板には投稿できません。"))
    if is_suspended(user, board.site):
        raise Refused(_("現在、投稿を停止されています。くわしくはサイトの運営者にお問い合わせください。"))


# Members --------------------------------------------------------------------------------------


def _refresh(thread):
    """Keep the thread's reply count and latest time in step with its public posts."""
    public = thread.posts.filter(status=Post.Status.PUBLISHED)
    latest = public.order_by("-created_at").values_list("created_at", flat=True).first()
    Thread.objects.filter(pk=thread.pk).update(
        reply_count=public.filter(is_opening=False).count(),
        last_posted_at=latest or thread.created_at,
    )


def start_thread(board, author, title, body, subscribe=False):
    """A new thread with its opening post; returns the post (its ``thread`` is the new thread)."""
    _check_may_post(author, board)
    status, reasons = status_for(author, board.site, f"{title}\n{body}")
    with transaction.atomic():
        thread = Thread.objects.create(board=board, title=title, author=author)
        post = Post.objects.create(
            thread=thread,
            author=author,
            is_opening=True,
            body=body,
            status=status,
            hold_reasons=",".join(reasons),
        )
        if subscribe:
            Subscription.objects.get_or_create(thread=thread, user=author)
        _refresh(thread)
    return post


def reply(thread, author, body, quote=None, subscribe=False):
    """A reply to ``thread``, quoting ``quote`` (a public post of the same thread) if given."""
    _check_may_post(author, thread.board)
    if thread.locked:
        raise Refused(_("このスレッドは返信を締め切りました。"))
    opening = thread.posts.filter(is_opening=True).first()
    if opening is None or not opening.is_public:
        raise Refused(_("このスレッドはまだ公開されていないため、返信できません。"))
    if quote is not None and (quote.thread_id != thread.pk or not quote.is_public):
        quote = None
    status, reasons = status_for(author, thread.board.site, body)
    with transaction.atomic():
        post = Post.objects.create(
            thread=thread,
            author=author,
            body=body,
            quote=quote,
            status=status,
            hold_reasons=",".join(reasons),
        )
        if subscribe:
            Subscription.objects.get_or_create(thread=thread, user=author)
        _refresh(thread)
        if status == Post.Status.PUBLISHED:
            transaction.on_commit(lambda: notifications.tell_subscribers(post.pk))
    return post


def edit_own(post, user, body):
    """The author corrects their post; it is screened again and, unless trusted, waits again."""
    if not user.is_authenticated or post.author_id != user.pk:
        raise Refused(_("自分の投稿だけを編集できます。"))
    _check_may_post(user, post.thread.board)
    status, reasons = status_for(user, post.thread.board.site, body)
    if post.status in (Post.Status.HIDDEN, Post.Status.REJECTED) and status == Post.Status.PUBLISHED:
        # A reported or refused post goes back to a moderator, however trusted its author.
        status = Post.Status.PENDING
    with transaction.atomic():
        post.body = body
        post.status = status
        post.hold_reasons = ",".join(reasons)
        post.edited_at = timezone.now()
        post.save(update_fields=["body", "status", "hold_reasons", "edited_at"])
        _refresh(post.thread)
    return post


def delete_own(post, user):
    if not user.is_authenticated or post.author_id != user.pk:
        raise Refused(_("自分の投稿だけを削除できます。"))
    thread = post.thread
    with transaction.atomic():
        if post.is_opening:
            thread.delete()
        else:
            post.delete()
            _refresh(thread)


def toggle_helpful(post, user):
    """Mark (or unmark) a public post 「参考になった」; returns whether it is now marked."""
    if not user.is_authenticated:
        raise Refused(_("「参考になった」を押すにはログインしてください。"))
    if not post.is_public or not can_read_board(user, post.thread.board):
        raise Refused(_("この投稿には反応できません。"))
    with transaction.atomic():
        deleted, _rows = Reaction.objects.filter(post=post, user=user).delete()
        if not deleted:
            Reaction.objects.create(post=post, user=user)
        Post.objects.filter(pk=post.pk).update(helpful_count=post.reactions.count())
    return not deleted


def report(post, user, reason, note=""):
    """A member reports a post; past the town's threshold of open reports the post is hidden."""
    if not user.is_authenticated:
        raise Refused(_("通報するにはログインしてください。"))
    if not can_read_board(user, post.thread.board):
        raise Refused(_("この投稿は通報できません。"))
    if post.author_id == user.pk:
        raise Refused(_("自分の投稿は通報できません。削除または編集してください。"))
    site = post.thread.board.site
    with transaction.atomic():
        report, created = Report.objects.get_or_create(
            post=post, reporter=user, defaults={"reason": reason, "note": note}
        )
        if not created:
            raise Refused(_("この投稿はすでに通報済みです。"))
        open_reports = post.reports.filter(outcome=Report.Outcome.OPEN).count()
        if post.is_public and open_reports >= CommunitySettings.for_site(site).report_threshold:
            Post.objects.filter(pk=post.pk).update(status=Post.Status.HIDDEN)
            ModerationLog.objects.create(
                site=site,
                action=ModerationLog.Action.HIDE,
                target_kind=ModerationLog.Target.POST,
                target_id=post.pk,
                reason=_("通報が%(count)d件に達しました。") % {"count": open_reports},
            )
            _refresh(post.thread)
    return report


def set_subscription(thread, user, subscribe):
    """Start or stop e-mail about the replies to ``thread``; returns whether it is now on."""
    if not user.is_authenticated:
        raise Refused(_("返信の知らせを受け取るにはログインしてください。"))
    if not can_read_board(user, thread.board):
        raise Refused(_("このスレッドの知らせは受け取れません。"))
    if subscribe:
        Subscription.objects.get_or_create(thread=thread, user=user)
    else:
        Subscription.objects.filter(thread=thread, user=user).delete()
    return bool(subscribe)


# Moderators -----------------------------------------------------------------------------------


def _check_moderator(user, site):
    if not is_moderator(user, site):
        raise Refused(_("この自治体の掲示板を管理する権限がありません。"))


def _log(site, actor, action, kind, target_id, reason=""):
    ModerationLog.objects.create(
        site=site, actor=actor, action=action, target_kind=kind, target_id=target_id, reason=reason
    )


def approve(post, actor):
    """Publish a waiting post (new member, held or hidden): open reports on it are dismissed."""
    site = post.thread.board.site
    _check_moderator(actor, site)
    with transaction.atomic():
        was_waiting = post.status != Post.Status.PUBLISHED
        action = (
            ModerationLog.Action.RESTORE
            if post.status == Post.Status.HIDDEN
            else ModerationLog.Action.APPROVE
        )
        post.reports.filter(outcome=Report.Outcome.OPEN).update(outcome=Report.Outcome.DISMISSED)
        post.status = Post.Status.PUBLISHED
        post.moderated_by, post.moderated_at = actor, timezone.now()
        post.save(update_fields=["status", "moderated_by", "moderated_at"])
        _refresh(post.thread)
        _log(site, actor, action, ModerationLog.Target.POST, post.pk)
        if was_waiting and not post.is_opening:
            transaction.on_commit(lambda: notifications.tell_subscribers(post.pk))
    return post


def reject(post, actor, reason):
    """Keep a post off the board; its author is told the reason by e-mail (never the text)."""
    site = post.thread.board.site
    _check_moderator(actor, site)
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("却下の理由を入力してください。投稿者に伝えられます。"))
    with transaction.atomic():
        post.reports.filter(outcome=Report.Outcome.OPEN).update(outcome=Report.Outcome.UPHELD)
        post.status = Post.Status.REJECTED
        post.rejection_reason = reason
        post.moderated_by, post.moderated_at = actor, timezone.now()
        post.save(update_fields=["status", "rejection_reason", "moderated_by", "moderated_at"])
        _refresh(post.thread)
        _log(site, actor, ModerationLog.Action.REJECT, ModerationLog.Target.POST, post.pk, reason)
        transaction.on_commit(lambda: notifications.tell_author_rejected(post.pk))
    return post


def moderator_edit(post, actor, body, reason=""):
    """A moderator corrects a post (e.g. removes a phone number); the status is left as it was."""
    site = post.thread.board.site
    _check_moderator(actor, site)
    if not (body or "").strip():
        raise Refused(_("本文を入力してください。"))
    with transaction.atomic():
        post.body = body
        post.edited_at = timezone.now()
        post.hold_reasons = ",".join(screening.screen(body, site))
        post.save(update_fields=["body", "edited_at", "hold_reasons"])
        _log(site, actor, ModerationLog.Action.EDIT, ModerationLog.Target.POST, post.pk, reason)
    return post


def suspend(member, site, actor, reason):
    _check_moderator(actor, site)
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("投稿停止の理由を入力してください。"))
    if is_moderator(member, site):
        raise Refused(_("モデレーターやサイト管理者は投稿停止にできません。"))
    with transaction.atomic():
        Suspension.objects.update_or_create(
            user=member,
            site=site,
            defaults={"reason": reason, "suspended_by": actor, "created_at": timezone.now()},
        )
        _log(site, actor, ModerationLog.Action.SUSPEND, ModerationLog.Target.MEMBER, member.pk, reason)


def unsuspend(member, site, actor):
    _check_moderator(actor, site)
    with transaction.atomic():
        if Suspension.objects.filter(user=member, site=site).delete()[0]:
            _log(site, actor, ModerationLog.Action.UNSUSPEND, ModerationLog.Target.MEMBER, member.pk)


def set_thread_flags(thread, actor, pinned=None, locked=None):
    site = thread.board.site
    _check_moderator(actor, site)
    with transaction.atomic():
        changes = []
        if pinned is not None and pinned != thread.pinned:
            thread.pinned = pinned
            changes.append(ModerationLog.Action.PIN if pinned else ModerationLog.Action.UNPIN)
        if locked is not None and locked != thread.locked:
            thread.locked = locked
            changes.append(ModerationLog.Action.LOCK if locked else ModerationLog.Action.UNLOCK)
        thread.save(update_fields=["pinned", "locked"])
        for action in changes:
            _log(site, actor, action, ModerationLog.Target.THREAD, thread.pk)
    return thread


# Reading --------------------------------------------------------------------------------------


def public_threads(board):
    """The threads of a board whose opening post is public, pinned first, then the liveliest."""
    return (
        board.threads.filter(posts__is_opening=True, posts__status=Post.Status.PUBLISHED)
        .select_related("author")
        .order_by("-pinned", "-last_posted_at", "-pk")
    )


def visible_posts(thread, user):
    """The public posts of a thread, plus the viewer's own posts that wait (marked as waiting)."""
    visible = Q(status=Post.Status.PUBLISHED)
    if user.is_authenticated:
        visible |= Q(author=user) & ~Q(status=Post.Status.REJECTED)
    return thread.posts.filter(visible).select_related("author", "quote", "quote__author")


def waiting_posts(site):
    """The posts of a town a moderator still has to look at, oldest first."""
    return (
        Post.objects.filter(thread__board__site=site, status__in=Post.WAITING)
        .select_related("thread", "thread__board", "author")
        .annotate(open_reports=Count("reports", filter=Q(reports__outcome=Report.Outcome.OPEN)))
        .order_by("created_at", "pk")
    )


def mark_helpful_for(user, posts):
    """The ids of ``posts`` that ``user`` marked 「参考になった」 (one query)."""
    if not user.is_authenticated:
        return set()
    return set(Reaction.objects.filter(user=user, post__in=posts).values_list("post_id", flat=True))
