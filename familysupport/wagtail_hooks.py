"""The centre's back office in the Wagtail admin (/admin/famisapo/…), for the town's advisors.

Each part of the back office keeps its own screens and URLs: members and applications
(``admin.members``), requests and matching (``admin.matching``), activity reports, statements
and statistics (``admin.reports``). Each module has ``urlpatterns`` and ``MENU_ITEMS``
(label, URL name, order).
"""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from .access import advisor_towns


def _parts():
    from .admin import matching, members, reports

    return (members, matching, reports)


@hooks.register("register_admin_urls")
def register_familysupport_admin_urls():
    patterns = [pattern for part in _parts() for pattern in part.urlpatterns]
    return [path("famisapo/", include((patterns, "famisapo_admin")))]


class AdvisorMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(advisor_towns(request))


@hooks.register("register_admin_menu_item")
def register_familysupport_menu():
    items = sorted((item for part in _parts() for item in part.MENU_ITEMS), key=lambda item: item[2])
    menu = Menu(
        items=[
            AdvisorMenuItem(label, reverse(f"famisapo_admin:{name}"), name=f"famisapo-{name}", order=order)
            for label, name, order in items
        ]
    )

    class AdvisorSubmenu(SubmenuMenuItem):
        def is_shown(self, request):
            return bool(advisor_towns(request))

    return AdvisorSubmenu(_("ファミリーサポート"), menu, icon_name="group", name="famisapo", order=420)
