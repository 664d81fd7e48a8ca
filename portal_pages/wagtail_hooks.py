from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.permission_policies.pages import PagePermissionPolicy

from . import feedback
from .models import ContentPage

feedback_admin_urls = [
    path("", feedback.FeedbackReportView.as_view(), name="report"),
    path("results/", feedback.FeedbackReportView.as_view(results_only=True), name="report_results"),
    path("page/<int:page_id>/", feedback.PageFeedbackView.as_view(), name="page"),
]


@hooks.register("register_admin_urls")
def register_feedback_admin_urls():
    return [path("feedback/", include((feedback_admin_urls, "portal_pages_feedback")))]


class FeedbackReportMenuItem(MenuItem):
    def is_shown(self, request):
        return PagePermissionPolicy().user_has_any_permission(request.user, ["add", "change", "publish"])


@hooks.register("register_reports_menu_item")
def register_feedback_report_menu_item():
    return FeedbackReportMenuItem(
        _("読者の声"),
        reverse("portal_pages_feedback:report"),
        name="page-feedback",
        icon_name="comment",
        order=1300,
    )


class PageFeedbackButton(PageMenuItem):
    label = _("読者の声")
    icon_name = "comment"
    url_name = "portal_pages_feedback:page"
    priority = 68

    def is_shown(self, user):
        return feedback.is_content_page(self.page) and self.page.permissions_for_user(user).can_edit()


@hooks.register("register_page_header_buttons")
def page_feedback_header_button(page, user, view_name, next_url=None):
    """The editor's "…" menu on a content page links to what readers said about it."""
    yield PageFeedbackButton(page=page)


@hooks.register("before_serve_page")
def attach_feedback_widget(page, request, serve_args, serve_kwargs):
    """Give a content page's template the widget's signed token.

    The token is signed when the page is rendered, so a cached copy of the page carries a
    token as old as the copy; ``feedback.MAX_TOKEN_AGE`` leaves room for that.
    """
    if isinstance(page, ContentPage):
        request.page_feedback = feedback.FeedbackWidget.for_page(page)


@hooks.register("register_admin_urls")
def register_review_admin_urls():
    """Reports → 見直し期限切れのページ (the content review cycle, ``portal_pages.review``)."""
    from . import review

    urls = [
        path("", review.OverdueReviewReportView.as_view(), name="report"),
        path("results/", review.OverdueReviewReportView.as_view(results_only=True), name="report_results"),
    ]
    return [path("content-review/", include((urls, "portal_pages_review")))]


@hooks.register("register_reports_menu_item")
def register_review_report_menu_item():
    return FeedbackReportMenuItem(
        _("見直し期限切れのページ"),
        reverse("portal_pages_review:report"),
        name="overdue-review",
        icon_name="date",
        order=1310,
    )


@hooks.register("register_log_actions")
def register_review_log_actions(actions):
    """The reminders of ``send_review_reminders`` show in each page's history."""
    from .review import REMINDER_ACTION

    actions.register_action(REMINDER_ACTION, _("見直しのお知らせ"), _("見直しのお知らせをメールで送りました"))


@hooks.register("register_admin_urls")
def register_editorial_meeting_admin_urls():
    """編集会議の議題: the editorial meeting's agenda, on screen and as a document to print."""
    from .workflows import admin_urls

    return [path("editorial-meeting/", include((admin_urls.urlpatterns, admin_urls.app_name)))]


@hooks.register("register_admin_menu_item")
def register_editorial_meeting_menu_item():
    from .workflows.views import AgendaMenuItem

    return AgendaMenuItem(
        _("編集会議の議題"),
        reverse("portal_pages_workflows:agenda"),
        name="editorial-meeting",
        icon_name="clipboard-list",
        order=250,
    )


@hooks.register("register_settings_menu_item")
def register_workflow_settings_menu_item():
    """The town's own workflows, for its site admin (Wagtail's workflow admin is not per town)."""
    from .workflows.views import WorkflowSettingsMenuItem

    return WorkflowSettingsMenuItem(
        _("ワークフローの設定"),
        reverse("portal_pages_workflows:workflows"),
        name="town-workflows",
        icon_name="tasks",
        order=150,
    )


@hooks.register("register_log_actions")
def register_editorial_meeting_log_actions(actions):
    """Each vote of the 編集会議 shows, with its comment, in the page's history."""
    from .workflows.meeting import VOTE_LOG_ACTION, VoteLogFormatter

    actions.register_action(VOTE_LOG_ACTION)(VoteLogFormatter)


@hooks.register("construct_page_action_menu")
def label_editorial_meeting_votes(menu_items, request, context):
    """At the last step Wagtail labels "approve" 「承認と公開」; in the 編集会議 one 「承認」 is only one vote."""
    from wagtail.admin.action_menu import WorkflowMenuItem

    from .workflows.models import Decision, EditorialMeetingTask

    approvals = [item for item in menu_items if isinstance(item, WorkflowMenuItem) and item.name == "approve"]
    page = context.get("page")
    if approvals and isinstance(page.current_workflow_task, EditorialMeetingTask):
        for item in approvals:
            item.label = Decision.APPROVE.label
