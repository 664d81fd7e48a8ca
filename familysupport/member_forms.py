"""The members' forms: the application, their details, a child, a weekly slot of availability.

The forms check the shape of what was typed (dates, phone numbers, postal codes) with Japanese
messages; the rules of membership (a requester needs a child, a provider availability) are
``familysupport.membership``'s, which the views call.
"""

import re
import unicodedata

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .membership import PROVIDER_FIELDS, REQUESTER_FIELDS, normalise_phone
from .models import AgeBand, Availability, Member, Qualification

# A field people never see; a program filling every box fills it too.
HONEYPOT = "homepage"
MAX_CHILDREN = 10
MAX_SLOTS = 21

POSTAL_CODE = re.compile(r"^(\d{3})-?(\d{4})$")
PHONE = re.compile(r"^\+?[0-9][0-9-]{8,14}$")

DATE_INPUT = {"type": "date"}
TIME_INPUT = {"type": "time", "step": 900}


def _japanese_messages(form):
    """Every field's messages in Japanese, naming the field (「氏名を入力してください。」)."""
    for field in form.fields.values():
        label = field.label
        choose = isinstance(field, forms.ChoiceField | forms.TypedChoiceField)
        field.error_messages.update(
            {
                "required": format_lazy(_("{label}を選んでください。"), label=label)
                if choose
                else format_lazy(_("{label}を入力してください。"), label=label),
                "invalid_choice": format_lazy(_("{label}を一覧から選んでください。"), label=label),
                "invalid_list": format_lazy(_("{label}を一覧から選んでください。"), label=label),
                "invalid": format_lazy(_("{label}の形が正しくありません。"), label=label),
                "max_length": format_lazy(
                    _("{label}は%(limit_value)s文字までにしてください（いま%(show_value)s文字です）。"),
                    label=label,
                ),
                "min_value": format_lazy(_("{label}は%(limit_value)s以上にしてください。"), label=label),
                "max_value": format_lazy(_("{label}は%(limit_value)s以下にしてください。"), label=label),
                "max_digits": format_lazy(_("{label}の数が大きすぎます。"), label=label),
                "max_decimal_places": format_lazy(
                    _("{label}は小数点以下%(max)s桁までにしてください。"), label=label
                ),
            }
        )


def _clean_phone(value, label):
    value = normalise_phone(value)
    if value and not PHONE.match(value):
        raise forms.ValidationError(
            format_lazy(_("{label}は数字とハイフンで入力してください（例：090-1234-5678）。"), label=label),
            code="invalid",
        )
    return value


class MemberDetailsForm(forms.ModelForm):
    """The member's own details, as typed in the application and kept current afterwards."""

    experienced_ages = forms.MultipleChoiceField(
        label=_("経験のある年齢"),
        choices=AgeBand.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("お世話をしたことのある子どもの年齢を、すべて選んでください。"),
    )
    qualifications = forms.MultipleChoiceField(
        label=_("資格"),
        choices=Qualification.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("お持ちの資格があれば選んでください。なくても提供会員になれます。"),
    )

    class Meta:
        model = Member
        fields = (
            "kind",
            "full_name",
            "full_name_kana",
            "phone",
            "postal_code",
            "address",
            "area",
            "household",
            "emergency_name",
            "emergency_phone",
            "needs_no_pets",
            "needs_no_smoking",
            "experience",
            "experienced_ages",
            "qualifications",
            "takes_siblings",
            "has_pets",
            "smoking_at_home",
            "training_hours",
            "monthly_capacity",
            "insurance_enrolled",
            "insurance_date",
        )
        widgets = {
            "kind": forms.RadioSelect,
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "full_name_kana": forms.TextInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "household": forms.Textarea(attrs={"rows": 3}),
            "emergency_phone": forms.TextInput(attrs={"inputmode": "tel", "type": "tel"}),
            "experience": forms.Textarea(attrs={"rows": 3}),
            "training_hours": forms.NumberInput(attrs={"min": 0, "step": "0.5", "inputmode": "decimal"}),
            "monthly_capacity": forms.NumberInput(attrs={"min": 0, "max": 60, "inputmode": "numeric"}),
            "insurance_date": forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
        }
        help_texts = {
            "full_name_kana": _("ひらがなで入力してください（例：やまだ はなこ）。"),
            "phone": _("日中につながる番号を入力してください（例：090-1234-5678）。"),
            "postal_code": _("7けたの数字です（例：181-0001）。"),
            "household": _("一緒に住んでいる家族を書いてください（例：夫、長女（5歳）、長男（2歳））。"),
            "emergency_name": _("あなたに連絡がつかないときの連絡先です（例：山田 和子（祖母））。"),
            "experience": _("子育てや保育の経験を簡単に書いてください。"),
            "training_hours": _("センターの提供会員講習で修了した時間です。まだなら0のままにしてください。"),
            "insurance_enrolled": _("センターが加入手続きをします。加入済みの方は選んでください。"),
        }

    #: Fields shown only to requesters / only to providers.
    REQUESTER_ONLY = REQUESTER_FIELDS
    PROVIDER_ONLY = PROVIDER_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Member.Kind.choices
        self.fields["kind"].label = _("申し込む会員の種類")
        self.fields["training_hours"].min_value = 0
        for name in ("full_name", "phone", "address"):
            self.fields[name].required = True
        _japanese_messages(self)

    def requester_fields(self):
        return [self[name] for name in self.REQUESTER_ONLY]

    def provider_fields(self):
        return [self[name] for name in self.PROVIDER_ONLY]

    def clean_phone(self):
        return _clean_phone(self.cleaned_data["phone"], self.fields["phone"].label)

    def clean_emergency_phone(self):
        return _clean_phone(self.cleaned_data["emergency_phone"], self.fields["emergency_phone"].label)

    def clean_postal_code(self):
        value = "".join(unicodedata.normalize("NFKC", self.cleaned_data["postal_code"]).split())
        value = value.replace("ー", "-").replace("−", "-")
        if not value:
            return ""
        match = POSTAL_CODE.match(value)
        if match is None:
            raise forms.ValidationError(
                _("郵便番号は7けたの数字で入力してください（例：181-0001）。"), code="invalid"
            )
        return f"{match.group(1)}-{match.group(2)}"

    def clean_full_name_kana(self):
        return unicodedata.normalize("NFKC", self.cleaned_data["full_name_kana"]).strip()

    def details(self):
        """The cleaned member fields, for ``membership.apply`` / ``update_details``."""
        return {name: value for name, value in self.cleaned_data.items() if name != HONEYPOT}


