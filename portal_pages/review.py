"""The content review cycle: every published portal page has a 次回見直し日 (next review date)."""

import datetime

from django.utils import timezone

REVIEW_AFTER = datetime.timedelta(days=365)


def set_default_review_date(sender, instance, **kwargs):
    """On publish, a page without a next review date gets one a year from now."""
    from .models import ContentPage

    page = instance.specific
    if isinstance(page, ContentPage) and page.next_review is None:
        next_review = timezone.localdate() + REVIEW_AFTER
        type(page).objects.filter(pk=page.pk).update(next_review=next_review)
        page.next_review = next_review


def connect_signals():
    from wagtail.signals import page_published

    page_published.connect(set_default_review_date, dispatch_uid="portal-review-date")
