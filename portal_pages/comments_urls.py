"""The comment URLs the site uses: posting (rate-limited), confirmation, follow-up opt-out,
replies and flagging. django-comments-xtd's REST API and like/dislike are not exposed."""

from django.contrib.contenttypes.views import shortcut
from django.urls import path, re_path
from django_comments.views.comments import comment_done
from django_comments.views.moderation import flag_done
from django_comments_xtd import views as xtd_views

from .comments import rate_limited_post_comment

urlpatterns = [
    path("post/", rate_limited_post_comment, name="comments-post-comment"),
    path("posted/", comment_done, name="comments-comment-done"),
    re_path(r"^sent/$", xtd_views.sent, name="comments-xtd-sent"),
    re_path(r"^confirm/(?P<key>[^/]+)/$", xtd_views.confirm, name="comments-xtd-confirm"),
    re_path(r"^mute/(?P<key>[^/]+)/$", xtd_views.mute, name="comments-xtd-mute"),
    re_path(r"^reply/(?P<cid>\d+)/$", xtd_views.reply, name="comments-xtd-reply"),
    re_path(r"^flag/(\d+)/$", xtd_views.flag, name="comments-flag"),
    re_path(r"^flagged/$", flag_done, name="comments-flag-done"),
    re_path(r"^cr/(\d+)/(.+)/$", shortcut, name="comments-url-redirect"),
]
