import datetime
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page, Revision
from wagtail.signals import page_published

from portal_pages.importer import ContentImportError, import_content
from portal_pages.models import ArticlePage, EventPage, FacilityPage, NoticePage, ServicePage

from . import factories

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "data" / "sample.jsonl"
TOKYO = ZoneInfo("Asia/Tokyo")
CONTENT_MODELS = (NoticePage, ServicePage, EventPage, FacilityPage, ArticlePage)


def _line(record):
    return record if isinstance(record, str) else json.dumps(record, ensure_ascii=False)


def _file(tmp_path, records, name="pages.jsonl"):
    path = tmp_path / name
    path.write_text("".join(_line(record) + "\n" for record in records), encoding="utf-8")
    return path


def _run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_content", str(path), *args, stdout=out, stderr=err)
    except CommandError as error:
        error.stdout, error.stderr = out.getvalue(), err.getvalue()
        raise
    return out.getvalue(), err.getvalue()


def _content_count():
    return Page.objects.type(*CONTENT_MODELS).count()


def _notice(title="保育園入園説明会のお知らせ", **fields):
    return {"type": "notice", "title": title, "body": "説明会を開きます。", **fields}


def _event(**fields):
    record = {
        "type": "event",
        "title": "親子リトミック",
        "body": "",
        "start": "2026-12-01T10:00",
        "end": "2026-12-01T11:30",
    }
    return {**record, **fields}


def _facility(**fields):
    record = {
        "type": "facility",
        "title": "東児童館",
        "body": "",
        "kind": "jidokan",
        "address": "三鷹市東1-1",
    }
    return {**record, **fields}


def _sample_records():
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]


def _revisions(page):
    return Revision.page_revisions.filter(object_id=str(page.pk)).count()


def test_sample_file_imports_every_type_with_its_fields(town_a):
    out, err = _run(SAMPLE)

    assert "作成 5件 / 更新 0件 / 変更なし 0件" in out
    assert err == ""

    notice = NoticePage.objects.child_of(town_a.index("municipal", "NoticeIndexPage")).get()
    assert notice.live and notice.slug == "hoikuen-2027"
    assert (notice.title, notice.lead) == ("令和9年度保育園入園申し込み", "4月入園の申し込みを受け付けます。")
    assert (notice.department, notice.category) == ("子育て支援課", "childcare")
    assert {stage.slug for stage in notice.life_stages.all()} == {"age-0", "age-1-2"}
    published = datetime.datetime(2026, 10, 1, 9, 0, tzinfo=TOKYO)
    assert notice.first_published_at == published and notice.last_published_at == published

    service = ServicePage.objects.child_of(town_a.index("municipal", "ServiceIndexPage")).get()
    assert service.category == "allowance"
    assert service.eligibility == "<p>市内に住む保護者</p>"
    assert service.amount == "<p>月額1万円〜<strong>3万円</strong></p>"
    assert service.what_to_bring == "<p>健康保険証<br>振込先の口座がわかるもの</p>"
    assert service.contact == "<p>子育て支援課 手当係</p>"

    event = EventPage.objects.child_of(town_a.index("regional", "EventIndexPage")).get()
    assert event.start == datetime.datetime(2026, 12, 1, 10, 0, tzinfo=TOKYO)
    assert event.end == datetime.datetime(2026, 12, 1, 11, 30, tzinfo=TOKYO)
    assert event.application_deadline == datetime.datetime(2026, 11, 25, 17, 0, tzinfo=TOKYO)
    assert (event.venue_text, event.capacity, event.fee, event.how_to_apply) == (
        "中央子育てひろば",
        15,
        "300円",
        "電話で申し込み",
    )

    facility = FacilityPage.objects.child_of(town_a.index("regional", "FacilityIndexPage")).get()
    assert (facility.kind, facility.address, facility.postal_code) == (
        "hiroba",
        "東京都三鷹市下連雀三丁目1番1号",
        "181-0013",
    )
    assert (facility.latitude, facility.longitude) == (Decimal("35.683061"), Decimal("139.559681"))
    assert (facility.phone, facility.opening_hours, facility.closed_days) == (
        "0422-00-0000",
        "午前9時〜午後5時",
        "日曜・祝日",
    )
    assert facility.amenities() == ["授乳室", "おむつ替え", "ベビーカー可"]

    article = ArticlePage.objects.child_of(town_a.index("regional", "ArticleIndexPage")).get()
    assert article.interview_date == datetime.date(2026, 6, 12)
    assert article.workshop == "子育て記者講座 第3期"
    assert sorted(tag.name for tag in article.tags.all()) == ["児童館", "雨の日"]
    assert article.first_published_at == datetime.datetime(2026, 7, 1, tzinfo=TOKYO)
    assert [(block.block_type, block.value.source) for block in article.body] == [
        ("paragraph", "<h2>東児童館</h2><p>広い遊戯室があります。</p>")
    ]


