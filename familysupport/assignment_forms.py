"""Forms of requests and assignments: the requester's 「援助を頼む」, the advisor's phone
request, the provider's answer, the prior meeting and the month's batch."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Activity, Child, FeeRules, HelpRequest, Member


def _aware(day, time):
    return timezone.make_aware(datetime.datetime.combine(day, time))


class RequestFormBase(forms.Form):
    """What is asked for: the activity, the date and times, weekly or not, and the places."""

    activity = forms.ChoiceField(label=_("援助の内容"), choices=())
    day = forms.DateField(label=_("日付"), widget=forms.DateInput(attrs={"type": "date"}))
    starts = forms.TimeField(label=_("開始時刻"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label=_("終了時刻"), widget=forms.TimeInput(attrs={"type": "time"}))
    weekly = forms.BooleanField(label=_("毎週同じ曜日・時間に頼む"), required=False)
    weekly_until = forms.DateField(
        label=_("毎週の依頼の最終日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("毎週頼むときだけ入力してください。"),
    )
    place_from = forms.CharField(
        label=_("預かり・送迎元の場所"),
        max_length=200,
        required=False,
        help_text=_("例：自宅、〇〇保育園"),
    )
    place_to = forms.CharField(label=_("送迎先の場所"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("提供会員・アドバイザーに伝えたいこと"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        offers_sick = FeeRules.for_site(site).offers_sick_child_care
        self.fields["activity"].choices = [
            (value, label) for value, label in Activity.choices if offers_sick or value != Activity.SICK_CHILD
        ]

    def clean(self):
        data = super().clean()
        day, starts, ends = data.get("day"), data.get("starts"), data.get("ends")
        if day and starts and ends:
            if ends <= starts:
                self.add_error("ends", _("終了時刻は開始時刻より後にしてください。"))
            else:
                data["starts_at"] = _aware(day, starts)
                data["ends_at"] = _aware(day, ends)
                if data["starts_at"] < timezone.now():
                    self.add_error("day", _("これからの日時を入力してください。"))
        if data.get("weekly"):
            until = data.get("weekly_until")
            if until is None:
                self.add_error("weekly_until", _("毎週の依頼の最終日を入力してください。"))
            elif day and until < day:
                self.add_error("weekly_until", _("最終日は初回の日付より後にしてください。"))
            elif day and until > day + datetime.timedelta(days=366):
                self.add_error("weekly_until", _("毎週の依頼は1年先までにしてください。"))
        return data

    def request_data(self):
        data = self.cleaned_data
        return {
            "activity": data["activity"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "place_from": data["place_from"],
            "place_to": data["place_to"],
            "notes": data["notes"],
        }

    def weekly_end(self):
        return self.cleaned_data["weekly_until"] if self.cleaned_data.get("weekly") else None


class ChildChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class AskForm(RequestFormBase):
    """The requester's own request: which of their children."""

    children = ChildChoiceField(
        label=_("預ける子ども"), queryset=Child.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    field_order = ["children", "activity", "day", "starts", "ends", "weekly", "weekly_until"]

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, site=member.site, **kwargs)
        self.fields["children"].queryset = member.children.all()


class RequesterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number} {obj.full_name}"


class PhoneRequestForm(RequestFormBase):
    """The advisor takes a request by phone: the requester, then their children."""

    requester = RequesterChoiceField(label=_("依頼会員"), queryset=Member.objects.none())
    children = ChildChoiceField(
        label=_("預ける子ども"),
        queryset=Child.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("依頼会員を選んで「子どもを表示」を押すと、その家庭の子どもが出ます。"),
    )

    field_order = ["requester", "children", "activity", "day", "starts", "ends", "weekly", "weekly_until"]

    def __init__(self, *args, site, requester=None, **kwargs):
        super().__init__(*args, site=site, **kwargs)
        self.fields["requester"].queryset = Member.objects.filter(
            site=site,
            status=Member.Status.APPROVED,
            kind__in=(Member.Kind.REQUESTER, Member.Kind.BOTH),
        ).order_by("number")
        children = Child.objects.none()
        if requester is not None:
            children = requester.children.all()
        self.fields["children"].queryset = children

    def clean(self):
        data = super().clean()
        requester, children = data.get("requester"), data.get("children")
        if requester and children and any(child.member_id != requester.pk for child in children):
            self.add_error("children", _("選んだ依頼会員の子どもだけを選んでください。"))
        return data


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("辞退の理由"),
        max_length=200,
        required=False,
        help_text=_("アドバイザーだけが読みます。例：その日は都合がつかない"),
    )


class MeetingForm(forms.Form):
    day = forms.DateField(label=_("事前打ち合わせの日"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("時刻"), widget=forms.TimeInput(attrs={"type": "time"}))
    place = forms.CharField(label=_("待ち合わせ・打ち合わせの場所"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("事前打ち合わせの記録"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def meeting_at(self):
        return _aware(self.cleaned_data["day"], self.cleaned_data["time"])


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状態"), required=False, choices=[("", _("すべて")), *HelpRequest.Status.choices]
    )
    month = forms.DateField(
        label=_("対象の月"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("調整する月"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    weekly_only = forms.BooleanField(label=_("毎週の依頼だけ"), required=False, initial=True)
