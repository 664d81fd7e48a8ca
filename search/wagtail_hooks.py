"""The search in the admin: the 検索 menu (同義語, おすすめの検索結果) and Reports → 検索キーワード."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .admin.access import PromotionPermissionPolicy, SynonymPermissionPolicy, editor_sites, site_pages_q
from .models import Promotion, Synonym

# Registered before anything asks Wagtail for these models' policy (it would make a fallback).
register_permission_policy(Synonym, SynonymPermissionPolicy(Synonym), exact_class=True)
register_permission_policy(Promotion, PromotionPermissionPolicy(Promotion), exact_class=True)


@hooks.register("register_admin_viewset")
def register_search_viewsets():
    from .admin.viewsets import SearchAdminGroup

    return SearchAdminGroup()


@hooks.register("register_admin_urls")
def register_search_report_urls():
    from .admin import report

    urls = [
        path("", report.SearchTermsReportView.as_view(), name="index"),
        path("csv/", report.SearchTermsCSVView.as_view(), name="csv"),
    ]
    return [path("search-terms/", include((urls, "search_report")))]


@hooks.register("register_reports_menu_item")
def register_search_report_menu_item():
    from .admin.report import SearchTermsMenuItem

    return SearchTermsMenuItem(
        _("検索キーワード"),
        reverse("search_report:index"),
        name="search-terms",
        icon_name="search",
        order=1320,
    )


@hooks.register("construct_page_chooser_queryset")
def limit_promotion_page_chooser(pages, request):
    """The page chooser of a promoted result lists only pages of the editor's towns."""
    from .forms import PROMOTION_CHOOSER

    if request.GET.get("user_perms") != PROMOTION_CHOOSER or request.user.is_superuser:
        return pages
    return pages.filter(site_pages_q(editor_sites(request.user)))
