"""ねっと相談 in a real browser: a parent asks on a phone, a counsellor answers in the admin after
setting up the second factor, and the parent reads the answer with the 相談番号 and passphrase.
"""

import re
import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import expect

from .test_editor_admin import sign_in
from .test_parent_journey import assert_accessible

QUESTION = "2歳の息子が野菜をまったく食べません。毎食のように泣いてしまい、どうしたらよいか悩んでいます。"
ANSWER = "2歳ごろの偏食はよくあることです。まずは一口だけでも食卓に並べることから始めてみましょう。"
PASSPHRASE = "あおぞらとひまわり"
NOTE = "保健センターの栄養相談を案内する予定"
DEMO_PASSWORD = "hinata-demo-2026"


def totp_now(secret):
    if 30 - time.time() % 30 < 2:  # the code must still be valid when it is posted
        time.sleep(2.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_parent_asks_counsellor_answers_parent_reads(phone, browser, site_server):
    # The parent, on a phone, without an account.
    phone.goto("/soudan/")
    phone.get_by_role("link", name="相談する").first.click()
    expect(phone.get_by_text("189").first).to_be_visible()
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    assert_accessible(phone)
    phone.get_by_label("食事・離乳食").check()
    phone.get_by_role("combobox", name=re.compile("お子さんの年齢")).select_option(label="2歳")
    phone.get_by_role("textbox", name=re.compile("相談したい内容")).fill(QUESTION)
    phone.get_by_label("相談番号と合言葉で自分で確認する").check()
    phone.get_by_role("textbox", name=re.compile("^合言葉(?!（)")).fill(PASSPHRASE)
    phone.get_by_role("textbox", name=re.compile("^合言葉（確認のためもう一度）")).fill(PASSPHRASE)
    phone.get_by_role("button", name="この内容で相談する").click()

    expect(phone).to_have_url(re.compile(r"/soudan/ask/received/$"))
    number = phone.locator(".consult-receipt__number").inner_text().strip()
    assert re.fullmatch(r"\d{4}-\d{4}", number)
    assert number not in phone.url
    assert_accessible(phone)

    # The counsellor signs in, sets up the second factor, and answers.
    context = browser.new_context(
        base_url=site_server, viewport={"width": 1280, "height": 900}, locale="ja-JP"
    )
    admin = context.new_page()
    sign_in(admin, "demo-counsellor")
    admin.goto("/admin/consult/")
    expect(admin).to_have_url(re.compile(r"/accounts/two-factor/"))
    admin.get_by_role("link", name="パスワードを確認して設定を始める").click()
    admin.get_by_label(re.compile("パスワード")).fill(DEMO_PASSWORD)
    admin.locator("form").get_by_role("button").last.click()
    secret = admin.locator("#totp-secret").inner_text().strip()
    admin.get_by_label("認証アプリに表示された6桁の確認コード").fill(totp_now(secret))
    admin.get_by_role("button", name="設定を完了する").click()
    admin.get_by_role("link", name="続ける").click()

    expect(admin).to_have_url(re.compile(r"/admin/consult/"))
    row = admin.locator("tr", has_text="食事・離乳食").filter(has_text="新規").first
    expect(row).to_be_visible()
    assert QUESTION not in admin.locator("body").inner_text()  # no text in the list
    row.get_by_role("link").first.click()
    expect(admin.get_by_text(QUESTION)).to_be_visible()
    admin.get_by_role("textbox", name=re.compile("^内部メモ")).fill(NOTE)
    admin.get_by_role("button", name="メモを追加する").click()
    admin.get_by_role("textbox", name=re.compile("^相談者への回答")).fill(ANSWER)
    admin.get_by_role("button", name="回答を送る").click()
    expect(admin.get_by_text(ANSWER)).to_be_visible()
    context.close()

    # The parent checks back with the number and the passphrase.
    phone.goto("/soudan/check/")
    phone.get_by_role("textbox", name=re.compile("^相談番号")).fill(number.replace("-", ""))
    phone.get_by_role("textbox", name=re.compile("^合言葉")).fill(PASSPHRASE)
    phone.get_by_role("button", name="確認する").click()
    expect(phone).to_have_url(re.compile(r"/soudan/thread/$"))
    expect(phone.get_by_text(ANSWER)).to_be_visible()
    expect(phone.get_by_text(QUESTION)).to_be_visible()
    assert NOTE not in phone.locator("body").inner_text()
    assert_accessible(phone)


def test_a_wrong_passphrase_reveals_nothing(phone):
    phone.goto("/soudan/check/")
    phone.get_by_role("textbox", name=re.compile("^相談番号")).fill("0000-0001")
    phone.get_by_role("textbox", name=re.compile("^合言葉")).fill("まちがった合言葉です")
    phone.get_by_role("button", name="確認する").click()
    expect(phone.get_by_text("相談番号または合言葉が違います").first).to_be_visible()
    expect(phone).to_have_url(re.compile(r"/soudan/check/$"))
