"""The parent's forms of ねっと相談: asking, checking back with a 相談番号, and answering back."""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from .models import Category, ChildAge, ReplyChannel
from .services import normalise_number

QUESTION_MAX_LENGTH = 4000
REPLY_MAX_LENGTH = 4000
NICKNAME_MAX_LENGTH = 30
PASSPHRASE_MIN_LENGTH = 8
PASSPHRASE_MAX_LENGTH = 128
# A field people never see; a program filling every box fills it too.
HONEYPOT = "homepage"


def _format_lazy(message, **values):
    """``message % values``, translated when shown rather than when the module is imported."""
    return lazy(lambda: str(message) % values, str)()


class AskForm(forms.Form):
    """A new consultation. Everything typed stays on the page when something is wrong, except
    the passphrase (a password field is never sent back to the browser)."""

    category = forms.ChoiceField(
        label=_("相談したいこと"),
        choices=Category.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("相談したいことの種類を選んでください。"),
            "invalid_choice": _("相談したいことの種類を一覧から選んでください。"),
        },
    )
    child_age = forms.ChoiceField(
        label=_("お子さんの年齢"),
        choices=[("", _("選んでください")), *ChildAge.choices],
        error_messages={
            "required": _("お子さんの年齢を選んでください。答えたくないときは「答えない」を選んでください。"),
            "invalid_choice": _("お子さんの年齢を一覧から選んでください。"),
        },
    )
    question = forms.CharField(
        label=_("相談したい内容"),
        max_length=QUESTION_MAX_LENGTH,
        help_text=_format_lazy(
            _(
                "%(limit)s文字まで。お名前・住所・電話番号など、あなたやお子さんが特定される情報は"
                "書かなくてもかまいません。"
            ),
            limit=f"{QUESTION_MAX_LENGTH:,}",
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": _("相談したい内容を書いてください。"),
            "max_length": _(
                "相談したい内容は%(limit_value)s文字までにしてください（いま%(show_value)s文字です）。"
            ),
        },
    )
    nickname = forms.CharField(
        label=_("ニックネーム"),
        required=False,
        max_length=NICKNAME_MAX_LENGTH,
        help_text=_("相談員があなたを呼ぶときの名前です。本名でなくてかまいません。公開はされません。"),
        error_messages={"max_length": _("ニックネームは%(limit_value)s文字までにしてください。")},
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    reply_channel = forms.ChoiceField(
        label=_("回答が届いたことの知らせ方"),
        choices=ReplyChannel.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "どちらの場合も、回答はこのサイトで相談番号と合言葉を入力して読みます。"
            "メールには相談の内容も回答も書かれません。"
        ),
        error_messages={
            "required": _("回答が届いたことの知らせ方を選んでください。"),
            "invalid_choice": _("回答が届いたことの知らせ方を一覧から選んでください。"),
        },
    )
    email = forms.EmailField(
        label=_("メールアドレス"),
        required=False,
        max_length=254,
        help_text=_("「メールで知らせてもらう」を選んだときだけ使います。公開はされません。"),
        error_messages={"invalid": _("メールアドレスの形が正しくありません（例：hanako@example.jp）。")},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    passphrase = forms.CharField(
        label=_("合言葉"),
        min_length=PASSPHRASE_MIN_LENGTH,
        max_length=PASSPHRASE_MAX_LENGTH,
        strip=False,
        help_text=_format_lazy(
            _(
                "回答を読むときに、相談番号と一緒に入力します。%(min)s文字以上で、ほかの人に推測されにくい"
                "言葉にしてください。ひらがなや漢字も使えます。"
            ),
            min=PASSPHRASE_MIN_LENGTH,
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={
            "required": _("合言葉を決めて入力してください。"),
            "min_length": _("合言葉は%(limit_value)s文字以上にしてください（いま%(show_value)s文字です）。"),
            "max_length": _("合言葉は%(limit_value)s文字までにしてください。"),
        },
    )
    passphrase_again = forms.CharField(
        label=_("合言葉（確認のためもう一度）"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("確認のため、合言葉をもう一度入力してください。")},
    )
    faq_consent = forms.BooleanField(
        label=_(
            "個人が特定されない形に書き直したうえで、よくある相談（Q&A）としてサイトに載せてもかまいません"
        ),
        required=False,
        help_text=_("同意しなくても、相談には同じようにお答えします。そのまま公開されることはありません。"),
    )
    homepage = forms.CharField(label=_("この欄には何も入力しないでください"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if self.member_email:
            self.fields["email"].help_text = _(
                "空欄なら、会員登録のメールアドレスに知らせます。別のアドレスにしたいときだけ入力してください。"
            )

    @property
    def member_email(self):
        user = self.user
        return getattr(user, "email", "") if user is not None and user.is_authenticated else ""

    @property
    def honeypot_filled(self):
        return bool(self.data.get(HONEYPOT, "").strip())

    def clean_question(self):
        question = self.cleaned_data["question"].strip()
        if not question:
            raise forms.ValidationError(_("相談したい内容を書いてください。"), code="required")
        return question

    def clean(self):
        cleaned = super().clean()
        passphrase = cleaned.get("passphrase")
        again = cleaned.get("passphrase_again")
        if passphrase and again is not None and passphrase != again:
            self.add_error(
                "passphrase_again",
                forms.ValidationError(
                    _("確認のための合言葉が一致しません。もう一度入力してください。"), code="mismatch"
                ),
            )
        if passphrase and not passphrase.strip():
            self.add_error(
                "passphrase", forms.ValidationError(_("空白だけの合言葉は使えません。"), code="blank")
            )
        channel = cleaned.get("reply_channel")
        if channel == ReplyChannel.EMAIL:
            if not cleaned.get("email") and not self.member_email and "email" not in self.errors:
                self.add_error(
                    "email",
                    forms.ValidationError(
                        _("「メールで知らせてもらう」を選んだときは、メールアドレスを入力してください。"),
                        code="required",
                    ),
                )
        elif channel:
            # Not needed to tell the parent anything: keep no address at all.
            cleaned["email"] = ""
        return cleaned

    def submission(self):
        """The keyword arguments of ``services.submit`` for this (valid) form."""
        data = self.cleaned_data
        return {
            "question": data["question"],
            "category": data["category"],
            "child_age": data["child_age"],
            "passphrase": data["passphrase"],
            "reply_channel": data["reply_channel"],
            "email": data["email"],
            "nickname": data["nickname"],
            "faq_consent": data["faq_consent"],
        }


class CheckForm(forms.Form):
    """相談番号 and passphrase. The number may be typed with full-width digits or no hyphen."""

    number = forms.CharField(
        label=_("相談番号"),
        max_length=40,
        help_text=_("8けたの数字です（例：1234-5678）。ハイフンはなくてもかまいません。"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("相談番号を入力してください。")},
    )
    passphrase = forms.CharField(
        label=_("合言葉"),
        max_length=PASSPHRASE_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("合言葉を入力してください。")},
    )

    def clean_number(self):
        number = normalise_number(self.cleaned_data["number"])
        if not number:
            raise forms.ValidationError(
                _("相談番号は8けたの数字で入力してください（例：1234-5678）。"), code="invalid"
            )
        return number


class ReplyForm(forms.Form):
    """The parent answers back in the thread."""

    body = forms.CharField(
        label=_("相談員への返信"),
        max_length=REPLY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_format_lazy(_("%(limit)s文字まで。"), limit=f"{REPLY_MAX_LENGTH:,}"),
        error_messages={
            "required": _("返信の内容を書いてください。"),
            "max_length": _("返信は%(limit_value)s文字までにしてください（いま%(show_value)s文字です）。"),
        },
    )

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("返信の内容を書いてください。"), code="required")
        return body
