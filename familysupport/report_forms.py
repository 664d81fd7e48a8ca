"""The forms of the activity report: filing or correcting it, and a requester's dispute."""

import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Activity, Child, HelpRequest

TOKYO = ZoneInfo("Asia/Tokyo")


def _at(day, time):
    return datetime.datetime.combine(day, time, tzinfo=TOKYO)


class ChildChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, child):
        return child.name


class ReportForm(forms.Form):
    """The provider's report. An end time earlier than the start means the next day."""

    day = forms.DateField(label=_("活動した日"), widget=forms.DateInput(attrs={"type": "date"}))
    starts = forms.TimeField(
        label=_("開始の時刻"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    ends = forms.TimeField(
        label=_("終了の時刻"),
        required=False,
        help_text=_("開始より前の時刻なら、翌日の時刻として計算します。"),
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    activity = forms.ChoiceField(label=_("援助の内容"), choices=Activity.choices)
    children = ChildChoiceField(
        label=_("預かった子ども"), queryset=Child.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    child_notes = forms.CharField(
        label=_("子どもの様子"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    incident = forms.CharField(
        label=_("けが・事故など"),
        required=False,
        max_length=2000,
        help_text=_("なければ空欄のままにしてください。"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    transport_cost = forms.IntegerField(
        label=_("交通費（実費・円）"), min_value=0, max_value=100000, initial=0, required=False
    )
    meal_cost = forms.IntegerField(
        label=_("食事・おやつ代（実費・円）"), min_value=0, max_value=100000, initial=0, required=False
    )
    cancelled = forms.BooleanField(label=_("取り消しになった（活動しなかった）"), required=False)
    cancelled_day = forms.DateField(
        label=_("取り消しの連絡を受けた日"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    cancelled_time = forms.TimeField(
        label=_("取り消しの連絡を受けた時刻"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )

    def __init__(self, *args, help_request, **kwargs):
        super().__init__(*args, **kwargs)
        self.help_request = help_request
        self.fields["children"].queryset = Child.objects.filter(member=help_request.requester_id)

    @classmethod
    def initial_for_request(cls, help_request):
        starts = timezone.localtime(help_request.starts_at, TOKYO)
        ends = timezone.localtime(help_request.ends_at, TOKYO)
        initial = {
            "day": starts.date(),
            "starts": starts.time().replace(second=0, microsecond=0),
            "ends": ends.time().replace(second=0, microsecond=0),
            "activity": help_request.activity,
            "children": list(help_request.children.values_list("pk", flat=True)),
            "transport_cost": 0,
            "meal_cost": 0,
        }
        if help_request.status == HelpRequest.Status.CANCELLED and help_request.cancelled_at:
            cancelled = timezone.localtime(help_request.cancelled_at, TOKYO)
            initial.update(
                cancelled=True,
                cancelled_day=cancelled.date(),
                cancelled_time=cancelled.time().replace(second=0, microsecond=0),
            )
        return initial

    @classmethod
    def initial_for_report(cls, report):
        starts = timezone.localtime(report.started_at, TOKYO)
        ends = timezone.localtime(report.ended_at, TOKYO)
        initial = {
            "day": starts.date(),
            "starts": starts.time(),
            "ends": ends.time(),
            "activity": report.activity,
            "children": list(report.children.values_list("pk", flat=True)),
            "child_notes": report.child_notes,
            "incident": report.incident,
            "transport_cost": report.transport_cost,
            "meal_cost": report.meal_cost,
            "cancelled": report.cancelled,
        }
        if report.cancelled_at:
            cancelled = timezone.localtime(report.cancelled_at, TOKYO)
            initial.update(cancelled_day=cancelled.date(), cancelled_time=cancelled.time().replace(second=0))
        return initial

    def clean(self):
        data = super().clean()
        if data.get("cancelled"):
            if not data.get("cancelled_day"):
                self.add_error("cancelled_day", _("取り消しの連絡を受けた日を入力してください。"))
            if not data.get("cancelled_time"):
                self.add_error("cancelled_time", _("取り消しの連絡を受けた時刻を入力してください。"))
            return data
        for name, message in (
            ("starts", _("開始の時刻を入力してください。")),
            ("ends", _("終了の時刻を入力してください。")),
        ):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        if data.get("day") and data.get("starts") and data.get("ends"):
            if data["starts"] == data["ends"]:
                self.add_error("ends", _("終了の時刻は開始と違う時刻にしてください。"))
            elif self._span()[1] > timezone.now() + datetime.timedelta(minutes=5):
                self.add_error("ends", _("まだ終わっていない活動は報告できません。"))
        return data

    def _span(self):
        data = self.cleaned_data
        started = _at(data["day"], data["starts"])
        ended = _at(data["day"], data["ends"])
        if ended <= started:
            ended += datetime.timedelta(days=1)
        return started, ended

    def values(self):
        """What ``familysupport.reports.file`` and ``correct`` take."""
        data = self.cleaned_data
        values = {
            "activity": data["activity"],
            "child_notes": data.get("child_notes", ""),
            "incident": data.get("incident", ""),
            "transport_cost": data.get("transport_cost") or 0,
            "meal_cost": data.get("meal_cost") or 0,
            "cancelled": bool(data.get("cancelled")),
            "cancelled_at": None,
        }
        if values["cancelled"]:
            values["cancelled_at"] = _at(data["cancelled_day"], data["cancelled_time"])
        else:
            values["started_at"], values["ended_at"] = self._span()
        return values


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("違うところ"),
        max_length=2000,
        help_text=_("時間や内容など、どこが違うかを書いてください。アドバイザーが確認します。"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("違うところを書いてください。")},
    )
