from django import forms
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from .models import EditorialMeetingTask

COMMENT_MAX_LENGTH = 2000


class VoteForm(forms.Form):
    """The modal of 「承認」 and 「要修正」 in the page editor: every vote carries a comment."""

    comment = forms.CharField(
        label=_("コメント（筆者に届きます）"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea({"rows": 4}),
        help_text=_(
            "よかった点、直してほしい点を具体的に書いてください。ニックネームとともに筆者へ届きます。"
        ),
        error_messages={
            "required": _("コメントを書いてください。筆者はコメントを読んで記事を直します。"),
            "max_length": _(
                "コメントは%(limit_value)d文字以内で書いてください（いまは%(show_value)d文字です）。"
            ),
        },
    )


class MeetingSettingsForm(forms.ModelForm):
    """A town's site admin sets the quorum and the members of the town's 編集会議.

    Only the town's own groups are offered; groups an operator added from elsewhere are kept.
    """

    class Meta:
        model = EditorialMeetingTask
        fields = ["quorum", "groups"]
        widgets = {"groups": forms.CheckboxSelectMultiple}

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.town_groups = Group.objects.filter(municipality_role__site=site).order_by("name")
        self.fields["groups"].queryset = self.town_groups
        self.fields["quorum"].widget.attrs["min"] = 1
        self.initial["groups"] = list(self.instance.groups.filter(pk__in=self.town_groups))

    def save(self):
        task = super().save(commit=False)
        task.save()
        kept = task.groups.exclude(pk__in=self.town_groups)
        task.groups.set([*kept, *self.cleaned_data["groups"]])
        return task
