"""Wagtail's own workflow e-mails read in Japanese and name people by nickname only."""

import pytest
from django.core import mail

from .test_workflows import draft, mitaka, people, submit, vote  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_changes_requested_mail_is_japanese_with_the_comment_and_no_real_name(client, mitaka, people):  # noqa: F811
    people.kawa.first_name, people.kawa.last_name = "一郎", "川口"
    people.kawa.save()
    page = draft(mitaka, people.reporter, title="公園マップ")
    submit(page, people.reporter)
    mail.outbox.clear()

    vote(client, page, people.kawa, "request_changes", "写真の説明を足してください。")

    to_author = [message for message in mail.outbox if people.reporter.email in message.to]
    assert to_author, "the author hears of the request"
    wagtail_mail = [message for message in to_author if "修正の依頼" in message.subject]
    assert wagtail_mail, [message.subject for message in to_author]
    body = wagtail_mail[0].body
    assert "「公園マップ」" in body and "写真の説明を足してください。" in body
    assert "かわさん" in body
    for message in mail.outbox:
        assert "川口" not in message.body and "一郎" not in message.body
        assert "has been" not in message.body, "no English template is left"


def test_submission_mail_goes_only_to_this_towns_reviewers_in_japanese(
    client,
    mitaka,  # noqa: F811
    people,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    page = draft(mitaka, people.reporter, title="図書館のおはなし会")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submit(page, people.reporter)
    assert mail.outbox
    for message in mail.outbox:
        assert "図書館のおはなし会" in message.subject
        assert people.counsellor.email not in message.to
        assert "Hello" not in message.body
