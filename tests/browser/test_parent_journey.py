"""A parent on a phone finds their way around the demo town."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def assert_accessible(page):
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()


def test_parent_reaches_a_section_through_the_navigation(phone):
    phone.goto("/")
    expect(phone.locator("html")).to_have_attribute("lang", "ja")
    expect(phone.get_by_role("heading", level=1)).to_have_text("ひなた子育てねっと")
    expect(phone.get_by_text("お子さんの年齢から探す").first).to_be_visible()

    phone.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="地域情報").click()

    expect(phone).to_have_url(re.compile(r"/chiiki/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("地域情報")
    expect(phone.get_by_text("市民記者が取材した")).to_be_visible()
    expect(phone.get_by_role("link", name=re.compile("189"))).to_be_visible()


def test_parent_enters_by_the_childs_age_and_searches(phone):
    phone.goto("/")
    phone.get_by_role("link", name=re.compile("^1〜2歳")).first.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("1〜2歳のお子さんがいる家庭へ")

    box = phone.get_by_role("combobox", name="サイト内検索").first
    box.fill("ファミリーサポート")
    box.press("Enter")
    expect(phone).to_have_url(re.compile(r"/search/\?q="))
    expect(phone.get_by_role("status")).to_contain_text("検索結果")
    expect(phone.get_by_role("link", name="ファミリーサポート").last).to_be_visible()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/gyosei/",
        "/stage/age-1-2/",
        "/search/?q=保育園",
        "/gyosei/oshirase/",
        "/gyosei/seido/",
        "/chiiki/event/?stage=age-1-2",
        "/chiiki/event/calendar/",
        "/chiiki/shisetsu/?amenity=nursing_room",
        "/chiiki/kiji/",
    ],
)
def test_pages_fit_a_360px_screen_and_pass_axe(browser, site_server, path):
    context = browser.new_context(
        base_url=site_server, viewport={"width": 360, "height": 740}, locale="ja-JP"
    )
    page = context.new_page()
    page.goto(path)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 360px"
    assert_accessible(page)
    context.close()


@pytest.mark.parametrize(
    "listing", ["/gyosei/seido/", "/gyosei/oshirase/", "/chiiki/shisetsu/", "/chiiki/kiji/"]
)
def test_content_pages_fit_a_360px_screen_and_pass_axe(browser, site_server, listing):
    context = browser.new_context(
        base_url=site_server, viewport={"width": 360, "height": 740}, locale="ja-JP"
    )
    page = context.new_page()
    page.goto(listing)
    page.locator(".item-list .item__title").first.click()
    expect(page.get_by_text("この情報は役に立ちましたか？")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 360px"
    assert_accessible(page)
    context.close()


def test_keyboard_user_skips_to_the_content(desktop):
    desktop.goto("/")
    desktop.keyboard.press("Tab")
    skip = desktop.get_by_role("link", name="本文へ移動")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    desktop.keyboard.press("Enter")
    expect(desktop).to_have_url(re.compile("#main$"))
    desktop.keyboard.press("Tab")
    focused_inside_main = desktop.evaluate("document.getElementById('main').contains(document.activeElement)")
    assert focused_inside_main


def test_site_works_without_javascript(browser, site_server):
    context = browser.new_context(base_url=site_server, java_script_enabled=False, locale="ja-JP")
    page = context.new_page()
    page.goto("/")
    page.get_by_role("combobox", name="サイト内検索").first.fill("保育園")
    page.get_by_role("button", name="検索").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("サイト内検索")
    context.close()


def test_print_hides_navigation_and_search(phone):
    phone.goto("/famisapo/")
    phone.emulate_media(media="print")
    expect(phone.get_by_role("navigation", name="メインメニュー")).to_be_hidden()
    expect(phone.locator("form[role=search]").first).to_be_hidden()
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
