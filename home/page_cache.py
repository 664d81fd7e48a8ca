"""Whole-page cache for anonymous visitors, invalidated per municipality.

Why not a package: wagtail-cache (the maintained Wagtail page cache) does not support Wagtail 8
yet (it requires wagtail<8), so this is Django's cache framework with two rules of our own:

- **Who is served from cache:** GET/HEAD requests without a session or CSRF cookie (anonymous
  visitors), outside the admin and the form endpoints. A response is stored only when it is a
  200, sets no cookie (so nothing that rendered a CSRF token or touched the session), and is not
  marked private or no-store.
- **Invalidation:** every key carries the municipality's *generation*, a number kept in the
  shared cache. Publishing, unpublishing, moving, deleting or scheduling a page of a
  municipality, or editing its settings, images, documents or comments, bumps that
  municipality's generation, so every cached page of that town (the page, its index and section,
  the life-stage pages, the home page, feeds and calendars) is stale at once — and nothing of
  another town is touched. Entries also expire after ``PAGE_CACHE_SECONDS``, which bounds how
  long a time-based change (an event moving from 受付中 to 締切) can wait.

The cache is the ``default`` cache: local memory on one machine, Redis when ``REDIS_URL`` is set,
so every web node sees the same pages and the same generations.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http.request import split_domain_port
from django.utils import translation
from wagtail.models import Page, Site

BYPASS_COOKIES = ("sessionid", "csrftoken", "messages")
UNCACHED_PREFIXES = (
    "/admin/",
    "/accounts/",
    "/comments/",
    "/feedback/",
    "/documents/",
    "/healthz",
    "/django-admin/",
)
SITE_LOOKUP_SECONDS = 60

_site_ids = {}


def _generation_key(site_id):
    return f"pagecache:generation:{site_id}"


def generation(site_id):
    value = cache.get(_generation_key(site_id))
    if value is None:
        value = time.time_ns()
        cache.add(_generation_key(site_id), value, None)
        value = cache.get(_generation_key(site_id), value)
    return value


def per_generation(site_id, name, build, seconds=60 * 60):
    """``build()``, kept in the cache until the town next changes (a publish, a move, a
    setting, a view restriction: the same events that renew its cached pages)."""
    key = f"town:{name}:{site_id}:{generation(site_id)}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, seconds)
    return value


def restricted_paths(site_id):
    """The paths of every page with a view restriction, kept per generation of the town (adding,
    changing or removing a restriction, or moving a page, starts a new one). A page at or below
    one of them is private."""
    from wagtail.models import PageViewRestriction

    return per_generation(
        site_id,
        "restricted-paths",
        lambda: tuple(PageViewRestriction.objects.values_list("page__path", flat=True)),
    )


def invalidate_site(site_id):
    """Make every cached page of one municipality stale."""
    cache.set(_generation_key(site_id), time.time_ns(), None)


def invalidate_all():
    for site_id in Site.objects.values_list("id", flat=True):
        invalidate_site(site_id)


SITE_FIELDS = ("id", "hostname", "port", "site_name", "root_page_id", "is_default_site")


def site_for_request(request):
    """``Site.find_for_request`` without a query on every request.

    Which site answers a host is remembered per process for a minute (a ``Site`` saved or deleted
    in this process forgets it at once; another process sees the change within the minute). Each
    request gets its own ``Site`` instance, and with it the municipality's home page as of its
    current generation, so routing starts without asking the database for either.
    """
    if hasattr(request, "_wagtail_site"):
        return request._wagtail_site
    host = (split_domain_port(request._get_raw_host())[0], request.get_port())
    remembered = _site_ids.get(host)
    if remembered is None or remembered[1] <= time.monotonic():
        found = Site._find_for_request(request)
        values = {name: getattr(found, name) for name in SITE_FIELDS} if found else None
        remembered = _site_ids[host] = (values, time.monotonic() + SITE_LOOKUP_SECONDS)
    site = None
    if remembered[0] is not None:
        site = Site(**remembered[0])
        site._state.adding = False
        site._state.db = "default"
        root = per_generation(site.pk, "root-page", lambda: Page.objects.get(pk=site.root_page_id).specific)
        Site.root_page.field.set_cached_value(site, root)
    request._wagtail_site = site
    return site


def _site_id(request):
    site = site_for_request(request)
    return site.id if site else 0


def forget_site_lookups():
    _site_ids.clear()


def _cache_key(request, site_id):
    language = translation.get_language_from_request(request, check_path=True)
    address = f"{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"pagecache:page:{site_id}:{generation(site_id)}:{language}:{request.method}:{digest}"


def is_cacheable_request(request):
    if not getattr(settings, "PAGE_CACHE_ENABLED", False):
        return False
    if request.method not in ("GET", "HEAD"):
        return False
    if any(name in request.COOKIES for name in BYPASS_COOKIES):
        return False
    if request.headers.get("Authorization"):
        return False
    return not request.path.startswith(UNCACHED_PREFIXES)


def is_cacheable_response(response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    control = response.get("Cache-Control", "")
    return not any(word in control for word in ("private", "no-store", "no-cache"))


class PageCacheMiddleware:
    """Serves anonymous visitors from the shared cache and stores what they were served."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(UNCACHED_PREFIXES):
            site_for_request(request)
        if not is_cacheable_request(request):
            return self.get_response(request)
        key = _cache_key(request, _site_id(request))
        cached = cache.get(key)
        if cached is not None:
            cached["X-Page-Cache"] = "hit"
            return cached
        response = self.get_response(request)
        if is_cacheable_response(response):
            if hasattr(response, "render") and callable(response.render):
                response.render()
            # One piece of content, not the hundreds of small writes a feed generator makes:
            # each piece would be its own socket write on every hit.
            response.content = response.content
            response["Cache-Control"] = "public, max-age=0, must-revalidate"
            cache.set(key, response, settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response


# What invalidates ------------------------------------------------------------------------


def _invalidate_page(instance, **kwargs):
    try:
        site = instance.get_site()
    except Site.DoesNotExist:
        # A page published before its municipality's site exists (create_municipality).
        site = None
    if site is not None:
        invalidate_site(site.id)
    else:
        invalidate_all()


def _invalidate_moved_page(instance, url_path_before="", **kwargs):
    _invalidate_page(instance)
    for site in Site.objects.all():
        if url_path_before.startswith(site.root_page.url_path):
            invalidate_site(site.id)


def _invalidate_deleted(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page):
        _invalidate_page(instance)


def _invalidate_setting(sender, instance, **kwargs):
    invalidate_site(instance.site_id)


def _invalidate_comment(sender, instance, **kwargs):
    target = instance.content_object
    if target is not None and hasattr(target, "get_site"):
        _invalidate_page(target)


def _invalidate_restriction(sender, instance, **kwargs):
    """A page made private (or public again) must not be served from, or searched in, old copies."""
    from wagtail.models import Page

    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        _invalidate_page(page)
    else:
        invalidate_all()


def _invalidate_site_record(sender, instance, **kwargs):
    forget_site_lookups()
    invalidate_site(instance.id)


def _invalidate_everything(sender, **kwargs):
    invalidate_all()


def connect_signals():
    from django.db.models.signals import post_delete, post_save
    from django_comments_xtd.models import XtdComment
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import PageViewRestriction
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from .models import LifeStage, MunicipalitySettings

    page_published.connect(_invalidate_page, dispatch_uid="pagecache-published")
    page_unpublished.connect(_invalidate_page, dispatch_uid="pagecache-unpublished")
    post_page_move.connect(_invalidate_moved_page, dispatch_uid="pagecache-moved")
    post_delete.connect(_invalidate_deleted, dispatch_uid="pagecache-page-deleted")
    for model in (MunicipalitySettings,):
        post_save.connect(_invalidate_setting, sender=model, dispatch_uid=f"pagecache-save-{model.__name__}")
        post_delete.connect(_invalidate_setting, sender=model, dispatch_uid=f"pagecache-del-{model.__name__}")
    post_save.connect(
        _invalidate_restriction, sender=PageViewRestriction, dispatch_uid="pagecache-restricted"
    )
    post_delete.connect(
        _invalidate_restriction, sender=PageViewRestriction, dispatch_uid="pagecache-unrestricted"
    )
    for model in (Site,):
        post_save.connect(_invalidate_site_record, sender=model, dispatch_uid="pagecache-site-saved")
        post_delete.connect(_invalidate_site_record, sender=model, dispatch_uid="pagecache-site-deleted")
    for model in (get_image_model(), get_document_model(), LifeStage):
        post_save.connect(
            _invalidate_everything, sender=model, dispatch_uid=f"pagecache-save-{model.__name__}"
        )
        post_delete.connect(
            _invalidate_everything, sender=model, dispatch_uid=f"pagecache-del-{model.__name__}"
        )
    from django_comments import get_model as comment_model

    for model in {XtdComment, comment_model()}:
        post_save.connect(
            _invalidate_comment, sender=model, dispatch_uid=f"pagecache-comment-{model.__name__}"
        )
        post_delete.connect(
            _invalidate_comment, sender=model, dispatch_uid=f"pagecache-comment-del-{model.__name__}"
        )
