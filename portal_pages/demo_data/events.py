"""イベント: the town's classes and the regional portal's gatherings, over the coming months.

Two events have already taken place and one has closed its applications, so listings show
every state an event can be in (受付中, 締切, 終了).
"""

import datetime

from .blocks import callout, contact, h2, p, table
from .dates import FRI, SAT, THU, TUE, WED

# The seasonal party of the 子育てひろば is named for the month it falls in.
SEASONAL_PARTY = {
    1: "お正月あそびの会",
    2: "節分まめまき会",
    3: "ひなまつり会",
    4: "こいのぼり工作の会",
    5: "こどもの日のつどい",
    6: "雨の日のおたのしみ会",
    7: "七夕まつり",
    8: "夏まつりごっこ",
    9: "お月見の会",
    10: "ハロウィンのおたのしみ会",
    11: "秋のおたのしみ会",
    12: "クリスマス会",
}


def _times(cal, date, start, end):
    return {"start": cal.at(date, start), "end": cal.at(date, end)}


def _deadline(cal, event_date, days_before):
    return cal.at(event_date - datetime.timedelta(days=days_before), "17:00")


def pages(cal):
    weaning = cal.day(8, weekday=TUE)
    parents = cal.day(17, weekday=SAT)
    lecture = cal.day(72, weekday=SAT)
    first_aid = cal.day(-19, weekday=SAT)
    rhythmic = cal.day(5, weekday=THU)
    story = cal.day(10, weekday=WED)
    papa = cal.day(15, weekday=SAT)
    party = cal.day(23, weekday=SAT)
    massage = cal.day(33, weekday=TUE)
    craft = cal.day(52, weekday=SAT)
    teens = cal.day(60, weekday=FRI)
    outdoor = cal.day(88, weekday=WED)
    prenatal = cal.day(102, weekday=SAT)
    measuring = cal.day(-16, weekday=TUE)
    brushing = cal.day(40, weekday=WED)
    multiples = cal.day(26, weekday=FRI)
    return [
        {
            "slug": "rinyushoku-kyoshitsu",
            "section": "municipal",
            "title": "離乳食教室（ごっくん期・もぐもぐ期）",
            **_times(cal, weaning, "13:30", "15:00"),
            "venue": "hoken-center",
            "capacity": 15,
            "fee": "無料",
            "how_to_apply": "電子申請、または健康推進課（電話 0422-00-3001）へ。先着順です。",
            "application_deadline": cal.at(cal.day(-1), "17:00"),
            "stages": ["age-0"],
            "published": 30,
            "lead": "離乳食を始める前後の5〜8か月ごろの赤ちゃんの保護者向けに、管理栄養士が進め方と作り方をお話しします。",
            "body": [
                p(
                    "<p>「いつから始める？」「どのくらいの固さ？」「食べてくれない」など、"
                    "離乳食のはじめの時期の疑問にお答えします。10倍がゆと野菜のペーストの作り方の実演と、試食があります。</p>"
                ),
                table(
                    "内容",
                    [
                        ("13:30", "受付"),
                        ("13:45", "お話「離乳食の進め方」（管理栄養士）"),
                        ("14:15", "調理の実演と試食"),
                        ("14:40", "個別相談（希望する方）"),
                    ],
                ),
                callout("<p>定員に達したため、受付を締め切りました。次回は来月の予定です。</p>", "important"),
            ],
        },
        {
            "slug": "ryoshin-gakkyu",
            "section": "municipal",
            "title": "両親学級（パパ・ママ教室）土曜コース",
            **_times(cal, parents, "10:00", "12:30"),
            "venue": "hoken-center",
            "capacity": 20,
            "fee": "無料",
            "how_to_apply": "電子申請、または健康推進課（電話 0422-00-3001）へ。ご夫婦・パートナーでお申し込みください。",
            "application_deadline": _deadline(cal, parents, 5),
            "stages": ["pregnancy"],
            "published": 26,
            "lead": "はじめて赤ちゃんを迎えるご夫婦・パートナー向けの教室です。沐浴の実習や、妊婦体験ジャケットの試着があります。",
            "body": [
                p(
                    "<p>助産師と保健師が、出産までの過ごし方と、赤ちゃんとの暮らしの準備をお話しします。"
                    "人形を使った沐浴やおむつ替えの実習、妊婦体験ジャケットの試着もあります。"
                    "同じ時期に出産を迎える方どうしの交流の時間もあります。</p>"
                ),
                h2("対象"),
                p("<p>妊娠20週から35週ごろの方とそのパートナー（おひとりでの参加もできます）。</p>"),
                callout("<p>持ち物：母子健康手帳、筆記用具、動きやすい服装でお越しください。</p>"),
            ],
        },
        {
            "slug": "kosodate-koenkai",
            "section": "municipal",
            "title": "子育て講演会「イヤイヤ期とのつきあい方」",
            **_times(cal, lecture, "10:00", "11:30"),
            "venue_text": "ひなた市民会館 小ホール（東京都ひなた市中央一丁目5番1号）",
            "capacity": 80,
            "fee": "無料",
            "how_to_apply": "電子申請、または子育て支援課（電話 0422-00-1260）へ。託児（1歳以上・先着10人）を希望する方は申し込みのときにお知らせください。",
            "application_deadline": _deadline(cal, lecture, 14),
            "stages": ["age-1-2", "age-3-5"],
            "published": 20,
            "lead": "「なんでもイヤ！」の時期をどう乗り切る？ 臨床心理士が、子どもの気持ちの育ちと、親の気持ちの整え方をお話しします。",
            "body": [
                p(
                    "<p>2〜3歳ごろの「イヤイヤ期」は、自分でやりたい気持ちが育っているしるしです。"
                    "とはいえ、毎日のことになると親もくたくたになります。"
                    "講演では、よくある場面ごとの声かけの工夫と、親が自分をいたわるコツを、具体的な例でお話しします。</p>"
                ),
                table(
                    "講師",
                    [
                        (
                            "講師",
                            "森下 美穂さん（臨床心理士・公認心理師、ひなた市子ども家庭支援センター 心理相談員）",
                        )
                    ],
                ),
                callout(
                    "<p>講演のあとに質問の時間があります。申し込みのときに事前に質問を送ることもできます。</p>"
                ),
            ],
        },
        {
            "slug": "nyuyoji-kyumei-koshu",
            "section": "municipal",
            "title": "乳幼児の救命講習（ひなた消防署）",
            **_times(cal, first_aid, "09:30", "12:30"),
            "venue_text": "ひなた消防署 3階 講堂（東京都ひなた市北町一丁目4番6号）",
            "capacity": 24,
            "fee": "無料",
            "how_to_apply": "子育て支援課（電話 0422-00-1260）へ。",
            "application_deadline": _deadline(cal, first_aid, 7),
            "stages": ["pregnancy", "age-0", "age-1-2", "age-3-5"],
            "published": 45,
            "lead": "赤ちゃんや小さな子どもの心肺蘇生、AEDの使い方、のどに物が詰まったときの対応を、消防署の救急隊員から学びます。",
            "body": [
                p(
                    "<p>人形を使って、乳児と幼児それぞれの胸骨圧迫と人工呼吸、AEDの使い方を練習します。"
                    "誤飲や窒息を防ぐ家の中の工夫についてもお話しします。"
                    "修了した方には「救命入門コース」の参加証をお渡しします。</p>"
                ),
                callout("<p>このイベントは終了しました。次回は3か月後に開く予定です。</p>"),
            ],
        },
        {
            "slug": "oyako-rhythmic",
            "title": "親子リトミック",
            **_times(cal, rhythmic, "10:30", "11:15"),
            "venue": "chuo-hiroba",
            "capacity": 15,
            "fee": "無料",
            "how_to_apply": "ひろばの受付か電話（0422-00-2101）で、開催日の2週間前から受け付けます。先着順です。",
            "stages": ["age-1-2"],
            "published": 14,
            "lead": "ピアノに合わせて歩いたり、止まったり、転がったり。1歳半から3歳のお子さんと保護者で、音楽に合わせて体を動かします。",
            "body": [
                p(
                    "<p>リトミック講師の石川 かおりさんを迎えて、季節の歌と手あそび、"
                    "音を聴いて動く遊びを親子で楽しみます。うまくできなくても大丈夫。"
                    "お子さんが見ているだけの日があっても、それも参加のうちです。</p>"
                ),
                callout("<p>動きやすい服装でお越しください。はだしで行います。飲み物をお持ちください。</p>"),
            ],
        },
        {
            "slug": "ehon-yomikikase",
            "title": "あかちゃんおはなし会（絵本の読み聞かせ）",
            **_times(cal, story, "11:00", "11:30"),
            "venue": "chuo-toshokan",
            "fee": "無料",
            "how_to_apply": "申し込みはいりません。直接2階「おはなしのへや」へお越しください。",
            "stages": ["age-0", "age-1-2"],
            "published": 12,
            "lead": "0〜2歳のお子さんと保護者向けに、図書館のおはなしボランティアが絵本とわらべうたを楽しむ30分です。",
            "body": [
                p(
                    "<p>ひざの上で聞ける短い絵本と、ふれあい遊びのわらべうたを中心にしたプログラムです。"
                    "途中で泣いたり、歩き回ったりしても気にせずご参加ください。"
                    "終わったあとに、月齢に合った絵本の選び方の相談もできます。</p>"
                ),
                callout("<p>ベビーカーは「こどもの本のへや」入口に置けます。授乳室は2階にあります。</p>"),
            ],
        },
        {
            "slug": "papa-to-asobo",
            "title": "パパと遊ぼう！土曜ひろば",
            **_times(cal, papa, "10:00", "11:30"),
            "venue": "minami-jidokan",
            "capacity": 12,
            "fee": "無料",
            "how_to_apply": "児童館の受付か電話（0422-00-2202）へ。定員を超えたら抽選です。",
            "application_deadline": _deadline(cal, papa, 3),
            "stages": ["age-1-2", "age-3-5"],
            "published": 18,
            "lead": "パパとお子さんだけで参加するあそびの会です。新聞紙あそびと体を使った遊びで、思いきり体を動かします。",
            "body": [
                p(
                    "<p>毎月1回、土曜日に開いている、パパと子どものための時間です。"
                    "児童館の職員と先輩パパが一緒に遊びますので、「何をして遊べばいいかわからない」という方も大歓迎です。"
                    "後半は、パパどうしのおしゃべりタイムです。</p>"
                ),
                callout("<p>おじいちゃんや、パパ以外の保護者の方の参加もご相談ください。</p>"),
            ],
        },
        {
            "slug": "hiroba-kisetsu-no-kai",
            "title": f"子育てひろばの{SEASONAL_PARTY[party.month]}",
            **_times(cal, party, "10:30", "11:45"),
            "venue": "chuo-hiroba",
            "capacity": 30,
            "fee": "無料",
            "how_to_apply": "ひろばの受付か電話（0422-00-2101）へ。",
            "application_deadline": _deadline(cal, party, 4),
            "stages": ["age-0", "age-1-2", "age-3-5"],
            "published": 21,
            "lead": "ひろばのスタッフとボランティアによる、季節の歌とパネルシアター、親子で作る工作の会です。",
            "body": [
                p(
                    "<p>季節の歌や手あそび、パネルシアターを楽しんだあと、親子で小さな飾りを作ります。"
                    "最後に、みんなで記念撮影をします（写りたくない方はお知らせください）。</p>"
                ),
                table(
                    "当日の流れ",
                    [
                        ("10:30", "はじまりの歌・手あそび"),
                        ("10:45", "パネルシアター"),
                        ("11:05", "親子で工作"),
                        ("11:35", "記念撮影・おわりの歌"),
                    ],
                ),
            ],
        },
        {
            "slug": "baby-massage",
            "title": "ベビーマッサージ講座",
            **_times(cal, massage, "10:30", "11:30"),
            "venue": "chuo-hiroba",
            "capacity": 10,
            "fee": "500円（オイル代）",
            "how_to_apply": "ひろばの受付か電話（0422-00-2101）へ。初めての方を優先します。",
            "application_deadline": _deadline(cal, massage, 7),
            "stages": ["age-0"],
            "published": 10,
            "lead": "首がすわった2か月から寝返り前までの赤ちゃんと、ママ・パパが一緒に楽しむスキンシップの時間です。",
            "body": [
                p(
                    "<p>助産師の講師が、赤ちゃんが気持ちよく感じる触れ方を、歌に合わせて教えます。"
                    "ほかの参加者とおしゃべりしながら、ゆったりした時間を過ごしましょう。</p>"
                ),
                callout(
                    "<p>持ち物：バスタオル1枚、着替え、おむつ、飲み物。"
                    "当日、赤ちゃんに発熱や湿疹があるときはお休みしてください。</p>"
                ),
            ],
        },
        {
            "slug": "jidokan-kosaku",
            "title": "児童館の工作教室「牛乳パックでつくろう」",
            **_times(cal, craft, "14:00", "15:30"),
            "venue": "minami-jidokan",
            "capacity": 20,
            "fee": "無料",
            "how_to_apply": "児童館の受付で申し込んでください（電話不可）。小学1・2年生は保護者の方と一緒に参加できます。",
            "application_deadline": _deadline(cal, craft, 2),
            "stages": ["elementary"],
            "published": 9,
            "lead": "牛乳パックで、よく飛ぶ紙ブーメランと小物入れを作ります。作ったものは持ち帰れます。",
            "body": [
                p(
                    "<p>家で洗って乾かした牛乳パック（1リットル）を2本持ってきてください。"
                    "はさみとのりは児童館で用意します。できあがったら遊戯室で飛ばしっこ大会をします。</p>"
                ),
            ],
        },
        {
            "slug": "teens-cafe",
            "title": "中高生の「ティーンズカフェ」",
            **_times(cal, teens, "17:00", "19:00"),
            "venue": "minami-jidokan",
            "fee": "無料（飲み物つき）",
            "how_to_apply": "申し込みはいりません。入退室は自由です。",
            "stages": ["teen"],
            "published": 7,
            "lead": "中学生・高校生が運営する、放課後のカフェです。宿題をしても、おしゃべりしても、ボードゲームをしてもOK。",
            "body": [
                p(
                    "<p>月に1回、児童館のホールが中高生だけのカフェになります。"
                    "メニューづくりや音楽の選曲も、中高生の実行委員が決めています。"
                    "話したいことがあれば、児童館の職員や大学生ボランティアにいつでも声をかけてください。</p>"
                ),
                contact("南ひなた児童館（中高生担当）", "0422-00-2202", "", "火〜土 午後1時〜7時"),
            ],
        },
        {
            "slug": "dehiroba-chuo-koen",
            "title": "出張ひろば in ひなた中央公園",
            **_times(cal, outdoor, "10:00", "11:30"),
            "venue": "chuo-koen",
            "fee": "無料",
            "how_to_apply": "申し込みはいりません。雨天の場合は中止します（当日午前8時にこのページでお知らせします）。",
            "stages": ["age-1-2", "age-3-5"],
            "published": 6,
            "lead": "子育てひろばのスタッフが公園に出張します。シャボン玉やボール、レジャーシートでの絵本タイムを楽しみましょう。",
            "body": [
                p(
                    "<p>芝生広場の管理事務所前にシートを広げて、ひろばのおもちゃと絵本を持っていきます。"
                    "ふだんひろばに来られない方や、公園で遊んでいる親子も、気軽にのぞいてください。</p>"
                ),
                callout(
                    "<p>帽子と飲み物をお忘れなく。トイレは管理事務所にあり、ベビーシートがあります。</p>"
                ),
            ],
        },
        {
            "slug": "premama-prepapa-tsudoi",
            "title": "プレママ・プレパパのつどい",
            **_times(cal, prenatal, "13:30", "15:00"),
            "venue": "chuo-hiroba",
            "capacity": 12,
            "fee": "無料",
            "how_to_apply": "ひろばの受付か電話（0422-00-2101）へ。",
            "application_deadline": _deadline(cal, prenatal, 5),
            "stages": ["pregnancy"],
            "published": 4,
            "lead": "出産を控えた方と、先輩ママ・パパが赤ちゃんと一緒に集まります。抱っこの練習や、産後の暮らしの話ができます。",
            "body": [
                p(
                    "<p>「産後の1か月はどう過ごした？」「用意してよかったものは？」など、"
                    "先輩ママ・パパの体験を聞ける会です。ひろばの使い方の案内もあります。"
                    "産後すぐに頼れる場所を、妊娠中に知っておきませんか。</p>"
                ),
            ],
        },
        {
            "slug": "hiroba-shintai-sokutei",
            "title": "ひろばの身体測定の日",
            **_times(cal, measuring, "10:00", "11:30"),
            "venue": "chuo-hiroba",
            "fee": "無料",
            "how_to_apply": "申し込みはいりません。母子健康手帳をお持ちください。",
            "stages": ["age-0", "age-1-2"],
            "published": 28,
            "lead": "毎月1回、保育士が赤ちゃんの身長と体重を測ります。気になることがあれば、その場で相談できます。",
            "body": [
                p(
                    "<p>ベビースケールと身長計で測った結果を、母子健康手帳に記入します。"
                    "保健センターの保健師も来ますので、授乳や発達のことも相談できます。</p>"
                ),
                callout("<p>このイベントは終了しました。次回の日程はひろばの掲示でお知らせします。</p>"),
            ],
        },
        {
            "slug": "hamigaki-kyoshitsu",
            "section": "municipal",
            "title": "親子の歯みがき教室（1歳6か月〜2歳ごろ）",
            **_times(cal, brushing, "10:00", "11:15"),
            "venue": "hoken-center",
            "capacity": 12,
            "fee": "無料",
            "how_to_apply": "電子申請、または健康推進課（電話 0422-00-3001）へ。先着順です。",
            "application_deadline": _deadline(cal, brushing, 7),
            "stages": ["age-1-2"],
            "published": 15,
            "lead": "歯科衛生士が、仕上げみがきのコツと、むし歯になりにくいおやつ・飲み物の選び方をお話しします。希望する方はフッ素塗布も受けられます。",
            "body": [
                p(
                    "<p>「歯みがきをいやがって泣いてしまう」「仕上げみがきはいつまで続ける？」など、"
                    "毎日の歯みがきの悩みにお答えします。お子さんをひざに寝かせる姿勢での仕上げみがきを、"
                    "その場で練習します。</p>"
                ),
                table(
                    "内容",
                    [
                        ("10:00", "受付"),
                        ("10:10", "お話「むし歯を防ぐ毎日の習慣」（歯科衛生士）"),
                        ("10:40", "仕上げみがきの練習"),
                        ("11:00", "フッ素塗布（希望する方）・個別相談"),
                    ],
                ),
                callout("<p>持ち物：母子健康手帳、お子さんの歯ブラシ、バスタオル</p>"),
            ],
        },
        {
            "slug": "tatai-oyako-tsudoi",
            "title": "双子・三つ子の親子のつどい",
            **_times(cal, multiples, "10:30", "12:00"),
            "venue": "chuo-hiroba",
            "capacity": 10,
            "fee": "無料",
            "how_to_apply": "ひろばの受付か電話（0422-00-2101）へ。多胎児を妊娠中の方もお申し込みください。",
            "application_deadline": _deadline(cal, multiples, 3),
            "stages": ["pregnancy", "age-0", "age-1-2"],
            "published": 11,
            "lead": "双子や三つ子を育てている親子と、多胎児を妊娠中の方が集まる会です。先輩家庭の体験を聞いたり、同じ悩みを話し合ったりできます。",
            "body": [
                p(
                    "<p>2人同時に泣いたらどうする？ 授乳や寝かしつけの工夫は？ 外出のときの持ち物は？"
                    "多胎児の子育てならではの話を、ゆっくりできる時間です。"
                    "保健センターの保健師と、多胎ピアサポーターの先輩ママも参加します。</p>"
                ),
                callout(
                    "<p>2人乗りのベビーカーは、ひろばの入口横に置けます。スタッフが抱っこやお世話を手伝いますので、"
                    "おひとりでも安心してお越しください。</p>"
                ),
            ],
        },
    ]
