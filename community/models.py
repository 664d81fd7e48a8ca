"""Boards, threads and posts; reports, suspensions and the moderators' log.

Board posts are records members create through the site, so they are Django models (the
citizen blogs, which are edited content, are Wagtail pages in ``community.pages``). Every board
belongs to one municipality (a Wagtail ``Site``); a private board is read and written only by
the workshop group (the online side of the workshops).

A post is public only when its status is ``published``. A new member's post waits for a
moderator (``pending``); a post with personal information or an NG word is ``held`` with the
reason shown to its author; a post reported past the town's threshold is ``hidden`` until a
moderator reviews it. An author's account may be deleted: the post stays, with its author
set to NULL, and shows 「退会したメンバー」.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


@register_setting(icon="group")
class CommunitySettings(BaseSiteSetting):
    """How a town moderates its boards and comments."""

    trusted_after = models.PositiveSmallIntegerField(
        _("信頼されるまでの承認数"),
        default=3,
        help_text=_(
            "この数の投稿・コメントが承認され、認められた通報がないメンバーは、承認を待たずに投稿できます。"
        ),
    )
    report_threshold = models.PositiveSmallIntegerField(
        _("非表示にする通報数"),
        default=3,
        help_text=_("この数の通報を受けた投稿は、モデレーターが確認するまで非表示になります。"),
    )
    ng_words = models.TextField(
        _("NGワード"),
        blank=True,
        help_text=_("1行に1語。これを含む投稿・コメントは、モデレーターの確認まで保留されます。"),
    )

    class Meta:
        verbose_name = _("掲示板の設定")

    def ng_word_list(self):
        return [word.strip() for word in self.ng_words.splitlines() if word.strip()]


class Board(models.Model):
    """A topic board of one municipality (妊娠・出産, 0〜2歳, …), or the private workshop board."""

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("自治体"), on_delete=models.CASCADE, related_name="boards"
    )
    title = models.CharField(_("名前"), max_length=60)
    slug = models.SlugField(_("アドレス"), max_length=40)
    description = models.CharField(_("説明"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("並び順"), default=0)
    private = models.BooleanField(
        _("ワークショップ参加者だけ"),
        default=False,
        help_text=_("ワークショップ参加者とNPOの編集者だけが読み書きできる掲示板です。"),
    )

    class Meta:
        verbose_name = _("掲示板")
        verbose_name_plural = _("掲示板")
        ordering = ("sort_order", "pk")
        constraints = [models.UniqueConstraint(fields=("site", "slug"), name="community_board_slug_per_site")]

    def __str__(self):
        return self.title


class Thread(models.Model):
    board = models.ForeignKey(
        Board, verbose_name=_("掲示板"), on_delete=models.CASCADE, related_name="threads"
    )
    title = models.CharField(_("タイトル"), max_length=80)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("投稿者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="board_threads",
    )
    pinned = models.BooleanField(_("上に固定"), default=False)
    locked = models.BooleanField(_("返信を締め切る"), default=False)
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now)
    last_posted_at = models.DateTimeField(_("最新の投稿"), default=timezone.now, db_index=True)
    reply_count = models.PositiveIntegerField(_("公開中の返信数"), default=0)

    class Meta:
        verbose_name = _("スレッド")
        verbose_name_plural = _("スレッド")
        ordering = ("-pinned", "-last_posted_at", "-pk")

    def __str__(self):
        return self.title

    @property
    def opening_post(self):
        return self.posts.filter(is_opening=True).first()


class Post(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("承認待ち")
        HELD = "held", _("保留（個人情報・NGワード）")
        PUBLISHED = "published", _("公開中")
        HIDDEN = "hidden", _("非表示（通報の確認待ち）")
        REJECTED = "rejected", _("非公開（却下）")

    #: What a moderator still has to look at.
    WAITING = (Status.PENDING, Status.HELD, Status.HIDDEN)

    thread = models.ForeignKey(
        Thread, verbose_name=_("スレッド"), on_delete=models.CASCADE, related_name="posts"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("投稿者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="board_posts",
    )
    is_opening = models.BooleanField(_("スレッドの最初の投稿"), default=False)
    body = models.TextField(_("本文"))
    quote = models.ForeignKey(
        "self", verbose_name=_("引用"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("状態"), max_length=12, choices=Status.choices, db_index=True)
    #: Why the post is held, as codes of ``community.screening.REASONS`` separated by commas.
    hold_reasons = models.CharField(_("保留の理由"), max_length=100, blank=True)
    rejection_reason = models.TextField(_("却下の理由"), blank=True)
    helpful_count = models.PositiveIntegerField(_("「参考になった」"), default=0)
    created_at = models.DateTimeField(_("投稿日時"), default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(_("編集日時"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("確認したモデレーター"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(_("確認日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("投稿")
        verbose_name_plural = _("投稿")
        ordering = ("created_at", "pk")

    def __str__(self):
        return f"{self.thread.title} #{self.pk}"

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED

    def hold_reason_codes(self):
        return [code for code in self.hold_reasons.split(",") if code]


class Reaction(models.Model):
    """A member's 「参考になった」 on a post: one per member and post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("post", "user"), name="community_one_reaction_per_member")
        ]

    def __str__(self):
        return f"{self.post_id}: {self.user_id}"


