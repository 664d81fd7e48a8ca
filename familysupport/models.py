"""The records of a Family Support Center (ファミリー・サポート・センター).

A centre links 依頼会員 (requesters: parents who need help) with 提供会員 (providers:
neighbours who give it), through its アドバイザー. One centre per municipality (a Wagtail
``Site``). Everything here is private: members' details are read by the advisors of their
own municipality; the two members of an accepted assignment see only each other's name,
phone and meeting place; a provider never sees other families.

- ``Member`` — an application and, once approved, a membership with its 会員番号.
- ``Child`` — a requester's children; ``Availability`` — a provider's weekly hours.
- ``HelpRequest`` — one occurrence of help asked for (a weekly request is a series of them).
- ``Assignment`` — a provider proposed for a request, and their answer.
- ``ActivityReport`` — the 援助活動報告書, versioned: a correction is a new version.
- ``FeeRules`` — the municipality's fee rules (``familysupport.fees`` computes with them).
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

ADVISOR_ROLES = ("fs_advisor",)


class Activity(models.TextChoices):
    """The centres' usual categories of help."""

    NURSERY_TRANSPORT = "transport", _("保育施設への送迎")
    NURSERY_BEFORE_AFTER = "nursery_care", _("保育施設の開始前・終了後の預かり")
    AFTER_SCHOOL_CLUB = "club_after", _("放課後児童クラブ終了後の預かり")
    AFTER_SCHOOL = "school_after", _("学校の放課後の預かり")
    PARENT_OUTING = "outing", _("保護者の外出時（通院・買い物など）の預かり")
    CEREMONY = "ceremony", _("冠婚葬祭・きょうだいの学校行事時の預かり")
    SICK_CHILD = "sick_child", _("病児・病後児の預かり")
    OTHER = "other", _("その他")


class Qualification(models.TextChoices):
    NURSERY_TEACHER = "hoikushi", _("保育士")
    NURSE = "kangoshi", _("看護師")
    TEACHER = "kyoin", _("教員")
    KINDERGARTEN = "yochien", _("幼稚園教諭")
    CHILDCARE_AIDE = "kosodate_shien", _("子育て支援員")
    OTHER = "other", _("その他")


class AgeBand(models.TextChoices):
    """Children's ages as providers' experience is recorded."""

    INFANT = "0", _("0歳")
    TODDLER = "1-2", _("1〜2歳")
    PRESCHOOL = "3-5", _("3〜5歳")
    SCHOOL = "school", _("小学生")


def age_band(birth_date, on_date):
    """The ``AgeBand`` of a child born on ``birth_date``, on ``on_date``."""
    years = (
        on_date.year - birth_date.year - ((on_date.month, on_date.day) < (birth_date.month, birth_date.day))
    )
    if years < 1:
        return AgeBand.INFANT
    if years < 3:
        return AgeBand.TODDLER
    if years < 6:
        return AgeBand.PRESCHOOL
    return AgeBand.SCHOOL


@register_setting(icon="group")
class FeeRules(BaseSiteSetting):
    """A municipality's fee rules for help between members (members settle directly)."""

    daytime_starts = models.TimeField(_("平日昼間の開始"), default=datetime.time(7, 0))
    daytime_ends = models.TimeField(_("平日昼間の終了"), default=datetime.time(19, 0))
    daytime_rate = models.PositiveIntegerField(_("平日昼間の1時間あたり（円）"), default=800)
    extra_rate = models.PositiveIntegerField(
        _("早朝・夜間・土日祝・年末年始の1時間あたり（円）"),
        default=900,
        help_text=_("年末年始は12月29日から1月3日までです。"),
    )
    minimum_minutes = models.PositiveSmallIntegerField(_("最低の時間（分）"), default=60)
    unit_minutes = models.PositiveSmallIntegerField(
        _("最低時間を超えたあとの単位（分）"), default=30, help_text=_("端数はこの単位に切り上げます。")
    )
    sibling_percent = models.PositiveSmallIntegerField(
        _("2人目以降の子どもの割合（%）"), default=50, help_text=_("1人目の報酬に対する割合です。")
    )
    cancel_day_before_percent = models.PositiveSmallIntegerField(
        _("前日までの取り消し（予定の報酬に対する%）"), default=0
    )
    cancel_same_day_percent = models.PositiveSmallIntegerField(
        _("当日の取り消し（予定の報酬に対する%）"), default=50
    )
    offers_sick_child_care = models.BooleanField(_("病児・病後児の預かりを行う"), default=False)

    class Meta:
        verbose_name = _("ファミサポの報酬の決まり")


