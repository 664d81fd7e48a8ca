"""The content review cycle: every published portal page has a 次回見直し日 (next review date).

A page's review fields live in the table of its own type (notices, services, events …), so the
queries here start from ``Page`` and ``Coalesce`` the fields of every content page table: the
overdue report and the reminders each take one query, whatever the number of pages or types.
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db.models import DateField, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Substr
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.models import Page, PageLogEntry, get_page_models

logger = logging.getLogger(__name__)

REVIEW_AFTER = datetime.timedelta(days=365)
# Owners hear of a page this long before its review date …
DUE_SOON = datetime.timedelta(days=14)
# … and then once a week until someone reviews it: a volunteer mailed every day stops reading.
REMIND_EVERY = datetime.timedelta(days=7)
REMINDER_ACTION = "portal_pages.review_reminder"
DATE_FORMAT = "Y年n月j日"


def set_default_review_date(sender, instance, **kwargs):
    """On publish, a page without a next review date gets one a year from now."""
    from .models import ContentPage

    page = instance.specific
    if isinstance(page, ContentPage) and page.next_review is None:
        next_review = timezone.localdate() + REVIEW_AFTER
        type(page).objects.filter(pk=page.pk).update(next_review=next_review)
        page.next_review = next_review


def connect_signals():
    from wagtail.signals import page_published

    page_published.connect(set_default_review_date, dispatch_uid="portal-review-date")


# Queries -------------------------------------------------------------------------------------


def content_page_models():
    """Every concrete page type that has the review fields (``portal_pages.models.ContentPage``)."""
    from .models import ContentPage

    return [model for model in get_page_models() if issubclass(model, ContentPage)]


def _path_from_page(model):
    """The lookup from ``Page`` to ``model``'s own table, e.g. ``"noticepage"``."""
    names = []
    while model is not Page:
        parent, link = next((p, f) for p, f in model._meta.parents.items() if issubclass(p, Page))
        names.append(link.related_query_name())
        model = parent
    return "__".join(reversed(names))


def _coalesced(field_name, output_field, fallback=None):
    paths = [_path_from_page(model) for model in content_page_models()]
    return Coalesce(
        *(F(f"{path}__{field_name}") for path in paths),
        fallback if fallback is not None else Value(None, output_field=output_field),
        output_field=output_field,
    )


def with_review_fields(pages):
    """``pages`` (a ``Page`` queryset) annotated with ``next_review``, ``review_owner_id``,
    ``owner_name`` (the review owner's nickname, never the real name) and ``section_title``.

    Pages that are not content pages get ``next_review=None``.
    """
    users = get_user_model().objects.filter(pk=OuterRef("review_owner_id"))
    sections = Page.objects.filter(path=Substr(OuterRef("path"), 1, Page.steplen * 3))
    return pages.annotate(
        next_review=_coalesced("next_review", DateField()),
        review_owner_id=_coalesced("content_owner_id", IntegerField(), fallback=F("owner_id")),
        owner_name=Subquery(users.values("nickname")[:1]),
        section_title=Subquery(sections.values("title")[:1]),
    )


def overdue_pages(pages, today=None):
    """The live pages of ``pages`` whose 次回見直し日 is before ``today``, with ``days_overdue``."""
    today = today or timezone.localdate()
    return (
        with_review_fields(pages.live())
        .filter(next_review__lt=today)
        .annotate(days_overdue=Value(today, output_field=DateField()) - F("next_review"))
    )


def pages_due_for_review(today=None, horizon=DUE_SOON):
    """Every live content page whose review date is past or within ``horizon`` of ``today``."""
    today = today or timezone.localdate()
    return (
        with_review_fields(Page.objects.live())
        .filter(next_review__lte=today + horizon)
        .order_by("next_review", "pk")
    )


def admin_edit_url(page):
    """The page's editor, absolute: an e-mail has no host of its own to be relative to."""
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return f"{base}{reverse('wagtailadmin_pages:edit', args=[page.pk])}"


def format_date(value):
    return dateformat.format(value, DATE_FORMAT)


# Reminders -----------------------------------------------------------------------------------


@dataclass
class Reminder:
    """One review owner and the pages to remind them of."""

    user: object
    overdue: list = field(default_factory=list)
    due_soon: list = field(default_factory=list)

    @property
    def pages(self):
        return [*self.overdue, *self.due_soon]


