"""``manage.py consult_rotate_keys``: re-encrypt every consultation field under the newest key.

Run after putting a new key first in ``CONSULT_ENCRYPTION_KEYS`` (keeping the old ones after
it); once it reports every value current, the old keys can be dropped from the list. Stored
tokens are read and written as they are in the database — never decrypted into model objects —
in batches, each batch in one transaction with its rows locked. A value already under the
newest key is left alone, so a second run rotates nothing.
"""

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.db.models.functions import Cast

from consult import crypto
from consult.crypto import EncryptedTextField


def encrypted_fields():
    """(model, [field names]) for every consult model with encrypted fields."""
    for model in apps.get_app_config("consult").get_models():
        names = [field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)]
        if names:
            yield model, names


def newest_fernet():
    keys = tuple(settings.CONSULT_ENCRYPTION_KEYS) or (crypto._derived_key(),)
    return Fernet(keys[0])


def is_current(fernet, token):
    try:
        fernet.decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


class Command(BaseCommand):
    help = "Re-encrypt every consultation field under the newest CONSULT_ENCRYPTION_KEYS key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size=500, **options):
        newest = newest_fernet()
        rotated = checked = 0
        for model, names in encrypted_fields():
            model_rotated, model_checked = self.rotate_model(model, names, newest, batch_size)
            rotated += model_rotated
            checked += model_checked
            self.stdout.write(f"{model._meta.label}: {model_rotated} of {model_checked} values rotated")
        self.stdout.write(f"total: {rotated} of {checked} values rotated")

    def rotate_model(self, model, names, newest, batch_size):
        # Cast to a plain TextField: the raw token, without EncryptedTextField.from_db_value.
        raw = {f"raw_{name}": Cast(name, output_field=models.TextField()) for name in names}
        rotated = checked = 0
        last_pk = None
        while True:
            with transaction.atomic():
                rows = model._base_manager.order_by("pk").select_for_update()
                if last_pk is not None:
                    rows = rows.filter(pk__gt=last_pk)
                rows = list(rows.annotate(**raw).values_list("pk", *raw)[:batch_size])
                for pk, *tokens in rows:
                    changes = {}
                    for name, token in zip(names, tokens, strict=True):
                        if not token:
                            continue
                        checked += 1
                        if is_current(newest, token):
                            continue
                        try:
                            changes[name] = models.Value(
                                crypto.rotate(token), output_field=models.TextField()
                            )
                        except ImproperlyConfigured as error:
                            raise CommandError(f"{model._meta.label} #{pk} {name}: {error}") from error
                    if changes:
                        # A Value with a plain output field is written as is, not encrypted again.
                        model._base_manager.filter(pk=pk).update(**changes)
                        rotated += len(changes)
            if len(rows) < batch_size:
                return rotated, checked
            last_pk = rows[-1][0]
