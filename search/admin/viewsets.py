"""検索 in the admin menu: a town's synonyms and promoted results (おすすめの検索結果).

Wagtail's generic views are used as they are, with what ``access`` decides: the listings hold
only the user's towns' rows (and, for synonyms, the shared seed, read-only for editors), a row
of another town is not found (404) and a row the user may only read is refused (403, saying
why, as the feedback report does).
"""

import django_filters
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from home.models import MunicipalitySettings

from ..forms import PromotionForm, SynonymForm
from ..models import Promotion, Synonym
from .access import editor_sites, town_label

SHARED = "shared"
REFUSAL = _(
    "この操作をする権限がありません。同義語とおすすめの検索結果を編集できるのは、その自治体の"
    "サイト管理者・行政担当・NPO編集者です。全自治体共通の同義語を変更できるのは、運営者だけです。"
)


def forbidden(request, message=REFUSAL, title=None):
    """Wagtail answers a refusal with a redirect to the dashboard; these views say 403, and why."""
    context = {"title": title or _("検索"), "message": message}
    return TemplateResponse(request, "search/admin/forbidden.html", context, status=403)


def with_town(rows):
    names = MunicipalitySettings.objects.filter(site=OuterRef("site")).values("official_name")[:1]
    return rows.annotate(town_name=Subquery(names))


def _town_of(row):
    return row.town_name or (_("全自治体共通") if row.site_id is None else str(row.site))


# Views ---------------------------------------------------------------------------------------


class RefusalMixin:
    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            return forbidden(request)


class ScopedRowsMixin(RefusalMixin):
    """The rows the user may see: their towns' and, for synonyms, the shared seed."""

    def visible_rows(self):
        return self.permission_policy.instances_user_has_any_permission_for(self.request.user, ["view"])

    def get_queryset(self):  # the edit and delete views
        return self.visible_rows()

    def get_base_object_queryset(self):  # the history and usage views
        return self.visible_rows()


class RowPermissionMixin(ScopedRowsMixin):
    """Checks the row itself before the view runs: another town's is 404, the seed's is 403."""

    def dispatch(self, request, *args, **kwargs):
        if self.user_has_permission(self.permission_required):
            row = self.get_object()
            if not self.user_has_permission_for_instance(self.permission_required, row):
                return forbidden(request)
        return super().dispatch(request, *args, **kwargs)


class ScopedIndexView(RefusalMixin, generic.IndexView):
    related = ("site",)

    def get_base_queryset(self):
        rows = self.permission_policy.instances_user_has_any_permission_for(self.request.user, ["view"])
        return with_town(rows).select_related(*self.related)

    def get_edit_url(self, instance):
        if self.user_has_permission_for_instance("change", instance):
            return super().get_edit_url(instance)
        return None

    def get_delete_url(self, instance):
        if self.user_has_permission_for_instance("delete", instance):
            return super().get_delete_url(instance)
        return None


class PromotionIndexView(ScopedIndexView):
    related = ("site", "page")


class ScopedCreateView(RefusalMixin, generic.CreateView):
    #: Fields that a link (from the 「検索キーワード」 report) may fill in: ``?term=…&site=…``.
    prefill_fields = ()

    def get_initial(self):
        initial = super().get_initial()
        for name in self.prefill_fields:
            if value := self.request.GET.get(name, "").strip():
                initial[name] = value[:100]
        return initial


class SynonymCreateView(ScopedCreateView):
    prefill_fields = ("site", "term")


class PromotionCreateView(ScopedCreateView):
    prefill_fields = ("site", "query")


class ScopedEditView(RowPermissionMixin, generic.EditView):
    pass


class ScopedDeleteView(RowPermissionMixin, generic.DeleteView):
    pass


