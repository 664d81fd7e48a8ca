"""読者の声: 「この情報は役に立ちましたか？」 under every content page, and what editors see of it.

Content pages are cached whole, so the widget's form carries no CSRF token and rendering a
page sets no cookie. The endpoint is protected instead by what needs no session: the Origin
or Referer must be this host; each client address may post a few times per window (the
address is only ever a keyed hash in the cache, never stored or logged); a honeypot field
catches form-filling robots; and a signed timestamp of the page id, rendered into the page,
must be for this page, not too old (a cached page may be served for a while) and not too
fresh (a person takes a moment to read and choose).
"""

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from axes.helpers import get_client_ip_address
from django import forms
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from wagtail.admin.ui.tables import Column, DateColumn, NumberColumn, TitleColumn
from wagtail.admin.views.generic import BaseListingView
from wagtail.admin.views.reports import ReportView
from wagtail.models import Page, Site

from .models import ContentPage, PageFeedback, Rating

TOKEN_SALT = "portal_pages.feedback"
MAX_TOKEN_AGE = 24 * 60 * 60
MIN_TOKEN_AGE = 2
RATE_WINDOW = 10 * 60
POSTS_PER_ADDRESS = 5
HONEYPOT_FIELD = "website"
COMMENT_MAX_LENGTH = PageFeedback._meta.get_field("comment").max_length

RELOAD_MESSAGE = _("ページを開き直してから、もう一度送信してください。")


# Token ---------------------------------------------------------------------------------------


def sign_page(page_id):
    """The token rendered into a page's widget: its page id and the time it was rendered."""
    return signing.TimestampSigner(salt=TOKEN_SALT).sign(str(page_id))


def token_age(token, page_id):
    """Seconds since ``token`` was signed for ``page_id``.

    Raises ``SignatureExpired`` past MAX_TOKEN_AGE and ``BadSignature`` when the token was
    tampered with or signed for another page.
    """
    signer = signing.TimestampSigner(salt=TOKEN_SALT)
    if signer.unsign(token, max_age=MAX_TOKEN_AGE) != str(page_id):
        raise signing.BadSignature("token of another page")
    signed_at = signing.b62_decode(token.split(signer.sep)[1])
    return time.time() - signed_at


# Form ----------------------------------------------------------------------------------------


class CommentField(forms.CharField):
    """A textarea sends line breaks as CRLF, but the browser's maxlength counted each as one."""

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n").replace("\r", "\n")


class FeedbackForm(forms.Form):
    rating = forms.ChoiceField(
        choices=Rating.choices,
        error_messages={
            "required": _("「役に立った」「わかりにくい」「情報が足りない」から1つ選んでください。"),
            "invalid_choice": _("「役に立った」「わかりにくい」「情報が足りない」から1つ選んでください。"),
        },
    )
    comment = CommentField(
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        error_messages={
            "max_length": _(
                "ご意見は%(limit_value)d文字以内で書いてください（いまは%(show_value)d文字です）。"
            )
        },
    )
    token = forms.CharField(required=False)

    def __init__(self, *args, page, **kwargs):
        super().__init__(*args, **kwargs)
        self.page = page

    def clean_token(self):
        token = self.cleaned_data["token"]
        if not token:
            raise forms.ValidationError(RELOAD_MESSAGE, code="missing")
        try:
            age = token_age(token, self.page.pk)
        except signing.SignatureExpired:
            raise forms.ValidationError(
                _(
                    "ページを開いてから時間がたちすぎました。ページを開き直してから、もう一度送信してください。"
                ),
                code="expired",
            ) from None
        except signing.BadSignature:
            raise forms.ValidationError(RELOAD_MESSAGE, code="invalid") from None
        if age < MIN_TOKEN_AGE:
            raise forms.ValidationError(
                _("送信が早すぎます。内容を確かめてから、もう一度送信してください。"), code="too_fast"
            )
        return token


@dataclass
class FeedbackWidget:
    """What the widget's template needs: where to post, the signed token and the choices."""

    action: str
    token: str
    form: FeedbackForm | None = None
    choices = Rating.choices
    honeypot = HONEYPOT_FIELD
    comment_max_length = COMMENT_MAX_LENGTH

    @classmethod
    def for_page(cls, page, form=None):
        return cls(reverse("page_feedback", args=[page.pk]), sign_page(page.pk), form)


