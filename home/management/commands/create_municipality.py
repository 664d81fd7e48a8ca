from django.core.management.base import BaseCommand, CommandError

from home.municipality import MunicipalityError, create_municipality
from home.roles import ROLES


class Command(BaseCommand):
    help = "自治体（サイト、セクション、コレクション、役割ごとのグループ）を作成します。"

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="正式名称（例：三鷹市）")
        parser.add_argument("--hostname", required=True, help="ホスト名（例：mitaka.example.jp）")
        parser.add_argument("--port", type=int, default=80)
        parser.add_argument("--short-name", default="", help="略称（例：みたか）")
        parser.add_argument("--default", action="store_true", help="既定のサイトにする")

    def handle(self, *args, **options):
        try:
            town = create_municipality(
                options["name"],
                options["hostname"],
                port=options["port"],
                short_name=options["short_name"],
                is_default=options["default"],
            )
        except MunicipalityError as error:
            raise CommandError(str(error)) from error
        verb = "作成しました" if town.created else "既にあります（不足分だけ補いました）"
        self.stdout.write(self.style.SUCCESS(f"{town.settings.official_name}: {verb}"))
        self.stdout.write(f"  サイト: http://{town.site.hostname}:{town.site.port}/")
        for role in ROLES:
            self.stdout.write(f"  グループ: {town.group(role.key).name}")
