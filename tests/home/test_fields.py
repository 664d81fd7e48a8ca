from home.fields import clean_rich_text


def test_keeps_wagtail_links_and_embeds():
    html = (
        '<h2>申請方法</h2><p><a linktype="page" id="12">保育園の入園</a>と'
        '<a href="https://example.jp/a">外部</a></p>'
        '<embed alt="ひろば" embedtype="image" format="fullwidth" id="5"/>'
    )
    cleaned = clean_rich_text(html)
    assert '<a linktype="page" id="12">保育園の入園</a>' in cleaned
    assert 'href="https://example.jp/a"' in cleaned
    assert 'embedtype="image"' in cleaned and 'id="5"' in cleaned
    assert "<h2>申請方法</h2>" in cleaned


def test_drops_scripts_handlers_styles_and_javascript_urls():
    cleaned = clean_rich_text(
        '<p style="color:red" onclick="x()">こんにちは<script>alert(1)</script>'
        '<a href="javascript:alert(2)">リンク</a><iframe src="https://evil"></iframe></p>'
    )
    assert "こんにちは" in cleaned
    for bad in ("script", "alert", "onclick", "style", "javascript", "iframe"):
        assert bad not in cleaned


def test_empty_text_stays_empty():
    assert clean_rich_text("") == ""
    assert clean_rich_text(None) is None
