"""A citizen reporter's article goes through the 編集会議 and the NPO lead to publication.

Everything happens in Wagtail's admin, as each person would do it: the reporter drafts and
submits, one editor asks for changes with a comment, the reporter reads it and resubmits, two
editors approve (the town's quorum is 2), and the NPO lead approves and publishes. Each person
has their own browser context, so no session leaks from one to another.
"""

import re

import pytest
from playwright.sync_api import expect

from .test_editor_admin import sign_in

TITLE = "はじめての公園デビュー、ドキドキの一日"
FIRST_LEAD = "近所の公園にはじめて行った日のことを書きました。"
REVISED_LEAD = "近所の公園にはじめて行った日のこと。遊具の写真に説明を添えました。"
CHANGES_COMMENT = "遊具の写真に、どこの公園か分かる説明を一文足してください。"
MORE_ACTIONS = re.compile("他のアクション|More actions")
BACK_IN_EXPLORER = re.compile(r"/admin/pages/\d+/$")


@pytest.fixture
def sign_in_as(browser, site_server):
    """Open a fresh desktop browser for ``username``, signed in to the admin; closed after the test."""
    contexts = []

    def open_for(username):
        context = browser.new_context(
            base_url=site_server, viewport={"width": 1280, "height": 900}, locale="ja-JP"
        )
        contexts.append(context)
        page = context.new_page()
        sign_in(page, username)
        return page

    yield open_for
    for context in contexts:
        context.close()


def open_actions(page, page_id):
    """Open the editor's action menu; with a single action (save draft) there is nothing to open."""
    page.goto(f"/admin/pages/{page_id}/edit/")
    expect(page.locator("footer button").first).to_be_visible()
    more = page.get_by_role("button", name=MORE_ACTIONS)
    if more.count():
        more.click()


def take_action(page, page_id, label, comment=None):
    """Choose ``label`` in the editor's action menu, write ``comment`` in its modal if it has one."""
    open_actions(page, page_id)
    page.get_by_role("button", name=label, exact=True).click()
    if comment is not None:
        dialog = page.get_by_role("dialog")
        dialog.get_by_label(re.compile("コメント")).fill(comment)
        dialog.get_by_role("button", name=label, exact=True).click()
    expect(page).to_have_url(BACK_IN_EXPLORER)
    expect(page.locator(".messages")).to_contain_text(TITLE)


def action_labels(page, page_id):
    open_actions(page, page_id)
    return [label.strip() for label in page.locator("footer button").all_inner_texts()]


def expect_not_public(anonymous):
    anonymous.goto("/chiiki/kiji/")
    expect(anonymous.get_by_role("heading", level=1)).to_be_visible()
    expect(anonymous.get_by_text(TITLE)).to_have_count(0)


def test_reporter_article_passes_editorial_meeting_and_npo_lead_to_publication(
    sign_in_as, browser, site_server
):
    anonymous_context = browser.new_context(base_url=site_server, locale="ja-JP")
    anonymous = anonymous_context.new_page()

    # The reporter drafts the article under 地域情報 › 特集・市民記事 and submits it.
    reporter = sign_in_as("demo-reporter")
    reporter.goto("/admin/pages/")
    reporter.get_by_role("link", name="地域情報の子ページを閲覧").click()
    reporter.get_by_role("link", name="特集・市民記事の子ページを閲覧").click()
    reporter.get_by_role("link", name="子ページを追加").click()
    expect(reporter).to_have_url(re.compile(r"/admin/pages/add/portal_pages/articlepage/\d+/$"))
    reporter.locator("#id_title").fill(TITLE)
    reporter.locator("#id_title").blur()
    expect(reporter.locator("#id_slug")).not_to_have_value("")
    reporter.locator("#id_lead").fill(FIRST_LEAD)
    reporter.get_by_role("button", name="下書きを保存").click()
    expect(reporter).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    page_id = re.search(r"/admin/pages/(\d+)/edit/", reporter.url).group(1)
    take_action(reporter, page_id, "ひなた市 地域情報に提出する")

    labels = action_labels(reporter, page_id)
    assert "承認" not in labels and "要修正" not in labels, "an author never votes on their own page"
    expect_not_public(anonymous)

    # One editor of the 編集会議 asks for changes, with a comment for the reporter.
    editor_midori = sign_in_as("demo-npo2")
    take_action(editor_midori, page_id, "要修正", CHANGES_COMMENT)

    # The reporter finds the page returned, reads the comment, revises and resubmits.
    reporter.goto(f"/admin/pages/{page_id}/edit/")
    reporter.get_by_role("button", name=re.compile("Toggle status|ステータス")).click()
    expect(
        reporter.get_by_text(re.compile("Changes requested|要修正|変更をリクエスト")).first
    ).to_be_visible()
    reporter.goto(f"/admin/pages/{page_id}/history/")
    expect(reporter.get_by_text(CHANGES_COMMENT).first).to_be_visible()
    expect(reporter.locator("main")).to_contain_text("編集委員みどり")

    reporter.goto(f"/admin/pages/{page_id}/edit/")
    reporter.locator("#id_lead").fill(REVISED_LEAD)
    reporter.get_by_role("button", name=MORE_ACTIONS).click()
    reporter.get_by_role("button", name=re.compile("編集会議に再提出|Resubmit")).click()
    expect(reporter).to_have_url(BACK_IN_EXPLORER)
    expect(reporter.locator(".messages")).to_contain_text(TITLE)

    # A fresh round: the editor who asked for changes may vote again, and approves with a second editor.
    take_action(editor_midori, page_id, "承認", "説明が入って、分かりやすくなりました。")
    labels = action_labels(editor_midori, page_id)
    assert "承認" not in labels and "要修正" not in labels, "one vote per reviewer and round"
    assert not any("公開" in label for label in labels), "an NPO editor cannot publish past the meeting"
    expect_not_public(anonymous)

    editor_takeshi = sign_in_as("demo-npo3")
    take_action(editor_takeshi, page_id, "承認", "公開してよいと思います。")
    expect_not_public(anonymous)

    # The meeting has passed; the NPO lead's approval is the last step and publishes the page.
    npo_lead = sign_in_as("demo-npo")
    take_action(npo_lead, page_id, "承認と公開")

    anonymous.goto("/chiiki/kiji/")
    anonymous.get_by_role("link", name=TITLE).click()
    expect(anonymous.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(anonymous.get_by_role("link", name="ひまわり記者")).to_have_attribute("rel", "author")
    expect(anonymous.get_by_text(REVISED_LEAD)).to_be_visible()
    body = anonymous.locator("body").inner_text()
    assert "高橋" not in body, "readers see the reporter's nickname, never their real name"
    anonymous_context.close()
