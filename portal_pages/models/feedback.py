from django.db import models
from django.utils.translation import gettext_lazy as _


class Rating(models.TextChoices):
    USEFUL = "useful", _("役に立った")
    UNCLEAR = "unclear", _("わかりにくい")
    INSUFFICIENT = "insufficient", _("情報が足りない")


class PageFeedback(models.Model):
    """読者の声: one reader's answer to 「この情報は役に立ちましたか？」.

    Nothing identifies the reader: no account, no address, no IP is stored.
    """

    page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("ページ"), on_delete=models.CASCADE, related_name="feedback"
    )
    rating = models.CharField(_("評価"), max_length=20, choices=Rating.choices)
    comment = models.TextField(_("ご意見"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("読者の声")
        verbose_name_plural = _("読者の声")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["page", "rating"])]

    def __str__(self):
        return f"{self.page_id}: {self.get_rating_display()}"
