import pytest
from django.core.cache import cache

from community.models import Board, CommunitySettings, Post, Thread
from tests.factories import member_of


@pytest.fixture(autouse=True)
def clear_cache():
    """Rate limits live in the cache: every test starts with fresh counters."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def board(town_a):
    return Board.objects.get(site=town_a.site, slug="age-0-2")


@pytest.fixture
def member(town_a):
    return member_of(town_a, "member")


@pytest.fixture
def trusted(town_a):
    """Members of town A post at once (no approval needed)."""
    settings_obj = CommunitySettings.for_site(town_a.site)
    settings_obj.trusted_after = 0
    settings_obj.save()
    return settings_obj


@pytest.fixture
def host(town_a):
    return {"HTTP_HOST": town_a.site.hostname}


def make_thread(board, author, title="夜泣きについて", body="みなさんどうしていますか", replies=(), **post):
    """A public thread with public replies ``[(author, body), …]``, made directly (no rules)."""
    thread = Thread.objects.create(board=board, title=title, author=author)
    Post.objects.create(
        thread=thread, author=author, is_opening=True, body=body, status=post.get("status", "published")
    )
    for reply_author, reply_body in replies:
        Post.objects.create(thread=thread, author=reply_author, body=reply_body, status="published")
    thread.reply_count = len(replies)
    thread.save()
    return thread
