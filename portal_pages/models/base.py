from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from home.blocks import BaseStreamBlock
from home.models import KnownRestrictionsMixin

from ..forms import ContentPageForm


def stages_panel():
    return FieldPanel("life_stages", widget=forms.CheckboxSelectMultiple)


class ContentPage(KnownRestrictionsMixin, Page):
    """What every portal content page has: a lead, target life stages and a block body."""

    lead = models.CharField(
        _("リード文"), max_length=300, blank=True, help_text=_("一覧や検索結果に出る、内容の要約です。")
    )
    life_stages = ParentalManyToManyField(
        "home.LifeStage", verbose_name=_("対象のライフステージ"), blank=True, related_name="+"
    )
    body = StreamField(BaseStreamBlock(), verbose_name=_("本文"), blank=True)
    content_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("内容の責任者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("見直しの時期に知らせを受け取る人。空欄ならページの作成者です。"),
    )
    next_review = models.DateField(
        _("次回見直し日"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("空欄なら公開から1年後になります。"),
    )

    settings_panels = [
        *Page.settings_panels,
        MultiFieldPanel([FieldPanel("content_owner"), FieldPanel("next_review")], heading=_("内容の見直し")),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("lead"),
        index.SearchField("body"),
        index.FilterField("locale_id"),
    ]
    api_fields = [APIField("lead"), APIField("life_stages"), APIField("body")]
    base_form_class = ContentPageForm

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["stages"] = self.life_stages.all()
        return context

    @property
    def review_owner(self):
        return self.content_owner or self.owner


class IndexPage(KnownRestrictionsMixin, Page):
    """A listing of one content type under a section, filtered by links that need no script."""

    lead = models.CharField(_("リード文"), max_length=300, blank=True)
    per_page = 20

    content_panels = [*Page.content_panels, FieldPanel("lead")]
    parent_page_types = ["home.SectionPage"]
    api_fields = [APIField("lead")]

    class Meta:
        abstract = True

    def get_template(self, request, *args, **kwargs):
        return "portal_pages/index_page.html"

    def get_context(self, request, *args, **kwargs):
        from ..listing import listing_context

        context = super().get_context(request, *args, **kwargs)
        context.update(listing_context(self, request))
        return context
