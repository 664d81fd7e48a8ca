"""E-mail of the boards. None of it carries what anyone wrote: only that something happened,
and where to read it (the member signs in to see it)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from home.mail import absolute_url, send_each
from home.models import MunicipalitySettings


def _thread_url(thread):
    return absolute_url(thread.board.site, reverse("community:thread", args=[thread.board.slug, thread.pk]))


def tell_subscribers(post_id):
    """Tell the thread's subscribers (except the post's author) that a reply was published."""
    from .models import Post

    post = Post.objects.select_related("thread__board__site").filter(pk=post_id).first()
    if post is None or not post.is_public:
        return 0
    thread = post.thread
    addresses = list(
        thread.subscriptions.exclude(user_id=post.author_id)
        .exclude(user__email="")
        .filter(user__is_active=True)
        .values_list("user__email", flat=True)
    )
    town = MunicipalitySettings.for_site(thread.board.site)
    return send_each(
        addresses,
        _("【%(town)s】スレッドに返信がありました") % {"town": town.official_name},
        "community/mail/reply.txt",
        {"thread": thread, "url": _thread_url(thread), "town": town},
    )


def tell_author_rejected(post_id):
    """Tell the author their post was not published, and the moderator's reason."""
    from .models import Post

    post = Post.objects.select_related("thread__board__site", "author").filter(pk=post_id).first()
    if post is None or post.author is None or not post.author.email:
        return 0
    town = MunicipalitySettings.for_site(post.thread.board.site)
    return send_each(
        [post.author.email],
        _("【%(town)s】投稿を掲載できませんでした") % {"town": town.official_name},
        "community/mail/rejected.txt",
        {
            "reason": post.rejection_reason,
            "town": town,
            "url": absolute_url(post.thread.board.site, reverse("community:mine")),
        },
    )
