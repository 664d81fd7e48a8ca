"""/admin/moderation/… (namespace ``community_moderation``, registered in ``community.wagtail_hooks``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.QueueView.as_view(), name="queue"),
    path("<str:kind>/<int:pk>/approve/", views.ApproveView.as_view(), name="approve"),
    path("<str:kind>/<int:pk>/reject/", views.RejectView.as_view(), name="reject"),
    path("post/<int:pk>/edit/", views.PostEditView.as_view(), name="edit_post"),
    path("threads/", views.ThreadListView.as_view(), name="threads"),
    path("threads/<int:pk>/flags/", views.ThreadFlagsView.as_view(), name="thread_flags"),
    path("members/<int:pk>/", views.MemberView.as_view(), name="member"),
    path("log/", views.LogView.as_view(), name="log"),
]
