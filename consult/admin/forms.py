"""Forms of the counsellors' back office. None of them ever carries a case's text back out."""

import unicodedata

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import AccessLog, CannedReply, Category, RiskTerm, Status
from ..triage import fold

OPEN = ""
ALL = "all"


def person_label(user):
    return user.get_full_name() or getattr(user, "nickname", "") or user.get_username()


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


class InboxFilterForm(forms.Form):
    """The inbox's filters (GET). Blank means no filter; the status defaults to every open case."""

    status = forms.ChoiceField(
        label=_("状態"),
        required=False,
        choices=[(OPEN, _("終了以外")), *Status.choices, (ALL, _("すべて"))],
    )
    category = forms.ChoiceField(
        label=_("相談の種類"), required=False, choices=[("", _("すべて")), *Category.choices]
    )
    urgency = forms.ChoiceField(
        label=_("緊急度"),
        required=False,
        choices=[("", _("すべて")), ("urgent", _("緊急のみ")), ("normal", _("緊急以外"))],
    )
    assignee = forms.ChoiceField(label=_("担当者"), required=False)
    overdue = forms.BooleanField(label=_("期限を過ぎた未回答のみ"), required=False)

    def __init__(self, *args, counsellors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            ("", _("すべて")),
            ("me", _("自分")),
            ("none", _("担当なし")),
            *((str(user.pk), person_label(user)) for user in counsellors),
        ]

    def value(self, name):
        return self.cleaned_data.get(name) if self.is_valid() else self.fields[name].initial


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("相談者への回答"),
        widget=forms.Textarea(attrs={"rows": 10, "data-consult-reply": ""}),
        help_text=_(
            "送ると状態は「回答済」になり、相談者に回答が届いたことを知らせます（メールに本文は入りません）。"
        ),
    )


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("内部メモ"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("相談者には表示されず、メールにも入りません。"),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状態"), choices=[(value, label) for value, label in Status.choices if value != Status.NEW]
    )


class AssignForm(forms.Form):
    assignee = PersonChoiceField(
        label=_("担当者"), queryset=get_user_model().objects.none(), required=False, empty_label=_("担当なし")
    )

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = services.town_counsellors(site)


class CannedReplyForm(forms.ModelForm):
    class Meta:
        model = CannedReply
        fields = ["title", "body", "sort_order"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}


class RiskTermForm(forms.ModelForm):
    class Meta:
        model = RiskTerm
        fields = ["term", "kind"]

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site

    def clean_term(self):
        term = unicodedata.normalize("NFKC", self.cleaned_data["term"]).strip()
        if not fold(term):
            raise forms.ValidationError(_("語句を入力してください。"))
        folded = fold(term)
        existing = RiskTerm.objects.filter(site=self.site).values_list("term", flat=True)
        if any(fold(other) == folded for other in existing):
            raise forms.ValidationError(_("この語句はすでに登録されています。"))
        return term


class AccessLogFilterForm(forms.Form):
    number = forms.CharField(label=_("相談番号"), required=False, max_length=20)
    user = PersonChoiceField(
        label=_("操作した人"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("すべて"),
    )
    action = forms.ChoiceField(
        label=_("操作"), required=False, choices=[("", _("すべて")), *AccessLog.Action.choices]
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff
