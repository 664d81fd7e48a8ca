"""Admin hooks that keep each 市民ブロガー in their own blog (imported by ``wagtail_hooks``).

The blogger role has ``add_page`` on the whole 掲示板・ブログ section, so Wagtail alone would let
a blogger add a post to anyone's blog, or open a second blog. Wagtail already limits editing and
deleting to pages the blogger owns; these hooks also refuse a post in someone else's blog and a
second blog. Only bloggers are limited: a town's moderators and site admins, superusers and the
編集会議 members reviewing a submitted post are not.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail import hooks

from . import services
from .pages import BlogIndexPage, BlogPostPage, blog_of


def _limited(user, page):
    """Whether ``user`` writes here as a blogger (and nothing more)."""
    site = page.get_site()
    if user.is_superuser or site is None or services.is_moderator(user, site):
        return False
    return "blogger" in services.roles_in(user, site)


def _reviewing(user, page):
    """Whether ``page`` waits in a workflow task that ``user`` reviews (the 編集会議)."""
    task = page.current_workflow_task
    return task is not None and task.specific.user_can_access_editor(page, user)


def _refuse(request, message):
    messages.error(request, message)
    own = blog_of(request.user)
    if own is not None:
        return redirect("wagtailadmin_explore", own.pk)
    return redirect("wagtailadmin_home")


def _blog_of_page(page):
    """The blog ``page`` belongs to: itself for a blog, its parent blog for a post."""
    page = page.specific
    if isinstance(page, BlogIndexPage):
        return page
    if isinstance(page, BlogPostPage):
        return BlogIndexPage.objects.filter(pk=page.get_parent().pk).first()
    return None


def _not_theirs(user, blog):
    return blog is not None and blog.blogger_id != user.pk


@hooks.register("before_create_page")
def only_in_own_blog(request, parent_page, page_class):
    user = request.user
    if issubclass(page_class, BlogPostPage):
        blog = _blog_of_page(parent_page)
        if _not_theirs(user, blog) and _limited(user, parent_page):
            return _refuse(request, _("ほかの人のブログには記事を書けません。自分のブログに書いてください。"))
    if issubclass(page_class, BlogIndexPage) and _limited(user, parent_page):
        if blog_of(user) is not None:
            return _refuse(request, _("ブログはひとり1つです。記事は自分のブログの下に追加してください。"))
    return None


@hooks.register("before_edit_page")
def edit_only_own_blog(request, page):
    user = request.user
    if _not_theirs(user, _blog_of_page(page)) and _limited(user, page) and not _reviewing(user, page):
        return _refuse(request, _("ほかの人のブログは編集できません。"))
    return None


@hooks.register("before_delete_page")
def delete_only_own_blog(request, page):
    if _not_theirs(request.user, _blog_of_page(page)) and _limited(request.user, page):
        return _refuse(request, _("ほかの人のブログは削除できません。"))
    return None


@hooks.register("construct_explorer_page_queryset")
def show_bloggers_their_own_blog(parent_page, pages, request):
    """In the page explorer a blogger sees, among the section's blogs, only their own."""
    user = request.user
    if parent_page.specific_class is None or not _limited(user, parent_page):
        return pages
    others = BlogIndexPage.objects.child_of(parent_page).exclude(blogger=user).values("pk")
    return pages.exclude(pk__in=others)
