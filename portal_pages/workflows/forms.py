from django import forms
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from .editing import set_town_groups
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
        set_town_groups(task, self.cleaned_data["groups"], self.town_groups)
        return task


class StepForm(forms.Form):
    """One step of a town's workflow: its name, who decides and, for a 編集会議, the quorum."""

    KINDS = [
        ("approval", _("承認（グループのうち1人が承認すれば次へ進みます）")),
        ("meeting", _("編集会議（定足数の「承認」が集まれば次へ進みます）")),
    ]

    kind = forms.ChoiceField(
        label=_("手順の種類"), choices=KINDS, widget=forms.RadioSelect, initial="approval"
    )
    label = forms.CharField(
        label=_("手順の名前"),
        max_length=100,
        help_text=_("例：担当課確認、子育て広報室承認。自治体名は自動で先頭に付きます。"),
        error_messages={"required": _("手順の名前を入力してください。")},
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("承認するグループ"),
        queryset=Group.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("承認するグループを1つ以上選んでください。")},
    )
    quorum = forms.IntegerField(
        label=_("定足数（編集会議のみ）"),
        min_value=1,
        max_value=20,
        initial=2,
        required=False,
        error_messages={
            "min_value": _("定足数は1以上にしてください。"),
            "max_value": _("定足数は%(limit_value)s以下にしてください。"),
        },
    )

    def __init__(self, *args, site, editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.town_groups = Group.objects.filter(municipality_role__site=site).order_by("name")
        self.fields["groups"].queryset = self.town_groups
        self.editing = editing
        if editing is not None:
            # A step's kind is fixed once it exists; a meeting keeps its quorum field.
            del self.fields["kind"]
            if not isinstance(editing, EditorialMeetingTask):
                del self.fields["quorum"]

    @property
    def is_meeting(self):
        if self.editing is not None:
            return isinstance(self.editing, EditorialMeetingTask)
        return self.cleaned_data.get("kind") == "meeting"

    def clean(self):
        cleaned = super().clean()
        if "quorum" in self.fields and self.is_meeting:
            quorum = cleaned.get("quorum")
            if quorum is None and "quorum" not in self.errors:
                self.add_error("quorum", _("編集会議の定足数を入力してください。"))
        return cleaned
