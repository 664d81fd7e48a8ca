"""The members' forms of the boards: a new thread, a reply, an edit and a report.

Everything typed stays on the page when something is wrong; the messages say, in Japanese,
what to change. A hidden field (the honeypot) catches programs that fill every box.
"""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from .models import Report

TITLE_MAX_LENGTH = 80
BODY_MAX_LENGTH = 4000
NOTE_MAX_LENGTH = 300
# A field people never see; a program filling every box fills it too.
HONEYPOT = "homepage"


def _format_lazy(message, **values):
    """``message % values``, translated when shown rather than when the module is imported."""
    return lazy(lambda: str(message) % values, str)()


def _body_field(label):
    return forms.CharField(
        label=label,
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_format_lazy(
            _(
                "%(limit)s文字まで。お名前・電話番号・住所・メールアドレスなど、"
                "あなたや他の人が特定される情報は書かないでください。"
            ),
            limit=f"{BODY_MAX_LENGTH:,}",
        ),
        error_messages={
            "required": _("本文を書いてください。"),
            "max_length": _("本文は%(limit_value)s文字までにしてください（いま%(show_value)s文字です）。"),
        },
    )


def _subscribe_field():
    return forms.BooleanField(
        label=_("返信をメールで知らせる"),
        required=False,
        help_text=_("メールには投稿の内容は書かれません。あとからスレッドの画面で止められます。"),
    )


def _required_text(form, name, message):
    value = form.cleaned_data[name].strip()
    if not value:
        raise forms.ValidationError(message, code="required")
    return value


class PostingForm(forms.Form):
    """What every form that publishes text shares: the honeypot."""

    homepage = forms.CharField(label=_("この欄には何も入力しないでください"), required=False)

    @property
    def honeypot_filled(self):
        return bool(self.data.get(HONEYPOT, "").strip())


class ThreadForm(PostingForm):
    title = forms.CharField(
        label=_("タイトル"),
        max_length=TITLE_MAX_LENGTH,
        help_text=_format_lazy(_("%(limit)s文字まで。"), limit=TITLE_MAX_LENGTH),
        error_messages={
            "required": _("タイトルを書いてください。"),
            "max_length": _(
                "タイトルは%(limit_value)s文字までにしてください（いま%(show_value)s文字です）。"
            ),
        },
    )
    body = _body_field(_("本文"))
    subscribe = _subscribe_field()

    field_order = ("title", "body", "subscribe", "homepage")

    def clean_title(self):
        return _required_text(self, "title", _("タイトルを書いてください。"))

    def clean_body(self):
        return _required_text(self, "body", _("本文を書いてください。"))


class ReplyForm(PostingForm):
    body = _body_field(_("返信"))
    quote = forms.IntegerField(required=False, widget=forms.HiddenInput)
    subscribe = _subscribe_field()

    field_order = ("body", "quote", "subscribe", "homepage")

    def clean_body(self):
        return _required_text(self, "body", _("返信の内容を書いてください。"))


class EditForm(forms.Form):
    body = _body_field(_("本文"))

    def clean_body(self):
        return _required_text(self, "body", _("本文を書いてください。"))


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("通報の理由"),
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("通報の理由を選んでください。"),
            "invalid_choice": _("通報の理由を一覧から選んでください。"),
        },
    )
    note = forms.CharField(
        label=_("補足"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_format_lazy(_("%(limit)s文字まで。モデレーターだけが読みます。"), limit=NOTE_MAX_LENGTH),
        error_messages={
            "max_length": _("補足は%(limit_value)s文字までにしてください（いま%(show_value)s文字です）。")
        },
    )
