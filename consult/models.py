"""ねっと相談: consultations from parents and the counsellors' work on them.

A consultation (相談) belongs to one municipality (a Wagtail ``Site``). Everything a parent
wrote is encrypted at rest (``consult.crypto``); staff of other towns, other roles and the
public never see it, and every time staff open or change a case it is written to the access log.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from .crypto import EncryptedTextField


class Category(models.TextChoices):
    DEVELOPMENT = "development", _("発育・発達")
    FOOD = "food", _("食事・離乳食")
    PARENTING = "parenting", _("育児の不安・しつけ")
    NURSERY = "nursery", _("保育園・幼稚園")
    FAMILY = "family", _("家族のこと")
    OTHER = "other", _("その他")


class ChildAge(models.TextChoices):
    PREGNANCY = "pregnancy", _("妊娠中")
    AGE_0 = "0", _("0歳")
    AGE_1 = "1", _("1歳")
    AGE_2 = "2", _("2歳")
    AGE_3_5 = "3-5", _("3〜5歳")
    ELEMENTARY = "elementary", _("小学生")
    OLDER = "older", _("中学生以上")
    UNSAID = "unsaid", _("答えない")


class Status(models.TextChoices):
    NEW = "new", _("新規")
    IN_PROGRESS = "in_progress", _("対応中")
    ANSWERED = "answered", _("回答済")
    CLOSED = "closed", _("終了")


class ReplyChannel(models.TextChoices):
    EMAIL = "email", _("メールで知らせてもらう")
    CHECK = "check", _("相談番号と合言葉で自分で確認する")


class Consultation(models.Model):
    """One parent's consultation and its state in the counsellors' inbox.

    The 相談番号 (``number``) is random, not a sequence, so it tells nothing about other cases;
    on its own it opens nothing: the parent also needs the passphrase, kept only as a hash.
    """

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("自治体"), on_delete=models.CASCADE, related_name="consultations"
    )
    number = models.CharField(_("相談番号"), max_length=20, unique=True)
    passphrase_hash = models.CharField(max_length=128)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("会員"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultations",
    )
    nickname = EncryptedTextField(_("ニックネーム"), blank=True)
    email = EncryptedTextField(_("通知先メールアドレス"), blank=True)
    reply_channel = models.CharField(_("回答の受け取り方"), max_length=10, choices=ReplyChannel.choices)
    category = models.CharField(_("相談の種類"), max_length=20, choices=Category.choices)
    child_age = models.CharField(_("お子さんの年齢"), max_length=20, choices=ChildAge.choices)
    faq_consent = models.BooleanField(_("個人が特定されない形でQ&Aに使うことへの同意"), default=False)

    status = models.CharField(_("状態"), max_length=20, choices=Status.choices, default=Status.NEW)
    urgent = models.BooleanField(_("緊急"), default=False)
    risk_terms = EncryptedTextField(_("一致した注意語"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("担当者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_consultations",
    )
    created_at = models.DateTimeField(_("受付日時"), auto_now_add=True)
    due_at = models.DateTimeField(_("初回回答の期限"))
    first_replied_at = models.DateTimeField(_("初回回答日時"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("最終更新"), auto_now_add=True)
    closed_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("ネットワークへの引き継ぎ日時"), null=True, blank=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("引き継いだ人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    parent_has_unread = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("相談")
        verbose_name_plural = _("相談")
        indexes = [models.Index(fields=["site", "status", "-urgent", "due_at"], name="consult_inbox_idx")]

    def __str__(self):
        return str(self.number)

    @property
    def is_closed(self):
        return self.status == Status.CLOSED


class Message(models.Model):
    """One message in a consultation's thread: the parent's question or answer, or a reply."""

    class Author(models.TextChoices):
        PARENT = "parent", _("相談者")
        COUNSELLOR = "counsellor", _("相談員")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(max_length=12, choices=Author.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = EncryptedTextField(_("本文"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("相談のメッセージ")
        verbose_name_plural = _("相談のメッセージ")

    def __str__(self):
        return f"{self.consultation_id}/{self.pk}"


class InternalNote(models.Model):
    """A counsellor's note on a case. Never shown to the parent, never in any e-mail."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = EncryptedTextField(_("内部メモ"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("内部メモ")
        verbose_name_plural = _("内部メモ")

    def __str__(self):
        return f"{self.consultation_id}/{self.pk}"


