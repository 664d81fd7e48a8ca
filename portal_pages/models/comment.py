from django.utils.translation import gettext_lazy as _
from django_comments_xtd.models import XtdComment


class ArticleComment(XtdComment):
    """A reader's comment, shown and e-mailed under the commenter's nickname only.

    django-comments prefers a signed-in user's full (real) name when it names a commenter, in
    pages and in follow-up e-mails; here the public name is always the nickname.
    """

    class Meta:
        proxy = True
        verbose_name = _("コメント")
        verbose_name_plural = _("コメント")

    def _get_userinfo(self):
        if not hasattr(self, "_userinfo"):
            name = self.user.public_name if self.user_id else self.user_name
            self._userinfo = {"name": str(name), "email": self.user_email, "url": ""}
        return self._userinfo

    userinfo = property(_get_userinfo)
