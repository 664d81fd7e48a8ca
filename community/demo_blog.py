"""The demo town's citizen blog: ふたごパパ (demo-blogger) writes about raising twins.

Idempotent: the blog and each post are made only when missing. The posts are published here
directly, as if the 編集会議 had already approved them.
"""

import datetime

from django.contrib.auth import get_user_model

from .pages import BlogPostPage, ensure_blog

BLOG_TITLE = "ふたごパパの育児日記"
BLOG_INTRO = "1歳の双子（男の子と女の子）を育てるパパの記録です。双子ならではの工夫や、助けられた地域のサービスを書いていきます。"

POSTS = (
    {
        "slug": "futago-junyu",
        "title": "双子の授乳、夜中はこう回しています",
        "date": datetime.date(2026, 4, 12),
        "lead": "生後3か月までの夜間授乳を、夫婦ふたりでどう分担したかをまとめました。",
        "body": (
            "<p>双子が生まれてすぐ、いちばん大変だったのが夜中の授乳でした。"
            "ひとりが泣くともうひとりも起きるので、最初の1か月はほとんど眠れませんでした。</p>"
            "<h2>わが家のやり方</h2>"
            "<ul><li>夜10時から2時まではパパ、2時から6時まではママが担当</li>"
            "<li>ミルクの量と時間は、ふたり分をホワイトボードに書く</li>"
            "<li>授乳クッションで2人同時に飲ませる練習をする</li></ul>"
            "<p>保健師さんの赤ちゃん訪問で相談したところ、「全部を完璧にしなくていい」と言ってもらえて、"
            "気持ちがずいぶん楽になりました。</p>"
        ),
    },
    {
        "slug": "futago-gaishutsu",
        "title": "双子ベビーカーで出かけられる場所",
        "date": datetime.date(2026, 5, 20),
        "lead": "横並びの双子ベビーカーでも入りやすかった、市内の子育てひろばと公園の話です。",
        "body": (
            "<p>双子用のベビーカーは幅が広く、入口の狭いお店には入れません。"
            "そこで、ベビーカーのまま入れる場所を少しずつ探してきました。</p>"
            "<h2>よかったところ</h2>"
            "<p>中央子育てひろばはスロープがあり、ベビーカー置き場も広くて助かりました。"
            "スタッフの方が「双子ちゃんですね」と声をかけてくれ、片方を抱っこしてもらえたのもうれしかったです。</p>"
            "<p>同じ双子の家庭と知り合えたのも大きな収穫でした。多胎児の家庭向けの集まりがあることも、"
            "ひろばで教えてもらいました。</p>"
        ),
    },
)


def load_demo_blog(site):
    """Give demo-blogger a blog in ``site``'s town with two published posts, if they exist."""
    user = get_user_model().objects.filter(username="demo-blogger").first()
    if user is None:
        return None
    blog = ensure_blog(user, site, title=BLOG_TITLE, lead=BLOG_INTRO)
    for spec in POSTS:
        if BlogPostPage.objects.child_of(blog).filter(slug=spec["slug"]).exists():
            continue
        post = BlogPostPage(owner=user, live=False, **spec)
        blog.add_child(instance=post)
        post.save_revision(user=user).publish(user=user, skip_permission_checks=True)
    return blog
