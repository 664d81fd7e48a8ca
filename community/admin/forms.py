"""The forms of the moderation screens: every field labelled, every message in Japanese."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Board

KIND_CHOICES = [
    ("", _("すべて")),
    ("pending", _("承認待ち")),
    ("held", _("保留")),
    ("hidden", _("通報で非表示")),
]


class QueueFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("種類"), choices=KIND_CHOICES, required=False)
    board = forms.ModelChoiceField(
        label=_("掲示板"), queryset=Board.objects.none(), required=False, empty_label=_("すべての掲示板")
    )

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["board"].queryset = Board.objects.filter(site=site)


class ThreadFilterForm(forms.Form):
    board = forms.ModelChoiceField(
        label=_("掲示板"), queryset=Board.objects.none(), required=False, empty_label=_("すべての掲示板")
    )

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["board"].queryset = Board.objects.filter(site=site)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("却下の理由"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("投稿者にメールで伝えられます。投稿の本文はメールに入りません。"),
        error_messages={"required": _("却下の理由を入力してください。投稿者に伝えられます。")},
    )


class PostEditForm(forms.Form):
    body = forms.CharField(
        label=_("本文"),
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": _("本文を入力してください。")},
    )
    reason = forms.CharField(
        label=_("編集の理由"),
        required=False,
        max_length=500,
        help_text=_("モデレーション記録に残ります（例：電話番号を削除）。"),
    )


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label=_("投稿停止の理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("モデレーション記録に残ります。"),
        error_messages={"required": _("投稿停止の理由を入力してください。")},
    )
