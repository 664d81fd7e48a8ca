"""ファミリーサポート end to end in a real browser: a parent applies as 依頼会員 on a phone, the
advisor interviews and approves, the parent asks for help, the advisor proposes a provider, the
provider accepts and reports, the parent confirms, the advisor approves, and the parent's
monthly statement shows the fee.
"""

import datetime
import re
import zoneinfo

from playwright.sync_api import expect

from .test_consult_journey import DEMO_PASSWORD, totp_now
from .test_editor_admin import sign_in
from .test_parent_journey import assert_accessible

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def _member_sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="サインイン").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def _next_weekday(today):
    day = today + datetime.timedelta(days=7)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def _advisor_with_second_factor(admin):
    sign_in(admin, "demo-advisor")
    admin.goto("/admin/famisapo/members/")
    expect(admin).to_have_url(re.compile(r"/accounts/two-factor/"))
    admin.get_by_role("link", name="パスワードを確認して設定を始める").click()
    admin.get_by_label(re.compile("パスワード")).fill(DEMO_PASSWORD)
    admin.locator("form").get_by_role("button").last.click()
    secret = admin.locator("#totp-secret").inner_text().strip()
    admin.get_by_label("認証アプリに表示された6桁の確認コード").fill(totp_now(secret))
    admin.get_by_role("button", name="設定を完了する").click()
    admin.get_by_role("link", name="続ける").click()


def test_apply_match_report_confirm_approve_and_the_statement(browser, site_server):
    today = datetime.datetime.now(TOKYO).date()
    help_day = _next_weekday(today)
    yesterday = today - datetime.timedelta(days=1)

    def context(**options):
        return browser.new_context(base_url=site_server, locale="ja-JP", timezone_id="Asia/Tokyo", **options)

    # A parent applies on a phone.
    parent_context = context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    parent = parent_context.new_page()
    _member_sign_in(parent, "demo-parent@example.jp")
    parent.goto("/famisapo/apply/")
    assert_accessible(parent)
    parent.get_by_label("依頼会員", exact=True).check()
    parent.get_by_label(re.compile("^氏名")).fill("山本 さくら")
    parent.get_by_label(re.compile("^電話番号")).fill("０９０－１１１１－２２２２")
    parent.get_by_label(re.compile("^住所")).fill("ひなた市中央1-2-3")
    parent.get_by_label(re.compile("^家族構成")).fill("夫、長女（2歳）")
    parent.get_by_label(re.compile("^緊急連絡先（氏名")).fill("山本 和子（祖母）")
    parent.get_by_label(re.compile("^緊急連絡先（電話")).fill("090-3333-4444")
    parent.get_by_label(re.compile("^お子さんの名前")).first.fill("ひな")
    parent.get_by_label(re.compile("^生年月日")).first.fill(f"{today.year - 2}-04-10")
    parent.get_by_role("button", name="この内容で申し込む").first.click()
    expect(parent).to_have_url(re.compile(r"/famisapo/apply/done/$"))
    assert parent.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0

    # The advisor records the interview and approves.
    advisor_context = context(viewport={"width": 1280, "height": 900})
    admin = advisor_context.new_page()
    _advisor_with_second_factor(admin)
    admin.goto("/admin/famisapo/members/applications/")
    admin.get_by_role("link", name=re.compile("山本 さくら")).first.click()
    admin.get_by_label(re.compile("面談日時")).fill(f"{today.isoformat()}T10:00")
    admin.get_by_role("textbox", name=re.compile("面談の記録")).fill("保育園の送迎の依頼が多くなりそう。")
    admin.get_by_role("button", name="面談の記録を保存する").click()
    admin.get_by_role("button", name="承認して会員番号を付ける").click()
    expect(admin.get_by_text(re.compile(r"R-\d{4}")).first).to_be_visible()

    # The parent asks for help.
    parent.goto("/famisapo/requests/new/")
    parent.get_by_label("援助の内容").select_option(label="保護者の外出時（通院・買い物など）の預かり")
    parent.get_by_label("日付").fill(help_day.isoformat())
    parent.get_by_label("開始時刻").fill("10:00")
    parent.get_by_label("終了時刻").fill("12:00")
    parent.get_by_label("ひな").check()
    parent.get_by_role("button", name="この内容で頼む").click()
    expect(parent.get_by_text("調整中").first).to_be_visible()

    # The advisor proposes the demo provider, whose reasons are shown.
    admin.goto("/admin/famisapo/requests/")
    admin.locator("tr", has_text="山本 さくら").filter(has_text=help_day.strftime("%Y/%m/%d")).get_by_role(
        "link"
    ).first.click()
    row = admin.locator("tr", has_text="みどり").first
    expect(row).to_contain_text("＋")
    row.get_by_role("button", name="この方に打診する").click()
    expect(admin.get_by_text("打診中").first).to_be_visible()

    # The provider accepts and, after the activity, files the report.
    provider_context = context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    provider = provider_context.new_page()
    _member_sign_in(provider, "demo-provider@example.jp")
    provider.goto("/famisapo/me/")
    provider.get_by_role("link", name=re.compile("回答する|打診")).first.click()
    provider.get_by_role("button", name="引き受ける").click()
    expect(provider.get_by_text("山本 さくら").first).to_be_visible()
    expect(provider.get_by_text("090").first).to_be_visible()
    assignment = re.search(r"/assignments/(\d+)/", provider.url).group(1)
    # The server cannot wait a week: the report is filed as if the help had come yesterday.
    provider.goto(f"/famisapo/reports/new/{assignment}/")
    provider.get_by_label("活動した日").fill(yesterday.isoformat())
    provider.get_by_label("開始の時刻").fill("10:00")
    provider.get_by_label("終了の時刻").fill("12:00")
    provider.get_by_label("子どもの様子").fill("絵本を読んで、おやつを食べました。元気に過ごしました。")
    provider.get_by_role("button", name="報告書を送る").click()
    expect(provider.get_by_text("依頼会員の確認待ち").first).to_be_visible()
    fee = provider.locator("body").inner_text()
    amount = re.search(r"合計[^\d]*([\d,]+)\s*円", fee)
    assert amount, "the report shows the total"

    # The parent confirms; the advisor approves.
    parent.goto("/famisapo/me/")
    parent.get_by_role("link", name=re.compile("確認する")).first.click()
    parent.get_by_role("button", name="確認しました").click()
    expect(parent.get_by_text("依頼会員が確認").first).to_be_visible()
    admin.goto("/admin/famisapo/reports/")
    admin.locator("tr", has_text="山本 さくら").get_by_role("link").first.click()
    admin.get_by_role("button", name="この報告書を承認する").click()
    expect(admin.get_by_text("報告書を承認しました。").first).to_be_visible()

    # The parent's statement for the month shows the fee.
    parent.goto(f"/famisapo/statements/{yesterday.year}/{yesterday.month}/")
    expect(parent.get_by_text(f"{amount.group(1)}円").first).to_be_visible()
    assert_accessible(parent)

    for each in (parent_context, advisor_context, provider_context):
        each.close()