def test_event_goes_to_the_municipal_index_unless_regional_is_asked(town_a, tmp_path):
    _run(_file(tmp_path, [_event(slug="shi"), _event(slug="chiiki", section="regional")]))

    assert EventPage.objects.child_of(town_a.index("municipal", "EventIndexPage")).get().slug == "shi"
    assert EventPage.objects.child_of(town_a.index("regional", "EventIndexPage")).get().slug == "chiiki"


def test_html_body_is_sanitised(town_a, tmp_path):
    body = (
        '<p onclick="steal()">こんにちは<script>alert(1)</script></p>'
        '<p><a href="javascript:alert(1)">危険</a> <a href="https://example.jp/">安全</a></p>'
        "<style>p{}</style>"
    )
    _run(_file(tmp_path, [_notice(slug="html", body=body)]))

    page = NoticePage.objects.get(slug="html")
    assert page.body.raw_data[0]["value"] == (
        '<p>こんにちは</p><p><a>危険</a> <a href="https://example.jp/">安全</a></p>'
    )


def test_plain_text_body_becomes_paragraphs(town_a, tmp_path):
    body = "一行目\n二行目\n\n次の段落 <3 & おわり\n\n\n最後"
    _run(_file(tmp_path, [_notice(slug="plain", body=body)]))

    page = NoticePage.objects.get(slug="plain")
    assert [(block.block_type, block.value.source) for block in page.body] == [
        ("paragraph", "<p>一行目<br>二行目</p><p>次の段落 &lt;3 &amp; おわり</p><p>最後</p>")
    ]


def test_slug_is_made_from_the_title_when_missing(town_a, tmp_path):
    path = _file(tmp_path, [_notice(title="ひよこ教室のお知らせ")])
    _run(path)
    out, _err = _run(path)

    assert NoticePage.objects.get().slug == "ひよこ教室のお知らせ"
    assert "作成 0件 / 更新 0件 / 変更なし 1件" in out


