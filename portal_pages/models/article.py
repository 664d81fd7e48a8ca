from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.search import index

from .base import ContentPage, IndexPage, stages_panel


class ArticleTag(TaggedItemBase):
    content_object = ParentalKey(
        "portal_pages.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ArticlePage(ContentPage):
    """特集・市民記事: a feature or a citizen reporter's story, with the workshop that made it."""

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("記者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        help_text=_("空欄なら作成者が記者になります。公開されるのはニックネームだけです。"),
    )
    interview_date = models.DateField(_("取材日"), null=True, blank=True)
    workshop = models.CharField(
        _("制作したワークショップ・グループ"),
        max_length=100,
        blank=True,
        help_text=_("例：子育て記者講座 第3期"),
    )
    tags = ClusterTaggableManager(through=ArticleTag, verbose_name=_("タグ"), blank=True)

    content_panels = [
        *ContentPage.content_panels,
        FieldPanel("lead"),
        MultiFieldPanel(
            [
                FieldPanel("reporter"),
                FieldPanel("interview_date"),
                FieldPanel("workshop"),
                FieldPanel("tags"),
            ],
            heading=_("取材・制作"),
        ),
        stages_panel(),
        FieldPanel("body"),
    ]
    search_fields = [*ContentPage.search_fields, index.SearchField("workshop")]
    api_fields = [*ContentPage.api_fields, APIField("interview_date"), APIField("workshop"), APIField("tags")]

    parent_page_types = ["portal_pages.ArticleIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("特集・市民記事")
        verbose_name_plural = _("特集・市民記事")

    @property
    def byline(self):
        person = self.reporter or self.owner
        return person.public_name if person else ""

    def save(self, *args, **kwargs):
        if self.reporter_id is None and self.owner_id is not None:
            self.reporter_id = self.owner_id
        super().save(*args, **kwargs)


class ArticleIndexPage(IndexPage):
    child_model = "ArticlePage"
    filters = ("stage", "tag", "date")
    order_by = ("-first_published_at",)
    subpage_types = ["portal_pages.ArticlePage"]

    class Meta:
        verbose_name = _("特集・市民記事一覧")
        verbose_name_plural = _("特集・市民記事一覧")
