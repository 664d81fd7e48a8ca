from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..access import STAFF_ROLES, guarded, pick_town, towns_for


class ConsultAdminView(WagtailAdminTemplateMixin, TemplateView):
    """A back-office screen for ``roles``: the 403, the second factor, then one town."""

    roles = STAFF_ROLES
    forbidden_message = None
    header_icon = "help"
    parent_crumbs = ()

    def dispatch(self, request, *args, **kwargs):
        view = guarded(self.roles, self.forbidden_message)(super().dispatch)
        response = view(request, *args, **kwargs)
        # Nothing of a consultation's screens belongs in a browser's or proxy's cache.
        add_never_cache_headers(response)
        return response

    @cached_property
    def towns(self):
        return towns_for(self.request, self.roles)

    @cached_property
    def site(self):
        return pick_town(self.request, self.roles)

    def get_page_subtitle(self):
        return self.site.site_name if len(self.towns) > 1 else ""

    def town_url(self, name, *args):
        """``name``'s address, in this screen's town when the user serves several."""
        url = reverse(name, args=args)
        return f"{url}?town={self.site.pk}" if len(self.towns) > 1 else url

    def get_parent_crumbs(self):
        return self.parent_crumbs

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": self.town_url("consult_inbox:index"), "label": _("ねっと相談")},
            *self.get_parent_crumbs(),
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(site=self.site, towns=self.towns, many_towns=len(self.towns) > 1)
        return context