BAD_LINES = [
    pytest.param('{"type": "notice", "title": "締め切り', "JSONとして読み取れません", id="bad-json"),
    pytest.param("[1, 2]", "1行に1つのオブジェクト", id="not-an-object"),
    pytest.param({"type": "notice", "body": "本文"}, '"title" がありません。', id="missing-title"),
    pytest.param(_notice(title="   "), '"title" が空です。', id="blank-title"),
    pytest.param({"type": "notice", "title": "題"}, '"body" がありません。', id="missing-body"),
    pytest.param(
        {"title": "題", "body": ""}, '"type" は次のどれかにしてください：notice, service', id="no-type"
    ),
    pytest.param(
        {"type": "blog", "title": "題", "body": ""},
        '"type" の「blog」は使えません（使える値：notice, service, event, facility, article）',
        id="unknown-type",
    ),
    pytest.param(
        _event(start="12月1日 10時"), '"start" の日時を読み取れません（例：2026-12-01T10:00）', id="bad-date"
    ),
    pytest.param(_event(start="2026-12-01"), '"start" には時刻も書いてください', id="date-without-time"),
    pytest.param(
        _event(start="2026-12-01T11:00", end="2026-12-01T10:00"),
        '"end" は "start" より後の日時にしてください。',
        id="end-before-start",
    ),
    pytest.param(
        _event(application_deadline="2026-12-02T10:00"),
        '"application_deadline" は "end" より前の日時にしてください。',
        id="deadline-after-end",
    ),
    pytest.param({**_event(), "end": None}, '"end" が空です。', id="null-end"),
    pytest.param(
        _notice(life_stages=["age-0", "age-99"]),
        '"life_stages" の「age-99」は知らないライフステージです（使える値：pregnancy, age-0',
        id="unknown-stage",
    ),
    pytest.param(_notice(life_stages="age-0"), '"life_stages" は文字列のリスト', id="stages-not-a-list"),
    pytest.param(
        _facility(kind="zoo"), '"kind" の「zoo」は使えません（使える値：hiroba, jidokan', id="unknown-kind"
    ),
    pytest.param(_facility(address=""), '"address" が空です。', id="blank-address"),
    pytest.param(
        _notice(category="tax"),
        '"category" の「tax」は使えません（使える値：allowance',
        id="unknown-category",
    ),
    pytest.param(
        _facility(latitude=95.5),
        '"latitude" は -90 〜 90 の範囲で書いてください（95.5 になっています）',
        id="latitude",
    ),
    pytest.param(_facility(longitude="東経139度"), '"longitude" は数値で書いてください', id="longitude-text"),
    pytest.param(_facility(parking="はい"), '"parking" は true か false で書いてください。', id="boolean"),
    pytest.param(_event(capacity="十五"), '"capacity" は0以上の整数で書いてください。', id="capacity"),
    pytest.param(
        _notice(title="あ" * 256), '"title" は255文字以内にしてください（256文字あります）。', id="long-title"
    ),
    pytest.param(_notice(slug="a/b"), '"slug" の「a/b」は使えません', id="bad-slug"),
    pytest.param(
        _event(strat="2026-12-01T10:00"), '"strat" は event では使えない項目です。', id="unknown-key"
    ),
    pytest.param(
        _notice(section="regional"), '"section" は notice では使えない項目です。', id="section-of-notice"
    ),
    pytest.param(
        _notice(published_at="去年"), '"published_at" の日時を読み取れません', id="bad-published-at"
    ),
    pytest.param(
        {"type": "article", "title": "題", "body": "", "interview_date": "6月12日"},
        '"interview_date" の日付を読み取れません（例：2026-04-15）',
        id="bad-interview-date",
    ),
    pytest.param(_notice(slug="first"), '"slug" の「first」が1行目と重なります。', id="duplicate-slug"),
    pytest.param(
        _notice(title="保育園入園説明会のお知らせ"),
        "タイトルから作ったスラッグ「保育園入園説明会のお知らせ」が2行目と重なります",
        id="duplicate-slug-from-title",
    ),
]


@pytest.mark.parametrize(("bad", "message"), BAD_LINES)
def test_bad_line_is_reported_with_its_number_and_nothing_is_written(town_a, tmp_path, bad, message):
    path = _file(tmp_path, [_notice(slug="first"), _notice(), bad])
    before = _content_count()

    with pytest.raises(CommandError, match="何も書き込んでいません") as raised:
        _run(path)

    problems = raised.value.stderr.splitlines()
    assert any(problem.startswith(f"3行目: {message}") for problem in problems), problems
    assert all(problem.startswith("3行目: ") for problem in problems), problems
    assert _content_count() == before


