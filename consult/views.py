"""The parent's side of ねっと相談: ask, the receipt, checking back, the thread, my cases.

Which case a browser may see is kept in its session, never in the address: the case the
parent just sent, or the one opened with its 相談番号 and passphrase. A signed-in member may
also open any of their own cases. Everything else is a 404, so a guessed id tells nothing.
Every case is looked up in the town the request is for; no page here is ever cached.
"""

import time

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from wagtail.models import Site

from . import limits, services
from .forms import AskForm, CheckForm, ReplyForm
from .models import Consultation, ConsultSettings, Message, ReplyChannel

CASE_KEY = "consult:case"
CASE_SEEN_KEY = "consult:case_seen"
# A case opened in a browser closes itself after this long unused, and with the browser for a
# visitor who is not signed in: a family phone or PC picked up later shows nothing.
OPEN_CASE_IDLE_SECONDS = 30 * 60
RECEIPT_KEY = "consult:receipt"
NOTICE_KEY = "consult:notice"

NOTICES = {
    "replied": gettext_lazy("返信を送りました。相談員が確認してお答えします。"),
    "closed": gettext_lazy("この相談を終了しました。ご利用ありがとうございました。"),
    "forgotten": gettext_lazy(
        "相談の表示を終えました。もう一度見るときは、相談番号と合言葉を入力してください。"
    ),
}


def _site(request):
    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    return site


class SeeOther(HttpResponseRedirect):
    """After a POST, the browser fetches the next page with GET (and Back does not resend)."""

    status_code = 303


def _see_other(name):
    return SeeOther(reverse(name))


def _notice(request, key):
    request.session[NOTICE_KEY] = key


def _pop_notice(request):
    return NOTICES.get(request.session.pop(NOTICE_KEY, None))


def _remember(request, case):
    request.session[CASE_KEY] = case.pk
    request.session[CASE_SEEN_KEY] = time.time()
    if not request.user.is_authenticated:
        request.session.set_expiry(0)


def _forget(request):
    request.session.pop(CASE_KEY, None)
    request.session.pop(CASE_SEEN_KEY, None)


def _open_pk(request):
    """The pk of the case open in this session, while it has been used recently."""
    pk = request.session.get(CASE_KEY)
    seen = request.session.get(CASE_SEEN_KEY)
    if not isinstance(pk, int) or not isinstance(seen, float | int):
        return None
    if time.time() - seen > OPEN_CASE_IDLE_SECONDS:
        _forget(request)
        return None
    request.session[CASE_SEEN_KEY] = time.time()
    return pk


def _current_case(request, site):
    """The case verified in this session, if it belongs to this town."""
    pk = _open_pk(request)
    if pk is None:
        return None
    return Consultation.objects.filter(site=site, pk=pk).first()


def _case_allowed(request, site, raw_pk):
    """The case ``raw_pk`` if this browser may see it: verified in this session, or the
    signed-in member's own. Otherwise 404, the same for a case that does not exist."""
    try:
        pk = int(raw_pk)
    except (TypeError, ValueError):
        raise Http404 from None
    cases = Consultation.objects.filter(site=site, pk=pk)
    if _open_pk(request) == pk:
        case = cases.first()
    elif request.user.is_authenticated:
        case = cases.filter(member=request.user).first()
    else:
        case = None
    if case is None:
        raise Http404
    return case


# Asking ---------------------------------------------------------------------------------------


def _ask_context(site, form, **extra):
    conf = ConsultSettings.for_site(site)
    return {"form": form, "reply_days": conf.first_reply_business_days, **extra}


@never_cache
@sensitive_post_parameters("question", "nickname", "email", "passphrase", "passphrase_again")
@require_http_methods(["GET", "HEAD", "POST"])
def ask(request):
    site = _site(request)
    if request.method != "POST":
        return render(request, "consult/ask.html", _ask_context(site, AskForm(user=request.user)))
    form = AskForm(request.POST, user=request.user)
    if form.honeypot_filled:
        # Looks sent to whoever filled the hidden field; nothing is saved.
        return _see_other("consult:received")
    if not form.is_valid():
        return render(request, "consult/ask.html", _ask_context(site, form))
    if limits.ask_limited(request):
        return render(request, "consult/ask.html", _ask_context(site, form, limited=True), status=429)
    case = services.submit(site, member=request.user, **form.submission())
    request.session.cycle_key()
    _remember(request, case)
    request.session[RECEIPT_KEY] = {"number": case.number, "email": case.reply_channel == ReplyChannel.EMAIL}
    return _see_other("consult:received")


