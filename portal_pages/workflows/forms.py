from django import forms
from django.utils.translation import gettext_lazy as _

COMMENT_MAX_LENGTH = 2000


class VoteForm(forms.Form):
    """The modal of 「承認」 and 「要修正」 in the page editor: every vote carries a comment."""

    comment = forms.CharField(
        label=_("コメント（筆者に届きます）"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea({"rows": 4}),
        help_text=_("よかった点、直してほしい点を具体的に書いてください。ニックネームとともに筆者へ届きます。"),
        error_messages={
            "required": _("コメントを書いてください。筆者はコメントを読んで記事を直します。"),
            "max_length": _("コメントは%(limit_value)d文字以内で書いてください（いまは%(show_value)d文字です）。"),
        },
    )
