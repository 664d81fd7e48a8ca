"""The boards in a real browser: a parent signs up on a phone, confirms the address, posts, sees
「承認待ち」; a moderator approves it in the admin; the post appears, and what it carried as
script stays inert text.
"""

import re

from playwright.sync_api import expect

from .test_editor_admin import sign_in
from .test_parent_journey import assert_accessible

TITLE = "はじめての保育園見学"
# An attack dressed as a question: none of it may run.
BODY = (
    "来月、保育園の見学に行きます。何を聞いておくとよいですか？\n"
    '<script>window.__xss = "script"</script><img src=x onerror="window.__xss = \'img\'">'
)


def _confirmation_link(site_mail):
    for message in reversed(site_mail()):
        found = re.search(r"https?://\S+/accounts/confirm-email/\S+", message)
        if found:
            return found.group(0)
    raise AssertionError("no confirmation e-mail was sent")


def _no_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0


def test_new_member_posts_waits_for_the_moderator_and_then_appears(browser, site_server, site_mail):
    context = browser.new_context(
        base_url=site_server,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
    )
    phone = context.new_page()

    # Sign up and confirm the e-mail address.
    phone.goto("/accounts/signup/")
    phone.get_by_label("メールアドレス").fill("hinata-parent@example.jp")
    phone.get_by_label("ニックネーム").fill("ひよこママ")
    phone.locator("#id_password1").fill("sora-to-umi-2026")
    phone.locator("#id_password2").fill("sora-to-umi-2026")
    phone.get_by_role("button", name="登録する").click()
    expect(phone.get_by_text("確認のメールを送りました").first).to_be_visible()
    link = _confirmation_link(site_mail)
    phone.goto(re.sub(r"^https?://[^/]+", "", link))
    phone.get_by_role("button", name="確認して登録を完了する").click()
    expect(phone).to_have_url(re.compile(r"/accounts/me/$"))

    # Post on the 0〜2歳 board.
    phone.goto("/keijiban/boards/age-0-2/")
    _no_overflow(phone)
    assert_accessible(phone)
    phone.get_by_role("link", name="新しいスレッドを立てる").first.click()
    phone.get_by_label(re.compile("^タイトル")).fill(TITLE)
    phone.get_by_label(re.compile("^本文")).fill(BODY)
    _no_overflow(phone)
    phone.get_by_role("button", name="この内容で投稿する").click()
    expect(phone.get_by_text("承認待ち").first).to_be_visible()
    expect(phone.get_by_text("モデレーターの確認後に公開されます").first).to_be_visible()
    assert phone.evaluate("window.__xss") is None

    # Nobody else sees it yet.
    visitor = browser.new_context(
        base_url=site_server, viewport={"width": 360, "height": 740}, locale="ja-JP"
    )
    reader = visitor.new_page()
    reader.goto("/keijiban/boards/age-0-2/")
    expect(reader.get_by_role("link", name=TITLE)).to_have_count(0)

    # The moderator approves it in the admin.
    desk = browser.new_context(base_url=site_server, viewport={"width": 1280, "height": 900}, locale="ja-JP")
    admin = desk.new_page()
    sign_in(admin, "demo-moderator")
    admin.goto("/admin/moderation/")
    row = admin.locator("tr", has_text=TITLE)
    expect(row).to_have_count(1)
    assert admin.evaluate("window.__xss") is None, "the queue shows the attack as text"
    row.get_by_role("button", name="承認", exact=True).click()
    expect(admin.get_by_text("承認しました").first).to_be_visible()
    expect(admin.locator("tr", has_text=TITLE)).to_have_count(0)
    admin.goto("/admin/moderation/log/")
    expect(admin.get_by_text("承認").first).to_be_visible()

    # Now everyone reads it; the markup is shown as text and never runs.
    reader.goto("/keijiban/boards/age-0-2/")
    reader.get_by_role("link", name=TITLE).click()
    expect(reader.get_by_text("何を聞いておくとよいですか").first).to_be_visible()
    expect(reader.get_by_text('<script>window.__xss = "script"</script>', exact=False).first).to_be_visible()
    assert reader.evaluate("window.__xss") is None
    assert reader.locator(".board-post img").count() == 0
    _no_overflow(reader)
    assert_accessible(reader)

    for each in (context, visitor, desk):
        each.close()
