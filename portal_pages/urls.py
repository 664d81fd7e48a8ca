from django.urls import include, path

from . import views

urlpatterns = [
    path("stage/<slug:slug>/", views.life_stage, name="life_stage"),
    path("feeds/", include("portal_pages.feeds_urls")),
    path("feedback/", include("portal_pages.feedback_urls")),
    path("opendata/", include("portal_pages.opendata_urls")),
    path("reporters/", include("portal_pages.reporters")),
]
