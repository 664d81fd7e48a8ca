"""The advisors' screens for applications and members (/admin/famisapo/members/…).

Applications waiting for the interview or the decision, a member's whole file (children,
availability, the interview, the decision, the position used for matching), the members list
with search, and the key-field changes members asked for. A screen reads input, calls
``familysupport.membership`` (which checks the advisor again), shows a message and goes back.
A member of a town the advisor does not serve is a 404.
"""

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import membership
from ..access import advisor_required, advisor_towns
from ..models import AgeBand, Member, Qualification

PER_PAGE = 50
UNDECIDED = membership.UNDECIDED


# Forms -------------------------------------------------------------------------------------------


class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状態"),
        required=False,
        choices=[
            ("", _("未決定（申込み受付・面談済み）")),
            (Member.Status.APPLIED, Member.Status.APPLIED.label),
            (Member.Status.INTERVIEWED, Member.Status.INTERVIEWED.label),
            (Member.Status.REJECTED, Member.Status.REJECTED.label),
        ],
    )
    kind = forms.ChoiceField(
        label=_("会員の種類"), required=False, choices=[("", _("すべて")), *Member.Kind.choices]
    )


class MemberSearchForm(forms.Form):
    q = forms.CharField(
        label=_("氏名・ふりがな・会員番号"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    kind = forms.ChoiceField(
        label=_("会員の種類"), required=False, choices=[("", _("すべて")), *Member.Kind.choices]
    )


class InterviewForm(forms.Form):
    at = forms.DateTimeField(
        label=_("面談日時"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("面談日時を入力してください。"),
            "invalid": _("面談日時の形が正しくありません（例：2025-04-15 10:00）。"),
        },
    )
    notes = forms.CharField(
        label=_("面談の記録"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("確認したこと、家庭の事情、配慮が必要なことなど。アドバイザーだけが読みます。"),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("不承認の理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "申込んだ人が会員のページで読みます。メールには書かれません。ほかの人の個人情報は書かないでください。"
        ),
        error_messages={"required": _("不承認の理由を入力してください。申込んだ人に伝えられます。")},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("不承認の理由を入力してください。申込んだ人に伝えられます。"))
        return reason


class LocationForm(forms.Form):
    area = forms.CharField(label=_("地区"), required=False, max_length=40)
    latitude = forms.FloatField(
        label=_("緯度"),
        required=False,
        min_value=20,
        max_value=46,
        error_messages={"invalid": _("緯度は数字で入力してください（例：35.6835）。")},
    )
    longitude = forms.FloatField(
        label=_("経度"),
        required=False,
        min_value=122,
        max_value=154,
        error_messages={"invalid": _("経度は数字で入力してください（例：139.5600）。")},
    )


# The screens -------------------------------------------------------------------------------------


class AdvisorView(WagtailAdminTemplateMixin, TemplateView):
    """A screen of the members' back office, in ``request.town`` (set by ``advisor_required``)."""

    header_icon = "group"
    parent_crumbs = ()

    @cached_property
    def towns(self):
        return advisor_towns(self.request)

    @cached_property
    def site(self):
        return self.request.town

    @property
    def many_towns(self):
        return len(self.towns) > 1

    def get_page_subtitle(self):
        return self.site.site_name if self.many_towns else ""

    def town_url(self, name, *args):
        url = reverse(f"famisapo_admin:{name}", args=args)
        return f"{url}?town={self.site.pk}" if self.many_towns else url

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": self.town_url("applications"), "label": _("ファミリーサポート")},
            *self.parent_crumbs,
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            site=self.site,
            towns=self.towns,
            many_towns=self.many_towns,
            town_query=f"town={self.site.pk}" if self.many_towns else "",
        )
        return context


class ApplicationListView(AdvisorView):
    template_name = "familysupport/admin/members/applications.html"
    page_title = _("会員の申込み")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = ApplicationFilterForm(self.request.GET or None)
        rows = Member.objects.filter(site=self.site).only(
            "pk", "site_id", "kind", "status", "full_name", "area", "interview_at", "created_at"
        )
        status = kind = ""
        if form.is_valid():
            status, kind = form.cleaned_data["status"], form.cleaned_data["kind"]
        rows = rows.filter(status=status) if status else rows.filter(status__in=UNDECIDED)
        if kind:
            rows = rows.filter(kind=kind)
        page = Paginator(rows.order_by("created_at", "pk"), PER_PAGE).get_page(self.request.GET.get("p"))
        context.update(form=form, page_obj=page, members=page.object_list)
        return context


class MemberListView(AdvisorView):
    template_name = "familysupport/admin/members/members.html"
    page_title = _("会員")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = MemberSearchForm(self.request.GET or None)
        rows = Member.objects.filter(site=self.site, status=Member.Status.APPROVED).only(
            "pk",
            "site_id",
            "kind",
            "status",
            "number",
            "full_name",
            "full_name_kana",
            "area",
            "phone",
            "pending_changes",
        )
        if form.is_valid():
            query = form.cleaned_data["q"].strip()
            if query:
                rows = rows.filter(
                    Q(full_name__icontains=query)
                    | Q(full_name_kana__icontains=query)
                    | Q(number__icontains=query)
                )
            if form.cleaned_data["kind"]:
                rows = rows.filter(kind=form.cleaned_data["kind"])
        page = Paginator(rows.order_by("number", "pk"), PER_PAGE).get_page(self.request.GET.get("p"))
        context.update(form=form, page_obj=page, members=page.object_list)
        return context


class ChangesView(AdvisorView):
    template_name = "familysupport/admin/members/changes.html"
    page_title = _("変更の確認")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = (
            Member.objects.filter(site=self.site)
            .exclude(status__in=(Member.Status.REJECTED, Member.Status.WITHDRAWN))
            .exclude(pending_changes={})
            .order_by("number", "pk")
        )
        page = Paginator(rows, PER_PAGE).get_page(self.request.GET.get("p"))
        for member in page.object_list:
            member.pending_rows = pending_rows(member)
        context.update(page_obj=page, members=page.object_list)
        return context


def pending_rows(member):
    """The member's waiting changes: label, the value now, the value asked for."""
    rows = []
    for name, value in (member.pending_changes or {}).items():
        if name not in Member.KEY_FIELDS:
            continue
        field = Member._meta.get_field(name)
        rows.append(
            {
                "label": field.verbose_name,
                "now": _shown(field, getattr(member, name)),
                "asked": _shown(field, value),
            }
        )
    return rows


def _shown(field, value):
    if field.choices:
        return dict(field.choices).get(value, value)
    if isinstance(value, bool):
        return _("はい") if value else _("いいえ")
    return value


class MemberMixin:
    """A screen about one member, in the member's town (a town the user does not serve: 404)."""

    @cached_property
    def member(self):
        return get_object_or_404(
            Member.objects.select_related("site", "user", "decided_by"),
            pk=self.kwargs["pk"],
            site__in=self.towns,
        )

    @cached_property
    def site(self):
        return self.member.site

    def member_url(self):
        return self.town_url("member", self.member.pk)


class MemberDetailView(MemberMixin, AdvisorView):
    """The whole file. POST ``action``: interview, approve, accept / refuse changes, location."""

    template_name = "familysupport/admin/members/member.html"
    http_method_names = ["get", "post"]

    def get_page_title(self):
        member = self.member
        if member.number:
            return f"{member.number} {member.full_name}"
        return _("申込み：%(name)s") % {"name": member.full_name}

    @property
    def parent_crumbs(self):
        if self.member.status == Member.Status.APPROVED:
            return ({"url": self.town_url("members"), "label": _("会員")},)
        return ({"url": self.town_url("applications"), "label": _("会員の申込み")},)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        member = self.member
        ages, quals = dict(AgeBand.choices), dict(Qualification.choices)
        context.update(
            member=member,
            children=list(member.children.all()),
            slots=list(member.availability.all()),
            ages=[ages[value] for value in member.experienced_ages if value in ages],
            qualifications=[quals[value] for value in member.qualifications if value in quals],
            pending=pending_rows(member),
            undecided=member.status in UNDECIDED,
            interview_form=kwargs.get("interview_form")
            or InterviewForm(initial={"at": member.interview_at, "notes": member.interview_notes}),
            location_form=kwargs.get("location_form")
            or LocationForm(
                initial={"area": member.area, "latitude": member.latitude, "longitude": member.longitude}
            ),
            user_label=member.user.get_username() if member.user_id else "",
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        member = self.member
        try:
            if action == "interview":
                form = InterviewForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(interview_form=form), status=400)
                membership.record_interview(
                    member, request.user, form.cleaned_data["at"], form.cleaned_data["notes"]
                )
                messages.success(request, _("面談の記録を保存しました。"))
            elif action == "approve":
                member = membership.approve(member, request.user)
                messages.success(
                    request,
                    _("承認しました。会員番号は %(number)s です。申込んだ人にメールで知らせます。")
                    % {"number": member.number},
                )
            elif action in ("accept_changes", "refuse_changes"):
                membership.review_changes(member, request.user, accept=action == "accept_changes")
                if action == "accept_changes":
                    messages.success(request, _("変更を反映しました。"))
                else:
                    messages.success(request, _("変更を反映せずに取り下げました。"))
            elif action == "location":
                form = LocationForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(location_form=form), status=400)
                set_location(member, request.user, **form.cleaned_data)
                messages.success(request, _("地区と位置を保存しました。"))
            else:
                messages.error(request, _("操作を選んでください。"))
        except membership.Refused as refusal:
            messages.error(request, str(refusal))
        return redirect(self.member_url())


def set_location(member, advisor, area, latitude, longitude):
    """The advisor sets where the member lives, for the distance in matching."""
    if not membership.is_advisor(advisor, member.site):
        raise membership.Refused(_("この操作ができるのは、この自治体のアドバイザーだけです。"))
    member.area = area or ""
    member.latitude, member.longitude = latitude, longitude
    member.save(update_fields=["area", "latitude", "longitude"])


class RejectView(MemberMixin, AdvisorView):
    template_name = "familysupport/admin/members/reject.html"
    page_title = _("不承認にする")
    http_method_names = ["get", "post"]

    @property
    def parent_crumbs(self):
        return (
            {"url": self.town_url("applications"), "label": _("会員の申込み")},
            {"url": self.member_url(), "label": self.member.full_name},
        )

    def get_context_data(self, **kwargs):
        if self.member.status not in UNDECIDED:
            raise Http404
        context = super().get_context_data(**kwargs)
        context.update(member=self.member, form=kwargs.get("form") or RejectForm())
        return context

    def post(self, request, *args, **kwargs):
        form = RejectForm(request.POST)
        if form.is_valid():
            try:
                membership.reject(self.member, request.user, form.cleaned_data["reason"])
            except membership.Refused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("不承認にしました。申込んだ人に結果をメールで知らせます。"))
                return redirect(self.town_url("applications"))
        return self.render_to_response(self.get_context_data(form=form), status=400)


def _screen(view_class):
    """The view for URLs: the advisor's role and second factor, and nothing kept in a cache."""
    view = view_class.as_view()

    def no_store(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return advisor_required(no_store)


urlpatterns = [
    path("members/applications/", _screen(ApplicationListView), name="applications"),
    path("members/", _screen(MemberListView), name="members"),
    path("members/changes/", _screen(ChangesView), name="member_changes"),
    path("members/<int:pk>/", _screen(MemberDetailView), name="member"),
    path("members/<int:pk>/reject/", _screen(RejectView), name="member_reject"),
]

MENU_ITEMS = [
    (_("会員の申込み"), "applications", 100),
    (_("会員"), "members", 110),
    (_("会員情報の変更の確認"), "member_changes", 120),
]
