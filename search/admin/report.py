"""「検索キーワード」: what a town's parents searched for, and what they searched for in vain.

The second list is the content the town is missing: each query there is a page to write, a
word to add as a synonym (parents say 「保育ママ」, the pages 「家庭的保育」) or a page to promote.
Counts come from ``QueryStat`` (a query, a day, two counters: nothing about who searched).
"""

import csv
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Sum
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..forms import SearchTermsFilterForm
from ..models import QueryStat
from .access import editor_site_ids, report_site_ids, report_sites, town_label
from .viewsets import forbidden

ROWS_ON_SCREEN = 50
# A cell starting with one of these is a formula to a spreadsheet; queries are typed by anyone.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
REFUSAL = _("検索キーワードを見る権限がありません。見られるのは、その自治体のページを編集できる人だけです。")


# Queries -------------------------------------------------------------------------------------


def query_totals(site, start, end):
    """Each query searched in ``site`` from ``start`` to ``end`` (inclusive), with its totals."""
    return (
        QueryStat.objects.filter(site=site, date__gte=start, date__lte=end)
        .values("query")
        .annotate(searches=Sum("searches"), no_results=Sum("no_results"))
    )


def frequent_queries(site, start, end):
    """Most searched first."""
    return query_totals(site, start, end).order_by("-searches", "-no_results", "query")


def missing_queries(site, start, end):
    """Queries that found nothing, most often first: the content the town is missing."""
    return (
        query_totals(site, start, end).filter(no_results__gt=0).order_by("-no_results", "-searches", "query")
    )


def period_totals(site, start, end):
    totals = QueryStat.objects.filter(site=site, date__gte=start, date__lte=end).aggregate(
        searches=Sum("searches"), no_results=Sum("no_results")
    )
    return {key: value or 0 for key, value in totals.items()}


# Links ---------------------------------------------------------------------------------------


def public_search_url(site, query):
    """The town's own search page for ``query``, as a parent would open it."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("search")
    return f"{site.root_url}{path}?{urlencode({'q': query})}"


@dataclass
class ReportRow:
    query: str
    searches: int
    no_results: int
    public_url: str
    promotion_url: str | None = None
    synonym_url: str | None = None


def report_rows(rows, site, can_edit_search):
    for row in rows:
        query = row["query"]
        links = {}
        if can_edit_search:
            links = {
                "promotion_url": f"{reverse('search_promotions:add')}?{urlencode({'site': site.pk, 'query': query})}",
                "synonym_url": f"{reverse('search_synonyms:add')}?{urlencode({'site': site.pk, 'term': query})}",
            }
        yield ReportRow(query, row["searches"], row["no_results"], public_search_url(site, query), **links)


# Views ---------------------------------------------------------------------------------------


def can_view_report(user):
    return bool(report_site_ids(user))


class SearchTermsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_report(request.user)


class ReportAccessMixin:
    def dispatch(self, request, *args, **kwargs):
        if not can_view_report(request.user):
            return forbidden(request, REFUSAL, _("検索キーワード"))
        self.form = SearchTermsFilterForm(request.GET, sites=report_sites(request.user))
        return super().dispatch(request, *args, **kwargs)


class SearchTermsReportView(ReportAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "search/admin/search_terms_report.html"
    page_title = _("検索キーワード")
    header_icon = "search"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        return self.render_to_response(context, status=200 if self.form.is_valid() else 400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        if not self.form.is_valid():
            return context
        site, start, end = (self.form.cleaned_data[key] for key in ("site", "start", "end"))
        can_edit_search = site.pk in editor_site_ids(self.request.user)
        context.update(
            site=site,
            town=town_label(site),
            start=start,
            end=end,
            totals=period_totals(site, start, end),
            frequent=list(
                report_rows(frequent_queries(site, start, end)[:ROWS_ON_SCREEN], site, can_edit_search)
            ),
            missing=list(
                report_rows(missing_queries(site, start, end)[:ROWS_ON_SCREEN], site, can_edit_search)
            ),
            rows_on_screen=ROWS_ON_SCREEN,
            can_edit_search=can_edit_search,
            csv_url=f"{reverse('search_report:csv')}?{urlencode(self.form.query)}",
        )
        return context


def spreadsheet_safe(value):
    """Text a spreadsheet shows as text, never runs as a formula."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


class SearchTermsCSVView(ReportAccessMixin, View):
    """Both lists of the report, every row of the period, in one CSV file that Excel opens as UTF-8."""

    def get(self, request):
        if not self.form.is_valid():
            return HttpResponseRedirect(f"{reverse('search_report:index')}?{request.GET.urlencode()}")
        site, start, end = (self.form.cleaned_data[key] for key in ("site", "start", "end"))
        filename = f"search-terms_{site.hostname}_{start:%Y%m%d}-{end:%Y%m%d}.csv"
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(
            [
                gettext("一覧"),
                gettext("順位"),
                gettext("検索語"),
                gettext("検索回数"),
                gettext("見つからなかった回数"),
            ]
        )
        lists = [
            (gettext("よく検索された言葉"), frequent_queries(site, start, end)),
            (gettext("見つからなかった言葉"), missing_queries(site, start, end)),
        ]
        for label, rows in lists:
            for rank, row in enumerate(rows, start=1):
                writer.writerow(
                    [label, rank, spreadsheet_safe(row["query"]), row["searches"], row["no_results"]]
                )
        return response
