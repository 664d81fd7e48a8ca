"""Activity reports, statements and statistics in the back office (/admin/famisapo/…).

The advisors of a town approve its activity reports (confirmed by the requester, or corrected
after a dispute), correct a report as a new version, read each month's statements per requester
and summaries per provider (amounts only: members settle directly, the centre takes no
payment), and export the statistics the centre reports to its municipality as CSV or Excel.
Every view is wrapped in ``access.advisor_required`` (the Japanese 403, the second factor, one
town); a report of another town is a 404.
"""

import csv
import datetime
import io
import re

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import reports, statistics
from ..access import advisor_required, advisor_towns
from ..models import ActivityReport
from ..report_forms import ReportForm

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUEUE_LIMIT = 200


def _never_cached(view):
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapped


def advisor_view(view_class):
    """The view function of ``view_class``: the advisors' checks, never cached."""
    return advisor_required(_never_cached(view_class.as_view()))


class AdvisorView(WagtailAdminTemplateMixin, TemplateView):
    """A screen in ``request.town`` (set by ``advisor_required``)."""

    header_icon = "group"
    parent_crumbs = ()

    @property
    def site(self):
        return self.request.town

    @property
    def many_towns(self):
        return len(advisor_towns(self.request)) > 1

    def get_page_subtitle(self):
        return self.site.site_name if self.many_towns else ""

    def town_url(self, name, *args, **query):
        url = reverse(name, args=args)
        if self.many_towns:
            query = {"town": self.site.pk, **query}
        if query:
            from urllib.parse import urlencode

            url = f"{url}?{urlencode(query)}"
        return url

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": "", "label": _("ファミリーサポート")},
            *self.parent_crumbs,
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            site=self.site,
            towns=advisor_towns(self.request),
            many_towns=self.many_towns,
            town_field=self.site.pk if self.many_towns else None,
        )
        return context


def town_report(request, pk):
    return get_object_or_404(
        ActivityReport.objects.select_related(
            "assignment__provider",
            "assignment__request__requester",
            "assignment__request__site",
            "supersedes",
            "approved_by",
        ),
        pk=pk,
        assignment__request__site=request.town,
    )


# Reports --------------------------------------------------------------------------------------


class QueueView(AdvisorView):
    """Reports waiting for the advisor: confirmed ones, disputed ones, corrections."""

    template_name = "familysupport/admin/reports/queue.html"
    page_title = gettext_lazy("承認待ちの援助活動報告書")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        waiting = list(
            reports.live(ActivityReport.objects.filter(assignment__request__site=self.site))
            .filter(
                status__in=(
                    ActivityReport.Status.CONFIRMED,
                    ActivityReport.Status.DISPUTED,
                    ActivityReport.Status.FILED,
                )
            )
            .select_related("assignment__provider", "assignment__request__requester", "supersedes")
            .order_by("started_at", "pk")[:QUEUE_LIMIT]
        )
        for report in waiting:
            report.approvable = reports.can_approve(report)
        status = ActivityReport.Status
        context.update(
            confirmed=[r for r in waiting if r.status == status.CONFIRMED],
            corrected=[r for r in waiting if r.approvable and r.status != status.CONFIRMED],
            disputed=[r for r in waiting if r.status == status.DISPUTED and not r.approvable],
            filed=[r for r in waiting if r.status == status.FILED and not r.approvable],
        )
        return context