@dataclass
class ReminderRun:
    """What one run of ``send_review_reminders`` did, for the command's summary and for tests."""

    today: datetime.date
    dry_run: bool
    sent: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    unreachable: list = field(default_factory=list)
    unowned_pages: int = 0
    recently_reminded_pages: int = 0

    def summary(self):
        lines = []
        sent_pages = sum(len(reminder.pages) for reminder in self.sent)
        if self.dry_run:
            lines.append(
                gettext(
                    "確認のみ（メールは送っていません）：%(people)d人に送る予定です（ページ%(pages)d件）。"
                )
                % {"people": len(self.sent), "pages": sent_pages}
            )
        else:
            lines.append(
                gettext("%(people)d人に見直しのお知らせを送りました（ページ%(pages)d件）。")
                % {"people": len(self.sent), "pages": sent_pages}
            )
        for reminder in self.sent:
            lines.append(
                gettext("・%(username)s：見直し日を過ぎたページ%(overdue)d件、14日以内%(soon)d件")
                % {
                    "username": reminder.user.get_username(),
                    "overdue": len(reminder.overdue),
                    "soon": len(reminder.due_soon),
                }
            )
        if self.failed:
            lines.append(
                gettext("送信に失敗しました：%(usernames)s（次回の実行で送り直します）")
                % {"usernames": "、".join(reminder.user.get_username() for reminder in self.failed)}
            )
        if self.unreachable:
            lines.append(
                gettext(
                    "メールアドレスがない、または無効な利用者のため送れませんでした：%(usernames)s"
                    "（ページ%(pages)d件）"
                )
                % {
                    "usernames": "、".join(reminder.user.get_username() for reminder in self.unreachable),
                    "pages": sum(len(reminder.pages) for reminder in self.unreachable),
                }
            )
        if self.unowned_pages:
            lines.append(gettext("担当者のいないページ：%(count)d件") % {"count": self.unowned_pages})
        if self.recently_reminded_pages:
            lines.append(
                gettext("%(days)d日以内にお知らせ済みのため省いたページ：%(count)d件")
                % {"days": REMIND_EVERY.days, "count": self.recently_reminded_pages}
            )
        return "\n".join(lines)


def _page_line(page, today):
    days = (page.next_review - today).days
    if days < 0:
        when = ngettext("%(days)d日過ぎています", "%(days)d日過ぎています", -days) % {"days": -days}
    elif days == 0:
        when = gettext("今日です")
    else:
        when = ngettext("あと%(days)d日", "あと%(days)d日", days) % {"days": days}
    return gettext("・%(title)s（次回見直し日：%(date)s、%(when)s）\n  %(url)s") % {
        "title": page.title,
        "date": format_date(page.next_review),
        "when": when,
        "url": admin_edit_url(page),
    }


def reminder_message(reminder, today):
    """The e-mail to one review owner: titles and editor links only, never a page's content."""
    parts = [
        gettext("%(name)s さん") % {"name": reminder.user.public_name},
        gettext(
            "担当しているページの「次回見直し日」が近づいている、または過ぎています。\n"
            "内容が今も正しいか確かめて、必要なら更新してください。確かめたら、"
            "ページの「設定」タブで「次回見直し日」を次の見直しの日付にしてください。"
        ),
    ]
    if reminder.overdue:
        parts.append(
            "\n".join(
                [
                    gettext("■ 次回見直し日を過ぎたページ（%(count)d件）") % {"count": len(reminder.overdue)},
                    *(_page_line(page, today) for page in reminder.overdue),
                ]
            )
        )
    if reminder.due_soon:
        parts.append(
            "\n".join(
                [
                    gettext("■ %(days)d日以内に次回見直し日が来るページ（%(count)d件）")
                    % {"days": DUE_SOON.days, "count": len(reminder.due_soon)},
                    *(_page_line(page, today) for page in reminder.due_soon),
                ]
            )
        )
    parts.append(
        gettext("このメールは子育てねっとから自動で送っています。返信されても読むことはできません。")
    )
    subject = gettext("【子育てねっと】ページの見直しをお願いします（%(count)d件）") % {
        "count": len(reminder.pages)
    }
    return EmailMessage(
        subject=subject,
        body="\n\n".join(parts) + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[reminder.user.email],
    )


def _reminded_since(page_ids, since):
    return set(
        PageLogEntry.objects.filter(
            action=REMINDER_ACTION, page_id__in=page_ids, timestamp__gte=since
        ).values_list("page_id", flat=True)
    )


