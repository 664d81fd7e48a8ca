"""The public pages every municipality gets: home, sections, life stages, health."""

from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from home.life_stages import LIFE_STAGES
from home.models import StandardPage

pytestmark = pytest.mark.django_db


def get(client, town, path="/"):
    return client.get(path, HTTP_HOST=town.site.hostname)


def test_home_page_has_everything_a_parent_needs_on_every_page(client, town_a):
    response = get(client, town_a)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ja">' in html
    assert 'class="skip-link" href="#main"' in html and 'id="main"' in html
    assert "三鷹市子育てねっと" in html
    for key, section in town_a.sections.items():
        if key == "workshop":
            assert f'href="{section.relative_url(town_a.site)}"' not in html, (
                "the private workshop is not in the menu"
            )
        else:
            assert f'href="{section.relative_url(town_a.site)}"' in html
    for stage in LIFE_STAGES:
        assert reverse("life_stage", args=[stage.slug]) in html
        assert str(stage.label) in html
    assert 'role="search"' in html and 'name="q"' in html and "サイト内検索" in html
    for number in ('href="tel:189"', 'href="tel:%238000"', 'href="tel:110"', 'href="tel:119"'):
        assert number in html
    assert 'media="print"' in html


def test_every_page_links_only_to_self_hosted_assets(client, town_a):
    html = get(client, town_a).content.decode()
    assert "https://" not in html.split("</head>")[0]
    assert "//cdn" not in html and "googleapis" not in html


def test_section_page_shows_its_lead_and_marks_the_current_menu_item(client, town_a):
    regional = town_a.sections["regional"]
    response = get(client, town_a, regional.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>地域情報</h1>" in html
    assert f'href="{regional.relative_url(town_a.site)}" aria-current="page"' in html


def test_each_towns_home_shows_its_own_name_and_colour(client, town_a, town_b):
    town_b.settings.brand_colour = "#7a2e8c"
    town_b.settings.save()
    html_b = get(client, town_b).content.decode()
    assert "立川市子育てねっと" in html_b and "三鷹市" not in html_b
    assert "--brand: #7a2e8c" in html_b


def test_user_text_is_escaped(client, town_a):
    page = StandardPage(title="<script>alert(1)</script>のお知らせ", lead="<b>太字</b>")
    town_a.sections["regional"].add_child(instance=page)
    page.save_revision().publish()
    html = get(client, town_a, page.url).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;のお知らせ" in html
    assert "&lt;b&gt;太字&lt;/b&gt;" in html


def test_rich_text_is_sanitised(client, town_a):
    page = StandardPage(
        title="予防接種のご案内",
        body='<p>受付<script>alert(1)</script><a href="javascript:alert(1)" onclick="x()">詳細</a></p>',
    )
    town_a.sections["municipal"].add_child(instance=page)
    page.save_revision().publish()
    html = get(client, town_a, page.url).content.decode()
    assert "受付" in html
    assert "alert(1)" not in html.split('id="main"')[1].split("</main>")[0]
    assert "onclick" not in html


@pytest.mark.parametrize("stage", LIFE_STAGES, ids=lambda s: s.slug)
def test_each_life_stage_has_its_page(client, town_a, stage):
    response = get(client, town_a, reverse("life_stage", args=[stage.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{stage.label}のお子さんがいる家庭へ" in html
    assert str(stage.summary) in html


def test_unknown_life_stage_is_a_friendly_404(client, town_a):
    response = get(client, town_a, "/stage/age-99/")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()


def test_english_is_available_through_the_language_prefix(client, town_a):
    response = get(client, town_a, "/en/search/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Site search" in html


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_does_not(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert "down" not in response.content.decode(), "no internal detail leaks"


def test_healthz_refuses_other_methods(client):
    assert client.post("/healthz").status_code == 405


def test_healthz_answers_load_balancers_calling_a_node_by_its_own_address(client, settings):
    settings.ALLOWED_HOSTS = ["mitaka.example.jp"]
    assert client.get("/healthz", HTTP_HOST="10.0.0.5:8000").status_code == 200
    assert client.get("/", HTTP_HOST="10.0.0.5:8000").status_code == 400


def _queries_for(client, town, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    get(client, town, path)  # warm per-process caches (locales, content types)
    with CaptureQueriesContext(connection) as queries:
        assert get(client, town, path).status_code == 200
    return len(queries)


def _add_pages(parent, count):
    for n in range(count):
        page = StandardPage(title=f"地域の記事{n}")
        parent.add_child(instance=page)
        page.save_revision().publish()


@pytest.mark.parametrize("path_of", [lambda town: "/", lambda town: town.sections["regional"].url])
def test_page_queries_do_not_grow_with_the_amount_of_content(client, town_a, path_of):
    regional = town_a.sections["regional"]
    _add_pages(regional, 10)
    with_ten = _queries_for(client, town_a, path_of(town_a))
    _add_pages(regional, 40)
    assert _queries_for(client, town_a, path_of(town_a)) == with_ten


# Routing and the town's header, per generation -------------------------------------------


def test_a_deep_page_is_found_in_one_query_for_its_whole_address(client, town_a):
    from django.test.utils import CaptureQueriesContext

    from tests.portal_pages import factories

    notice = factories.notice(town_a, title="深い階層のお知らせ")
    assert get(client, town_a, notice.url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = get(client, town_a, notice.url)
    assert "深い階層のお知らせ" in response.content.decode()
    chain = [q for q in queries if '"wagtailcore_page"."url_path" IN' in q["sql"]]
    assert len(chain) == 1
    assert len(queries) <= 12


def test_routing_still_answers_drafts_missing_pages_and_sub_routes_as_wagtail_does(client, town_a):
    from tests.portal_pages import factories

    notice = factories.notice(town_a, title="取り下げたお知らせ")
    url = notice.url
    notice.unpublish()
    assert get(client, town_a, url).status_code == 404
    assert get(client, town_a, url + "no-such-child/").status_code == 404
    assert get(client, town_a, "/gyosei/no-such-page/").status_code == 404
    events = town_a.index("regional", "EventIndexPage")
    assert get(client, town_a, events.url + "calendar/").status_code == 200


def test_renaming_a_section_shows_in_every_pages_menu_at_once(client, town_a):
    assert "行政情報" in get(client, town_a).content.decode()
    section = town_a.sections["municipal"]
    section.title = "市からのお知らせ"
    section.save_revision().publish()
    html = get(client, town_a, town_a.sections["regional"].url).content.decode()
    assert "市からのお知らせ" in html
