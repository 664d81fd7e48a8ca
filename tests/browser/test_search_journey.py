"""A parent on a phone searches the demo town: autocomplete, synonyms, facets, もしかして."""

import re

from playwright.sync_api import expect

from .test_parent_journey import assert_accessible


def test_parent_types_an_abbreviation_and_narrows_by_type(phone):
    phone.goto("/search/")
    box = phone.get_by_role("main").get_by_role("combobox", name="サイト内検索")
    box.press_sequentially("ほいく", delay=30)
    # Autocomplete fills the datalist with titles of this town's pages.
    options = phone.locator("#search-page-suggestions option")
    expect(options.first).to_have_attribute("value", re.compile("保育"))

    box.fill("ファミサポ")
    box.press("Enter")
    expect(phone).to_have_url(re.compile(r"/search/\?q="))
    expect(phone.get_by_role("status")).to_contain_text("「ファミサポ」の検索結果")
    result = phone.get_by_role("link", name="ファミリー・サポート・センター", exact=True)
    expect(result).to_be_visible()
    expect(phone.locator(".search-result-snippet mark").first).to_be_visible()

    facets = phone.get_by_role("navigation", name="検索結果の絞り込み")
    facets.get_by_role("link", name=re.compile("^制度・サービス")).click()
    expect(phone).to_have_url(re.compile(r"type=servicepage"))
    expect(phone.locator(".search-result-meta").first).to_contain_text("制度・サービス")
    expect(facets.locator("[aria-current=true]")).to_contain_text("制度・サービス")
    assert_accessible(phone)


def test_a_typo_offers_did_you_mean_and_script_in_the_query_stays_inert(phone):
    dialogs = []
    phone.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    # Kana with a letter the IME has not converted: searched as the word it is one edit from.
    phone.goto("/search/?q=ほいくえm")
    expect(phone.locator(".search-note").first).to_contain_text("「保育園」の検索結果を表示しています")
    # As typed, it finds nothing and offers the word instead.
    phone.get_by_role("link", name="「ほいくえm」で検索する").click()
    expect(phone.get_by_role("status")).to_contain_text("見つかりませんでした")
    phone.get_by_role("link", name="保育園").click()
    expect(phone.get_by_role("status")).to_contain_text("「保育園」の検索結果")

    phone.goto("/search/?q=" + "<script>alert(1)</script>保育園")
    expect(phone.get_by_role("combobox", name="サイト内検索").first).to_have_value(
        "<script>alert(1)</script>保育園"
    )
    assert dialogs == []
    assert_accessible(phone)