class ReportView(AdvisorView):
    template_name = "familysupport/admin/reports/report.html"
    page_title = gettext_lazy("援助活動報告書")
    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        self.report = town_report(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") != "approve":
            raise Http404
        try:
            reports.approve(self.report, request.user)
        except reports.Refused as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("報告書を承認しました。"))
        return redirect(self.town_url("famisapo_admin:reports"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.report
        context.update(
            report=report,
            children=list(report.children.all()),
            approvable=reports.can_approve(report),
            correctable=report.status != ActivityReport.Status.SUPERSEDED,
            versions=list(
                ActivityReport.objects.filter(assignment=report.assignment_id)
                .exclude(pk=report.pk)
                .order_by("-version")
            ),
            queue_url=self.town_url("famisapo_admin:reports"),
            correct_url=self.town_url("famisapo_admin:report_correct", report.pk),
        )
        return context


class CorrectView(AdvisorView):
    """The advisor's correction: a new version of the report."""

    template_name = "familysupport/admin/reports/correct.html"
    page_title = gettext_lazy("援助活動報告書の訂正")
    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        self.report = town_report(request, kwargs["pk"])
        if self.report.status == ActivityReport.Status.SUPERSEDED:
            raise Http404
        self.form = None
        return super().dispatch(request, *args, **kwargs)

    def get_form(self):
        help_request = self.report.assignment.request
        if self.request.method == "POST":
            return ReportForm(self.request.POST, help_request=help_request)
        return ReportForm(help_request=help_request, initial=ReportForm.initial_for_report(self.report))

    def post(self, request, *args, **kwargs):
        self.form = self.get_form()
        if self.form.is_valid():
            try:
                new = reports.correct(
                    self.report, request.user, self.form.values(), self.form.cleaned_data["children"]
                )
            except reports.Refused as error:
                self.form.add_error(None, str(error))
            else:
                messages.success(
                    request, _("訂正した報告書（第%(version)s版）を作りました。") % {"version": new.version}
                )
                return redirect(self.town_url("famisapo_admin:report", new.pk))
        return self.render_to_response(self.get_context_data())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(report=self.report, form=self.form or self.get_form())
        return context


# Statements -----------------------------------------------------------------------------------


def _month_param(value, today):
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", value or "")
    if match:
        year, month = int(match[1]), int(match[2])
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return datetime.date(year, month, 1)
    return today.replace(day=1)


class StatementsView(AdvisorView):
    template_name = "familysupport/admin/reports/statements.html"
    page_title = gettext_lazy("月ごとの利用明細・活動のまとめ")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        first = _month_param(self.request.GET.get("month"), timezone.localdate())
        previous = (first - datetime.timedelta(days=1)).replace(day=1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        context.update(
            first=first,
            previous_url=self.town_url("famisapo_admin:statements", month=f"{previous:%Y-%m}"),
            following_url=self.town_url("famisapo_admin:statements", month=f"{following:%Y-%m}"),
            requesters=statistics.town_statements(self.site, first.year, first.month),
            providers=statistics.town_provider_summaries(self.site, first.year, first.month),
        )
        return context


# Statistics -----------------------------------------------------------------------------------


def _fiscal_year(request):
    value = request.GET.get("year", "")
    if value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    return statistics.fiscal_year_of(timezone.localdate())


class StatisticsView(AdvisorView):
    template_name = "familysupport/admin/reports/statistics.html"
    page_title = gettext_lazy("ファミリーサポートの統計")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = _fiscal_year(self.request)
        context.update(
            data=statistics.summary(self.site, year),
            years=statistics.fiscal_years(self.site, year),
            fiscal_year=year,
            previous_url=self.town_url("famisapo_admin:statistics", year=year - 1),
            following_url=self.town_url("famisapo_admin:statistics", year=year + 1),
            csv_url=self.town_url("famisapo_admin:statistics_csv", year=year),
            xlsx_url=self.town_url("famisapo_admin:statistics_xlsx", year=year),
        )
        return context


def _tables(request):
    year = _fiscal_year(request)
    data = statistics.summary(request.town, year)
    return year, statistics.export_tables(data, statistics.fiscal_years(request.town, year))


def _cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return f"'{value}"
    return value


def _filename(request, year, extension):
    return f"famisapo-statistics_{request.town.hostname}_{year}.{extension}"


@advisor_required
@_never_cached
def statistics_csv(request):
    """The statistics, one table after another, in UTF-8 with a BOM so Excel reads Japanese."""
    year, tables = _tables(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for index, (title, header, rows) in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([_cell(title)])
        writer.writerow([_cell(value) for value in header])
        writer.writerows([[_cell(value) for value in row] for row in rows])
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(request, year, "csv")}"'
    return response


@advisor_required
@_never_cached
def statistics_xlsx(request):
    """The statistics as an Excel workbook: one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    year, tables = _tables(request)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in tables:
        sheet = workbook.create_sheet(title=re.sub(r"[\\/*?:\[\]]", "", title)[:31])
        sheet.append([_cell(value) for value in header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_cell(value) for value in row])
        sheet.column_dimensions["A"].width = 28
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(request, year, "xlsx")}"'
    return response


urlpatterns = [
    path("reports/", advisor_view(QueueView), name="reports"),
    path("reports/<int:pk>/", advisor_view(ReportView), name="report"),
    path("reports/<int:pk>/correct/", advisor_view(CorrectView), name="report_correct"),
    path("statements/", advisor_view(StatementsView), name="statements"),
    path("statistics/", advisor_view(StatisticsView), name="statistics"),
    path("statistics/csv/", statistics_csv, name="statistics_csv"),
    path("statistics/xlsx/", statistics_xlsx, name="statistics_xlsx"),
]

MENU_ITEMS = [
    (gettext_lazy("活動報告の承認"), "reports", 300),
    (gettext_lazy("利用明細・活動のまとめ"), "statements", 310),
    (gettext_lazy("統計"), "statistics", 320),
]