def test_every_problem_of_the_file_is_reported_at_once(town_a, tmp_path):
    path = _file(tmp_path, [_notice(), _facility(latitude=-91, kind="zoo"), _notice(slug="ok"), "{"])

    with pytest.raises(CommandError, match="3件の問題") as raised:
        _run(path)

    assert raised.value.stderr.splitlines() == [
        '2行目: "kind" の「zoo」は使えません（使える値：hiroba, jidokan, nursery, kindergarten, '
        "kodomoen, sick_child, health_center, library, park, other）。",
        '2行目: "latitude" は -90 〜 90 の範囲で書いてください（-91 になっています）。',
        "4行目: JSONとして読み取れません（2文字目付近）。",
    ]
    assert _content_count() == 0


def test_line_that_is_not_utf8_is_reported(town_a):
    lines = [_line(_notice()).encode(), _line(_notice(title="児童館だより")).encode("shift_jis")]

    with pytest.raises(ContentImportError) as raised:
        import_content(lines, town_a.site)

    assert [str(problem) for problem in raised.value.problems] == [
        "2行目: UTF-8 の文字として読み取れません。"
    ]
    assert _content_count() == 0


@pytest.mark.parametrize("content", ["", "\n  \n\n"])
def test_empty_file_is_refused(town_a, tmp_path, content):
    path = tmp_path / "empty.jsonl"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        _run(path)

    assert "ファイルにページがありません" in raised.value.stderr
    assert _content_count() == 0


def test_unknown_municipality_is_refused(town_a, tmp_path):
    message = "ホスト名「nowhere.example.jp」の自治体が見つかりません（登録済み：mitaka.example.jp, tachikawa.example.jp）。"
    with pytest.raises(CommandError, match=re.escape(message)):
        _run(_file(tmp_path, [_notice()]), "--municipality", "nowhere.example.jp")

    assert _content_count() == 0


def test_missing_file_is_refused_in_japanese(town_a, tmp_path):
    with pytest.raises(CommandError, match="を開けません"):
        _run(tmp_path / "nothing.jsonl")


def test_missing_index_is_a_problem_of_the_lines_that_need_it(town_a):
    town_a.index("regional", "FacilityIndexPage").delete()
    lines = [_line(_notice()), _line(_facility())]

    with pytest.raises(ContentImportError) as raised:
        import_content(lines, town_a.site)

    assert [str(problem) for problem in raised.value.problems] == [
        "2行目: 地域情報 に「施設一覧」のページがないため取り込めません。"
    ]
    assert _content_count() == 0


def test_reimport_updates_changed_pages_as_a_new_revision_and_counts_the_rest_unchanged(town_a, tmp_path):
    _run(SAMPLE)
    pages = {page.slug: page for page in Page.objects.type(*CONTENT_MODELS)}
    revisions = {slug: _revisions(page) for slug, page in pages.items()}

    records = _sample_records()
    records[0]["title"] = "令和9年度保育園入園申し込み（受付延長）"
    records[3]["latitude"] = 35.7
    out, _err = _run(_file(tmp_path, records))

    assert "作成 0件 / 更新 2件 / 変更なし 3件" in out
    assert _content_count() == 5
    notice = NoticePage.objects.get(slug="hoikuen-2027")
    assert notice.title == "令和9年度保育園入園申し込み（受付延長）"
    assert notice.get_latest_revision().as_object().title == notice.title
    assert FacilityPage.objects.get().latitude == Decimal("35.700000")
    for slug, page in pages.items():
        expected = revisions[slug] + (1 if slug in ("hoikuen-2027", "chuo-hiroba") else 0)
        assert _revisions(page) == expected, slug

    out, _err = _run(_file(tmp_path, records))
    assert "作成 0件 / 更新 0件 / 変更なし 5件" in out
    assert _revisions(notice) == revisions["hoikuen-2027"] + 1


