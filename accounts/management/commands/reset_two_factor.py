"""Remove a person's second factor when they lost both their phone and their recovery codes."""

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "認証アプリとリカバリーコードを失った職員の二段階認証を解除します。"
        "次にサインインしたとき、その人は二段階認証を設定し直します。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, username, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"利用者 {username} が見つかりません。") from error
        deleted, _ = Authenticator.objects.filter(user=user).delete()
        if deleted:
            self.stdout.write(f"{username} の二段階認証を解除しました（{deleted} 件）。")
        else:
            self.stdout.write(f"{username} には二段階認証が設定されていません。")
