from django.urls import path

from . import views

app_name = "portal_pages_workflows"

urlpatterns = [
    path("", views.AgendaView.as_view(), name="agenda"),
    path("print/", views.AgendaPrintView.as_view(), name="agenda_print"),
    path("settings/<int:task_id>/", views.MeetingSettingsView.as_view(), name="settings"),
    path("workflows/", views.WorkflowSettingsView.as_view(), name="workflows"),
    path("workflows/<int:workflow_id>/add/", views.StepAddView.as_view(), name="step_add"),
    path("workflows/<int:workflow_id>/<int:step_id>/", views.StepEditView.as_view(), name="step_edit"),
    path(
        "workflows/<int:workflow_id>/<int:step_id>/<str:action>/",
        views.StepActionView.as_view(),
        name="step_action",
    ),
]
