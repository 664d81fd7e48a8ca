"""Keeping Elasticsearch (``SEARCH_URL``) in step with what is published.

The database index needs nothing here: modelsearch updates it on every save, and the live,
public and site conditions are applied when a query runs. Elasticsearch holds only pages anyone
may read, so publishing, unpublishing, deleting, moving a page or changing a view restriction
re-sends (or removes) the page and the pages under it, through a django-tasks task (run at once
by the immediate backend, or within seconds by the database worker). ``search_es_rebuild``
sends everything again.
"""

import logging
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django_tasks import task
from wagtail.models import Page, PageViewRestriction, Site

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
