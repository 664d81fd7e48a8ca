from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person with an account: a parent, a citizen reporter, a counsellor, staff.

    The real name and e-mail are private; what the public sees is the nickname. A member
    belongs to one municipality (a Wagtail ``Site``); platform operators belong to none.
    """

    nickname = models.CharField(
        _("ニックネーム"),
        max_length=40,
        blank=True,
        help_text=_("掲示板などで公開される名前です。本名は公開されません。"),
    )
    municipality = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("自治体"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )

    class Meta:
        verbose_name = _("利用者")
        verbose_name_plural = _("利用者")

    @property
    def public_name(self):
        return self.nickname or _("匿名さん")


#: What a post shows in place of its author once the member has deleted their account.
DELETED_MEMBER_NAME = _("退会したメンバー")


def public_name_of(user):
    """The name to show for the author of a post: ``user.public_name``, or 「退会したメンバー」
    when the account was deleted (the post's author foreign key was set to NULL)."""
    return user.public_name if user is not None else DELETED_MEMBER_NAME
