"""The members' side of the centre: the application and the member area (/famisapo/…).

Everything here is personal: a signed-in member sees only their own application or membership,
looked up by their account in the town the request is for, and never anyone else's (a child or
a slot of another member is a 404). No page here is ever cached.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict, ErrorList
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.models import Site

from home.ratelimits import client_address, hit
from home.ratelimits import member as by_member

from . import membership, panels
from .member_forms import (
    ApplicationForm,
    AvailabilityForm,
    AvailabilityFormSet,
    ChildForm,
    ChildFormSet,
    MemberDetailsForm,
)
from .models import AgeBand, Availability, Child, Member, Qualification

APPLY_PER_ADDRESS = "5/h"
APPLY_PER_MEMBER = "5/d"
NOTICE_KEY = "familysupport:notice"
NOTICES = {
    "already": gettext_lazy("すでに申し込んでいます。申込みの状態はこのページで確認できます。"),
    "saved": gettext_lazy("会員情報を変更しました。"),
    "withdrawn": gettext_lazy("退会の手続きが終わりました。これまでのご協力ありがとうございました。"),
    "waiting": gettext_lazy(
        "変更を受け付けました。氏名・住所など大切な項目の変更は、アドバイザーの確認のあとで反映されます。"
    ),
    "child_saved": gettext_lazy("お子さんの情報を保存しました。"),
    "child_deleted": gettext_lazy("お子さんの情報を削除しました。"),
    "slot_saved": gettext_lazy("活動できる時間を保存しました。"),
    "slot_deleted": gettext_lazy("活動できる時間を削除しました。"),
    "nothing": gettext_lazy("変更された項目はありませんでした。"),
}
CHILD_PREFIX = "children"
SLOT_PREFIX = "slots"


class SeeOther(HttpResponseRedirect):
    """After a POST, the browser fetches the next page with GET (and Back does not resend)."""

    status_code = 303


def _see_other(name):
    return SeeOther(reverse(name))


def _site(request):
    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    return site


def _to_login(request):
    return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)


def _notice(request, key):
    request.session[NOTICE_KEY] = key


def _pop_notice(request):
    return NOTICES.get(request.session.pop(NOTICE_KEY, None))


def _quiet(*forms_and_formsets):
    """Show bound forms as typed, without checking them (after 「行を追加」, not a submit)."""
    for item in forms_and_formsets:
        if hasattr(item, "management_form"):
            item._errors, item._non_form_errors = [], ErrorList()
            for form in item.forms:
                form._errors = ErrorDict()
        else:
            item._errors = ErrorDict()


def _with_extra_row(data, prefix):
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, 0))
    except ValueError:
        total = 0
    data[key] = str(total + 1)
    return data


def _row_errors(formset, label):
    """「お子さん（2人目）：生年月日を入力してください。」 for the summary above the form."""
    return [
        f"{label % {'number': number}}：{problem}"
        for number, form in enumerate(formset.forms, 1)
        for problems in form.errors.values()
        for problem in problems
    ]


def _also_missing(form, children, slots, kind, wants_children, wants_slots):
    """When the form already has errors, the rules' messages too (a child, hours, an emergency
    contact), so everything to fix shows at once. Returns the children's and the hours' messages."""
    if kind not in Member.Kind.values:
        return [], []
    children_ok = wants_children and children.is_valid()
    slots_ok = wants_slots and slots.is_valid()
    problems = membership.application_problems(
        kind,
        getattr(form, "cleaned_data", {}),
        children.filled() if children_ok else [{"placeholder": True}],
        slots.filled() if slots_ok else [{"placeholder": True}],
    )
    for name in ("emergency_name", "emergency_phone"):
        if name in problems and name in form.fields and not form.errors.get(name):
            form.add_error(name, problems[name])
    return (
        problems.get("children", []) if children_ok else [],
        problems.get("availability", []) if slots_ok else [],
    )


def _apply_limited(request):
    limited = hit(request, "familysupport.apply.address", client_address, APPLY_PER_ADDRESS)
    return hit(request, "familysupport.apply.member", by_member, APPLY_PER_MEMBER) or limited


# Applying ----------------------------------------------------------------------------------------


def _apply_page(
    request, form, children, slots, *, status=200, limited=False, children_errors=(), slot_errors=()
):
    context = {
        "form": form,
        "row_errors": [
            *_row_errors(children, _("お子さん（%(number)s人目）")),
            *_row_errors(slots, _("活動できる曜日と時間（%(number)s）")),
        ],
        "children": children,
        "slots": slots,
        "children_errors": list(children_errors),
        "slot_errors": list(slot_errors),
        "limited": limited,
        "kinds": Member.Kind,
    }
    return render(request, "familysupport/member/apply.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def apply(request):
    if not request.user.is_authenticated:
        return _to_login(request)
    site = _site(request)
    if membership.has_open_application(site, request.user):
        _notice(request, "already")
        return _see_other("familysupport:me")

    if request.method != "POST":
        kind = request.GET.get("kind")
        initial = {"kind": kind} if kind in Member.Kind.values else {}
        return _apply_page(
            request,
            ApplicationForm(initial=initial),
            ChildFormSet(prefix=CHILD_PREFIX),
            AvailabilityFormSet(prefix=SLOT_PREFIX),
        )

    data = request.POST
    action = data.get("action")
    if action in ("add_child", "add_slot"):
        data = _with_extra_row(data, CHILD_PREFIX if action == "add_child" else SLOT_PREFIX)
    form = ApplicationForm(data)
    children = ChildFormSet(data, prefix=CHILD_PREFIX)
    slots = AvailabilityFormSet(data, prefix=SLOT_PREFIX)
    if action in ("add_child", "add_slot"):
        _quiet(form, children, slots)
        return _apply_page(request, form, children, slots)
    if form.honeypot_filled:
        # Looks accepted to whoever filled the hidden field; nothing is saved.
        return _see_other("familysupport:applied")

    valid = form.is_valid()
    kind = form.cleaned_data.get("kind") if valid else data.get("kind")
    wants_children = kind in (Member.Kind.REQUESTER, Member.Kind.BOTH)
    wants_slots = kind in (Member.Kind.PROVIDER, Member.Kind.BOTH)
    if wants_children and not children.is_valid():
        valid = False
    if wants_slots and not slots.is_valid():
        valid = False
    if not wants_children:
        _quiet(children)
    if not wants_slots:
        _quiet(slots)
    if not valid:
        children_errors, slot_errors = _also_missing(form, children, slots, kind, wants_children, wants_slots)
        return _apply_page(
            request, form, children, slots, children_errors=children_errors, slot_errors=slot_errors
        )
    if _apply_limited(request):
        return _apply_page(request, form, children, slots, status=429, limited=True)
    try:
        membership.apply(
            site,
            request.user,
            kind,
            form.details(),
            children.filled() if wants_children else [],
            slots.filled() if wants_slots else [],
        )
    except ValidationError as error:
        messages = error.message_dict
        for name, problems in messages.items():
            if name in form.fields:
                for problem in problems:
                    form.add_error(name, problem)
        return _apply_page(
            request,
            form,
            children,
            slots,
            children_errors=messages.get("children", ()),
            slot_errors=messages.get("availability", ()),
        )
    except membership.Refused as refusal:
        form.add_error(None, str(refusal))
        return _apply_page(request, form, children, slots)
    return _see_other("familysupport:applied")


@never_cache
@require_http_methods(["GET", "HEAD"])
def applied(request):
    if not request.user.is_authenticated:
        return _to_login(request)
    member = membership.current_member(_site(request), request.user)
    return render(request, "familysupport/member/applied.html", {"member": member})


# The member area ---------------------------------------------------------------------------------


def _own_member(request):
    """The signed-in user's application or membership in this town, or a 404."""
    member = membership.current_member(_site(request), request.user)
    if member is None or member.status in (Member.Status.REJECTED, Member.Status.WITHDRAWN):
        raise Http404
    return member


