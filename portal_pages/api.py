"""Wagtail API v2 at /api/v2/: pages, images and documents of the requesting site only.

Stock Wagtail scopes pages to a site but lets ``?site=`` name any other one, shows pages behind a
login to signed-in users, and does not scope images or documents at all. Here every endpoint
answers for the municipality whose host was requested and nothing else; the API is read-only
and anonymous, so what it returns is what anyone may read on the public site.
"""

from rest_framework.permissions import AllowAny
from rest_framework.relations import SlugRelatedField
from wagtail.api.v2.filters import SearchFilter
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import Collection, Page, Site

from home.models import MunicipalitySettings
from search.api import AnalysedSearchFilter


class PublicAPIMixin:
    """No credentials are read: a session or Basic header must not widen what the API shows."""

    authentication_classes = ()
    permission_classes = (AllowAny,)


class SitePagesAPIViewSet(PublicAPIMixin, PagesAPIViewSet):
    # ``site`` is dropped so a request to town A cannot ask for town B's pages.
    known_query_parameters = (PagesAPIViewSet.known_query_parameters - {"site"}) | {"exact"}
    # ?search= ranks as the site search does (same analysis, synonyms and fallback).
    filter_backends = [
        AnalysedSearchFilter if backend is SearchFilter else backend
        for backend in PagesAPIViewSet.filter_backends
    ]

    @classmethod
    def get_field_serializer_overrides(cls, model):
        """Life stages as their slugs (``["age-0", "teen"]``), not as ids of a model with no endpoint."""
        overrides = super().get_field_serializer_overrides(model)
        if "life_stages" in cls.get_body_fields_names(model):
            overrides.setdefault(
                "life_stages", SlugRelatedField(many=True, read_only=True, slug_field="slug")
            )
        return overrides

    def get_base_queryset(self):
        """Live pages without any view restriction, in the requesting site's tree and its translations."""
        site = Site.find_for_request(self.request)
        if site is None:
            return Page.objects.none()
        pages = Page.objects.live().public()
        scoped = pages.descendant_of(site.root_page, inclusive=True)
        for translation in site.root_page.get_translations():
            scoped |= pages.descendant_of(translation, inclusive=True)
        return scoped


def public_collections(request):
    """The requesting municipality's collection and those under it, less any with a view restriction.

    A restricted collection is left out whoever asks, as private pages are: the API is not where a
    password or a group membership opens anything.
    """
    site = Site.find_for_request(request)
    collection = MunicipalitySettings.for_site(site).collection if site is not None else None
    if collection is None:
        return Collection.objects.none()
    collections = Collection.objects.descendant_of(collection, inclusive=True)
    restricted = Collection.objects.filter(view_restrictions__isnull=False).values_list("path", flat=True)
    for path in restricted:
        collections = collections.exclude(path__startswith=path)
    return collections


class SiteMediaMixin(PublicAPIMixin):
    def get_queryset(self):
        return self.model.objects.filter(collection__in=public_collections(self.request)).order_by("id")


class SiteImagesAPIViewSet(SiteMediaMixin, ImagesAPIViewSet):
    pass


class SiteDocumentsAPIViewSet(SiteMediaMixin, DocumentsAPIViewSet):
    pass


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", SitePagesAPIViewSet)
api_router.register_endpoint("images", SiteImagesAPIViewSet)
api_router.register_endpoint("documents", SiteDocumentsAPIViewSet)
