import pytest

from . import factories

pytestmark = pytest.mark.django_db


def test_every_page_type_renders_for_a_visitor(client, town_a):
    pages = [
        factories.notice(town_a, stages=["age-0"]),
        factories.service(town_a, stages=["age-1-2"]),
        factories.event(town_a, stages=["age-1-2"]),
        factories.facility(town_a, stages=["age-0"], nursing_room=True),
        factories.article(town_a, tags=["児童館"]),
    ]
    for page in pages:
        response = client.get(page.url, HTTP_HOST=town_a.site.hostname)
        assert response.status_code == 200, page.title
        assert page.title in response.content.decode()
    for parent in {page.get_parent().specific for page in pages}:
        response = client.get(parent.url, HTTP_HOST=town_a.site.hostname)
        assert response.status_code == 200