def _pending_rows(member):
    labels = {name: Member._meta.get_field(name).verbose_name for name in Member.KEY_FIELDS}
    rows = []
    for name, value in (member.pending_changes or {}).items():
        if name not in labels:
            continue
        if name == "kind":
            shown = Member.Kind(value).label if value in Member.Kind.values else value
        elif isinstance(value, bool):
            shown = _("はい") if value else _("いいえ")
        else:
            shown = value
        rows.append({"label": labels[name], "value": shown})
    return rows


def _choice_labels(values, choices):
    known = dict(choices)
    return [known[value] for value in values if value in known]


@never_cache
@require_http_methods(["GET", "HEAD"])
def me(request):
    if not request.user.is_authenticated:
        return _to_login(request)
    site = _site(request)
    member = membership.current_member(site, request.user)
    context = {"member": member, "notice": _pop_notice(request)}
    if member is not None:
        context.update(
            children_list=list(member.children.all()) if member.is_requester else [],
            slots_list=list(member.availability.all()) if member.is_provider else [],
            pending=_pending_rows(member),
            ages=_choice_labels(member.experienced_ages, AgeBand.choices),
            qualifications=_choice_labels(member.qualifications, Qualification.choices),
            can_edit=member.status not in (Member.Status.REJECTED, Member.Status.WITHDRAWN),
            can_apply_again=member.status in (Member.Status.REJECTED, Member.Status.WITHDRAWN),
        )
        if member.is_active:
            panel_context = {**panels.requests_panel(member), **panels.reports_panel(member)}
            context = {**panel_context, **context, "show_panels": True}
    return render(request, "familysupport/member/me.html", context)


def _details_initial(member, form_class):
    initial = {name: getattr(member, name) for name in form_class.Meta.fields}
    initial.update({k: v for k, v in (member.pending_changes or {}).items() if k in initial})
    return initial


