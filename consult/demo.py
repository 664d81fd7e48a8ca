"""Demo content of ねっと相談 for the demo town (called by ``home.demo.load_demo``).

Three published Q&A, the town's reply deadline and retention, three 定型文 and four
consultations in different states, so a counsellor signing in sees a living inbox. Every
consultation is obviously made up. Loading again adds nothing: Q&A are found by slug, 定型文 by
title and consultations by their fixed demo 相談番号.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import services
from .faq import qa_index
from .models import CannedReply, Consultation, ConsultSettings, Status
from .pages import QAPage

COUNSELLOR = "demo-counsellor"
PUBLISHER = "demo-admin"
# The parent's passphrase of every demo consultation (with its 相談番号 below, it opens the thread).
DEMO_PASSPHRASE = "ひなたのデモ相談です"

SETTINGS = {"first_reply_business_days": 3, "closed_year_end": True, "retention_days": 365}

CANNED_REPLIES = (
    (
        "受付のご挨拶",
        "ひなた市ねっと相談の相談員です。ご相談いただきありがとうございます。\n"
        "お書きいただいた内容を読ませていただきました。",
    ),
    (
        "回答のしめくくり",
        "ほかにも気になることがあれば、いつでもこのページからお返事ください。\n"
        "直接話したいときは、子ども家庭支援センター（平日 午前8時30分〜午後5時）にお電話ください。",
    ),
    (
        "緊急時の連絡先",
        "お子さんや、あなた自身の安全が心配なときは、すぐに次へ連絡してください。\n"
        "・児童相談所虐待対応ダイヤル 189（24時間）\n"
        "・子ども医療電話相談 #8000（夜間・休日）\n"
        "・警察 110／消防・救急 119",
    ),
)

QA_PAGES = (
    {
        "slug": "yonaki",
        "title": "夜泣きについての相談",
        "lead": "0歳のお子さんの夜泣きが続き、眠れない日が続いているという相談です。",
        "category": "parenting",
        "child_age": "0",
        "question": (
            "<p>生後8か月の子どもがいます。1か月ほど前から夜中に何度も泣いて起きるようになり、"
            "抱っこしてもなかなか泣きやみません。私もまとまって眠れず、昼間ぼんやりしてしまいます。"
            "このまま続くのか不安です。何か工夫できることはありますか。</p>"
        ),
        "answer": (
            "<p>毎晩のことで、本当にお疲れのことと思います。8か月ごろは、できることが増えて"
            "昼間の刺激が多くなったり、人見知りが始まったりして、夜泣きが増えやすい時期です。"
            "多くの場合、成長とともに落ち着いていきます。</p>"
            "<h3>試してみてほしいこと</h3>"
            "<ul><li>朝は決まった時間にカーテンを開け、日の光を浴びる</li>"
            "<li>寝る前の流れ（お風呂、授乳、絵本など）を毎日同じにする</li>"
            "<li>泣いてもすぐに抱き上げず、少し様子を見てから背中をとんとんする</li></ul>"
            "<p>そして、何よりお母さん自身が休むことが大切です。ご家族と夜の担当を交代したり、"
            "昼間にお子さんと一緒に横になったりしてください。ファミリーサポートや一時預かりを使って"
            "休む方も多くいます。</p>"
            "<p>熱がある、いつもと泣き方が違う、ミルクを飲まないといったときは、"
            "かかりつけの小児科か子ども医療電話相談（#8000）に相談してください。</p>"
        ),
    },
    {
        "slug": "rinyushoku",
        "title": "離乳食が進まないという相談",
        "lead": "離乳食をなかなか食べてくれず、量が増えないことを心配する相談です。",
        "category": "food",
        "child_age": "0",
        "question": (
            "<p>9か月の子どもの離乳食が進みません。スプーンを口に近づけると顔をそむけ、"
            "2〜3口でおしまいになってしまいます。本に書いてある量にはとても届かず、"
            "栄養が足りているのか心配です。母乳はよく飲んでいます。</p>"
        ),
        "answer": (
            "<p>毎回準備しても食べてもらえないと、がっかりしますよね。離乳食の進み方は"
            "一人ひとり大きく違い、本にある量はあくまで目安です。母乳をよく飲み、"
            "健診で体重が順調に増えていれば、まずは心配しすぎなくて大丈夫です。</p>"
            "<h3>食べる楽しさを育てる工夫</h3>"
            "<ul><li>手づかみで食べられるもの（やわらかく煮た野菜スティックなど）を用意する</li>"
            "<li>大人も同じ時間に食卓につき、「おいしいね」と声をかける</li>"
            "<li>食べなかったら20〜30分で切り上げ、次の食事で仕切り直す</li></ul>"
            "<p>市の栄養士による離乳食相談（予約制）もあります。実際に食べる様子を見ながら"
            "一緒に考えることができますので、気軽にご利用ください。</p>"
        ),
    },
    {
        "slug": "narashi-hoiku",
        "title": "保育園の慣らし保育についての相談",
        "lead": "4月からの保育園入園を前に、慣らし保育と仕事復帰の両立に悩む相談です。",
        "category": "nursery",
        "child_age": "1",
        "question": (
            "<p>4月から1歳の子どもが保育園に入ります。慣らし保育が2週間ほどあると聞きましたが、"
            "職場には4月の2週目から復帰すると伝えてしまいました。毎朝泣かれたらどうしようと"
            "私のほうが不安です。慣らし保育の間、どんなことに気をつければよいでしょうか。</p>"
        ),
        "answer": (
            "<p>入園はお子さんにとっても、ご家族にとっても大きな変化ですね。"
            "慣らし保育は、短い時間から少しずつ園で過ごす時間を延ばしていく期間で、"
            "期間はお子さんの様子を見て園が決めます。早めに園に復帰の予定を伝え、"
            "見通しを相談しておくと安心です。</p>"
            "<h3>家庭でできること</h3>"
            "<ul><li>入園前から、起きる時間と寝る時間を園の生活に近づけておく</li>"
            "<li>別れ際は「お迎えに来るね」と短く伝え、笑顔で離れる</li>"
            "<li>お迎えのあとは、ぎゅっと抱きしめてたくさん甘えさせる</li></ul>"
            "<p>朝泣くのは、お母さんとの絆がしっかりできている証拠でもあります。"
            "多くの子は、数週間で園の生活に慣れていきます。復帰の時期が心配なときは、"
            "ファミリーサポートでお迎えを頼むこともできます。</p>"
        ),
    },
)

# (相談番号, fields for services.submit, what then happens to the case)
CONSULTATIONS = (
    (
        "0000-0001",
        {
            "question": (
                "【デモ用の架空の相談です】\n"
                "2歳の子がイヤイヤ期で、毎朝の着替えに1時間かかります。"
                "つい大きな声で怒鳴ってしまい、あとで自己嫌悪になります。"
            ),
            "category": "parenting",
            "child_age": "2",
            "nickname": "デモのくまさん",
            "faq_consent": True,
        },
        "urgent",
    ),
    (
        "0000-0002",
        {
            "question": (
                "【デモ用の架空の相談です】\n"
                "1歳半の子が、まだ歩きません。つかまり立ちはします。周りの子はもう歩いていて焦ります。"
            ),
            "category": "development",
            "child_age": "1",
            "nickname": "デモのうさぎさん",
            "faq_consent": True,
        },
        "answered",
    ),
    (
        "0000-0003",
        {
            "question": (
                "【デモ用の架空の相談です】\n"
                "4歳の子が幼稚園に行きたがらず、朝になるとおなかが痛いと言います。"
                "病院では異常はないと言われました。"
            ),
            "category": "nursery",
            "child_age": "3-5",
            "nickname": "デモのりすさん",
        },
        "overdue",
    ),
    (
        "0000-0004",
        {
            "question": (
                "【デモ用の架空の相談です】\n"
                "妊娠7か月です。上の子（3歳）が赤ちゃん返りをしていて、抱っこをせがまれます。"
                "おなかが張るので困っています。"
            ),
            "category": "family",
            "child_age": "pregnancy",
            "nickname": "デモのことりさん",
        },
        "new",
    ),
)

DEMO_ANSWER = (
    "ひなた市ねっと相談の相談員です。ご相談ありがとうございます（デモ用の回答です）。\n"
    "歩き始めの時期は1歳前後から1歳半すぎまで幅があります。つかまり立ちや伝い歩きをしているなら、"
    "体の準備は進んでいます。1歳6か月児健診で相談してみましょう。"
)


@transaction.atomic
def load_consult_demo(town):
    """Add what is missing of the ねっと相談 demo to ``town``; return the Q&A pages created."""
    site = town.site
    ConsultSettings.objects.get_or_create(site=site, defaults=SETTINGS)
    for order, (title, body) in enumerate(CANNED_REPLIES):
        CannedReply.objects.get_or_create(
            site=site, title=title, defaults={"body": body, "sort_order": order}
        )
    users = {
        user.username: user for user in get_user_model().objects.filter(username__in=(COUNSELLOR, PUBLISHER))
    }
    created = _qa_pages(site, users.get(COUNSELLOR), users.get(PUBLISHER))
    _consultations(site, users.get(COUNSELLOR))
    return created


def _qa_pages(site, writer, publisher):
    index = qa_index(site)
    existing = set(index.get_children().values_list("slug", flat=True))
    created = []
    for spec in QA_PAGES:
        if spec["slug"] in existing:
            continue
        page = QAPage(live=False, owner=writer, locale=index.locale, **spec)
        index.add_child(instance=page)
        page.save_revision(user=writer).publish(user=publisher, skip_permission_checks=True)
        created.append(page)
    return created


def _consultations(site, counsellor):
    for number, fields, state in CONSULTATIONS:
        if Consultation.objects.filter(number=number).exists():
            continue
        case = services.submit(site, passphrase=DEMO_PASSPHRASE, reply_channel="check", **fields)
        Consultation.objects.filter(pk=case.pk).update(number=number)
        case.refresh_from_db()
        if state == "urgent" and not case.urgent:
            Consultation.objects.filter(pk=case.pk).update(urgent=True)
        elif state == "answered" and counsellor is not None:
            services.counsellor_reply(case, counsellor, DEMO_ANSWER)
        elif state == "overdue":
            past = timezone.now() - datetime.timedelta(days=14)
            Consultation.objects.filter(pk=case.pk).update(
                created_at=past,
                last_activity_at=past,
                due_at=services.due_at_for(site, past),
                status=Status.NEW,
            )