# Services ------------------------------------------------------------------------------------


def is_content_page(page):
    """Feedback is asked on content pages only, not on home, section or index pages."""
    page_class = page.specific_class
    return page_class is not None and issubclass(page_class, ContentPage)


def feedback_page(request, page_id):
    """The live, public content page ``page_id`` of the requesting site (in any of its languages)."""
    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    pages = Page.objects.live().public().filter(pk=page_id)
    in_site = pages.descendant_of(site.root_page)
    for translation in site.root_page.get_translations():
        in_site |= pages.descendant_of(translation)
    page = in_site.first()
    if page is None or not is_content_page(page):
        raise Http404
    return page


def is_same_origin(request):
    """True unless the browser says the form was sent from another site."""
    source = request.headers.get("Origin") or request.headers.get("Referer")
    return source is None or urlsplit(source).netloc == request.get_host()


def address_key(request):
    """A keyed hash of the client address (as the sign-in limit sees it): the address itself is never kept."""
    address = get_client_ip_address(request) or ""
    return salted_hmac(TOKEN_SALT, address, algorithm="sha256").hexdigest()


def _count_hit(key):
    if cache.add(key, 1, RATE_WINDOW):
        return 1
    try:
        return cache.incr(key)
    except ValueError:
        cache.add(key, 1, RATE_WINDOW)
        return 1


def count_post(client):
    """Count one post from ``client``; False once it has posted more than POSTS_PER_ADDRESS in the window."""
    return _count_hit(f"feedback:posts:{client}") <= POSTS_PER_ADDRESS


def has_rated(client, page_id):
    return cache.get(f"feedback:rated:{client}:{page_id}") is not None


def remember_rating(client, page_id):
    cache.set(f"feedback:rated:{client}:{page_id}", True, RATE_WINDOW)


def save_feedback(page, rating, comment=""):
    with transaction.atomic():
        return PageFeedback.objects.create(page=page, rating=rating, comment=comment)


def rating_counts(page):
    """The number of answers per rating for one page, in the order of the question, in one query."""
    totals = PageFeedback.objects.filter(page=page).aggregate(
        **{value: Count("pk", filter=Q(rating=value)) for value in Rating.values}
    )
    return [(label, totals[value]) for value, label in Rating.choices]


def ranked_pages(pages):
    """``pages`` that have feedback, with the count of each rating, most often 「わかりにくい」 first."""
    return (
        pages.annotate(
            unclear_count=Count("feedback", filter=Q(feedback__rating=Rating.UNCLEAR)),
            insufficient_count=Count("feedback", filter=Q(feedback__rating=Rating.INSUFFICIENT)),
            useful_count=Count("feedback", filter=Q(feedback__rating=Rating.USEFUL)),
            last_feedback_at=Max("feedback__created_at"),
            last_comment_at=Max("feedback__created_at", filter=~Q(feedback__comment="")),
        )
        .filter(last_feedback_at__isnull=False)
        .order_by("-unclear_count", "-insufficient_count", "-last_feedback_at", "pk")
    )


# Public view ---------------------------------------------------------------------------------


def _result(request, status, title, message="", page=None, widget=None):
    context = {"title": title, "message": message, "page": page, "widget": widget}
    if page is not None:
        context["page_url"] = page.get_url(request)
    return render(request, "portal_pages/feedback_thanks.html", context, status=status)