class AccessLog(models.Model):
    """Who opened or changed which case, when. Holds no consultation text.

    It outlives the case it is about (the case number stays) so the lead counsellor can still
    account for access after a purge.
    """

    class Action(models.TextChoices):
        OPEN = "open", _("閲覧")
        REPLY = "reply", _("回答")
        NOTE = "note", _("内部メモ")
        STATUS = "status", _("状態の変更")
        ASSIGN = "assign", _("担当の変更")
        ESCALATE = "escalate", _("ネットワークへ引き継ぎ")
        EXPORT = "export", _("書き出し")
        FAQ = "faq", _("Q&A下書きの作成")
        PURGE = "purge", _("保存期間後の削除")

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    consultation = models.ForeignKey(
        Consultation, null=True, blank=True, on_delete=models.SET_NULL, related_name="access_log"
    )
    number = models.CharField(_("相談番号"), max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=12, choices=Action.choices)
    detail = models.CharField(_("内容"), max_length=200, blank=True)
    at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("相談の操作記録")
        verbose_name_plural = _("相談の操作記録")

    def __str__(self):
        return f"{self.number} {self.action}"


class CannedReply(models.Model):
    """A 定型文 the lead counsellor keeps for the town's counsellors to start a reply from."""

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("自治体"), on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("見出し"), max_length=60)
    body = models.TextField(_("本文"))
    sort_order = models.PositiveSmallIntegerField(_("並び順"), default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("定型文")
        verbose_name_plural = _("定型文")

    def __str__(self):
        return self.title


class RiskTerm(models.Model):
    """A word or phrase that marks a new consultation 緊急 (kept by the lead counsellor)."""

    class Kind(models.TextChoices):
        ABUSE = "abuse", _("虐待")
        VIOLENCE = "violence", _("暴力")
        SELF_HARM = "self_harm", _("自傷・自殺")
        NEGLECT = "neglect", _("ネグレクト")

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("自治体"), on_delete=models.CASCADE, related_name="+"
    )
    term = models.CharField(_("語句"), max_length=60)
    kind = models.CharField(_("種類"), max_length=12, choices=Kind.choices)

    class Meta:
        ordering = ["kind", "term"]
        verbose_name = _("注意語")
        verbose_name_plural = _("注意語")
        constraints = [models.UniqueConstraint(fields=["site", "term"], name="one_risk_term_per_town")]

    def __str__(self):
        return self.term


class ArchivedConsultation(models.Model):
    """What is left of a purged case for the statistics: no text, no person, no number."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("受付月"))
    category = models.CharField(max_length=20, choices=Category.choices)
    child_age = models.CharField(max_length=20, choices=ChildAge.choices)
    urgent = models.BooleanField(default=False)
    escalated = models.BooleanField(default=False)
    first_reply_hours = models.FloatField(null=True, blank=True)
    # Whether the first reply met the deadline; None when the case was never answered.
    replied_in_time = models.BooleanField(null=True, blank=True)

    class Meta:
        verbose_name = _("削除済み相談の統計")
        verbose_name_plural = _("削除済み相談の統計")

    def __str__(self):
        return f"{self.month:%Y-%m} {self.category}"


@register_setting(icon="help")
class ConsultSettings(BaseSiteSetting):
    """How a town runs ねっと相談: the reply deadline, opening days and how long cases are kept."""

    first_reply_business_days = models.PositiveSmallIntegerField(
        _("初回回答の期限（開庁日数）"),
        default=3,
        help_text=_("受付から何開庁日以内に最初の回答をするか。土日・祝日は数えません。"),
    )
    closed_year_end = models.BooleanField(_("年末年始（12月29日〜1月3日）を休みとして数える"), default=True)
    retention_days = models.PositiveIntegerField(
        _("終了した相談の保存期間（日）"),
        default=365,
        help_text=_("終了からこの日数を過ぎた相談は、件数の統計だけを残して削除されます。"),
    )

    class Meta:
        verbose_name = _("ねっと相談の設定")
        verbose_name_plural = _("ねっと相談の設定")


from .pages import QAIndexPage, QAPage  # noqa: E402, F401 (the Q&A page types live in consult.pages)
