from django.urls import path

from . import views

app_name = "portal_pages_workflows"

urlpatterns = [
    path("", views.AgendaView.as_view(), name="agenda"),
    path("print/", views.AgendaPrintView.as_view(), name="agenda_print"),
    path("settings/<int:task_id>/", views.MeetingSettingsView.as_view(), name="settings"),
]
