"""Consultation text is encrypted at rest, and the keys can be rotated."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from consult import services
from consult.models import Consultation, InternalNote, Message

QUESTION = "夫が怖くて、子どもを連れて逃げたいと思うことがあります。"
REPLY = "お話しくださってありがとうございます。まずは安全な場所を一緒に考えましょう。"
NOTE = "母子ともに面談が必要。子ども家庭支援センターへ連絡済み。"
EMAIL = "hanako.secret@example.jp"
NICKNAME = "はなこママ"

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()


def raw_row(model, pk):
    """Every column of one row as the database holds it."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()


@pytest.fixture
def case(town_a, counsellor, make_case):
    case = make_case(town_a, question=QUESTION, email=EMAIL, nickname=NICKNAME, reply_channel="email")
    services.counsellor_reply(case, counsellor, REPLY)
    services.add_note(case, counsellor, NOTE)
    return Consultation.objects.get(pk=case.pk)


def read_everything(case):
    case = Consultation.objects.get(pk=case.pk)
    return {
        "nickname": case.nickname,
        "email": case.email,
        "risk_terms": case.risk_terms,
        "messages": [message.body for message in Message.objects.filter(consultation=case)],
        "notes": [note.body for note in InternalNote.objects.filter(consultation=case)],
    }


def test_database_rows_hold_no_plaintext(case):
    secrets = [QUESTION, REPLY, NOTE, EMAIL, NICKNAME, "夫が怖", "逃げたい", "hanako"]
    rows = [raw_row(Consultation, case.pk)]
    rows += [raw_row(Message, pk) for pk in case.messages.values_list("pk", flat=True)]
    rows += [raw_row(InternalNote, pk) for pk in case.notes.values_list("pk", flat=True)]
    assert len(rows) == 4
    for row in rows:
        for column in row:
            for secret in secrets:
                assert secret not in str(column)
    message_table = connection.ops.quote_name(Message._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT body FROM {message_table} WHERE consultation_id = %s", [case.pk])
        tokens = [body for (body,) in cursor.fetchall()]
    assert all(token.startswith("gAAAAA") for token in tokens)


def test_japanese_text_round_trips(case):
    assert read_everything(case) == {
        "nickname": NICKNAME,
        "email": EMAIL,
        "risk_terms": "夫が怖、逃げたい",
        "messages": [QUESTION, REPLY],
        "notes": [NOTE],
    }


def test_same_text_is_stored_differently_each_time(town_a, make_case):
    first, second = make_case(town_a, nickname=NICKNAME), make_case(town_a, nickname=NICKNAME)
    assert raw_row(Consultation, first.pk) != raw_row(Consultation, second.pk)


def test_rotation_lets_the_old_key_be_dropped(settings, town_a, counsellor, make_case):
    settings.CONSULT_ENCRYPTION_KEYS = [KEY_A]
    case = make_case(town_a, question=QUESTION, email=EMAIL, nickname=NICKNAME, reply_channel="email")
    services.counsellor_reply(case, counsellor, REPLY)
    services.add_note(case, counsellor, NOTE)
    before = read_everything(case)

    settings.CONSULT_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    out = StringIO()
    call_command("consult_rotate_keys", batch_size=2, stdout=out)
    # nickname, email, risk_terms, two messages, one note
    assert "total: 6 of 6 values rotated" in out.getvalue()

    settings.CONSULT_ENCRYPTION_KEYS = [KEY_B]
    assert read_everything(case) == before

    settings.CONSULT_ENCRYPTION_KEYS = [KEY_A]
    with pytest.raises(ImproperlyConfigured):
        read_everything(case)


def test_rotation_twice_rotates_nothing_the_second_time(settings, town_a, make_case):
    settings.CONSULT_ENCRYPTION_KEYS = [KEY_A]
    make_case(town_a, question=QUESTION, nickname=NICKNAME)  # nickname, risk_terms, question
    settings.CONSULT_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    call_command("consult_rotate_keys", stdout=StringIO())
    out = StringIO()
    call_command("consult_rotate_keys", stdout=out)
    assert "total: 0 of 3 values rotated" in out.getvalue()


def test_missing_key_is_a_clear_error(settings, town_a, make_case):
    settings.CONSULT_ENCRYPTION_KEYS = [KEY_A]
    case = make_case(town_a, question=QUESTION)
    settings.CONSULT_ENCRYPTION_KEYS = [KEY_B]
    with pytest.raises(ImproperlyConfigured, match="CONSULT_ENCRYPTION_KEYS"):
        Message.objects.get(consultation=case).body  # noqa: B018
    with pytest.raises(CommandError, match="CONSULT_ENCRYPTION_KEYS"):
        call_command("consult_rotate_keys", stdout=StringIO())


def test_a_malformed_key_is_a_clear_error(settings, town_a, make_case):
    settings.CONSULT_ENCRYPTION_KEYS = ["not-a-fernet-key"]
    with pytest.raises(ImproperlyConfigured, match="Fernet keys"):
        make_case(town_a)