@never_cache
@require_http_methods(["GET", "HEAD"])
def received(request):
    """The receipt. The 相談番号 is shown once: a reload no longer shows it."""
    site = _site(request)
    receipt = request.session.pop(RECEIPT_KEY, None)
    context = {
        "number": receipt["number"] if receipt else "",
        "by_email": bool(receipt and receipt.get("email")),
        "reply_days": ConsultSettings.for_site(site).first_reply_business_days,
        "has_case": _current_case(request, site) is not None,
    }
    return render(request, "consult/received.html", context)


# Checking back --------------------------------------------------------------------------------


@never_cache
@sensitive_post_parameters("number", "passphrase")
@require_http_methods(["GET", "HEAD", "POST"])
def check(request):
    site = _site(request)
    notice = _pop_notice(request)
    if request.method != "POST":
        return render(request, "consult/check.html", {"form": CheckForm(), "notice": notice})
    form = CheckForm(request.POST)
    if not form.is_valid():
        return render(request, "consult/check.html", {"form": form})
    number = form.cleaned_data["number"]
    if limits.check_limited(request, number):
        return render(request, "consult/check.html", {"form": form, "limited": True}, status=429)
    case = services.find_case(site, number, form.cleaned_data["passphrase"])
    if case is None:
        form.add_error(None, _("相談番号または合言葉が違います。"))
        return render(request, "consult/check.html", {"form": form})
    request.session.cycle_key()
    _remember(request, case)
    return _see_other("consult:thread")


# The thread -----------------------------------------------------------------------------------


def _thread_page(request, case, *, reply_form=None, confirm_close=False, limited=False, status=200):
    messages = [
        {
            "by_parent": message.author_kind == Message.Author.PARENT,
            "body": message.body,
            "at": message.created_at,
        }
        for message in case.messages.only("author_kind", "body", "created_at", "consultation_id")
    ]
    context = {
        "case": case,
        "thread": messages,
        "reply_form": reply_form if reply_form is not None else ReplyForm(),
        "confirm_close": confirm_close,
        "limited": limited,
        "notice": _pop_notice(request),
    }
    return render(request, "consult/thread.html", context, status=status)


@never_cache
@sensitive_post_parameters("body")
@require_http_methods(["GET", "HEAD", "POST"])
def thread(request):
    site = _site(request)
    if request.method != "POST":
        case = _current_case(request, site)
        if case is None:
            return _see_other("consult:mine" if request.user.is_authenticated else "consult:check")
        response = _thread_page(request, case)
        services.mark_read_by_parent(case)
        return response

    case = _case_allowed(request, site, request.POST.get("case"))
    action = request.POST.get("action")
    if action == "open":
        _remember(request, case)
        return _see_other("consult:thread")
    if action == "forget":
        _forget(request)
        _notice(request, "forgotten")
        return _see_other("consult:check")
    # Anything that changes a case acts on the case open in this browser only.
    _remember(request, case)
    if action == "reply":
        form = ReplyForm(request.POST)
        if limits.reply_limited(request, case):
            return _thread_page(request, case, reply_form=form, limited=True, status=429)
        if form.is_valid():
            try:
                services.parent_reply(case, form.cleaned_data["body"])
            except services.ConsultError as error:
                form.add_error(None, str(error))
            else:
                _notice(request, "replied")
                return _see_other("consult:thread")
        case.refresh_from_db()
        return _thread_page(request, case, reply_form=form)
    if action == "close":
        if case.is_closed:
            return _see_other("consult:thread")
        return _thread_page(request, case, confirm_close=True)
    if action == "close_confirmed":
        services.parent_close(case)
        _notice(request, "closed")
        return _see_other("consult:thread")
    return _see_other("consult:thread")


# A member's own cases -------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD"])
def mine(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    site = _site(request)
    cases = (
        Consultation.objects.filter(site=site, member=request.user)
        .only(
            "pk",
            "number",
            "category",
            "status",
            "created_at",
            "last_activity_at",
            "parent_has_unread",
            "site_id",
        )
        .order_by("-created_at", "-pk")
    )
    return render(request, "consult/mine.html", {"cases": cases})
