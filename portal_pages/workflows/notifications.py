"""Japanese e-mail of the 編集会議: to that municipality's people only, and never the page's text.

When a page enters the meeting, its reviewers in that town are told; on every vote, the page's
author is told the decision and the comment, and asked to revise after a 「要修正」. Mail leaves
only once the vote or submission is committed, so a rolled-back step sends nothing.
(Wagtail's own workflow mail — to the submitter on approval and rejection, to group members
for its group approval tasks — is sent as well; see ``wagtail.admin.mail``.)
"""

from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.admin.utils import get_admin_base_url
from wagtail.models import Page, TaskState
from wagtail.users.models import UserProfile

from home.models import MunicipalitySettings

from . import meeting
from .models import Vote


def meeting_opened_on_commit(task_state):
    transaction.on_commit(partial(send_meeting_opened, task_state.pk))


def vote_cast_on_commit(vote, result):
    transaction.on_commit(partial(send_vote_cast, vote.pk, result))


def _town(page):
    site = page.get_site()
    return site, MunicipalitySettings.for_site(site)


def _town_users(site):
    """Everyone in one of the municipality's role groups, who can receive mail."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__municipality_role__site=site)
        .exclude(email="")
        .distinct()
    )


def _admin_url(name, *args):
    return f"{get_admin_base_url() or ''}{reverse(name, args=args)}"


def _one_line(text):
    return " ".join(str(text).split())


def _send(users, subject, template, context):
    """One message per recipient, so nobody sees the others' addresses, in their admin language."""
    users = list(users)
    if not users:
        return 0
    languages = dict(
        UserProfile.objects.filter(user__in=users)
        .exclude(preferred_language="")
        .values_list("user_id", "preferred_language")
    )
    messages = []
    for user in users:
        with translation.override(languages.get(user.pk, settings.LANGUAGE_CODE)):
            body = render_to_string(template, {**context, "recipient": user})
            messages.append(EmailMessage(_one_line(subject()), body, to=[user.email]))
    return get_connection().send_messages(messages)


def send_meeting_opened(task_state_id):
    """Tell the town's reviewers that a page is waiting for their votes."""
    task_state = (
        TaskState.objects.select_related("revision", "task")
        .filter(pk=task_state_id, status=TaskState.STATUS_IN_PROGRESS)
        .first()
    )
    if task_state is None:
        return 0
    task = task_state.task.specific
    page = Page.objects.select_related("owner").get(pk=task_state.revision.object_id)
    site, town = _town(page)
    town_reviewer_groups = task.groups.filter(municipality_role__site=site)
    reviewers = _town_users(site).filter(groups__in=town_reviewer_groups).exclude(pk=page.owner_id)
    title = _one_line(task_state.revision.object_str or page.title)

    def subject():
        return _("[%(site)s] 編集会議: 「%(title)s」が提出されました") % {
            "site": town.display_title,
            "title": title,
        }

    return _send(
        reviewers,
        subject,
        "portal_pages/workflows/mail/meeting_opened.txt",
        {
            "town": town,
            "title": title,
            "author": page.owner.public_name if page.owner else "",
            "quorum": task.quorum,
            "edit_url": _admin_url("wagtailadmin_pages:edit", page.pk),
            "agenda_url": _admin_url("portal_pages_workflows:agenda"),
        },
    )


def send_vote_cast(vote_id, result):
    """Tell the page's author how a reviewer voted, what they wrote and what happens next."""
    vote = (
        Vote.objects.select_related("user", "task_state__revision", "task_state__task")
        .filter(pk=vote_id)
        .first()
    )
    if vote is None:
        return 0
    page = Page.objects.select_related("owner").get(pk=vote.task_state.revision.object_id)
    if page.owner_id is None:
        return 0
    site, town = _town(page)
    author = _town_users(site).filter(pk=page.owner_id)
    title = _one_line(vote.task_state.revision.object_str or page.title)

    def subject():
        if result.outcome == meeting.CHANGES_REQUESTED:
            text = _("[%(site)s] 編集会議: 「%(title)s」に修正のお願いがあります")
        elif result.outcome == meeting.PASSED:
            text = _("[%(site)s] 編集会議: 「%(title)s」が編集会議を通りました")
        else:
            text = _("[%(site)s] 編集会議: 「%(title)s」に票が入りました（%(decision)s）")
        return text % {"site": town.display_title, "title": title, "decision": vote.get_decision_display()}

    return _send(
        author,
        subject,
        "portal_pages/workflows/mail/vote_cast.txt",
        {
            "town": town,
            "title": title,
            "vote": vote,
            "voter": vote.user.public_name,
            "task_name": vote.task_state.task.name,
            "result": result,
            "changes_requested": result.outcome == meeting.CHANGES_REQUESTED,
            "passed": result.outcome == meeting.PASSED,
            "edit_url": _admin_url("wagtailadmin_pages:edit", page.pk),
        },
    )
