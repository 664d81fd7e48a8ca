"""Staff in the Wagtail admin see their own municipality only."""

import re

from playwright.sync_api import expect

from home.demo import DEMO_PASSWORD

from .conftest import SECOND_TOWN


def sign_in(page, username):
    page.goto("/admin/login/")
    page.get_by_label(re.compile("ユーザー名|Username")).fill(username)
    page.get_by_label(re.compile("パスワード|Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=re.compile("サインイン|Sign in")).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def test_npo_editor_sees_only_their_towns_page_tree(desktop):
    sign_in(desktop, "demo-npo")
    desktop.goto("/admin/pages/")
    expect(desktop.get_by_role("link", name="地域情報").first).to_be_visible()
    body = desktop.locator("body").inner_text()
    assert SECOND_TOWN[0] not in body
    assert "行政情報" not in body, "the municipal section belongs to municipal staff"


def test_operator_sees_every_town(desktop):
    sign_in(desktop, "demo-operator")
    desktop.goto("/admin/pages/")
    body = desktop.locator("body").inner_text()
    assert "ひなた子育てねっと" in body
    assert f"{SECOND_TOWN[0]}子育てねっと" in body


def test_wrong_password_keeps_the_user_out_with_a_message(desktop):
    desktop.goto("/admin/login/")
    desktop.get_by_label(re.compile("ユーザー名|Username")).fill("demo-npo")
    desktop.get_by_label(re.compile("パスワード|Password")).fill("wrong-password")
    desktop.get_by_role("button", name=re.compile("サインイン|Sign in")).click()
    expect(desktop).to_have_url(re.compile(r"/admin/login/"))
    expect(
        desktop.get_by_text(re.compile("正しいユーザー名とパスワード|ユーザー名とパスワード"))
    ).to_be_visible()
