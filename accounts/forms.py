"""Forms of the member account pages."""

from allauth.account import app_settings as account_settings
from allauth.account.forms import SignupForm
from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import User

NICKNAME_HELP = _("掲示板などで公開される名前です。本名やメールアドレスは使わないでください。")


def clean_nickname(value):
    value = " ".join(value.split())
    if not value:
        raise forms.ValidationError(_("ニックネームを入力してください。"))
    if "@" in value or "＠" in value:
        raise forms.ValidationError(_("メールアドレスはニックネームに使えません。"))
    return value


class MemberSignupForm(SignupForm):
    """allauth's sign-up (e-mail, password twice, honeypot) with the public nickname.

    The municipality and the 保護者会員 group come from the site signed up on
    (``accounts.adapter.AccountAdapter.save_user``).
    """

    nickname = forms.CharField(
        label=_("ニックネーム"),
        max_length=User._meta.get_field("nickname").max_length,
        help_text=NICKNAME_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
        error_messages={"required": _("ニックネームを入力してください。")},
    )
    field_order = ["email", "nickname", "password1", "password2"]

    @property
    def honeypot_name(self):
        return account_settings.SIGNUP_FORM_HONEYPOT_FIELD

    def clean_nickname(self):
        return clean_nickname(self.cleaned_data["nickname"])

    def save(self, request):
        with transaction.atomic():
            return super().save(request)


class NicknameForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["nickname"]
        labels = {"nickname": _("ニックネーム")}
        help_texts = {"nickname": NICKNAME_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nickname"].required = True
        self.fields["nickname"].error_messages["required"] = _("ニックネームを入力してください。")

    def clean_nickname(self):
        return clean_nickname(self.cleaned_data["nickname"])


class DeleteAccountForm(forms.Form):
    """Deleting one's account: the password again, and a tick that says it is meant."""

    password = forms.CharField(
        label=_("パスワード"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("パスワードを入力してください。")},
    )
    confirm = forms.BooleanField(
        label=_("退会すると元に戻せないことを理解しました"),
        error_messages={"required": _("確認のチェックを入れてください。")},
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("パスワードが正しくありません。"))
        return password
