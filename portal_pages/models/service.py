from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.search import index

from home.fields import SafeRichTextField

from ..choices import Category
from .base import ContentPage, IndexPage, stages_panel

SECTION_FEATURES = ["bold", "link", "document-link", "ol", "ul"]


def _section(label, help_text=""):
    return SafeRichTextField(label, blank=True, features=SECTION_FEATURES, help_text=help_text)


class ServicePage(ContentPage):
    """制度・サービス: every service reads the same way — 対象, 内容, 金額, 申請方法, 必要なもの, 問い合わせ先."""

    category = models.CharField(_("分類"), max_length=20, choices=Category.choices, default=Category.OTHER)
    eligibility = _section(_("対象"), _("誰が使えるか。所得制限や年齢など。"))
    description = _section(_("内容"))
    amount = _section(_("金額"), _("支給額・利用料。無料ならそう書きます。"))
    how_to_apply = _section(_("申請方法"))
    what_to_bring = _section(_("必要なもの"))
    contact = _section(_("問い合わせ先"))

    SECTIONS = (
        ("eligibility", _("対象")),
        ("description", _("内容")),
        ("amount", _("金額")),
        ("how_to_apply", _("申請方法")),
        ("what_to_bring", _("必要なもの")),
        ("contact", _("問い合わせ先")),
    )

    content_panels = [
        *ContentPage.content_panels,
        FieldPanel("lead"),
        MultiFieldPanel([FieldPanel("category"), stages_panel()], heading=_("分類")),
        *[FieldPanel(name) for name, _label in SECTIONS],
        FieldPanel("body"),
    ]
    search_fields = [
        *ContentPage.search_fields,
        *[index.SearchField(name) for name, _label in SECTIONS],
        index.FilterField("category"),
    ]
    api_fields = [
        *ContentPage.api_fields,
        APIField("category"),
        *[APIField(name) for name, _label in SECTIONS],
    ]

    parent_page_types = ["portal_pages.ServiceIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("制度・サービス")
        verbose_name_plural = _("制度・サービス")

    def sections(self):
        """(label, rich text) of the filled structured sections, in their fixed order."""
        return [(label, getattr(self, name)) for name, label in self.SECTIONS if getattr(self, name)]


class ServiceIndexPage(IndexPage):
    child_model = "ServicePage"
    filters = ("stage", "category")
    order_by = ("title",)
    subpage_types = ["portal_pages.ServicePage"]

    class Meta:
        verbose_name = _("制度・サービス一覧")
        verbose_name_plural = _("制度・サービス一覧")
