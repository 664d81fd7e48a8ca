"""Comments on articles and citizen blog posts (django-comments-xtd): who waits, and a limit.

A signed-in commenter follows the boards' rules (``community.services``): a suspended member
cannot comment; a trusted member's comment appears at once unless it carries personal data or an
NG word; anyone else's waits for a moderator. An anonymous commenter is *new* until three of
their comments (by e-mail address) have been approved; a new commenter's comment, and any with
personal data or an NG word, waits. Anonymous commenters confirm their e-mail address first
(django-comments-xtd), and their address is never shown.
"""

import hashlib

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django_comments.views.comments import post_comment
from django_comments_xtd.moderation import XtdCommentModerator, moderator

# django-comments wraps its view in csrf_protect; the CSRF decision is taken above instead.
_post_comment_without_csrf = post_comment.__wrapped__

TRUSTED_AFTER = 3
POST_LIMIT = 5
POST_WINDOW = 10 * 60


def is_new_commenter(comment):
    from .models import ArticleComment

    # Before e-mail confirmation the comment is django-comments-xtd's TmpXtdComment, which has
    # ``user`` but no ``user_id``.
    user = getattr(comment, "user", None)
    if user is not None and user.pk:
        approved = ArticleComment.objects.filter(user_id=user.pk, is_public=True, is_removed=False)
    else:
        approved = ArticleComment.objects.filter(
            user__isnull=True, user_email__iexact=comment.user_email, is_public=True, is_removed=False
        )
    return approved.count() < TRUSTED_AFTER


def _signed_in(comment):
    user = getattr(comment, "user", None)
    return user if user is not None and user.pk else None


class ArticleCommentModerator(XtdCommentModerator):
    email_notification = False
    removal_suggestion_notification = True

    def allow(self, comment, content_object, request):
        from community import services

        user = _signed_in(comment)
        site = content_object.get_site()
        if user is not None and site is not None and services.is_suspended(user, site):
            return False
        return super().allow(comment, content_object, request)

    def moderate(self, comment, content_object, request):
        from community import screening, services
        from community.models import Post

        site = content_object.get_site()
        if site is None:
            return True
        user = _signed_in(comment)
        if user is not None:
            status, _reasons = services.status_for(user, site, comment.comment)
            return status != Post.Status.PUBLISHED
        return bool(screening.screen(comment.comment, site)) or is_new_commenter(comment)


def commented_models():
    """The page types that take comments under these rules."""
    from community.pages import BlogPostPage

    from .models import ArticlePage

    return (ArticlePage, BlogPostPage)


def register():
    for model in commented_models():
        if model not in moderator._registry:
            moderator.register(model, ArticleCommentModerator)


def _client_key(request):
    address = request.META.get("REMOTE_ADDR", "")
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()
    return f"comment-posts:{digest}"


@csrf_exempt
def rate_limited_post_comment(request, *args, **kwargs):
    """django-comments' post view, refusing more than POST_LIMIT comments per address per window.

    Article pages are cached whole for anonymous readers, so their comment form carries no CSRF
    token. CSRF protects a signed-in user's session, so it is still checked for signed-in users;
    an anonymous comment is guarded by django-comments' signed security hash and timestamp, the
    honeypot, the e-mail confirmation and this rate limit.
    """
    if request.user.is_authenticated:
        return csrf_protect(_limited_post)(request, *args, **kwargs)
    return _limited_post(request, *args, **kwargs)


def _suspended_from(request):
    """Whether the signed-in user is suspended in the town of the page they comment on."""
    from community import services

    if request.method != "POST" or not request.user.is_authenticated:
        return False
    try:
        app_label, model = request.POST.get("content_type", "").split(".", 1)
        model_class = ContentType.objects.get_by_natural_key(app_label, model).model_class()
    except (ValueError, ContentType.DoesNotExist):
        return False
    object_pk = request.POST.get("object_pk", "")
    if model_class not in commented_models() or not object_pk.isdigit():
        return False
    target = model_class.objects.filter(pk=object_pk).first()
    site = target.get_site() if target is not None else None
    return site is not None and services.is_suspended(request.user, site)


def _limited_post(request, *args, **kwargs):
    if _suspended_from(request):
        body = render_to_string("portal_pages/comment_refused.html", request=request)
        return HttpResponse(body, status=403)
    if request.method == "POST" and "preview" not in request.POST:
        key = _client_key(request)
        cache.add(key, 0, POST_WINDOW)
        if cache.incr(key) > POST_LIMIT:
            body = render_to_string("portal_pages/comment_rate_limited.html", request=request)
            return HttpResponse(body, status=429)
    return _post_comment_without_csrf(request, *args, **kwargs)
