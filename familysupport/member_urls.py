"""/famisapo/apply/… and /famisapo/me/… (namespace ``familysupport``). Never the empty path: that
address is the section's Wagtail page."""

from django.urls import path

from . import member_views as views

urlpatterns = [
    path("apply/", views.apply, name="apply"),
    path("apply/done/", views.applied, name="applied"),
    path("me/", views.me, name="me"),
    path("me/edit/", views.edit, name="me_edit"),
    path("me/withdraw/", views.withdraw, name="withdraw"),
    path("me/children/add/", views.child, name="child_add"),
    path("me/children/<int:pk>/", views.child, name="child_edit"),
    path("me/children/<int:pk>/delete/", views.child_delete, name="child_delete"),
    path("me/availability/add/", views.slot, name="slot_add"),
    path("me/availability/<int:pk>/", views.slot, name="slot_edit"),
    path("me/availability/<int:pk>/delete/", views.slot_delete, name="slot_delete"),
]
