"""Encryption at rest for what parents write.

Every field that can hold what a parent wrote (the question, replies, notes, the e-mail address
for notices) is stored as a Fernet token. Keys come from ``CONSULT_ENCRYPTION_KEYS`` in the
environment, newest first: new text is encrypted with the first key, text under any listed key
still reads, and ``manage.py consult_rotate_keys`` re-encrypts every row under the first key so
an old key can then be dropped. Production refuses to start without a key (config.settings.
production); the embedded default derives one from ``SECRET_KEY`` so ``make run`` works.
"""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _derived_key():
    digest = hashlib.sha256(f"kosodate-consult:{settings.SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(digest)


@lru_cache(maxsize=4)
def _fernet_for(keys):
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            "CONSULT_ENCRYPTION_KEYS must be Fernet keys (32 url-safe base64 bytes), comma-separated,"
            " newest first. Make one with: python -c 'from cryptography.fernet import Fernet;"
            " print(Fernet.generate_key().decode())'"
        ) from error


def fernet():
    keys = tuple(settings.CONSULT_ENCRYPTION_KEYS) or (_derived_key(),)
    return _fernet_for(keys)


def encrypt(text):
    return fernet().encrypt(text.encode()).decode("ascii")


def _missing_key():
    return ImproperlyConfigured(
        "A consultation field cannot be decrypted with CONSULT_ENCRYPTION_KEYS: the key it was"
        " written with is missing from the list."
    )


def decrypt(token):
    try:
        return fernet().decrypt(token.encode("ascii")).decode()
    except InvalidToken as error:
        raise _missing_key() from error


def rotate(token):
    """``token`` re-encrypted under the newest key."""
    try:
        return fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as error:
        raise _missing_key() from error


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; the database row never holds the plain text.

    Tokens differ on every save, so the field cannot be filtered or ordered on; nothing needs to.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
