"""Keeping Elasticsearch (``SEARCH_URL``) in step with what is published.

The database index needs nothing here: modelsearch updates it on every save, and the live,
public and site conditions are applied when a query runs. Elasticsearch holds only pages anyone
may read, so publishing, unpublishing, deleting, moving a page or changing a view restriction
re-sends (or removes) the page and the pages under it, through a django-tasks task (run at once
by the immediate backend, or within seconds by the database worker). ``search_es_rebuild``
sends everything again.

Public board threads go the same way: :mod:`search.community_index` asks for each thread it
refreshes to be sent again after the commit, and only a thread it considers searchable (public
board, published opening post) is indexed; any other is removed from the index.
"""

import logging
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django_tasks import task
from wagtail.models import Page, PageViewRestriction, Site

from . import community_index
from .backends import document

logger = logging.getLogger(__name__)
BATCH = 500


@lru_cache(maxsize=1)
def _engine(url, prefix):
    from .elastic import ElasticEngine

    return ElasticEngine(url, f"{prefix}pages")


def engine():
    return _engine(settings.SEARCH_URL, settings.SEARCH_INDEX_PREFIX)


def _site_for(page, sites):
    """The municipality a page belongs to, for translated trees too (their root is a translation)."""
    for site in sites:
        if page.path.startswith(site.root_page.path):
            return site
    root = page.get_ancestors(inclusive=True).filter(depth=2).first()
    if root is not None:
        for site in sites:
            if site.root_page.translation_key == root.translation_key:
                return site
    return None


def entry_for(page, sites=None):
    """The plain fields Elasticsearch stores for a page (search.elastic analyses them)."""
    from .service import _sections, _staged_models

    sites = sites if sites is not None else list(Site.objects.select_related("root_page"))
    site = _site_for(page, sites)
    if site is None:
        return None
    page = page.specific
    section = next((key for path, (key, _t) in _sections(site).items() if page.path.startswith(path)), "")
    stages = []
    if type(page) in _staged_models():
        stages = list(page.life_stages.values_list("slug", flat=True))
    _title, body, _autocomplete = document(page)
    return {
        "page_id": page.pk,
        "site_id": site.pk,
        "locale": page.locale.language_code,
        "section": section,
        "content_type": page._meta.model_name,
        "life_stages": stages,
        "title": page.title,
        "body": body,
        "url_path": page.url_path,
        "first_published_at": page.first_published_at,
    }


def thread_entry(row):
    """The plain fields Elasticsearch stores for a board thread's searchable row (a BoardThread)."""
    from .service import THREAD_SECTION, THREAD_TYPE, thread_url

    _title, body, _autocomplete = document(row)
    return {
        "thread_id": row.pk,
        "site_id": row.site_id,
        "locale": row.site.root_page.locale.language_code,
        "section": THREAD_SECTION,
        "content_type": THREAD_TYPE,
        "life_stages": [],
        "title": row.title,
        "body": body,
        "url_path": thread_url(row.board.slug, row.pk),
        "first_published_at": row.thread.created_at,
    }


def sync(page_ids):
    """Send the given pages and everything under them to Elasticsearch, or remove them."""
    if not settings.SEARCH_URL or not page_ids:
        return
    es = engine()
    es.ensure_index()
    sites = list(Site.objects.select_related("root_page"))
    roots = Page.objects.filter(pk__in=page_ids)
    subtree = Page.objects.none()
    for root in roots:
        subtree |= Page.objects.descendant_of(root, inclusive=True)
    public = set(subtree.live().public().values_list("pk", flat=True))
    every = list(subtree.values_list("pk", flat=True))
    missing = set(page_ids) - set(every)
    gone = [pk for pk in every if pk not in public] + list(missing)
    if gone:
        es.delete_documents(gone)
    ids = sorted(public)
    for start in range(0, len(ids), BATCH):
        pages = Page.objects.filter(pk__in=ids[start : start + BATCH]).specific()
        entries = [entry for entry in (entry_for(page, sites) for page in pages) if entry]
        es.index_documents(entries)


@task()
def sync_task(page_ids):
    try:
        sync(page_ids)
    except Exception:
        # The page is published whatever happens here; search_es_rebuild catches up.
        logger.exception("Elasticsearch could not be updated for %d page(s)", len(page_ids))


def schedule(page_ids):
    if settings.SEARCH_URL:
        transaction.on_commit(lambda: sync_task.enqueue(list(page_ids)))


def sync_threads(thread_ids):
    """Send the given board threads to Elasticsearch while they are searchable, or remove them."""
    if not settings.SEARCH_URL or not thread_ids:
        return
    es = engine()
    es.ensure_index()
    ids = sorted(set(thread_ids))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        rows = {
            row.pk: row
            for row in community_index.searchable_threads()
            .filter(pk__in=batch)
            .select_related("board", "thread", "site__root_page__locale")
        }
        gone = [pk for pk in batch if pk not in rows]
        if gone:
            es.delete_threads(gone)
        if rows:
            es.index_threads([thread_entry(row) for row in rows.values()])


@task()
def sync_threads_task(thread_ids):
    try:
        sync_threads(thread_ids)
    except Exception:
        # The post is saved whatever happens here; search_es_rebuild catches up.
        logger.exception("Elasticsearch could not be updated for %d board thread(s)", len(thread_ids))


def schedule_threads(thread_ids):
    if settings.SEARCH_URL and thread_ids:
        ids = list(thread_ids)
        transaction.on_commit(lambda: sync_threads_task.enqueue(ids))


def _page_changed(instance, **kwargs):
    schedule([instance.pk])


def _page_deleted(instance, **kwargs):
    if settings.SEARCH_URL:
        pk = instance.pk
        transaction.on_commit(lambda: sync_task.enqueue([pk]))


def _restriction_changed(instance, **kwargs):
    schedule([instance.page_id])


def connect_signals():
    from django.db.models.signals import post_delete, post_save
    from wagtail.signals import page_published, page_unpublished, post_page_move

    page_published.connect(_page_changed, dispatch_uid="search-es-published")
    page_unpublished.connect(_page_changed, dispatch_uid="search-es-unpublished")
    post_page_move.connect(_page_changed, dispatch_uid="search-es-moved")
    post_delete.connect(_page_deleted, sender=Page, dispatch_uid="search-es-deleted")
    post_save.connect(_restriction_changed, sender=PageViewRestriction, dispatch_uid="search-es-restricted")
    post_delete.connect(
        _restriction_changed, sender=PageViewRestriction, dispatch_uid="search-es-unrestricted"
    )
