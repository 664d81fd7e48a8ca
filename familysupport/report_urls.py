"""Activity reports and statements in the member area (namespace ``familysupport``)."""

from django.urls import path

from . import report_views

urlpatterns = [
    path("reports/new/<int:assignment_pk>/", report_views.new_report, name="report_new"),
    path("reports/<int:pk>/", report_views.report_detail, name="report"),
    path("reports/<int:pk>/correct/", report_views.correct_report, name="report_correct"),
    path("statements/<int:year>/<int:month>/", report_views.statement, name="statement"),
    path("summaries/<int:year>/<int:month>/", report_views.summary, name="summary"),
]
