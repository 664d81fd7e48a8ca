"""Personal information and NG words are found in what members write, whatever the typing."""

import pytest

from community.models import CommunitySettings
from community.screening import explain, ng_words_in, personal_data, screen


@pytest.mark.parametrize(
    "text",
    [
        "電話は090-1234-5678です",
        "０９０－１２３４－５６７８までどうぞ",
        "090 1234 5678",
        "09012345678",
        "03(1234)5678",
        "０３（１２３４）５６７８",
        "0120-123-456",
        "042ー123ー4567",
        "+81 90 1234 5678",
    ],
)
def test_phone_numbers_in_the_usual_japanese_formats(text):
    assert personal_data(text) == ["phone"]


@pytest.mark.parametrize(
    "text",
    [
        "メールは hanako.y+kids@example.jp まで",
        "ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ",
        "hanako @ example.co.jp",
    ],
)
def test_email_addresses_full_width_included(text):
    assert personal_data(text) == ["email"]


@pytest.mark.parametrize(
    "text", ["下連雀三丁目に住んでいます", "上連雀3-12-5です", "３－１２－５", "井の頭4番5号", "大沢12番地"]
)
def test_street_addresses(text):
    assert personal_data(text) == ["address"]


@pytest.mark.parametrize(
    "text", ["https://example.com/kids", "www.hoiku.jp を見て", "詳しくは mamablog.net で"]
)
def test_web_addresses(text):
    assert personal_data(text) == ["url"]


@pytest.mark.parametrize(
    "text",
    [
        "3歳と5歳の子がいます。",
        "2024-5-1に生まれました",
        "2024年5月1日",
        "保育園は8:30-17:30です",
        "身長95cm、体重14kg",
        "月謝は10,000円くらい",
        "10時から12時まで公園にいます",
        "三鷹市の子育てひろばがおすすめです",
    ],
)
def test_everyday_childcare_talk_is_not_held(text):
    assert personal_data(text) == []


def test_several_kinds_are_all_reported_with_japanese_explanations():
    codes = personal_data("090-1234-5678 か taro@example.jp へ。下連雀三丁目です")
    assert codes == ["phone", "email", "address"]
    assert [str(text) for text in explain(codes)] == [
        "電話番号のような数字が含まれています。",
        "メールアドレスが含まれています。",
        "住所（番地）が含まれています。",
    ]


def test_ng_words_match_across_widths_and_case():
    assert ng_words_in("ＢＡＫＡみたい", ["baka"]) == ["baka"]
    assert ng_words_in("とても良いひろば", ["baka", " "]) == []


def test_screen_uses_the_towns_own_ng_words(town_a, town_b):
    settings_a = CommunitySettings.for_site(town_a.site)
    settings_a.ng_words = "しね\nうざい\n"
    settings_a.save()
    assert screen("本当にうざい", town_a.site) == ["ng"]
    assert screen("本当にうざい", town_b.site) == []
