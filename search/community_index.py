"""Keeping the searchable text of public board threads (:class:`search.models.BoardThread`) in
step with the boards.

A thread is searchable when its board is not private and its opening post is published; its text
is the thread's title and the bodies of its published posts — never a pending, held, hidden or
rejected post's. Any change to a post, a thread or a board (and every moderation log entry about
a post or a thread, which also catches the posts that ``community.services`` hides with a
queryset ``update()``, without a save signal) refreshes the thread's row after the transaction
commits, so the row is built from what was committed. The matches the search service caches
carry the town's board version (:func:`version`), bumped by every refresh.

With ``SEARCH_URL`` set, every refresh also sends the thread to Elasticsearch after the commit,
or removes it there once it is no longer searchable (:func:`search.indexing.sync_threads`).

``search_board_threads`` (management command) rebuilds every row.
"""

import logging
import time

from django.core.cache import cache
from django.db import transaction
from modelsearch.index import insert_or_update_object, remove_object

logger = logging.getLogger(__name__)


def _version_key(site_id):
    return f"search:boards:version:{site_id}"


def version(site_id):
    """A number that changes whenever a thread of the town is refreshed (part of cache keys)."""
    value = cache.get(_version_key(site_id))
    if value is None:
        value = time.time_ns()
        cache.add(_version_key(site_id), value, None)
        value = cache.get(_version_key(site_id), value)
    return value


def _bump(site_id):
    cache.set(_version_key(site_id), time.time_ns(), None)


def searchable_documents(site):
    """The town's thread rows that may be found (see :func:`searchable_threads`)."""
    from .models import BoardThread

    if site is None:
        return BoardThread.objects.none()
    return searchable_threads().filter(site=site)


def searchable_threads():
    """Every town's thread rows that may be found: public board, published opening post, and not
    holding the text of a post that is no longer published (in case a refresh was missed)."""
    from community.models import Post

    from .models import BoardThread

    not_published = [status for status in Post.Status if status != Post.Status.PUBLISHED]
    return BoardThread.objects.filter(
        board__private=False,
        thread__posts__is_opening=True,
        thread__posts__status=Post.Status.PUBLISHED,
    ).exclude(posts__status__in=not_published)


def refresh(thread_id):
    """Write (or remove) the searchable row and index entries of one thread, from the database."""
    from . import indexing

    document = _write(thread_id)
    indexing.schedule_threads([thread_id])
    return document


def _write(thread_id):
    """The row and database index entry of one thread: written while it is public, else removed."""
    from community.models import Post, Thread

    from .models import BoardThread

    thread = Thread.objects.select_related("board").filter(pk=thread_id).first()
    posts = []
    if thread is not None:
        posts = list(
            Post.objects.filter(thread_id=thread_id, status=Post.Status.PUBLISHED)
            .order_by("created_at", "pk")
            .values_list("pk", "is_opening", "body")
        )
    public = thread is not None and not thread.board.private and any(opening for _pk, opening, _b in posts)
    existing = BoardThread.objects.filter(pk=thread_id).first()
    if not public:
        if existing is not None:
            remove_object(existing)
            existing.delete()
            _bump(existing.site_id)
        return None
    document, _created = BoardThread.objects.update_or_create(
        thread_id=thread_id,
        defaults={
            "site_id": thread.board.site_id,
            "board_id": thread.board_id,
            "title": thread.title,
            "body": "\n".join(body for _pk, _opening, body in posts),
        },
    )
    document.posts.set([pk for pk, _opening, _body in posts])
    insert_or_update_object(document)
    _bump(document.site_id)
    if existing is not None and existing.site_id != document.site_id:
        _bump(existing.site_id)
    return document


def rebuild():
    """Refresh every thread (and drop the rows of threads that are gone); returns how many are public."""
    from community.models import Thread

    from . import indexing
    from .models import BoardThread

    count = 0
    thread_ids = list(Thread.objects.values_list("pk", flat=True))
    for thread_id in thread_ids:
        count += _write(thread_id) is not None
    for document in BoardThread.objects.exclude(thread_id__in=Thread.objects.values("pk")):
        thread_ids.append(document.pk)
        remove_object(document)
        document.delete()
    indexing.schedule_threads(thread_ids)
    return count


def schedule(thread_id):
    if thread_id is None:
        return

    def run():
        try:
            refresh(thread_id)
        except Exception:
            # The post is saved whatever happens here; search_board_threads catches up.
            logger.exception("The search text of board thread %s could not be refreshed", thread_id)

    transaction.on_commit(run)


def _post_changed(instance, raw=False, **kwargs):
    if not raw:
        schedule(instance.thread_id)


def _thread_changed(instance, raw=False, **kwargs):
    if not raw:
        schedule(instance.pk)


def _board_changed(instance, raw=False, **kwargs):
    if raw:
        return
    from community.models import Thread

    for thread_id in Thread.objects.filter(board=instance).values_list("pk", flat=True):
        schedule(thread_id)


def _logged(instance, raw=False, created=False, **kwargs):
    """A moderator's (or the report threshold's) action: hide, restore, approve, reject, edit."""
    if raw:
        return
    from community.models import ModerationLog, Post

    if instance.target_kind == ModerationLog.Target.POST:
        schedule(Post.objects.filter(pk=instance.target_id).values_list("thread_id", flat=True).first())
    elif instance.target_kind == ModerationLog.Target.THREAD:
        schedule(instance.target_id)


def _document_deleted(instance, **kwargs):
    remove_object(instance)
    _bump(instance.site_id)


def connect_signals():
    from django.db.models.signals import post_delete, post_save

    from community.models import Board, ModerationLog, Post, Thread

    from .models import BoardThread

    post_save.connect(_post_changed, sender=Post, dispatch_uid="search-board-post-saved")
    post_delete.connect(_post_changed, sender=Post, dispatch_uid="search-board-post-deleted")
    post_save.connect(_thread_changed, sender=Thread, dispatch_uid="search-board-thread-saved")
    post_delete.connect(_thread_changed, sender=Thread, dispatch_uid="search-board-thread-deleted")
    post_save.connect(_board_changed, sender=Board, dispatch_uid="search-board-saved")
    post_save.connect(_logged, sender=ModerationLog, dispatch_uid="search-board-moderated")
    post_delete.connect(_document_deleted, sender=BoardThread, dispatch_uid="search-board-document-deleted")
