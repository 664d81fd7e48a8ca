"""The 編集会議 (editorial meeting) task and the votes cast in it."""

from django import forms
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from wagtail.models import Task, TaskState


class Decision(models.TextChoices):
    APPROVE = "approve", _("承認")
    CHANGES = "changes", _("要修正")


# Wagtail's action names (what the editor's action menu posts) and the decision each records.
ACTION_DECISIONS = {"approve": Decision.APPROVE, "request_changes": Decision.CHANGES}


class EditorialMeetingTask(Task):
    """編集会議: the NPO's editors read a draft together and vote on it.

    A page passes when ``quorum`` reviewers have approved and nobody asked for changes; one
    「要修正」 sends it back to its author with the comments. Votes belong to one task state, so
    a revision submitted again starts a fresh round. The rules are in ``workflows.meeting``.
    """

    groups = models.ManyToManyField(
        "auth.Group",
        verbose_name=_("会議のメンバー（グループ）"),
        related_name="editorial_meeting_tasks",
        help_text=_("このグループの人が投票します。自分が作成したページには投票できません。"),
    )
    quorum = models.PositiveSmallIntegerField(
        _("定足数"),
        default=2,
        validators=[MinValueValidator(1)],
        help_text=_("この数の「承認」が集まり、「要修正」がなければ、次の段階へ進みます。"),
    )

    admin_form_fields = [*Task.admin_form_fields, "groups", "quorum"]
    admin_form_widgets = {"groups": forms.CheckboxSelectMultiple}

    class Meta:
        verbose_name = _("編集会議")
        verbose_name_plural = _("編集会議")

    def start(self, workflow_state, user=None):
        from . import notifications

        task_state = super().start(workflow_state, user=user)
        notifications.meeting_opened_on_commit(task_state)
        return task_state

    def is_reviewer(self, user):
        """Whether ``user`` sits in this meeting; remembered on the user for the request."""
        if not user.is_authenticated or not user.is_active:
            return False
        cache = getattr(user, "_editorial_meeting_reviewer", None)
        if cache is None:
            cache = user._editorial_meeting_reviewer = {}
        if self.pk not in cache:
            cache[self.pk] = self.groups.filter(pk__in=user.groups.values("pk")).exists()
        return cache[self.pk]

    def user_can_access_editor(self, obj, user):
        return user.is_superuser or self.is_reviewer(user)

    def locked_for_user(self, obj, user):
        return not (user.is_superuser or self.is_reviewer(user))

    def get_actions(self, obj, user):
        from . import meeting

        if not meeting.may_vote_on(self, obj, user):
            return []
        return [
            ("approve", str(Decision.APPROVE.label), True),
            ("request_changes", str(Decision.CHANGES.label), True),
        ]

    def get_form_for_action(self, action):
        from .forms import VoteForm

        return VoteForm

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        from . import meeting

        decision = ACTION_DECISIONS.get(action_name)
        if decision is None:
            meeting.refuse(_("編集会議では「承認」か「要修正」で投票してください。"))
        meeting.cast_vote(task_state, user, decision, kwargs.get("comment", ""))

    def get_task_states_user_can_moderate(self, user, **kwargs):
        from . import meeting

        if not self.is_reviewer(user):
            return TaskState.objects.none()
        return meeting.open_states_awaiting(self, user)

    @classmethod
    def get_description(cls):
        return _(
            "メンバーがコメントを添えて「承認」か「要修正」に投票します。承認が定足数に達し、"
            "要修正がなければ通過します。要修正が1票でもあれば、コメントとともに筆者へ戻ります。"
        )


class Vote(models.Model):
    """One reviewer's vote on one submitted revision, with the comment its author will read."""

    task_state = models.ForeignKey(
        "wagtailcore.TaskState",
        verbose_name=_("審査"),
        on_delete=models.CASCADE,
        related_name="editorial_votes",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("投票した人"),
        on_delete=models.CASCADE,
        related_name="editorial_votes",
    )
    decision = models.CharField(_("判断"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("コメント"), help_text=_("筆者が読みます。"))
    created_at = models.DateTimeField(_("日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("編集会議の票")
        verbose_name_plural = _("編集会議の票")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["task_state", "user"], name="one_vote_per_reviewer_and_round")
        ]

    def __str__(self):
        return f"{self.get_decision_display()}: {self.user.public_name}"
