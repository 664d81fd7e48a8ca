import pytest
from django.urls import reverse

from home.models import StandardPage

pytestmark = pytest.mark.django_db


def publish(parent, title, **fields):
    page = StandardPage(title=title, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def search(client, town, query, **params):
    return client.get(reverse("search"), {"q": query, **params}, HTTP_HOST=town.site.hostname)


def test_finds_live_pages_of_this_municipality_only(client, town_a, town_b):
    own = publish(town_a.sections["municipal"], "児童手当", lead="児童手当 の 申請")
    publish(town_b.sections["municipal"], "児童手当", lead="児童手当 の 申請")
    response = search(client, town_a, "児童手当")
    assert response.status_code == 200
    results = response.context["results"].hits
    assert [hit.page.id for hit in results] == [own.id]
    assert "検索結果：1件" in response.content.decode()


def test_drafts_are_never_found(client, town_a):
    draft = StandardPage(title="未公開の児童手当", live=False)
    town_a.sections["municipal"].add_child(instance=draft)
    response = search(client, town_a, "未公開の児童手当")
    assert draft.id not in [hit.page.id for hit in response.context["results"].hits]


def test_empty_query_shows_the_form_without_results(client, town_a):
    response = search(client, town_a, "")
    assert response.status_code == 200
    assert response.context["results"] is None
    assert 'name="q"' in response.content.decode()


def test_no_match_explains_what_to_try(client, town_a):
    html = search(client, town_a, "存在しない言葉").content.decode()
    assert "一致するページは見つかりませんでした" in html


def test_query_is_escaped_and_kept_in_the_box(client, town_a):
    html = search(client, town_a, '"><script>alert(1)</script>').content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_bad_page_numbers_fall_back_to_a_real_page(client, town_a):
    publish(town_a.sections["municipal"], "保育園")
    assert search(client, town_a, "保育園", page="abc").status_code == 200
    assert search(client, town_a, "保育園", page="999").status_code == 200


def test_very_long_queries_are_cut(client, town_a):
    response = search(client, town_a, "あ" * 500)
    assert response.status_code == 200
    assert len(response.context["search_query"]) == 100


@pytest.mark.parametrize("query", ['"保育園', "保育園 -", "(児童)", "a AND OR", "*", "保育園^2", "「」"])
def test_punctuation_and_operators_never_break_the_search(client, town_a, query):
    publish(town_a.sections["municipal"], "保育園")
    response = search(client, town_a, query)
    assert response.status_code == 200
