from django.core.exceptions import ValidationError
from django.db import models
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.search import index

from ..choices import EventState
from .base import ContentPage, IndexPage, stages_panel


class EventPage(ContentPage):
    """イベント: a dated event whose state (受付中 / 締切 / 終了) follows from its dates."""

    start = models.DateTimeField(_("開始日時"), db_index=True)
    end = models.DateTimeField(_("終了日時"))
    venue = models.ForeignKey(
        "portal_pages.FacilityPage",
        verbose_name=_("会場（施設）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    venue_text = models.CharField(
        _("会場（施設以外）"), max_length=200, blank=True, help_text=_("施設ページがない会場の名前と住所。")
    )
    capacity = models.PositiveIntegerField(_("定員"), null=True, blank=True)
    fee = models.CharField(_("参加費"), max_length=60, blank=True, default="無料")
    how_to_apply = models.TextField(
        _("申し込み方法"), blank=True, help_text=_("申し込み不要ならそう書きます。")
    )
    application_deadline = models.DateTimeField(_("申し込み締切"), null=True, blank=True)

    content_panels = [
        *ContentPage.content_panels,
        FieldPanel("lead"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
                FieldPanel("venue"),
                FieldPanel("venue_text"),
                FieldRowPanel([FieldPanel("capacity"), FieldPanel("fee")]),
                FieldPanel("how_to_apply"),
                FieldPanel("application_deadline"),
            ],
            heading=_("日時・会場・申し込み"),
        ),
        stages_panel(),
        FieldPanel("body"),
    ]
    search_fields = [
        *ContentPage.search_fields,
        index.SearchField("venue_text"),
        index.FilterField("start"),
        index.FilterField("end"),
    ]
    api_fields = [
        *ContentPage.api_fields,
        APIField("start"),
        APIField("end"),
        APIField("venue"),
        APIField("venue_text"),
        APIField("capacity"),
        APIField("fee"),
        APIField("how_to_apply"),
        APIField("application_deadline"),
        APIField("state"),
    ]

    parent_page_types = ["portal_pages.EventIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("イベント")
        verbose_name_plural = _("イベント")

    def clean(self):
        super().clean()
        errors = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("終了日時は開始日時より後にしてください。")
        if self.application_deadline and self.end and self.application_deadline > self.end:
            errors["application_deadline"] = _("申し込み締切は終了日時より前にしてください。")
        if errors:
            raise ValidationError(errors)

    def state_at(self, moment):
        if moment >= self.end:
            return EventState.ENDED
        if self.application_deadline and moment >= self.application_deadline:
            return EventState.CLOSED
        return EventState.OPEN

    @property
    def state(self):
        return self.state_at(timezone.now())

    @property
    def state_label(self):
        return EventState(self.state).label

    @property
    def venue_name(self):
        return self.venue.title if self.venue_id else self.venue_text


class EventIndexPage(RoutablePageMixin, IndexPage):
    """The events of a section, as the filtered list and as a month calendar (``calendar/``)."""

    child_model = "EventPage"
    filters = ("stage", "date")
    order_by = ("start",)
    upcoming_only = True
    subpage_types = ["portal_pages.EventPage"]

    class Meta:
        verbose_name = _("イベント一覧")
        verbose_name_plural = _("イベント一覧")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["calendar_url"] = self.calendar_url(request)
        return context

    def calendar_url(self, request):
        """This month's calendar, keeping the list's life-stage filter."""
        url = self.get_url(request) + self.reverse_subpage("calendar")
        stage = request.GET.get("stage")
        return f"{url}?{urlencode({'stage': stage})}" if stage else url

    @path("calendar/")
    def calendar(self, request):
        today = timezone.localdate()
        return self.calendar_month(request, today.year, today.month)

    @path("calendar/<int:year>/<int:month>/")
    def calendar_month(self, request, year, month):
        from ..feeds import month_calendar

        request.is_preview = getattr(request, "is_preview", False)
        context = {"page": self, "self": self, "request": request}
        context.update(month_calendar(self, request.GET, year, month))
        return TemplateResponse(request, "portal_pages/event_calendar.html", context)
