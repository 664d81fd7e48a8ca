"""The comments on a town's articles and blog posts that wait for a moderator, and what they do.

Comments are django-comments-xtd's (``portal_pages.models.ArticleComment``); the rules that make
one wait are in ``portal_pages.comments``. A moderator approves a waiting comment (it becomes
public) or rejects it (it is removed, and the commenter is told the reason by e-mail, never the
text). Each decision is written to the moderators' log like a board post's.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import Page

from home.models import MunicipalitySettings

from . import services
from .models import ModerationLog


def _commented_types():
    from portal_pages.comments import commented_models

    return list(ContentType.objects.get_for_models(*commented_models()).values())


def waiting_comments(site):
    """The comments on ``site``'s pages that wait for a moderator, oldest first."""
    from portal_pages.models import ArticleComment

    page_ids = (
        Page.objects.descendant_of(site.root_page, inclusive=True)
        .annotate(pk_text=Cast("pk", CharField()))
        .values("pk_text")
    )
    return (
        ArticleComment.objects.filter(
            is_public=False,
            is_removed=False,
            content_type__in=_commented_types(),
            object_pk__in=page_ids,
        )
        .select_related("user", "content_type")
        .order_by("submit_date", "pk")
    )


def _site_of(comment):
    page = comment.content_object
    return page.get_site() if page is not None else None


def _check_moderator(actor, comment):
    site = _site_of(comment)
    if site is None or not services.is_moderator(actor, site):
        raise services.Refused(_("この自治体のコメントを管理する権限がありません。"))
    return site


def _log(site, actor, action, comment, reason=""):
    ModerationLog.objects.create(
        site=site,
        actor=actor,
        action=action,
        target_kind=ModerationLog.Target.COMMENT,
        target_id=comment.pk,
        reason=reason,
    )


def approve_comment(comment, actor):
    """Publish a waiting comment."""
    from django_comments_xtd.views import notify_comment_followers

    site = _check_moderator(actor, comment)
    with transaction.atomic():
        comment.is_public = True
        comment.save(update_fields=["is_public"])
        _log(site, actor, ModerationLog.Action.APPROVE, comment)
        transaction.on_commit(lambda: notify_comment_followers(comment))
    return comment


def reject_comment(comment, actor, reason):
    """Remove a waiting comment; the commenter is told the reason by e-mail (never the text)."""
    site = _check_moderator(actor, comment)
    reason = (reason or "").strip()
    if not reason:
        raise services.Refused(_("却下の理由を入力してください。コメントした人に伝えられます。"))
    with transaction.atomic():
        comment.is_removed = True
        comment.is_public = False
        comment.save(update_fields=["is_removed", "is_public"])
        _log(site, actor, ModerationLog.Action.REJECT, comment, reason)
        transaction.on_commit(lambda: _tell_commenter_rejected(comment, site, reason))
    return comment


def _tell_commenter_rejected(comment, site, reason):
    address = comment.user.email if comment.user_id and comment.user.email else comment.user_email
    if not address:
        return 0
    town = MunicipalitySettings.for_site(site).official_name
    page = comment.content_object
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("【%(town)s】コメントを掲載できませんでした") % {"town": town}
        body = "\n\n".join(
            [
                _("%(town)s子育てねっとからのお知らせです。") % {"town": town},
                _("「%(title)s」へのあなたのコメントは、モデレーターの確認の結果、掲載できませんでした。")
                % {"title": page.title if page is not None else ""},
                _("理由") + ":\n" + reason,
                _("内容を見直して、もう一度コメントしていただけます。"),
            ]
        )
    return EmailMessage(subject, body, to=[address]).send()