class ApplicationForm(MemberDetailsForm):
    """The application. ``homepage`` is the trap for programs."""

    homepage = forms.CharField(label=_("この欄には何も入力しないでください"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["emergency_name"].help_text = _(
            "依頼会員・両方会員は必ず入力してください。あなたに連絡がつかないときの連絡先です"
            "（例：山田 和子（祖母））。"
        )
        self.fields["emergency_phone"].help_text = _("依頼会員・両方会員は必ず入力してください。")

    @property
    def honeypot_filled(self):
        return bool(self.data.get(HONEYPOT, "").strip())


class ChildForm(forms.Form):
    name = forms.CharField(label=_("お子さんの名前"), max_length=40)
    birth_date = forms.DateField(
        label=_("生年月日"), widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d")
    )
    allergies = forms.CharField(
        label=_("アレルギー"),
        max_length=200,
        required=False,
        help_text=_("食べ物・薬などのアレルギーがあれば書いてください。"),
    )
    notes = forms.CharField(
        label=_("配慮してほしいこと"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _japanese_messages(self)
        self.fields["birth_date"].error_messages["invalid"] = _(
            "生年月日は日付で入力してください（例：2021-04-15）。"
        )

    def clean_birth_date(self):
        birth = self.cleaned_data["birth_date"]
        if birth > timezone.localdate():
            raise forms.ValidationError(
                _("お子さんの生年月日に、今日より後の日付は入力できません。"), code="future"
            )
        return birth


class AvailabilityForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("曜日"), choices=[("", _("選んでください")), *Availability.WEEKDAYS], coerce=int
    )
    starts = forms.TimeField(label=_("開始"), widget=forms.TimeInput(attrs=TIME_INPUT, format="%H:%M"))
    ends = forms.TimeField(label=_("終了"), widget=forms.TimeInput(attrs=TIME_INPUT, format="%H:%M"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _japanese_messages(self)
        for name in ("starts", "ends"):
            self.fields[name].error_messages["invalid"] = _("時刻は「9:00」のように入力してください。")

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends and ends <= starts:
            self.add_error("ends", _("終了は、開始より後の時刻にしてください。"))
        return cleaned


class _QuietFormSet(forms.BaseFormSet):
    """Rows left completely empty are ignored; the others are checked as usual."""

    def filled(self):
        return [form.cleaned_data for form in self.forms if form.has_changed() and form.cleaned_data]


ChildFormSet = forms.formset_factory(
    ChildForm, formset=_QuietFormSet, extra=1, max_num=MAX_CHILDREN, absolute_max=MAX_CHILDREN
)
AvailabilityFormSet = forms.formset_factory(
    AvailabilityForm, formset=_QuietFormSet, extra=1, max_num=MAX_SLOTS, absolute_max=MAX_SLOTS
)