def _remember(reminder, now):
    """Record the reminder in each page's history: this is what stops a second send."""
    PageLogEntry.objects.bulk_create(
        PageLogEntry(
            page_id=page.pk,
            content_type_id=page.content_type_id,
            label=page.title,
            action=REMINDER_ACTION,
            timestamp=now,
            data={"next_review": page.next_review.isoformat(), "recipient": reminder.user.pk},
        )
        for page in reminder.pages
    )


def send_review_reminders(*, now=None, dry_run=False):
    """E-mail each review owner their overdue pages and those due within ``DUE_SOON``.

    One e-mail per person, only to active users with an address, in Japanese, with titles and
    admin links only. What stops a second e-mail is the page's own history: each reminder is a
    ``PageLogEntry`` (``REMINDER_ACTION``) in the database, so a second run the same day, on
    another web node or after a restart, finds it and skips the page (a cache would be empty
    in a fresh cron process unless Redis is configured). A page is reminded again
    ``REMIND_EVERY`` after its last reminder while it is still due. Run it from one node's cron
    once a day; a failed send is not recorded, so the next run retries it.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    run = ReminderRun(today=today, dry_run=dry_run)
    with translation.override(settings.LANGUAGE_CODE):
        pages = list(pages_due_for_review(today).only("id", "title", "content_type_id", "owner_id"))
        window_start = timezone.make_aware(
            datetime.datetime.combine(today - REMIND_EVERY + datetime.timedelta(days=1), datetime.time.min)
        )
        recently = _reminded_since([page.pk for page in pages], window_start)
        by_owner = defaultdict(list)
        for page in pages:
            if page.pk in recently:
                run.recently_reminded_pages += 1
            elif page.review_owner_id is None:
                run.unowned_pages += 1
            else:
                by_owner[page.review_owner_id].append(page)
        users = get_user_model().objects.in_bulk(list(by_owner))
        reminders = []
        for user_id, owned in by_owner.items():
            reminder = Reminder(user=users[user_id])
            for page in owned:
                (reminder.overdue if page.next_review < today else reminder.due_soon).append(page)
            if reminder.user.email and reminder.user.is_active:
                reminders.append(reminder)
            else:
                run.unreachable.append(reminder)
        if dry_run:
            run.sent = reminders
            return run
        with get_connection() as connection:
            for reminder in reminders:
                message = reminder_message(reminder, today)
                message.connection = connection
                try:
                    message.send()
                except OSError:
                    logger.exception("Review reminder to user %s failed", reminder.user.pk)
                    run.failed.append(reminder)
                    continue
                _remember(reminder, now)
                run.sent.append(reminder)
    return run


# Admin report --------------------------------------------------------------------------------


def _next_review_display(page):
    return format_date(page.next_review)


def _days_overdue_display(page):
    return ngettext("%(days)d日", "%(days)d日", page.days_overdue.days) % {"days": page.days_overdue.days}


def _owner_display(page):
    if page.review_owner_id is None:
        return gettext("（なし）")
    return page.owner_name or gettext("匿名さん")


class OverdueReviewReportView(ReportView):
    """見直し期限切れのページ: live pages the user may edit whose review date has passed."""

    model = Page
    any_permission_required = ["add", "change", "publish"]
    template_name = "portal_pages/admin/review_report.html"
    page_title = _("見直し期限切れのページ")
    header_icon = "date"
    index_url_name = "portal_pages_review:report"
    index_results_url_name = "portal_pages_review:report_results"
    paginate_by = 30
    default_ordering = "-days_overdue"
    columns = [
        TitleColumn("title", label=_("ページ"), url_name="wagtailadmin_pages:edit", sort_key="title"),
        Column("section_title", label=_("セクション"), sort_key="section_title"),
        Column("owner_name", label=_("見直しの担当"), accessor=_owner_display, sort_key="owner_name"),
        Column("next_review", label=_("次回見直し日"), accessor=_next_review_display, sort_key="next_review"),
        Column("days_overdue", label=_("超過日数"), accessor=_days_overdue_display, sort_key="days_overdue"),
    ]

    @cached_property
    def no_results_message(self):
        return _("見直し日を過ぎたページはありません。")

    def get_base_queryset(self):
        editable = self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, ["change", "publish"]
        )
        return overdue_pages(editable)

    def order_queryset(self, queryset):
        return queryset.order_by(self.ordering, "next_review", "pk")

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["due_soon_days"] = DUE_SOON.days
        return context
