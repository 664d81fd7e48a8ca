from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portal_pages.review import send_review_reminders


class Command(BaseCommand):
    help = (
        "次回見直し日を過ぎたページと14日以内に来るページを、見直しの担当者にメールで知らせます。"
        "1日1回、cron から実行してください。同じ日に2回実行しても、同じお知らせは送りません。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="送る相手とページ数を表示するだけで、メールは送らない"
        )

    def handle(self, *args, **options):
        run = send_review_reminders(dry_run=options["dry_run"])
        self.stdout.write(run.summary())
        if run.failed:
            raise CommandError(_("%(count)d人への送信に失敗しました。") % {"count": len(run.failed)})
