from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from home import views as home_views
from portal_pages.api import api_router
from search import views as search_views

urlpatterns = [
    path("healthz", home_views.healthz, name="healthz"),
    path("robots.txt", home_views.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("admin/", include(wagtailadmin_urls)),
    path("accounts/", include("accounts.urls")),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v2/", api_router.urls),
    path("comments/", include("portal_pages.comments_urls")),
]

urlpatterns += i18n_patterns(
    path("search/", search_views.search, name="search"),
    path("search/suggest/", search_views.suggest, name="search_suggest"),
    path("soudan/", include("consult.urls")),
    path("famisapo/", include("familysupport.urls")),
    path("keijiban/", include("community.urls")),
    path("", include("portal_pages.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns
