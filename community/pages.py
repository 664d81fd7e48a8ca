"""Citizen blogs (市民ブログ): Wagtail pages under a town's 掲示板・ブログ section.

Unlike board posts, a blog post is edited content: a 市民ブロガー writes it in Wagtail's admin and
submits it to the town's 編集会議, which publishes it (a blogger has ``add_page`` on the section
but cannot publish). Each blogger has one blog (``BlogIndexPage``) and writes only in it; the
admin hooks of ``community.blog_hooks`` refuse the rest. Readers' comments on a post go through
the same trust and screening rules as the boards (``portal_pages.comments``).
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.models import Page
from wagtail.search import index

from accounts.models import public_name_of
from home.fields import SafeRichTextField

BLOG_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul", "blockquote", "image"]
#: Who may give a blog to someone else (a moderator; a superuser has every permission).
ASSIGN_BLOGGER_PERMISSION = "community.change_communitysettings"


class BlogIndexPageForm(WagtailAdminPageForm):
    """Offers only colleagues of the editor's own towns, by nickname, as the blog's writer."""

    def __init__(self, *args, **kwargs):
        from portal_pages.forms import colleagues_of

        super().__init__(*args, **kwargs)
        field = self.fields.get("blogger")
        if field is not None and self.for_user is not None:
            field.queryset = colleagues_of(self.for_user)
            field.label_from_instance = lambda person: str(person.public_name)


class BlogIndexPage(Page):
    """One member's blog: its title is the blog's name, its children the posts."""

    blogger = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ブロガー"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="blogs",
        help_text=_("空欄なら作成者のブログになります。公開されるのはニックネームだけです。"),
    )
    lead = models.CharField(_("ブログの紹介"), max_length=200, blank=True)
    per_page = 10

    content_panels = [
        *Page.content_panels,
        FieldPanel("lead"),
        FieldPanel("blogger", permission=ASSIGN_BLOGGER_PERMISSION),
    ]
    search_fields = [*Page.search_fields, index.SearchField("lead"), index.FilterField("locale_id")]
    api_fields = [APIField("lead")]
    base_form_class = BlogIndexPageForm

    parent_page_types = ["home.SectionPage"]
    subpage_types = ["community.BlogPostPage"]

    class Meta:
        verbose_name = _("市民ブログ")
        verbose_name_plural = _("市民ブログ")

    @classmethod
    def can_create_at(cls, parent):
        return super().can_create_at(parent) and getattr(parent.specific, "section", "") == "community"

    @property
    def author_name(self):
        return public_name_of(self.blogger)

    def save(self, *args, **kwargs):
        if self.blogger_id is None and self.owner_id is not None and self.pk is None:
            self.blogger_id = self.owner_id
        super().save(*args, **kwargs)

    def posts(self):
        return BlogPostPage.objects.child_of(self).live().public().order_by("-date", "-first_published_at")

    def get_context(self, request, *args, **kwargs):
        from portal_pages.listing import paginate

        context = super().get_context(request, *args, **kwargs)
        context["items"] = paginate(self.posts(), request.GET.get("page", 1), self.per_page)
        return context


class BlogPostPage(Page):
    """A post of a citizen blog, published through the town's 編集会議."""

    lead = models.CharField(
        _("リード文"), max_length=300, blank=True, help_text=_("一覧や検索結果に出る、内容の要約です。")
    )
    date = models.DateField(_("日付"), default=datetime.date.today)
    body = SafeRichTextField(_("本文"), features=BLOG_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("date"), FieldPanel("body")]
    search_fields = [
        *Page.search_fields,
        index.SearchField("lead"),
        index.SearchField("body"),
        index.FilterField("locale_id"),
    ]
    api_fields = [APIField("lead"), APIField("date"), APIField("body")]

    parent_page_types = ["community.BlogIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("ブログ記事")
        verbose_name_plural = _("ブログ記事")

    @property
    def blog(self):
        return BlogIndexPage.objects.filter(pk=self.get_parent().pk).select_related("blogger").first()

    @property
    def author_name(self):
        blog = self.blog
        return public_name_of(blog.blogger if blog else None)


def blog_of(user):
    """``user``'s blog, if they have one (a blogger has one blog)."""
    return BlogIndexPage.objects.filter(blogger=user).first()


def ensure_blog(user, site, title=None, lead=""):
    """``user``'s blog under ``site``'s 掲示板・ブログ section, created (owned by them) if missing."""
    from home.municipality import section_page

    section = section_page(site, "community")
    blog = BlogIndexPage.objects.child_of(section).filter(blogger=user).first()
    if blog is not None:
        return blog
    slug = slugify(user.username) or f"blog-{user.pk}"
    if section.get_children().filter(slug=slug).exists():
        slug = f"blog-{user.pk}"
    blog = BlogIndexPage(
        title=title or _("%(name)sのブログ") % {"name": user.public_name},
        slug=slug,
        blogger=user,
        owner=user,
        lead=lead,
    )
    section.add_child(instance=blog)
    blog.save_revision(user=user).publish(user=user, skip_permission_checks=True)
    blog.refresh_from_db()
    return blog