def test_reimport_keeps_fields_the_line_does_not_carry(town_a, tmp_path):
    page = factories.notice(town_a, slug="kenshin", department="健康推進課", stages=["age-0"])

    out, _err = _run(_file(tmp_path, [_notice(slug="kenshin", title="乳児健診の日程")]))

    assert "更新 1件" in out
    page.refresh_from_db()
    assert page.title == "乳児健診の日程"
    assert page.department == "健康推進課"
    assert [stage.slug for stage in page.life_stages.all()] == ["age-0"]


def test_municipality_option_puts_pages_in_town_b_and_not_in_town_a(town_a, town_b, tmp_path):
    out, _err = _run(SAMPLE, "--municipality", "tachikawa.example.jp")

    assert "作成 5件" in out
    assert Page.objects.type(*CONTENT_MODELS).descendant_of(town_b.home).count() == 5
    assert Page.objects.type(*CONTENT_MODELS).descendant_of(town_a.home).count() == 0


def test_without_municipality_the_default_site_is_used(town_a, town_b):
    _run(SAMPLE)

    assert Page.objects.type(*CONTENT_MODELS).descendant_of(town_a.home).count() == 5
    assert Page.objects.type(*CONTENT_MODELS).descendant_of(town_b.home).count() == 0


def test_dry_run_writes_nothing_and_says_what_would_happen(town_a, tmp_path):
    out, _err = _run(SAMPLE, "--dry-run")

    assert _content_count() == 0
    assert "1行目: 作成 notice「令和9年度保育園入園申し込み」（hoikuen-2027）" in out
    assert (
        "試行のため何も書き込んでいません。取り込むと 作成 5件 / 更新 0件 / 変更なし 0件 になります。" in out
    )

    _run(SAMPLE)
    records = _sample_records()
    records[1]["amount"] = "<p>月額1万5千円</p>"
    revisions = Revision.objects.count()
    out, _err = _run(_file(tmp_path, records), "--dry-run")

    assert "取り込むと 作成 0件 / 更新 1件 / 変更なし 4件 になります。" in out
    assert Revision.objects.count() == revisions
    assert ServicePage.objects.get().amount == "<p>月額1万円〜<strong>3万円</strong></p>"


def test_imported_page_renders_for_a_visitor_and_is_found_by_search(client, town_a, tmp_path):
    record = _notice(
        slug="hiyoko", title="ひよこ教室", body="<p>0歳児と保護者の教室です。</p>", lead="毎月開催"
    )
    _run(_file(tmp_path, [record]))
    page = NoticePage.objects.get(slug="hiyoko")

    response = client.get(page.url, HTTP_HOST=town_a.site.hostname)

    assert response.status_code == 200
    html = response.content.decode()
    assert "ひよこ教室" in html and "0歳児と保護者の教室です。" in html
    assert page.id in [result.id for result in Page.objects.live().search("ひよこ教室")]


def test_failure_while_writing_leaves_the_database_as_it_was(town_a):
    class Boom(Exception):
        pass

    published = []

    def fail_on_third(sender, instance, **kwargs):
        published.append(instance.pk)
        if len(published) == 3:
            raise Boom

    lines = [_line(_notice(slug=f"n{number}")) for number in range(5)]
    before = (Page.objects.count(), Revision.objects.count())
    page_published.connect(fail_on_third)
    try:
        with pytest.raises(Boom):
            import_content(lines, town_a.site)
    finally:
        page_published.disconnect(fail_on_third)

    assert (Page.objects.count(), Revision.objects.count()) == before


def test_a_file_of_300_pages_imports_with_progress(town_a, tmp_path):
    records = [_notice(slug=f"notice-{number}", title=f"お知らせ{number}") for number in range(300)]

    out, _err = _run(_file(tmp_path, records))

    assert NoticePage.objects.child_of(town_a.index("municipal", "NoticeIndexPage")).live().count() == 300
    assert "300件すべての行を確認しました。" in out
    assert "100 / 300 件を処理しました。" in out and "300 / 300 件を処理しました。" in out
    assert "作成 300件 / 更新 0件 / 変更なし 0件" in out
