"""Comments on articles (django-comments-xtd): who waits for approval, and a posting limit.

A commenter is *new* until three of their comments have been approved; a new commenter's
comment waits for a moderator. Anonymous commenters confirm their e-mail address first
(django-comments-xtd), and their address is never shown.
"""

import hashlib

from django.conf import settings
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


class ArticleCommentModerator(XtdCommentModerator):
    email_notification = False
    removal_suggestion_notification = True

    def moderate(self, comment, content_object, request):
        return is_new_commenter(comment)


def register():
    from .models import ArticlePage

    if ArticlePage not in moderator._registry:
        moderator.register(ArticlePage, ArticleCommentModerator)


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


def _limited_post(request, *args, **kwargs):
    if request.method == "POST" and "preview" not in request.POST:
        key = _client_key(request)
        cache.add(key, 0, POST_WINDOW)
        if cache.incr(key) > POST_LIMIT:
            body = render_to_string("portal_pages/comment_rate_limited.html", request=request)
            return HttpResponse(body, status=429)
    return _post_comment_without_csrf(request, *args, **kwargs)