@csrf_exempt
@require_POST
def submit_feedback(request, page_id):
    """Receive one answer from the widget; see the module docstring for what stands in for CSRF."""
    if not is_same_origin(request):
        return _result(
            request,
            403,
            _("送信できませんでした"),
            _("このフォームは、このサイトのページからのみ送信できます。"),
        )
    client = address_key(request)
    if not count_post(client):
        return _result(
            request,
            429,
            _("しばらく送信できません"),
            _(
                "短い時間に続けて送信されたため、受け付けを一時的に止めています。"
                "10分ほどたってから、もう一度お試しください。"
            ),
        )
    page = feedback_page(request, page_id)
    if has_rated(client, page.pk):
        return _result(
            request,
            429,
            _("しばらく送信できません"),
            _(
                "このページへのご意見は、さきほど受け付けました。続けて送る場合は、10分ほどたってからお試しください。"
            ),
            page,
        )
    if request.POST.get(HONEYPOT_FIELD):
        return _result(request, 200, _("ご意見ありがとうございました。"), page=page)
    form = FeedbackForm(request.POST, page=page)
    if not form.is_valid():
        return _result(
            request,
            400,
            _("ご意見を送信できませんでした"),
            _("内容を確かめて、もう一度送信してください。"),
            page,
            FeedbackWidget.for_page(page, form),
        )
    save_feedback(page, form.cleaned_data["rating"], form.cleaned_data["comment"])
    remember_rating(client, page.pk)
    response = HttpResponseRedirect(f"{page.get_url(request)}?feedback=thanks#feedback")
    response.status_code = 303
    return response


# Admin views ---------------------------------------------------------------------------------


def _page_feedback_url(page):
    return reverse("portal_pages_feedback:page", args=[page.pk])


def _forbidden(request):
    """Wagtail answers a refusal with a redirect to the dashboard; these views say 403, and why."""
    return TemplateResponse(request, "portal_pages/admin/forbidden.html", status=403)


class FeedbackReportView(ReportView):
    """Pages the user may edit, most often found 「わかりにくい」 first: where to rewrite next."""

    model = Page
    any_permission_required = ["add", "change", "publish"]
    page_title = _("読者の声")
    header_icon = "comment"
    index_url_name = "portal_pages_feedback:report"
    index_results_url_name = "portal_pages_feedback:report_results"
    paginate_by = 30
    default_ordering = "-unclear_count"
    columns = [
        TitleColumn("title", label=_("ページ"), get_url=_page_feedback_url),
        NumberColumn("unclear_count", label=Rating.UNCLEAR.label, sort_key="unclear_count"),
        NumberColumn("insufficient_count", label=Rating.INSUFFICIENT.label, sort_key="insufficient_count"),
        NumberColumn("useful_count", label=Rating.USEFUL.label, sort_key="useful_count"),
        DateColumn("last_comment_at", label=_("最新のご意見"), sort_key="last_comment_at"),
    ]

    def dispatch(self, request, *args, **kwargs):
        if not self.user_has_any_permission(self.any_permission_required):
            return _forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def no_results_message(self):
        return _("編集できるページに、まだ読者の声は届いていません。")

    def get_base_queryset(self):
        editable = self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, ["change", "publish"]
        )
        return ranked_pages(editable)

    def order_queryset(self, queryset):
        return queryset.order_by(self.ordering, "-unclear_count", "-last_feedback_at", "pk")


class PageFeedbackView(BaseListingView):
    """One page's 読者の声 for those who may edit it: the count of each answer and the comments."""

    template_name = "portal_pages/admin/page_feedback.html"
    page_title = _("読者の声")
    header_icon = "comment"
    paginate_by = 30
    default_ordering = "-created_at"
    columns = [
        DateColumn("created_at", label=_("日時")),
        Column("rating", accessor="get_rating_display", label=_("評価")),
        Column("comment", label=_("ご意見")),
    ]

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.page = get_object_or_404(Page, pk=kwargs["page_id"])

    def dispatch(self, request, *args, **kwargs):
        if not self.page.permissions_for_user(request.user).can_edit():
            return _forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.page.get_admin_display_title()

    def get_index_url(self):
        return _page_feedback_url(self.page)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("portal_pages_feedback:report"), "label": _("読者の声")},
            {"url": "", "label": self.page.get_admin_display_title()},
        ]

    @cached_property
    def no_results_message(self):
        return _("このページには、まだコメント付きのご意見はありません。")

    def get_base_queryset(self):
        return PageFeedback.objects.filter(page=self.page).exclude(comment="")

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        counts = rating_counts(self.page)
        context.update(
            page=self.page,
            rating_counts=counts,
            total=sum(count for _label, count in counts),
            edit_url=reverse("wagtailadmin_pages:edit", args=[self.page.pk]),
        )
        return context
