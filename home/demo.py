"""The demo municipality a newcomer first sees: ひなた市 (a fictional town).

Everything is made here from code: text, images (drawn with Pillow, nothing downloaded) and one
user per role. Running it again changes nothing that exists.
"""

import hashlib
import io
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.db import transaction
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images import get_image_model

from .municipality import create_municipality

DEMO_NAME = "ひなた市"
DEMO_HOSTNAME = "localhost"
DEMO_PASSWORD = "hinata-demo-2026"
BRAND = "#1a6b4f"

TOWN_SETTINGS = {
    "short_name": "ひなた",
    "site_title": "ひなた子育てねっと",
    "brand_colour": BRAND,
    "office_name": "子ども政策部 子育て広報室",
    "postal_code": "123-4567",
    "address": "東京都ひなた市中央一丁目1番1号 ひなた市役所 本庁舎3階",
    "phone": "0422-00-1234",
    "office_hours": "平日 午前8時30分〜午後5時15分（土日祝日・年末年始を除く）",
}

HOME_LEAD = (
    "ひなた市の子育て情報と、市民・NPO・市がいっしょにつくる地域の情報を一か所に。"
    "妊娠中の方から中高生のいるご家庭まで、必要な情報と支え合いにつながるポータルです。"
)
HOME_BODY = (
    "<h2>ひなた子育てねっとについて</h2>"
    "<p>このサイトは、ひなた市 子育て広報室と NPO法人ひなた子育てネットワーク、"
    "そして市民記者のみなさんが協力して運営しています。"
    "市の制度やお知らせは市が、地域のイベントや子育てひろばの取材記事は NPO と市民記者が、"
    "編集会議で話し合いながらお届けしています。</p>"
    "<p>困ったときは「ねっと相談」で相談員に相談できます。"
    "子どもを預けたいとき、手助けしたいときは「ファミリーサポート」をご利用ください。</p>"
)

