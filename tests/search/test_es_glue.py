"""The service and the publishing signals with SEARCH_URL set, against a recording stand-in
for search.elastic.ElasticEngine (the real client is tested in test_elastic.py)."""

import pytest
from wagtail.models import PageViewRestriction

from search import indexing, service
from search.elastic import EngineResult
from tests.portal_pages import factories

pytestmark = pytest.mark.django_db


class RecordingEngine:
    def __init__(self):
        self.documents = {}
        self.searches = []
        self.fail = False

    def ensure_index(self):
        pass

    def index_documents(self, entries, refresh=False):
        for entry in entries:
            self.documents[entry["page_id"]] = entry

    def delete_documents(self, page_ids, refresh=False):
        for pk in page_ids:
            self.documents.pop(pk, None)

    def search(self, tree, site_id, filters=None, start=0, stop=None, locale=None, threads=False):
        if self.fail:
            raise ConnectionError("cluster down")
        self.searches.append((site_id, filters))
        hits = [pk for pk, doc in self.documents.items() if doc["site_id"] == site_id]
        return EngineResult(
            ranked=[(pk, 1.0) for pk in hits], total=len(hits), facets={"section": {"municipal": 1}}
        )


@pytest.fixture
def es(settings, monkeypatch):
    settings.SEARCH_URL = "http://search.internal:9200"
    recording = RecordingEngine()
    monkeypatch.setattr(indexing, "engine", lambda: recording)
    return recording


def test_publishing_sends_the_page_with_its_town_section_and_stages(
    es, town_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = factories.service(town_a, title="児童手当", stages=["age-0"])
    entry = es.documents[page.pk]
    assert entry["site_id"] == town_a.site.pk
    assert entry["section"] == "municipal"
    assert entry["content_type"] == "servicepage"
    assert entry["life_stages"] == ["age-0"]
    assert entry["title"] == "児童手当"


def test_unpublishing_and_restricting_remove_the_page(es, town_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = factories.notice(town_a, title="お知らせ")
    assert page.pk in es.documents
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert page.pk not in es.documents
    with django_capture_on_commit_callbacks(execute=True):
        other = factories.notice(town_a, title="会員向け")
        PageViewRestriction.objects.create(page=other, restriction_type=PageViewRestriction.LOGIN)
    assert other.pk not in es.documents


def test_service_uses_elasticsearch_but_trusts_only_live_public_pages_of_the_town(es, town_a, town_b):
    page = factories.notice(town_a, title="保育園")
    es.documents = {page.pk: {"page_id": page.pk, "site_id": town_a.site.pk}}
    draft = factories.notice(town_a, title="保育園の下書き")
    draft.unpublish()
    # A stale document of a page no longer public must not be shown even if the index has it.
    es.documents[draft.pk] = {"page_id": draft.pk, "site_id": town_a.site.pk}
    results = service.search(town_a.site, "保育園")
    assert [hit.page.pk for hit in results.hits] == [page.pk]
    assert es.searches[0][0] == town_a.site.pk


def test_service_falls_back_to_the_database_when_elasticsearch_fails(es, town_a):
    page = factories.notice(town_a, title="保育園の入園申し込み")
    es.fail = True
    results = service.search(town_a.site, "保育園")
    assert [hit.page.pk for hit in results.hits] == [page.pk]
