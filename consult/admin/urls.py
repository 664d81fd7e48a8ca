"""/admin/consult/… (namespace ``consult_inbox``, registered in ``consult.wagtail_hooks``)."""

from django.urls import path

from .views import case, inbox, lead, statistics

urlpatterns = [
    path("", inbox.InboxView.as_view(), name="index"),
    path("case/<int:pk>/", case.CaseView.as_view(), name="case"),
    path("case/<int:pk>/reply/", case.ReplyView.as_view(), name="reply"),
    path("case/<int:pk>/note/", case.NoteView.as_view(), name="note"),
    path("case/<int:pk>/status/", case.StatusView.as_view(), name="status"),
    path("case/<int:pk>/assign/", case.AssignView.as_view(), name="assign"),
    path("case/<int:pk>/escalate/", case.EscalateView.as_view(), name="escalate"),
    path("case/<int:pk>/export/", case.ExportView.as_view(), name="export"),
    path("case/<int:pk>/faq/", case.FaqDraftView.as_view(), name="faq_draft"),
    path("statistics/", statistics.StatisticsView.as_view(), name="statistics"),
    path("canned/", lead.CannedReplyListView.as_view(), name="canned"),
    path("canned/add/", lead.CannedReplyFormView.as_view(), name="canned_add"),
    path("canned/<int:pk>/", lead.CannedReplyFormView.as_view(), name="canned_edit"),
    path("canned/<int:pk>/delete/", lead.CannedReplyDeleteView.as_view(), name="canned_delete"),
    path("risk-terms/", lead.RiskTermListView.as_view(), name="risk_terms"),
    path("risk-terms/add/", lead.RiskTermFormView.as_view(), name="risk_term_add"),
    path("risk-terms/<int:pk>/delete/", lead.RiskTermDeleteView.as_view(), name="risk_term_delete"),
    path("log/", lead.AccessLogView.as_view(), name="log"),
]
