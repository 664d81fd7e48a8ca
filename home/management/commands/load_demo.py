from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from home.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "デモ用の自治体「ひなた市」と、役割ごとのデモ利用者を作成します（何度実行しても同じ結果）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="DEBUG=False でも実行する（公開サーバーでは使わないでください）",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "デモ利用者は誰でも知っているパスワードでログインできるため、DEBUG=False では作成しません。"
                "検証環境で使う場合は --allow-production を付けてください。"
            )
        town, users = load_demo()
        self.stdout.write(self.style.SUCCESS(f"デモ自治体「{town.settings.official_name}」を用意しました。"))
        self.stdout.write("  サイト:   http://127.0.0.1:8000/")
        self.stdout.write("  管理画面: http://127.0.0.1:8000/admin/")
        self.stdout.write(f"  パスワード（全員共通）: {DEMO_PASSWORD}")
        for spec, user in users:
            role = town.group(spec.role).name if spec.role else "スーパーユーザー（全自治体）"
            self.stdout.write(f"  {user.username:<16} {role}")
