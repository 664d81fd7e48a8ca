"""The rules of the 編集会議 (editorial meeting), in plain functions the task, views and tests share.

A round of the meeting is one Wagtail ``TaskState``: the revision that was submitted. Each
reviewer votes once per round, with a comment, and never on a page they created. One
「要修正」 ends the round and returns the page to its author; ``quorum`` approvals pass it. When
the author resubmits, Wagtail opens a new ``TaskState``, so the votes start over. When a
reviewer saves a new version during a round, the next vote reopens the round on that version,
so that every vote counted was cast on the same text.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import LogContext, LogFormatter, log
from wagtail.models import Page, TaskState, WorkflowState

from .models import Decision, Vote

VOTE_LOG_ACTION = "portal_pages.editorial_meeting.vote"

OPEN = "open"
PASSED = "passed"
CHANGES_REQUESTED = "changes_requested"


@dataclass(frozen=True)
class Tally:
    """The votes of one round against the quorum."""

    approvals: int
    changes: int
    quorum: int

    @property
    def outcome(self):
        if self.changes:
            return CHANGES_REQUESTED
        if self.approvals >= self.quorum:
            return PASSED
        return OPEN


def tally(votes, quorum):
    decisions = [vote.decision for vote in votes]
    return Tally(
        approvals=decisions.count(Decision.APPROVE),
        changes=decisions.count(Decision.CHANGES),
        quorum=quorum,
    )


class VoteLogFormatter(LogFormatter):
    """How a vote reads in the page's history, where its author finds the comment again."""

    label = gettext_lazy("編集会議の投票")

    def format_message(self, log_entry):
        decision = Decision(log_entry.data.get("decision", Decision.APPROVE))
        return _("「%(task)s」で「%(decision)s」に投票しました") % {
            "task": log_entry.data.get("task", {}).get("title", ""),
            "decision": decision.label,
        }

    def format_comment(self, log_entry):
        return log_entry.data.get("comment", "")


def refuse(message):
    raise PermissionDenied(message)


def is_author(page, user):
    """The page's owner (who created it) is its author; authors never vote on their own pages."""
    return page.owner_id is not None and page.owner_id == user.pk


def _open_rounds(task, page):
    return TaskState.objects.filter(
        task=task,
        status=TaskState.STATUS_IN_PROGRESS,
        workflow_state__status=WorkflowState.STATUS_IN_PROGRESS,
        workflow_state__base_content_type=page.get_base_content_type(),
        workflow_state__object_id=str(page.pk),
    )


def may_vote_on(task, page, user):
    """Whether ``user`` may vote now on ``page``, which is at ``task``: what the editor offers."""
    if not task.is_reviewer(user) or is_author(page, user):
        return False
    return not Vote.objects.filter(user=user, task_state__in=_open_rounds(task, page)).exists()


def open_states_awaiting(task, user):
    """The open rounds of ``task`` still waiting for ``user``'s vote (the dashboard's review list)."""
    own_pages = [str(pk) for pk in Page.objects.filter(owner=user).values_list("pk", flat=True)]
    return (
        TaskState.objects.filter(
            task=task,
            status=TaskState.STATUS_IN_PROGRESS,
            workflow_state__status=WorkflowState.STATUS_IN_PROGRESS,
        )
        .exclude(workflow_state__object_id__in=own_pages)
        .exclude(editorial_votes__user=user)
    )


def refusal(task_state, user, page):
    """Why ``user`` may not vote in this round, in Japanese; None when they may."""
    task = task_state.task.specific
    if task_state.status != TaskState.STATUS_IN_PROGRESS:
        return _("この審査はもう終わっています。")
    if not task.is_reviewer(user):
        return _("投票できるのは、この編集会議のメンバーだけです。")
    if is_author(page, user):
        return _("自分が作成したページには投票できません。")
    if task_state.editorial_votes.filter(user=user).exists():
        return _("このページにはもう投票しています。投票は1人1回です。")
    return None


def _reopen_on_latest_revision(task_state, user):
    task_state.cancel(
        user=user,
        resume=True,
        comment=_("審査中に新しい版が保存されたため、新しい版で投票をやり直します。"),
    )
    return task_state.workflow_state.current_task_state


def _move_on(task_state, user):
    """Take the workflow past the passed meeting, on the meeting's authority.

    When the meeting is the last step (citizen blogs), passing it publishes the page, yet its
    members may hold no publish permission in that section; Wagtail checks the permission of
    the user it is given, so the workflow moves on in no one's name. The log still names the
    member whose vote decided it.
    """
    with LogContext(user=user):
        task_state.workflow_state.update(user=None)


def summary(votes):
    """Every comment of a round, for the task state's comment (Wagtail's history and mail)."""
    return "\n".join(
        f"【{vote.get_decision_display()}】{vote.user.public_name}: {vote.comment}" for vote in votes
    )


@transaction.atomic
def cast_vote(task_state, user, decision, comment):
    """Record ``user``'s vote and end the round when it is decided; returns the vote.

    Raises ``PermissionDenied`` (with the reason) when the user may not vote and
    ``ValidationError`` when the comment is empty.
    """
    comment = (comment or "").strip()
    if decision not in Decision.values:
        refuse(_("編集会議では「承認」か「要修正」で投票してください。"))
    if not comment:
        raise ValidationError(_("コメントを書いてください。筆者はコメントを読んで記事を直します。"))

    # Concurrent votes on one round are taken one at a time (PostgreSQL; SQLite locks the file).
    task_state = TaskState.objects.select_for_update().get(pk=task_state.pk)
    page = Page.objects.get(pk=task_state.workflow_state.object_id)
    reason = refusal(task_state, user, page)
    if reason:
        refuse(reason)
    if page.latest_revision_id != task_state.revision_id:
        task_state = _reopen_on_latest_revision(task_state, user)

    task = task_state.task.specific
    vote = Vote.objects.create(task_state=task_state, user=user, decision=decision, comment=comment)
    log(
        instance=page,
        action=VOTE_LOG_ACTION,
        user=user,
        revision=task_state.revision,
        data={
            "decision": vote.decision,
            "comment": vote.comment,
            "task": {"id": task.pk, "title": task.name},
            "task_state_id": task_state.pk,
        },
    )

    votes = list(task_state.editorial_votes.select_related("user"))
    result = tally(votes, task.quorum)
    if result.outcome == CHANGES_REQUESTED:
        task_state.reject(user=user, comment=summary(votes))
    elif result.outcome == PASSED:
        task_state.approve(user=user, comment=summary(votes), update=False)
        _move_on(task_state, user)

    from . import notifications

    notifications.vote_cast_on_commit(vote, result)
    return vote
