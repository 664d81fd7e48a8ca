from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portal_pages.importer import ACTION_LABELS, ContentImportError, find_site, import_content


class Command(BaseCommand):
    help = (
        "旧サイトのページを JSON Lines（1行に1ページ）から取り込みます。"
        "すべての行を確認してから、1つのトランザクションで書き込みます。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="取り込むファイル（UTF-8 の JSON Lines）")
        parser.add_argument(
            "--municipality", metavar="HOSTNAME", help="自治体のホスト名（省略時は既定のサイト）"
        )
        parser.add_argument("--dry-run", action="store_true", help="確認だけして、何も書き込まない")

    def handle(self, *args, **options):
        try:
            site = find_site(options["municipality"])
        except ContentImportError as error:
            raise CommandError(str(error)) from error
        try:
            with open(options["file"], "rb") as lines:
                result = import_content(lines, site, dry_run=options["dry_run"], progress=self.progress)
        except OSError as error:
            raise CommandError(
                _("ファイル %(file)s を開けません（%(reason)s）。")
                % {"file": options["file"], "reason": error.strerror}
            ) from error
        except ContentImportError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                _("%(count)d件の問題があるため、取り込みを中止しました。何も書き込んでいません。")
                % {"count": len(error.problems)}
            ) from error

        if result.dry_run or options["verbosity"] > 1:
            for outcome in result.outcomes:
                self.stdout.write(
                    _("%(line)d行目: %(action)s %(type)s「%(title)s」（%(slug)s）")
                    % {
                        "line": outcome.line,
                        "action": ACTION_LABELS[outcome.action],
                        "type": outcome.type,
                        "title": outcome.title,
                        "slug": outcome.slug,
                    }
                )
        if result.dry_run:
            self.stdout.write(
                _("試行のため何も書き込んでいません。取り込むと %(summary)s になります。")
                % {"summary": result.summary()}
            )
        else:
            self.stdout.write(self.style.SUCCESS(result.summary()))

    def progress(self, done, total):
        if done == 0:
            self.stdout.write(_("%(total)d件すべての行を確認しました。") % {"total": total})
        else:
            self.stdout.write(_("%(done)d / %(total)d 件を処理しました。") % {"done": done, "total": total})
