"""The parent's side of ねっと相談, under the section's own address (/soudan/…)."""

from django.urls import path

from . import views

app_name = "consult"

urlpatterns = [
    path("ask/", views.ask, name="ask"),
    path("ask/received/", views.received, name="received"),
    path("check/", views.check, name="check"),
    path("thread/", views.thread, name="thread"),
    path("mine/", views.mine, name="mine"),
]
