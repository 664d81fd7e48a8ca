"""The sections of a municipality's site and the roles that work in it.

Each role becomes one Django group per municipality ("三鷹市 NPO編集者"), whose page, collection
and site-setting permissions are scoped to that municipality alone. The table here is the one
place that says who may do what; ``home.municipality`` applies it.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

PAGE_EDIT = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
PAGE_DRAFT = ("add_page", "change_page", "lock_page", "unlock_page")
# Page permissions the role table decides on the pages it names (others there are revoked).
PAGE_PERMISSIONS = (*PAGE_EDIT, "bulk_delete_page")
MEDIA_EDIT = (
    "add_image",
    "change_image",
    "choose_image",
    "add_document",
    "change_document",
    "choose_document",
)
MEDIA_ADD = ("add_image", "choose_image", "add_document", "choose_document")


@dataclass(frozen=True)
class Section:
    """A top-level section. A private one is hidden from the menu and readable only by the
    groups of ``PRIVATE_SECTION_READERS``."""

    key: str
    title: str
    slug: str
    lead: str
    private: bool = False


SECTIONS = (
    Section(
        "municipal",
        "行政情報",
        "gyosei",
        "子育て広報室がお届けする、手当・助成、健診、保育園の入園などの制度とお知らせです。",
    ),
    Section(
        "regional",
        "地域情報",
        "chiiki",
        "NPOと市民記者が取材してつくる、子育てひろばやイベント、まちの情報です。",
    ),
    Section(
        "community",
        "掲示板・ブログ",
        "keijiban",
        "「こんな時どうしてる？」を気軽に聞ける掲示板と、子育て中の市民のブログです。",
    ),
    Section(
        "consult",
        "ねっと相談",
        "soudan",
        "子育ての心配ごとを、相談員にインターネットで相談できます。秘密は守られます。",
    ),
    Section(
        "familysupport",
        "ファミリーサポート",
        "famisapo",
        "子育ての手助けをしてほしい人と、手助けをしたい人が会員になって支え合う仕組みです。",
    ),
    Section(
        "workshop",
        "ワークショップ（非公開）",
        "workshop",
        "市民記者ワークショップと編集会議のための非公開の場所です。参加者だけが読み書きできます。",
        private=True,
    ),
)

SECTION_KEYS = tuple(section.key for section in SECTIONS)


@dataclass(frozen=True)
class Role:
    """One role of DESIGN.md and the permissions its group gets in one municipality.

    ``pages`` maps a section key (or ``"home"`` for the whole site) to page permission
    codenames granted on that subtree.
    """

    key: str
    label: str
    admin: bool = False
    pages: dict = field(default_factory=dict)
    media: tuple = ()
    site_settings: bool = False
    # Other per-town settings (``BaseSiteSetting`` change permissions) the role edits.
    other_settings: tuple = ()


ROLES = (
    Role(
        "site_admin",
        _("サイト管理者"),
        admin=True,
        pages={"home": (*PAGE_EDIT, "bulk_delete_page")},
        media=MEDIA_EDIT,
        site_settings=True,
    ),
    Role("municipal_staff", _("行政担当"), admin=True, pages={"municipal": PAGE_EDIT}, media=MEDIA_EDIT),
    # NPO editors write and review regional content but cannot publish it: only the NPO's lead
    # can, so a page reaches the public through the 編集会議 and the lead's approval.
    Role(
        "npo_editor",
        _("NPO編集者"),
        admin=True,
        pages={"regional": PAGE_DRAFT, "workshop": PAGE_EDIT},
        media=MEDIA_EDIT,
    ),
    Role(
        "npo_lead",
        _("NPO責任者"),
        admin=True,
        pages={"regional": PAGE_EDIT, "workshop": PAGE_EDIT},
        media=MEDIA_EDIT,
    ),
    Role("citizen_reporter", _("市民記者"), admin=True, pages={"regional": ("add_page",)}, media=MEDIA_ADD),
    # Moderators keep the boards' thresholds and NG words (community.CommunitySettings).
    Role("moderator", _("モデレーター"), admin=True, other_settings=("change_communitysettings",)),
    # Citizen bloggers write in their own blog under 掲示板・ブログ only (community.pages).
    Role("blogger", _("市民ブロガー"), admin=True, pages={"community": ("add_page",)}, media=MEDIA_ADD),
    # Counsellors draft anonymised Q&A pages from cases (consult.faq); the lead approves them.
    Role("counsellor", _("相談員"), admin=True, pages={"consult": PAGE_DRAFT}),
    # The lead counsellor also keeps the 定型文 and the risk-term list and reads the access log.
    Role(
        "counsellor_lead",
        _("主任相談員"),
        admin=True,
        pages={"consult": PAGE_DRAFT},
        other_settings=("change_consultsettings",),
    ),
    # 子ども家庭支援ネットワーク: told of urgent consultations (never their text) and handed
    # escalated cases.
    Role("child_network", _("子ども家庭支援ネットワーク"), admin=True),
    # Advisors keep their centre's fee rules (familysupport.FeeRules).
    Role("fs_advisor", _("ファミサポ アドバイザー"), admin=True, other_settings=("change_feerules",)),
    Role(
        "workshop", _("ワークショップ参加者"), admin=True, pages={"workshop": ("add_page",)}, media=MEDIA_ADD
    ),
    Role("member", _("保護者会員")),
    Role("fs_provider", _("提供会員")),
    Role("fs_requester", _("依頼会員")),
)

ROLE_KEYS = tuple(role.key for role in ROLES)

# Who may read a private section (besides superusers): the workshop itself and the NPO's editors.
PRIVATE_SECTION_READERS = ("workshop", "npo_editor", "npo_lead")
ROLE_CHOICES = [(role.key, role.label) for role in ROLES]
BY_KEY = {role.key: role for role in ROLES}
