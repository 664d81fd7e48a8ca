"""The lead counsellor's screens: 定型文, 注意語 and the access log of the town's cases."""

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages

from ... import services
from ...models import AccessLog, CannedReply, RiskTerm
from ..access import CONSULT_ROLES, pick_town
from ..forms import AccessLogFilterForm, CannedReplyForm, RiskTermForm, person_label
from .base import ConsultAdminView

LOG_PER_PAGE = 50


class LeadView(ConsultAdminView):
    roles = services.LEAD_ROLES
    forbidden_message = _("この画面を開けるのは、その自治体の主任相談員だけです。")


# 定型文 ----------------------------------------------------------------------------------------


class CannedReplyListView(LeadView):
    template_name = "consult/admin/canned_list.html"
    page_title = _("定型文")
    header_icon = "doc-full"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["replies"] = CannedReply.objects.filter(site=self.site)
        return context


class LeadFormView(LeadView):
    """Add or change one record of the town; another town's record is a 404."""

    template_name = "consult/admin/lead_form.html"
    model = form_class = None
    list_url_name = list_label = None
    http_method_names = ["get", "post"]

    @cached_property
    def instance(self):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(self.model, pk=self.kwargs["pk"], site__in=self.towns)

    @cached_property
    def site(self):
        return self.instance.site if self.instance is not None else pick_town(self.request, self.roles)

    def get_parent_crumbs(self):
        return [{"url": self.town_url(self.list_url_name), "label": self.list_label}]

    def make_form(self, data=None):
        return self.form_class(data, instance=self.instance)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.make_form()))

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        record = form.save(commit=False)
        record.site = self.site
        record.save()
        messages.success(request, _("「%(name)s」を保存しました。") % {"name": record})
        return redirect(self.town_url(self.list_url_name))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = self.town_url(self.list_url_name)
        return context


class CannedReplyFormView(LeadFormView):
    model = CannedReply
    form_class = CannedReplyForm
    list_url_name = "consult_inbox:canned"
    list_label = _("定型文")
    header_icon = "doc-full"

    def get_page_title(self):
        return _("定型文を編集") if self.instance else _("定型文を追加")


class RiskTermFormView(LeadFormView):
    model = RiskTerm
    form_class = RiskTermForm
    list_url_name = "consult_inbox:risk_terms"
    list_label = _("注意語")
    page_title = _("注意語を追加")
    header_icon = "warning"

    def make_form(self, data=None):
        return self.form_class(data, instance=self.instance, site=self.site)


class LeadDeleteView(LeadFormView):
    """GET asks to confirm, POST deletes."""

    template_name = "consult/admin/lead_delete.html"
    page_title = _("削除の確認")

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(record=self.instance))

    def post(self, request, *args, **kwargs):
        name = str(self.instance)
        self.instance.delete()
        messages.success(request, _("「%(name)s」を削除しました。") % {"name": name})
        return redirect(self.town_url(self.list_url_name))


class CannedReplyDeleteView(LeadDeleteView):
    model = CannedReply
    list_url_name = "consult_inbox:canned"
    list_label = _("定型文")


class RiskTermDeleteView(LeadDeleteView):
    model = RiskTerm
    list_url_name = "consult_inbox:risk_terms"
    list_label = _("注意語")


# 注意語 ----------------------------------------------------------------------------------------


class RiskTermListView(LeadView):
    template_name = "consult/admin/risk_terms.html"
    page_title = _("注意語")
    header_icon = "warning"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["terms"] = RiskTerm.objects.filter(site=self.site)
        return context


# 操作記録 --------------------------------------------------------------------------------------


class AccessLogView(LeadView):
    template_name = "consult/admin/access_log.html"
    page_title = _("相談の操作記録")
    header_icon = "history"

    def staff(self):
        """Everyone who plays a consultation role in the town, or who appears in its log."""
        site = self.site
        in_log = AccessLog.objects.filter(site=site, user__isnull=False).values("user")
        return (
            get_user_model()
            .objects.filter(
                Q(pk__in=in_log)
                | Q(groups__municipality_role__site=site, groups__municipality_role__role__in=CONSULT_ROLES)
            )
            .distinct()
            .order_by("pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = AccessLogFilterForm(self.request.GET or None, staff=self.staff())
        rows = AccessLog.objects.filter(site=self.site).select_related("user")
        if form.is_valid():
            data = form.cleaned_data
            if data["number"]:
                rows = rows.filter(number=services.normalise_number(data["number"]) or data["number"].strip())
            if data["user"]:
                rows = rows.filter(user=data["user"])
            if data["action"]:
                rows = rows.filter(action=data["action"])
        page = Paginator(rows, LOG_PER_PAGE).get_page(self.request.GET.get("p"))
        for row in page:
            row.user_label = person_label(row.user) if row.user else ""
        context.update(form=form, page_obj=page, rows=page.object_list)
        return context
