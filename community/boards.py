"""The boards every municipality starts with: the topics of the slides, and the workshop's."""

from django.utils.translation import gettext_lazy as _

#: (slug, title, description, private)
STANDARD_BOARDS = (
    ("ninshin", _("妊娠・出産"), _("妊娠中のこと、出産の準備、産後の体と心のこと。"), False),
    ("age-0-2", _("0〜2歳"), _("授乳・離乳食、夜泣き、保育園の入園など、0〜2歳の子育て。"), False),
    ("age-3-5", _("3〜5歳"), _("幼稚園・保育園の生活、トイレ、習いごとなど、3〜5歳の子育て。"), False),
    ("shogakusei", _("小学生"), _("入学の準備、学童クラブ、放課後の過ごし方。"), False),
    ("osusume", _("地域のおすすめ"), _("「利用してよかった」公園、ひろば、お店、小児科の情報交換。"), False),
    ("hitorioya", _("ひとり親"), _("ひとり親家庭の暮らしと子育て、使える制度の話。"), False),
    ("tatai", _("多胎児"), _("双子・三つ子の子育ての工夫と仲間づくり。"), False),
    (
        "workshop",
        _("ワークショップ"),
        _("市民記者ワークショップと編集会議の、ネットでの参加の場です。参加者だけが読めます。"),
        True,
    ),
)


def ensure_boards(site):
    """Create the standard boards of ``site`` that do not exist yet; keep the others as they are."""
    from .models import Board

    existing = set(Board.objects.filter(site=site).values_list("slug", flat=True))
    Board.objects.bulk_create(
        [
            Board(
                site=site,
                slug=slug,
                title=str(title),
                description=str(description),
                private=private,
                sort_order=i,
            )
            for i, (slug, title, description, private) in enumerate(STANDARD_BOARDS)
            if slug not in existing
        ]
    )
