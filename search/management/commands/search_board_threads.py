from django.core.management.base import BaseCommand

from search import community_index


class Command(BaseCommand):
    help = "Rebuild the searchable text of every public board thread (after a deploy or a bulk change)."

    def handle(self, *args, **options):
        count = community_index.rebuild()
        self.stdout.write(self.style.SUCCESS(f"{count} public board threads are searchable."))
