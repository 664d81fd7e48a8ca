"""「ねっと相談」 in the admin's main menu, with what each role may open."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from .. import services
from .access import STAFF_ROLES, towns_for


class RoleMenuItem(MenuItem):
    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles = roles

    def is_shown(self, request):
        return bool(towns_for(request, self.roles))


def consult_menu_item():
    items = [
        RoleMenuItem(
            _("受信箱"),
            reverse("consult_inbox:index"),
            name="consult-inbox",
            icon_name="mail",
            order=100,
            roles=STAFF_ROLES,
        ),
        RoleMenuItem(
            _("統計"),
            reverse("consult_inbox:statistics"),
            name="consult-statistics",
            icon_name="table",
            order=200,
            roles=services.READER_ROLES,
        ),
        RoleMenuItem(
            _("定型文"),
            reverse("consult_inbox:canned"),
            name="consult-canned",
            icon_name="doc-full",
            order=300,
            roles=services.LEAD_ROLES,
        ),
        RoleMenuItem(
            _("注意語"),
            reverse("consult_inbox:risk_terms"),
            name="consult-risk-terms",
            icon_name="warning",
            order=400,
            roles=services.LEAD_ROLES,
        ),
        RoleMenuItem(
            _("操作記録"),
            reverse("consult_inbox:log"),
            name="consult-log",
            icon_name="history",
            order=500,
            roles=services.LEAD_ROLES,
        ),
    ]
    return SubmenuMenuItem(_("ねっと相談"), Menu(items=items), name="consult", icon_name="help", order=260)
