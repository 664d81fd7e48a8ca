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
