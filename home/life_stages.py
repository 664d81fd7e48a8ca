"""The six life stages a parent enters the site by (妊娠・出産 … 中高生)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class LifeStage:
    slug: str
    label: str
    summary: str
    keywords: str

    def __str__(self):
        return str(self.label)


LIFE_STAGES = (
    LifeStage(
        "pregnancy",
        _("妊娠・出産"),
        _("母子健康手帳の交付、妊婦健診の助成、出産の準備、産後ケアの案内です。"),
        "妊娠 出産",
    ),
    LifeStage(
        "age-0",
        _("0歳"),
        _("赤ちゃん訪問、乳児健診と予防接種、授乳や離乳食、育児休業の情報です。"),
        "乳児 赤ちゃん",
    ),
    LifeStage(
        "age-1-2",
        _("1〜2歳"),
        _("保育園の入園、一時保育、子育てひろば、ことばや歩き始めの相談です。"),
        "保育園 一時保育",
    ),
    LifeStage(
        "age-3-5",
        _("3〜5歳"),
        _("幼稚園・保育園、幼児教育・保育の無償化、小学校入学の準備です。"),
        "幼稚園 保育園",
    ),
    LifeStage(
        "elementary",
        _("小学生"),
        _("学童保育、放課後の居場所、小学校の手続き、子どもの安全の情報です。"),
        "学童 小学校",
    ),
    LifeStage(
        "teen",
        _("中高生"),
        _("中学生・高校生の居場所、学びと進学の支援、思春期の悩みの相談先です。"),
        "中学生 高校生",
    ),
)

BY_SLUG = {stage.slug: stage for stage in LIFE_STAGES}
