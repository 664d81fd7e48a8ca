"""``manage.py consult_purge``: delete closed consultations past their town's retention period.

Meant for cron every night. Each town is purged in its own transaction; a failure in one town
is reported and the others still run (the command then exits non-zero).
"""

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site

from consult.retention import purge_site


class Command(BaseCommand):
    help = "Delete closed consultations past each town's retention period, keeping anonymous statistics."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be purged.")

    def handle(self, *args, dry_run=False, **options):
        verb = "would be purged" if dry_run else "purged"
        failed = []
        total = 0
        for site in Site.objects.order_by("pk"):
            name = site.site_name or site.hostname
            try:
                result = purge_site(site, dry_run=dry_run)
            except Exception as error:  # one town's failure must not stop the others
                failed.append(name)
                self.stderr.write(f"{name}: failed ({error.__class__.__name__}: {error})")
                continue
            total += result.purged
            self.stdout.write(
                f"{name}: {result.purged} {verb} (closed over {result.retention_days} days ago)"
            )
        self.stdout.write(f"total: {total} {verb}")
        if failed:
            raise CommandError(f"purge failed for: {', '.join(failed)}")