class ScopedInspectView(ScopedRowsMixin, generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(self.visible_rows(), pk=self.pk)

    def get_edit_url(self):
        if self.user_has_permission_for_instance("change", self.object):
            return super().get_edit_url()
        return None

    def get_delete_url(self):
        if self.user_has_permission_for_instance("delete", self.object):
            return super().get_delete_url()
        return None


class ScopedHistoryView(ScopedRowsMixin, HistoryView):
    pass


class ScopedUsageView(ScopedRowsMixin, UsageView):
    pass


# Filters -------------------------------------------------------------------------------------


class TownFilterSet(WagtailFilterSet):
    """Filter by municipality, offering only the user's towns (and the shared seed, for synonyms)."""

    shared_choice = False
    town = django_filters.ChoiceFilter(label=_("自治体"), method="filter_town", empty_label=_("すべて"))

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        choices = [(str(site.pk), town_label(site)) for site in editor_sites(request.user)]
        if self.shared_choice:
            choices.insert(0, (SHARED, _("全自治体共通")))
        self.filters["town"].extra["choices"] = choices

    def filter_town(self, queryset, name, value):
        if value == SHARED:
            return queryset.filter(site__isnull=True)
        return queryset.filter(site_id=value)


class SynonymFilterSet(TownFilterSet):
    shared_choice = True
    kind = django_filters.ChoiceFilter(label=_("種類"), choices=Synonym.Kind.choices, empty_label=_("すべて"))

    class Meta:
        model = Synonym
        fields = []


class PromotionFilterSet(TownFilterSet):
    class Meta:
        model = Promotion
        fields = []


# View sets -----------------------------------------------------------------------------------


class MunicipalityViewSet(ModelViewSet):
    index_view_class = ScopedIndexView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    inspect_view_class = ScopedInspectView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    copy_view_enabled = False
    search_backend_name = None
    list_per_page = 50

    def get_permissions_to_register(self):
        # Who may edit is decided by the municipality roles (``access``), not by Django's model
        # permissions, so the group editor does not offer those.
        return Permission.objects.none()


class SynonymViewSet(MunicipalityViewSet):
    model = Synonym
    name = "search_synonyms"
    url_prefix = "search/synonyms"
    icon = "list-ul"
    menu_label = _("同義語")
    add_view_class = SynonymCreateView
    inspect_view_enabled = True
    index_template_name = "search/admin/synonym_index.html"
    search_fields = ["term", "expansions"]
    filterset_class = SynonymFilterSet
    list_display = [
        "term",
        Column(
            "expansions",
            label=_("ページで使われている言葉"),
            accessor=lambda row: "、".join(row.expansion_list()),
        ),
        "kind",
        BooleanColumn("two_way", label=_("双方向")),
        Column("town", label=_("自治体"), accessor=_town_of, sort_key="town_name"),
    ]
    edit_handler = ObjectList(
        [
            FieldPanel("site"),
            FieldPanel("term"),
            FieldPanel("expansions"),
            FieldPanel("kind"),
            FieldPanel("two_way"),
        ],
        base_form_class=SynonymForm,
    )


class PromotionViewSet(MunicipalityViewSet):
    model = Promotion
    name = "search_promotions"
    url_prefix = "search/promotions"
    icon = "pick"
    menu_label = _("おすすめの検索結果")
    index_view_class = PromotionIndexView
    add_view_class = PromotionCreateView
    index_template_name = "search/admin/promotion_index.html"
    search_fields = ["query", "description", "page__title"]
    filterset_class = PromotionFilterSet
    list_display = [
        "query",
        Column("page", label=_("ページ"), accessor=lambda row: row.page.get_admin_display_title()),
        "description",
        "sort_order",
        Column("town", label=_("自治体"), accessor=_town_of, sort_key="town_name"),
    ]
    edit_handler = ObjectList(
        [
            FieldPanel("site"),
            FieldPanel("query"),
            FieldPanel("page"),
            FieldPanel("description"),
            FieldPanel("sort_order"),
        ],
        base_form_class=PromotionForm,
    )


class SearchAdminGroup(ViewSetGroup):
    menu_label = _("検索")
    menu_icon = "search"
    menu_order = 600
    items = (SynonymViewSet, PromotionViewSet)
