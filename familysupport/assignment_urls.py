"""/famisapo/requests/… and /famisapo/assignments/… (namespace ``familysupport``). Never the
empty path: that address is the section's Wagtail page."""

from django.urls import path

from . import assignment_views as views

urlpatterns = [
    path("requests/", views.my_requests, name="my_requests"),
    path("requests/new/", views.ask, name="ask"),
    path("requests/<int:pk>/cancel/", views.cancel_request, name="cancel_request"),
    path("assignments/<int:pk>/", views.assignment, name="assignment"),
]
