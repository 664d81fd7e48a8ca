"""Issue 11: questions, everyday words, romaji, English and typos find the right page, the same
way through the search page, the API and the autocomplete."""

import pytest
from django.urls import reverse
from wagtail.models import Locale

from search import service
from search.models import Synonym
from tests.portal_pages import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(town_a):
    return {
        "hoikuen": factories.notice(
            town_a, title="保育園の入園申し込み", lead="4月からの入園を希望する方は申し込みをしてください。"
        ),
        "teate": factories.service(
            town_a, title="児童手当", lead="中学生までの子どもを育てる方に支給します。"
        ),
        "ichiji": factories.service(
            town_a, title="一時保育", lead="保護者の通院やリフレッシュのときに預かります。"
        ),
        "netsu": factories.article(
            town_a, title="子どもの急な発熱", lead="夜間や休日に子どもが熱を出したときの受診の目安と相談先。"
        ),
        "ichiji_boshu": factories.notice(
            town_a, title="学童保育の一次募集", lead="一次募集の受付を始めました。"
        ),
    }


def hits(site, query, **options):
    return [hit.page.pk for hit in service.search(site, query, **options).hits]


@pytest.mark.parametrize("query", ["hoikuen", "hoikuenn", "hoikuen moshikomi", "ほいくえん"])
def test_romaji_and_kana_with_or_without_long_vowels_find_the_page(town_a, pages, query):
    assert hits(town_a.site, query)[0] == pages["hoikuen"].pk


@pytest.mark.parametrize("query", ["jidou teate", "jido teate", "zidou teate", "じどうてあて"])
def test_hepburn_kunrei_and_dropped_long_vowels_meet_the_reading(town_a, pages, query):
    assert pages["teate"].pk in hits(town_a.site, query)[:2]


def test_a_question_finds_the_page_that_answers_it(town_a, pages):
    found = hits(town_a.site, "子どもが夜中に熱を出したらどうすればいいですか")
    assert found[0] == pages["netsu"].pk


def test_an_everyday_word_is_widened_with_the_seeded_synonym_and_says_so(town_a, pages):
    results = service.search(town_a.site, "託児")
    assert results.hits[0].page.pk == pages["ichiji"].pk
    assert ("託児", "一時保育") in [(note.typed, note.expansion) for note in results.expansions]


def test_editors_see_which_synonym_made_a_page_match_and_parents_do_not(client, town_a, pages, make_member):
    anonymous = client.get(reverse("search"), {"q": "託児"}, HTTP_HOST=town_a.site.hostname)
    assert "言い換えも含めて検索しました" in anonymous.content.decode()
    assert "編集者向け" not in anonymous.content.decode()
    client.force_login(make_member(town_a, "municipal_staff"))
    editor = client.get(reverse("search"), {"q": "託児"}, HTTP_HOST=town_a.site.hostname)
    assert "編集者向け：言い換えで一致" in editor.content.decode()


def test_english_queries_find_the_japanese_page_with_its_english_title(town_a, pages):
    english = Locale.objects.get_or_create(language_code="en")[0]
    translation = pages["teate"].copy_for_translation(english, copy_parents=True)
    translation.title = "Child allowance"
    translation.save_revision().publish()
    results = service.search(town_a.site, "child allowance")
    found = [hit for hit in results.hits if hit.page.translation_key == pages["teate"].translation_key]
    assert len(found) == 1  # one hit per page, not one per translation
    if found[0].page.pk == pages["teate"].pk:
        assert found[0].english_title == "Child allowance"


def publish_english_ichiji(pages):
    english = Locale.objects.get_or_create(language_code="en")[0]
    translation = pages["ichiji"].copy_for_translation(english, copy_parents=True)
    translation.title = "Temporary childcare"
    translation.lead = "We look after your child while you see a doctor."
    translation.save_revision().publish()
    return translation


def test_a_translated_page_is_searchable_in_its_own_language(town_a, pages):
    translation = publish_english_ichiji(pages)
    assert translation.pk in hits(town_a.site, "doctor")


def test_a_translation_published_after_a_search_is_searchable_at_once(town_a, pages):
    """The town's trees (its root and the root's translations) are kept per generation; the
    first English page published renews them."""
    assert hits(town_a.site, "doctor") == []
    translation = publish_english_ichiji(pages)
    assert translation.pk in hits(town_a.site, "doctor")