class Subscription(models.Model):
    """A member who asked to be told by e-mail when a thread gets a reply."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="subscriptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=("thread", "user"), name="community_one_subscription")]

    def __str__(self):
        return f"{self.thread_id}: {self.user_id}"


class Report(models.Model):
    class Reason(models.TextChoices):
        PERSONAL = "personal", _("個人情報が書かれている")
        ABUSE = "abuse", _("誹謗中傷・いやがらせ")
        SPAM = "spam", _("宣伝・スパム")
        HARMFUL = "harmful", _("子どもや家庭に有害な内容")
        OTHER = "other", _("その他")

    class Outcome(models.TextChoices):
        OPEN = "open", _("未確認")
        UPHELD = "upheld", _("通報どおり")
        DISMISSED = "dismissed", _("問題なし")

    post = models.ForeignKey(Post, verbose_name=_("投稿"), on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("通報した人"), on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("理由"), max_length=12, choices=Reason.choices)
    note = models.CharField(_("補足"), max_length=300, blank=True)
    outcome = models.CharField(_("結果"), max_length=12, choices=Outcome.choices, default=Outcome.OPEN)
    created_at = models.DateTimeField(_("通報日時"), default=timezone.now)

    class Meta:
        verbose_name = _("通報")
        verbose_name_plural = _("通報")
        constraints = [
            models.UniqueConstraint(fields=("post", "reporter"), name="community_one_report_per_member")
        ]

    def __str__(self):
        return f"{self.get_reason_display()} (#{self.post_id})"


class Suspension(models.Model):
    """A member who may not post or comment in a municipality until a moderator lifts it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("メンバー"),
        on_delete=models.CASCADE,
        related_name="suspensions",
    )
    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("自治体"), on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField(_("理由"))
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("停止日時"), default=timezone.now)

    class Meta:
        verbose_name = _("投稿停止")
        verbose_name_plural = _("投稿停止")
        constraints = [
            models.UniqueConstraint(fields=("user", "site"), name="community_one_suspension_per_town")
        ]

    def __str__(self):
        return f"{self.user_id} @ {self.site_id}"


class ModerationLog(models.Model):
    """Who did what to which post, comment or member, and when. Never the text itself."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("承認")
        REJECT = "reject", _("却下")
        EDIT = "edit", _("編集")
        HIDE = "hide", _("通報により非表示")
        RESTORE = "restore", _("再公開")
        DISMISS = "dismiss", _("通報を問題なしとした")
        SUSPEND = "suspend", _("投稿停止")
        UNSUSPEND = "unsuspend", _("投稿停止の解除")
        PIN = "pin", _("上に固定")
        UNPIN = "unpin", _("固定を解除")
        LOCK = "lock", _("返信を締め切り")
        UNLOCK = "unlock", _("締め切りを解除")

    class Target(models.TextChoices):
        POST = "post", _("投稿")
        COMMENT = "comment", _("コメント")
        MEMBER = "member", _("メンバー")
        THREAD = "thread", _("スレッド")

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("自治体"), on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作した人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=12, choices=Action.choices)
    target_kind = models.CharField(_("対象"), max_length=10, choices=Target.choices)
    target_id = models.PositiveBigIntegerField(_("対象の番号"))
    reason = models.TextField(_("理由"), blank=True)
    created_at = models.DateTimeField(_("日時"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("モデレーション記録")
        verbose_name_plural = _("モデレーション記録")
        ordering = ("-created_at", "-pk")

    def __str__(self):
        return f"{self.get_action_display()} {self.get_target_kind_display()} #{self.target_id}"


from .pages import BlogIndexPage, BlogPostPage  # noqa: E402,F401
