from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Page

from community.models import Thread
from search import indexing


class Command(BaseCommand):
    help = (
        "Send every public page and every searchable board thread to Elasticsearch again "
        "(SEARCH_URL), showing progress."
    )

    def handle(self, *args, **options):
        if not settings.SEARCH_URL:
            raise CommandError(
                "SEARCH_URL is not set: the database index needs no rebuild here (use update_index)."
            )
        roots = list(Page.objects.filter(depth=2).values_list("pk", flat=True))
        total = Page.objects.filter(depth__gte=2).count()
        self.stdout.write(f"{total} pages under {len(roots)} site roots")
        for done, pk in enumerate(roots, start=1):
            indexing.sync([pk])
            self.stdout.write(f"  {done}/{len(roots)} trees sent")
        # Every thread, so that one no longer searchable is removed from the index too.
        thread_ids = list(Thread.objects.order_by("pk").values_list("pk", flat=True))
        self.stdout.write(f"{len(thread_ids)} board threads")
        for start in range(0, len(thread_ids), indexing.BATCH):
            indexing.sync_threads(thread_ids[start : start + indexing.BATCH])
            self.stdout.write(
                f"  {min(start + indexing.BATCH, len(thread_ids))}/{len(thread_ids)} threads sent"
            )
        self.stdout.write(self.style.SUCCESS("Elasticsearch is up to date."))