class Member(models.Model):
    """An application to the centre and, once the advisor approves it, a membership."""

    class Kind(models.TextChoices):
        REQUESTER = "requester", _("依頼会員")
        PROVIDER = "provider", _("提供会員")
        BOTH = "both", _("両方会員")

    class Status(models.TextChoices):
        APPLIED = "applied", _("申込み受付")
        INTERVIEWED = "interviewed", _("面談済み")
        APPROVED = "approved", _("会員")
        REJECTED = "rejected", _("不承認")
        WITHDRAWN = "withdrawn", _("退会")

    #: Fields whose change by the member goes back to the advisor for review.
    KEY_FIELDS = (
        "full_name",
        "address",
        "kind",
        "smoking_at_home",
        "has_pets",
        "insurance_enrolled",
        "insurance_date",
        # What the matching ranks a provider by is checked by the advisor too.
        "training_hours",
        "monthly_capacity",
        "takes_siblings",
    )

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("自治体"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("アカウント"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="family_support_memberships",
    )
    kind = models.CharField(_("会員の種類"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("状態"), max_length=12, choices=Status.choices, default=Status.APPLIED, db_index=True
    )
    number = models.CharField(_("会員番号"), max_length=12, blank=True, db_index=True)

    full_name = models.CharField(_("氏名"), max_length=60)
    full_name_kana = models.CharField(_("ふりがな"), max_length=60, blank=True)
    phone = models.CharField(_("電話番号"), max_length=20)
    postal_code = models.CharField(_("郵便番号"), max_length=8, blank=True)
    address = models.CharField(_("住所"), max_length=200)
    area = models.CharField(
        _("地区"), max_length=40, blank=True, help_text=_("町名など。近さの目安に使います。")
    )
    latitude = models.FloatField(_("緯度"), null=True, blank=True)
    longitude = models.FloatField(_("経度"), null=True, blank=True)

    # Requesters
    household = models.TextField(_("家族構成"), blank=True)
    emergency_name = models.CharField(_("緊急連絡先（氏名・続柄）"), max_length=60, blank=True)
    emergency_phone = models.CharField(_("緊急連絡先（電話番号）"), max_length=20, blank=True)
    needs_no_pets = models.BooleanField(_("ペットのいない家を希望"), default=False)
    needs_no_smoking = models.BooleanField(_("たばこを吸わない家を希望"), default=False)

    # Providers
    experience = models.TextField(_("子育て・保育の経験"), blank=True)
    experienced_ages = models.JSONField(_("経験のある年齢"), default=list, blank=True)
    qualifications = models.JSONField(_("資格"), default=list, blank=True)
    takes_siblings = models.BooleanField(_("きょうだいを一緒に預かれる"), default=False)
    has_pets = models.BooleanField(_("自宅にペットがいる"), default=False)
    smoking_at_home = models.BooleanField(_("自宅で喫煙する人がいる"), default=False)
    training_hours = models.DecimalField(_("講習の修了時間"), max_digits=5, decimal_places=1, default=0)
    monthly_capacity = models.PositiveSmallIntegerField(_("1か月に引き受けられる回数"), default=8)

    insurance_enrolled = models.BooleanField(_("補償保険に加入"), default=False)
    insurance_date = models.DateField(_("保険の加入日"), null=True, blank=True)

    # The advisor's side
    interview_at = models.DateTimeField(_("面談日時"), null=True, blank=True)
    interview_notes = models.TextField(_("面談の記録"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("承認・不承認の日時"), null=True, blank=True)
    rejection_reason = models.TextField(_("不承認の理由"), blank=True)
    #: Changes to ``KEY_FIELDS`` the member asked for, waiting for the advisor: {field: value}.
    pending_changes = models.JSONField(_("確認待ちの変更"), default=dict, blank=True)
    created_at = models.DateTimeField(_("申込日時"), default=timezone.now)

    class Meta:
        verbose_name = _("ファミサポ会員")
        verbose_name_plural = _("ファミサポ会員")
        ordering = ("-created_at", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=("site", "number"),
                condition=~models.Q(number=""),
                name="familysupport_number_per_town",
            )
        ]

    def __str__(self):
        return f"{self.number or _('申込み')} {self.full_name}"

    @property
    def is_requester(self):
        return self.kind in (self.Kind.REQUESTER, self.Kind.BOTH)

    @property
    def is_provider(self):
        return self.kind in (self.Kind.PROVIDER, self.Kind.BOTH)

    @property
    def is_active(self):
        return self.status == self.Status.APPROVED


class Child(models.Model):
    member = models.ForeignKey(
        Member, verbose_name=_("依頼会員"), on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField(_("名前"), max_length=40)
    birth_date = models.DateField(_("生年月日"))
    allergies = models.CharField(_("アレルギー"), max_length=200, blank=True)
    notes = models.TextField(_("配慮してほしいこと"), blank=True)

    class Meta:
        verbose_name = _("子ども")
        verbose_name_plural = _("子ども")
        ordering = ("birth_date", "pk")

    def __str__(self):
        return self.name


class Availability(models.Model):
    """A provider's weekly hours: weekday (0 = Monday) from ``starts`` to ``ends``."""

    WEEKDAYS = [
        (0, _("月")),
        (1, _("火")),
        (2, _("水")),
        (3, _("木")),
        (4, _("金")),
        (5, _("土")),
        (6, _("日")),
    ]

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="availability")
    weekday = models.PositiveSmallIntegerField(_("曜日"), choices=WEEKDAYS)
    starts = models.TimeField(_("開始"))
    ends = models.TimeField(_("終了"))

    class Meta:
        verbose_name = _("活動できる時間")
        verbose_name_plural = _("活動できる時間")
        ordering = ("weekday", "starts")

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"


class HelpRequest(models.Model):
    """One occurrence of help asked for. A weekly request is several, sharing ``series``."""

    class Status(models.TextChoices):
        OPEN = "open", _("調整中")
        PROPOSED = "proposed", _("提供会員に打診中")
        MATCHED = "matched", _("決定")
        DONE = "done", _("活動済み")
        CANCELLED = "cancelled", _("取り消し")

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    requester = models.ForeignKey(
        Member, verbose_name=_("依頼会員"), on_delete=models.CASCADE, related_name="requests"
    )
    children = models.ManyToManyField(Child, verbose_name=_("子ども"), related_name="requests")
    activity = models.CharField(_("援助の内容"), max_length=20, choices=Activity.choices)
    starts_at = models.DateTimeField(_("開始"), db_index=True)
    ends_at = models.DateTimeField(_("終了"))
    series = models.UUIDField(_("毎週の依頼"), null=True, blank=True, db_index=True)
    place_from = models.CharField(_("場所（預かり・送迎元）"), max_length=200, blank=True)
    place_to = models.CharField(_("場所（送迎先）"), max_length=200, blank=True)
    notes = models.TextField(_("伝えたいこと"), blank=True)
    status = models.CharField(
        _("状態"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受け付けた人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(_("取り消し日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("援助の依頼")
        verbose_name_plural = _("援助の依頼")
        ordering = ("starts_at", "pk")

    def __str__(self):
        return f"{timezone.localtime(self.starts_at):%Y/%m/%d %H:%M} {self.get_activity_display()}"

    @property
    def accepted_assignment(self):
        return self.assignments.filter(status=Assignment.Status.ACCEPTED).first()


class Assignment(models.Model):
    """A provider proposed by the advisor for a request, and the provider's answer."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("打診中")
        ACCEPTED = "accepted", _("引き受け")
        DECLINED = "declined", _("辞退")
        WITHDRAWN = "withdrawn", _("取り下げ")

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="assignments")
    provider = models.ForeignKey(
        Member, verbose_name=_("提供会員"), on_delete=models.CASCADE, related_name="assignments"
    )
    status = models.CharField(
        _("状態"), max_length=10, choices=Status.choices, default=Status.PROPOSED, db_index=True
    )
    score = models.FloatField(_("候補の点数"), default=0)
    reasons = models.JSONField(_("候補の理由"), default=list, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(_("回答日時"), null=True, blank=True)
    decline_reason = models.CharField(_("辞退の理由"), max_length=200, blank=True)
    meeting_at = models.DateTimeField(_("事前打ち合わせの日時"), null=True, blank=True)
    meeting_place = models.CharField(_("待ち合わせ・打ち合わせの場所"), max_length=200, blank=True)
    meeting_notes = models.TextField(_("事前打ち合わせの記録"), blank=True)

    class Meta:
        verbose_name = _("援助の割り当て")
        verbose_name_plural = _("援助の割り当て")
        ordering = ("-proposed_at", "-pk")

    def __str__(self):
        return f"{self.request} → {self.provider.number}"


class ActivityReport(models.Model):
    """援助活動報告書. A correction is a new version that supersedes the old one."""

    class Status(models.TextChoices):
        FILED = "filed", _("依頼会員の確認待ち")
        CONFIRMED = "confirmed", _("依頼会員が確認")
        DISPUTED = "disputed", _("依頼会員から異議")
        APPROVED = "approved", _("アドバイザーが承認")
        SUPERSEDED = "superseded", _("訂正済み（旧版）")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reports")
    version = models.PositiveSmallIntegerField(_("版"), default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    status = models.CharField(
        _("状態"), max_length=12, choices=Status.choices, default=Status.FILED, db_index=True
    )
    cancelled = models.BooleanField(_("取り消しになった"), default=False)
    cancelled_at = models.DateTimeField(_("取り消しの連絡日時"), null=True, blank=True)
    started_at = models.DateTimeField(_("実際の開始"))
    ended_at = models.DateTimeField(_("実際の終了"))
    activity = models.CharField(_("援助の内容"), max_length=20, choices=Activity.choices)
    children = models.ManyToManyField(Child, verbose_name=_("子ども"), related_name="+")
    child_notes = models.TextField(_("子どもの様子"), blank=True)
    incident = models.TextField(_("けが・事故など"), blank=True)
    transport_cost = models.PositiveIntegerField(_("交通費（実費・円）"), default=0)
    meal_cost = models.PositiveIntegerField(_("食事・おやつ代（実費・円）"), default=0)
    fee = models.PositiveIntegerField(_("報酬（円）"), default=0)
    total = models.PositiveIntegerField(_("合計（円）"), default=0)
    #: How the fee was reached: ``familysupport.fees.Fee.as_dict()``.
    breakdown = models.JSONField(_("計算の内訳"), default=dict, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(_("確認日時"), null=True, blank=True)
    dispute_reason = models.TextField(_("異議の内容"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("承認日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("援助活動報告書")
        verbose_name_plural = _("援助活動報告書")
        ordering = ("-filed_at", "-pk")

    def __str__(self):
        return f"{self.assignment} v{self.version}"
