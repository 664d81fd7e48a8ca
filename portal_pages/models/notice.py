from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.blocks import PageChooserBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import StreamField
from wagtail.search import index

from ..choices import Category
from .base import ContentPage, IndexPage, stages_panel


class NoticePage(ContentPage):
    """お知らせ: a dated notice from a department, shown for its 掲載期間 (go-live to expiry)."""

    department = models.CharField(_("担当課"), max_length=60, blank=True, help_text=_("例：子育て支援課"))
    category = models.CharField(_("分類"), max_length=20, choices=Category.choices, default=Category.OTHER)
    attachments = StreamField(
        [("document", DocumentChooserBlock(label=_("ファイル")))],
        verbose_name=_("添付ファイル"),
        blank=True,
    )
    related_pages = StreamField(
        [("page", PageChooserBlock(label=_("ページ")))], verbose_name=_("関連ページ"), blank=True
    )

    content_panels = [
        *ContentPage.content_panels,
        FieldPanel("lead"),
        MultiFieldPanel(
            [FieldPanel("department"), FieldPanel("category"), stages_panel()], heading=_("分類")
        ),
        FieldPanel("body"),
        FieldPanel("attachments"),
        FieldPanel("related_pages"),
    ]
    search_fields = [
        *ContentPage.search_fields,
        index.SearchField("department"),
        index.FilterField("category"),
    ]
    api_fields = [
        *ContentPage.api_fields,
        APIField("department"),
        APIField("category"),
        APIField("attachments"),
    ]

    parent_page_types = ["portal_pages.NoticeIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("お知らせ")
        verbose_name_plural = _("お知らせ")


class NoticeIndexPage(IndexPage):
    child_model = "NoticePage"
    filters = ("stage", "category", "date")
    order_by = ("-first_published_at",)
    subpage_types = ["portal_pages.NoticePage"]

    class Meta:
        verbose_name = _("お知らせ一覧")
        verbose_name_plural = _("お知らせ一覧")
