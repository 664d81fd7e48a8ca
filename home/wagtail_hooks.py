from wagtail import hooks

from .admin_scoping import CROSS_SITE_REPORTS


@hooks.register("construct_reports_menu")
def hide_cross_site_reports(request, menu_items):
    if not request.user.is_superuser:
        menu_items[:] = [item for item in menu_items if item.name not in CROSS_SITE_REPORTS]
