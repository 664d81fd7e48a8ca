from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Page

from search import indexing


class Command(BaseCommand):
    help = "Send every public page to Elasticsearch again (SEARCH_URL), showing progress."

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
        self.stdout.write(self.style.SUCCESS("Elasticsearch is up to date."))
