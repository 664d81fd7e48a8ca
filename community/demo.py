"""A few public threads on the demo town's boards, so the boards do not open empty.

The posts are written as published (the demo users are not yet "trusted", and a newcomer
should see a lively board, not a moderation queue). Idempotent: a board that already has
threads is left as it is.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .models import Board, Post, Thread

#: board slug → [(title, author username, body, [(author username, body), …]), …]
DEMO_THREADS = {
    "age-0-2": [
        (
            "夜泣きが続いて寝不足です",
            "demo-parent",
            "生後8か月の息子が、毎晩2〜3回起きて泣きます。\nみなさんはどうやって乗り切りましたか？",
            [
                (
                    "demo-reporter",
                    "うちも同じ時期がありました。昼間に外で遊ぶ時間を増やしたら、少しずつ落ち着きました。",
                ),
                (
                    "demo-provider",
                    "寝る前の流れ（お風呂→授乳→絵本）を毎日同じにすると良いと、保健師さんに教わりました。",
                ),
            ],
        ),
        (
            "離乳食、手作りとベビーフードの使い分け",
            "demo-requester",
            "仕事復帰を前に、離乳食をどこまで手作りにするか迷っています。平日はベビーフードに頼っている方はいますか？",
            [
                (
                    "demo-parent",
                    "平日はベビーフード、週末に作りおきです。無理をしないのがいちばんだと思います。",
                )
            ],
        ),
    ],
    "osusume": [
        (
            "雨の日に子どもと行ける場所",
            "demo-reporter",
            "梅雨の時期、室内で遊べる場所を教えてください。子育てひろばの他にもありますか？",
            [
                ("demo-parent", "市立図書館のおはなし会は、雨の日でも親子でゆっくり過ごせます。"),
                ("demo-provider", "児童館の幼児タイムもおすすめです。午前中は小さい子向けです。"),
            ],
        ),
    ],
    "shogakusei": [
        (
            "学童クラブの申し込みはいつ頃から？",
            "demo-parent",
            "来年小学校に入る娘がいます。学童クラブの申し込みは何月ごろから準備しましたか？",
            [
                (
                    "demo-requester",
                    "うちは秋に説明会があり、冬に申し込みでした。市のお知らせを見ておくと安心です。",
                )
            ],
        ),
    ],
}


@transaction.atomic
def load_demo_posts(site):
    """Create the demo threads of ``site``'s boards that have no thread yet."""
    users = {user.username: user for user in get_user_model().objects.filter(username__startswith="demo-")}
    start = timezone.now() - timedelta(days=10)
    for slug, threads in DEMO_THREADS.items():
        board = Board.objects.filter(site=site, slug=slug).first()
        if board is None or board.threads.exists():
            continue
        for number, (title, author, body, replies) in enumerate(threads):
            opened = start + timedelta(days=number * 2)
            thread = Thread.objects.create(
                board=board, title=title, author=users.get(author), created_at=opened
            )
            Post.objects.create(
                thread=thread,
                author=users.get(author),
                is_opening=True,
                body=body,
                status=Post.Status.PUBLISHED,
                created_at=opened,
            )
            when = opened
            for reply_author, reply_body in replies:
                when += timedelta(hours=5)
                Post.objects.create(
                    thread=thread,
                    author=users.get(reply_author),
                    body=reply_body,
                    status=Post.Status.PUBLISHED,
                    created_at=when,
                )
            thread.reply_count = len(replies)
            thread.last_posted_at = when
            thread.save(update_fields=["reply_count", "last_posted_at"])