SECTION_BODIES = {
    "municipal": (
        "<p>児童手当、子ども医療費助成、乳幼児健診と予防接種、保育園の入園申し込みなど、"
        "ひなた市の子育てに関する制度とお知らせを掲載しています。</p>"
        "<h2>よく見られている情報</h2>"
        "<ul><li>令和9年度 保育園入園申し込みのご案内</li>"
        "<li>子ども医療費助成（マル乳・マル子）の手続き</li>"
        "<li>4か月児健康診査の日程</li></ul>"
    ),
    "regional": (
        "<p>子育てひろばや児童館のイベント、公園や授乳室の情報、"
        "市民記者が取材した「まちの子育て」の記事をお届けします。"
        "記事は毎月の編集会議で話し合ってから公開しています。</p>"
        "<p>市民記者は随時募集中です。子育て中の方も、子育てを終えた方も歓迎します。</p>"
    ),
    "community": (
        "<p>「夜泣きが続いて眠れない」「雨の日に遊べる場所は？」など、"
        "子育ての「こんな時どうしてる？」を気軽に聞ける掲示板です。"
        "投稿はモデレーターが確認してから公開されます。個人が特定できる情報は書かないでください。</p>"
    ),
    "consult": (
        "<p>子育ての心配ごとや悩みを、保健師・保育士などの相談員にインターネットで相談できます。"
        "お名前やメールアドレスが公開されることはありません。"
        "通常3日以内（土日祝日を除く）にお返事します。</p>"
        "<p><strong>急いで助けが必要なときは、ページ下の緊急連絡先にお電話ください。</strong></p>"
    ),
    "familysupport": (
        "<p>ファミリー・サポート・センターは、子育ての手助けをしてほしい方（依頼会員）と、"
        "手助けをしたい方（提供会員）が会員になり、地域で支え合う仕組みです。</p>"
        "<h2>こんなときに</h2>"
        "<ul><li>保育園・学童保育の送迎</li><li>保護者の通院や買い物のあいだの預かり</li>"
        "<li>きょうだいの学校行事のあいだの預かり</li></ul>"
        "<p>利用料は1時間あたり800円（平日 午前7時〜午後7時）です。"
        "まずはアドバイザーにご相談ください。</p>"
    ),
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    nickname: str
    first_name: str
    last_name: str


DEMO_USERS = (
    DemoUser("demo-admin", "site_admin", "ひなた市管理者", "花子", "日向"),
    DemoUser("demo-gyosei", "municipal_staff", "子育て広報室", "健一", "佐藤"),
    DemoUser("demo-npo", "npo_lead", "NPO編集部", "由美", "鈴木"),
    DemoUser("demo-npo2", "npo_editor", "編集委員みどり", "翠", "井上"),
    DemoUser("demo-npo3", "npo_editor", "編集委員たけし", "武", "木村"),
    DemoUser("demo-reporter", "citizen_reporter", "ひまわり記者", "彩", "高橋"),
    DemoUser("demo-workshop", "workshop", "ワークショップ係", "恵", "松本"),
    DemoUser("demo-moderator", "moderator", "見守り係", "大輔", "田中"),
    DemoUser("demo-blogger", "blogger", "ふたごパパ", "翔太", "小林"),
    DemoUser("demo-counsellor", "counsellor", "相談員", "恵子", "伊藤"),
    DemoUser("demo-counsellor-lead", "counsellor_lead", "主任相談員", "節子", "加藤"),
    DemoUser("demo-network", "child_network", "子ども家庭支援センター", "誠", "山田"),
    DemoUser("demo-advisor", "fs_advisor", "ファミサポ", "真理", "渡辺"),
    DemoUser("demo-parent", "member", "さくらママ", "さくら", "山本"),
    DemoUser("demo-provider", "fs_provider", "みどりさん", "みどり", "中村"),
    DemoUser("demo-requester", "fs_requester", "はるパパ", "陽", "小林"),
)
OPERATOR = DemoUser("demo-operator", "", "運営事業者", "運営", "管理")


def _png(draw_scene, size=(480, 320)):
    image = PILImage.new("RGB", size, "#ffffff")
    draw_scene(ImageDraw.Draw(image), size)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def _logo(draw, size):
    w, h = size
    draw.rounded_rectangle((0, 0, w - 1, h - 1), radius=h // 5, fill=BRAND)
    draw.ellipse((w * 0.18, h * 0.18, w * 0.46, h * 0.62), fill="#ffd166")
    draw.ellipse((w * 0.52, h * 0.32, w * 0.74, h * 0.66), fill="#ffffff")
    draw.ellipse((w * 0.30, h * 0.30, w * 0.42, h * 0.50), fill="#ffffff")
    draw.rectangle((w * 0.14, h * 0.74, w * 0.86, h * 0.80), fill="#ffffff")


def _plaza(draw, size):
    w, h = size
    draw.rectangle((0, 0, w, h * 0.6), fill="#d8f0ff")
    draw.rectangle((0, h * 0.6, w, h), fill="#b7e4a8")
    draw.ellipse((w * 0.75, h * 0.08, w * 0.9, h * 0.3), fill="#ffd166")
    for i, colour in enumerate(("#ef476f", "#118ab2", "#f78c6b")):
        x = w * (0.2 + i * 0.22)
        draw.ellipse((x, h * 0.42, x + 40, h * 0.42 + 40), fill=colour)
        draw.rectangle((x + 8, h * 0.42 + 40, x + 32, h * 0.42 + 100), fill=colour)


def _image(collection, title, scene, size):
    Image = get_image_model()
    existing = Image.objects.filter(collection=collection, title=title).first()
    if existing:
        return existing
    filename = f"demo-{hashlib.sha1(title.encode()).hexdigest()[:10]}.png"
    return Image.objects.create(
        title=title, collection=collection, file=ImageFile(_png(scene, size), name=filename)
    )


def _fill(page, **fields):
    """Give a freshly made page its demo text, once; a page an editor changed is left alone."""
    if page.body:
        return
    for name, value in fields.items():
        setattr(page, name, value)
    page.save_revision().publish()


def _user(spec, town, group=None):
    User = get_user_model()
    user = User.objects.filter(username=spec.username).first()
    if user is None:
        user = User(
            username=spec.username,
            email=f"{spec.username}@example.jp",
            nickname=spec.nickname,
            first_name=spec.first_name,
            last_name=spec.last_name,
            municipality=town.site if town else None,
        )
        user.set_password(DEMO_PASSWORD)
        user.is_superuser = user.is_staff = group is None
        user.save()
    if group is not None:
        user.groups.add(group)
    # A confirmed address, so demo members can also sign in on the members' side by e-mail.
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


@transaction.atomic
def load_demo():
    """Build (or complete) the demo town; return it with the demo users."""
    town = create_municipality(DEMO_NAME, DEMO_HOSTNAME, short_name="ひなた", is_default=True)

    settings_obj = town.settings
    if not settings_obj.address:
        for name, value in TOWN_SETTINGS.items():
            setattr(settings_obj, name, value)
        settings_obj.logo = _image(town.collection, "ひなた市 ロゴ", _logo, (240, 160))
        settings_obj.save()
    _image(town.collection, "子育てひろばの様子（イラスト）", _plaza, (960, 640))

    home = town.home
    _fill(home, title="ひなた子育てねっと", lead=HOME_LEAD, body=HOME_BODY)
    for key, body in SECTION_BODIES.items():
        _fill(town.sections[key], body=body)

    users = [(spec, _user(spec, town, town.group(spec.role))) for spec in DEMO_USERS]
    users.append((OPERATOR, _user(OPERATOR, None)))
    # Citizen reporters take part in the workshops.
    User = get_user_model()
    User.objects.get(username="demo-reporter").groups.add(town.group("workshop"))

    from community.demo import load_demo_posts
    from community.demo_blog import load_demo_blog
    from consult.demo import load_consult_demo
    from familysupport.demo import load_familysupport_demo
    from portal_pages.demo import load_portal_demo

    load_portal_demo(town)
    load_consult_demo(town)
    load_demo_posts(town.site)
    load_demo_blog(town.site)
    load_familysupport_demo(town.site)
    return town, users