def _edit_form(member, data=None):
    form = MemberDetailsForm(data, initial=_details_initial(member, MemberDetailsForm))
    if not member.is_requester:
        for name in MemberDetailsForm.REQUESTER_ONLY:
            del form.fields[name]
    if not member.is_provider:
        for name in MemberDetailsForm.PROVIDER_ONLY:
            del form.fields[name]
    return form


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request):
    if not request.user.is_authenticated:
        return _to_login(request)
    member = _own_member(request)
    form = _edit_form(member, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            applied, waiting = membership.update_details(member, request.user, form.details())
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(name if name in form.fields else None, problem)
        except membership.Refused as refusal:
            form.add_error(None, str(refusal))
        else:
            _notice(request, "waiting" if waiting else "saved" if applied else "nothing")
            return _see_other("familysupport:me")
    context = {
        "member": member,
        "form": form,
        "key_fields": Member.KEY_FIELDS,
        "pending": _pending_rows(member),
    }
    return render(request, "familysupport/member/edit.html", context)


# Children and availability -----------------------------------------------------------------------


def _item_page(request, member, form, *, kind, item=None, refusal=None):
    titles = {
        ("child", False): _("お子さんを追加"),
        ("child", True): _("お子さんの情報を変更"),
        ("slot", False): _("活動できる時間を追加"),
        ("slot", True): _("活動できる時間を変更"),
    }
    context = {
        "member": member,
        "form": form,
        "item": item,
        "kind": kind,
        "title": titles[(kind, item is not None)],
        "refusal": refusal,
    }
    return render(request, "familysupport/member/item_form.html", context)


def _save_item(request, member, form, save, kind, item, notice):
    if form.is_valid():
        try:
            save(member, request.user, form.cleaned_data, item)
        except ValidationError as error:
            for problems in error.message_dict.values():
                for problem in problems:
                    form.add_error(None, problem)
        except membership.Refused as refusal:
            form.add_error(None, str(refusal))
        else:
            _notice(request, notice)
            return _see_other("familysupport:me")
    return _item_page(request, member, form, kind=kind, item=item)


def _child_initial(item):
    if item is None:
        return {}
    return {
        "name": item.name,
        "birth_date": item.birth_date,
        "allergies": item.allergies,
        "notes": item.notes,
    }


def _slot_initial(item):
    return {"weekday": item.weekday, "starts": item.starts, "ends": item.ends} if item else {}


def _requester(request):
    member = _own_member(request)
    if not member.is_requester:
        raise Http404
    return member


def _provider(request):
    member = _own_member(request)
    if not member.is_provider:
        raise Http404
    return member


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def child(request, pk=None):
    if not request.user.is_authenticated:
        return _to_login(request)
    member = _requester(request)
    item = get_object_or_404(Child, pk=pk, member=member) if pk is not None else None
    if request.method != "POST":
        return _item_page(request, member, ChildForm(initial=_child_initial(item)), kind="child", item=item)
    return _save_item(
        request, member, ChildForm(request.POST), membership.save_child, "child", item, "child_saved"
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def slot(request, pk=None):
    if not request.user.is_authenticated:
        return _to_login(request)
    member = _provider(request)
    item = get_object_or_404(Availability, pk=pk, member=member) if pk is not None else None
    if request.method != "POST":
        return _item_page(
            request, member, AvailabilityForm(initial=_slot_initial(item)), kind="slot", item=item
        )
    return _save_item(
        request, member, AvailabilityForm(request.POST), membership.save_slot, "slot", item, "slot_saved"
    )


def _delete(request, member, item, remove, notice, kind):
    try:
        remove(member, request.user, item)
    except membership.Refused as refusal:
        if kind == "child":
            form = ChildForm(initial=_child_initial(item))
        else:
            form = AvailabilityForm(initial=_slot_initial(item))
        return _item_page(request, member, form, kind=kind, item=item, refusal=str(refusal))
    _notice(request, notice)
    return _see_other("familysupport:me")


@never_cache
@require_POST
def child_delete(request, pk):
    if not request.user.is_authenticated:
        return _to_login(request)
    member = _requester(request)
    item = get_object_or_404(Child, pk=pk, member=member)
    return _delete(request, member, item, membership.delete_child, "child_deleted", "child")


@never_cache
@require_POST
def slot_delete(request, pk):
    if not request.user.is_authenticated:
        return _to_login(request)
    member = _provider(request)
    item = get_object_or_404(Availability, pk=pk, member=member)
    return _delete(request, member, item, membership.delete_slot, "slot_deleted", "slot")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request):
    """退会: a confirmation page, then the member leaves (when nothing is left to settle)."""
    if not request.user.is_authenticated:
        return _to_login(request)
    member = _own_member(request)
    error = None
    if request.method == "POST":
        try:
            membership.withdraw(member, request.user)
        except membership.Refused as refusal:
            error = str(refusal)
        else:
            _notice(request, "withdrawn")
            return _see_other("familysupport:me")
    context = {"member": member, "blockers": membership.withdrawal_blockers(member), "error": error}
    return render(request, "familysupport/member/withdraw.html", context, status=409 if error else 200)