def test_a_wrong_kanji_conversion_is_fixed_up_and_says_so(town_a, pages):
    results = service.search(town_a.site, "一次保育")
    assert results.corrected == "一時保育"
    assert results.hits[0].page.pk == pages["ichiji"].pk
    literal = service.search(town_a.site, "一次保育", exact=True)
    assert literal.corrected == ""


def test_a_wrong_conversion_is_searched_as_the_pages_write_it_and_not_also_as_typed(
    town_a, pages, monkeypatch
):
    searched = []
    run = service._run

    def counting(engine, site, tree, *args):
        searched.append(tree)
        return run(engine, site, tree, *args)

    monkeypatch.setattr(service, "_run", counting)
    results = service.search(town_a.site, "一次保育")
    assert results.corrected == "一時保育" and results.hits[0].page.pk == pages["ichiji"].pk
    assert len(searched) == 1  # the words as typed (一次募集 would match) are not searched too


def test_a_fix_up_the_analysis_reads_as_the_same_query_is_neither_run_nor_announced(
    town_a, pages, monkeypatch
):
    factories.notice(town_a, title="入園申込み", lead="申込みは4月までです。")  # the newest spelling
    assert service.corrected_query(town_a.site, "申し込み", fuzzy=False) == "申込み"
    searched = []
    run = service._run
    monkeypatch.setattr(service, "_run", lambda *args: searched.append(args[2]) or run(*args))
    results = service.search(town_a.site, "申し込み")
    assert results.corrected == ""
    assert results.total >= 2
    assert len(searched) == 1


@pytest.mark.parametrize(("typo", "meant"), [("じどうてあって", "児童手当"), ("りにゅうしよく", None)])
def test_slips_are_folded_or_corrected_within_one_edit(town_a, pages, typo, meant):
    results = service.search(town_a.site, typo)
    if meant:
        assert results.corrected == meant
        assert results.hits[0].page.pk == pages["teate"].pk
    else:
        assert results.total == 0 or results.corrected == ""


def test_exact_matches_are_never_replaced_by_a_correction(town_a, pages):
    results = service.search(town_a.site, "児童手当")
    assert results.corrected == ""
    assert results.hits[0].page.pk == pages["teate"].pk


def test_a_towns_own_english_entry_applies_in_that_town_only(town_a, town_b, pages):
    Synonym.objects.create(site=town_b.site, term="kids money", expansions="児童手当", kind="english")
    assert hits(town_a.site, "kids money", exact=True) == []
    factories.service(town_b, title="児童手当")
    assert hits(town_b.site, "kids money")


def test_the_api_applies_the_same_romaji_synonyms_and_fix_ups(client, town_a, pages):
    def api(query, **params):
        response = client.get("/api/v2/pages/", {"search": query, **params}, HTTP_HOST=town_a.site.hostname)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    for query in ("hoikuen", "託児", "child allowance", "一次保育"):
        assert api(query) == hits(town_a.site, query), query
    assert api("一次保育", exact="1") == hits(town_a.site, "一次保育", exact=True)


def test_the_api_searches_a_wrong_conversion_once_as_the_pages_write_it(client, town_a, pages, monkeypatch):
    from search.api import AnalysedSearchFilter

    searched = []
    run = AnalysedSearchFilter.run
    monkeypatch.setattr(
        AnalysedSearchFilter,
        "run",
        lambda self, tree, query, *args: searched.append(query) or run(self, tree, query, *args),
    )
    response = client.get("/api/v2/pages/", {"search": "一次保育"}, HTTP_HOST=town_a.site.hostname)
    assert response.json()["items"][0]["id"] == pages["ichiji"].pk
    assert searched == ["一時保育"]


def test_autocomplete_takes_romaji_and_kana(client, town_a, pages):
    for typed in ("hoiku", "ほいく"):
        response = client.get(reverse("search_suggest"), {"q": typed}, HTTP_HOST=town_a.site.hostname)
        titles = [item["title"] for item in response.json()["results"]]
        assert "保育園の入園申し込み" in titles, typed
