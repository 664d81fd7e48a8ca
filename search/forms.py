"""The editors' forms of the search: synonyms, promoted results and the search report's filter.

Each form knows its user (Wagtail passes ``for_user``): the municipality field offers only the
towns the user keeps, and disappears when there is only one, the row then belonging to that
town. Uniqueness is checked here, with a message that says what to do, rather than by the
database constraints (whose message names fields, not the problem).
"""

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminPageChooser
from wagtail.models import Site

from .admin.access import editor_sites, page_in_site, town_label
from .models import Promotion, Synonym, normalise_query

# Marks the page chooser of a promoted result, so that ``wagtail_hooks`` can list only the
# pages of the editor's towns in it; Wagtail passes it along while the editor browses.
PROMOTION_CHOOSER = "search_promotion"
REPORT_DAYS = 30
EXPANSION_SEPARATORS = re.compile(r"[\n、,]")


class PromotionPageChooser(AdminPageChooser):
    def __init__(self, **kwargs):
        super().__init__(user_perms=PROMOTION_CHOOSER, **kwargs)


def _town_field(field, sites):
    field.queryset = sites
    field.label_from_instance = town_label
    return field


class MunicipalityRowForm(WagtailAdminModelForm):
    """A row of one municipality: the site is one of the user's towns, set for them if they have one."""

    shared_rows_allowed = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        sites = editor_sites(user)
        field = _town_field(self.fields["site"], sites)
        if user is not None and user.is_superuser and self.shared_rows_allowed:
            field.required = False
            field.empty_label = _("（全自治体共通）")
            return
        field.required = True
        field.empty_label = None
        field.help_text = ""
        field.error_messages["required"] = _("自治体を選んでください。")
        if len(sites) == 1:
            del self.fields["site"]
            self.instance.site = sites[0]

    def _get_validation_exclusions(self):
        # The site is checked by its form field (only the user's towns are valid) and uniqueness
        # by ``clean``; the database constraints are then left to the database.
        return {*super()._get_validation_exclusions(), "site"}

    @property
    def site(self):
        if "site" in self.fields:
            return self.cleaned_data.get("site")
        return self.instance.site


class SynonymForm(MunicipalityRowForm):
    shared_rows_allowed = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].error_messages["required"] = _("検索される言葉を入力してください。")
        self.fields["expansions"].error_messages["required"] = _(
            "ページで使われている言葉を、1行に1つ入力してください。"
        )

    def clean_term(self):
        return " ".join(self.cleaned_data["term"].split())

    def clean_expansions(self):
        words = []
        for line in EXPANSION_SEPARATORS.split(self.cleaned_data["expansions"]):
            word = " ".join(line.split())
            if word and word not in words:
                words.append(word)
        if not words:
            raise forms.ValidationError(
                _("ページで使われている言葉を、1行に1つ入力してください。"), code="required"
            )
        return "\n".join(words)

    def clean(self):
        cleaned_data = super().clean()
        term = cleaned_data.get("term")
        if term and not self.has_error("site"):
            rows = Synonym.objects.exclude(pk=self.instance.pk)
            rows = rows.filter(site=self.site) if self.site else rows.filter(site__isnull=True)
            folded = normalise_query(term)
            if any(normalise_query(other) == folded for other in rows.values_list("term", flat=True)):
                self.add_error(
                    "term",
                    forms.ValidationError(
                        _(
                            "「%(term)s」は既に登録されています。登録済みの行を開いて、言葉を書き足してください。"
                        ),
                        code="duplicate",
                        params={"term": term},
                    ),
                )
        return cleaned_data


class PromotionForm(MunicipalityRowForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["query"].error_messages["required"] = _("検索語を入力してください。")
        self.fields["page"].error_messages["required"] = _("検索結果の最初に出すページを選んでください。")
        self.fields["page"].widget = PromotionPageChooser()

    def clean_query(self):
        return normalise_query(self.cleaned_data["query"])

    def clean(self):
        cleaned_data = super().clean()
        site, page, query = self.site, cleaned_data.get("page"), cleaned_data.get("query")
        if site is None or page is None:
            return cleaned_data
        if not page_in_site(page, site):
            self.add_error(
                "page",
                forms.ValidationError(
                    _(
                        "「%(title)s」は%(town)sのページではありません。%(town)sのサイトのページを選んでください。"
                    ),
                    code="other_site",
                    params={"title": page.get_admin_display_title(), "town": town_label(site)},
                ),
            )
        elif (
            query
            and Promotion.objects.filter(site=site, query=query, page=page)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error(
                "page",
                forms.ValidationError(
                    _("検索語「%(query)s」には、このページが既に登録されています。"),
                    code="duplicate",
                    params={"query": query},
                ),
            )
        return cleaned_data


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class SearchTermsFilterForm(forms.Form):
    """Which town and which days the 「検索キーワード」 report counts; by default the last 30 days."""

    site = forms.ModelChoiceField(label=_("自治体"), queryset=Site.objects.none(), empty_label=None)
    start = forms.DateField(label=_("開始日"), widget=DateInput())
    end = forms.DateField(label=_("終了日"), widget=DateInput())

    def __init__(self, data, *, sites, today=None):
        today = today or timezone.localdate()
        self.sites = list(sites)
        defaults = {
            "site": self.sites[0].pk if self.sites else "",
            "start": (today - datetime.timedelta(days=REPORT_DAYS - 1)).isoformat(),
            "end": today.isoformat(),
        }
        given = {key: data[key] for key in defaults if data.get(key)}
        #: What was asked, with the defaults filled in: the CSV link asks for the same.
        self.query = {**defaults, **given}
        super().__init__(self.query)
        field = _town_field(self.fields["site"], sites)
        field.error_messages["invalid_choice"] = _("この自治体の検索キーワードは見られません。")
        if len(self.sites) == 1:
            field.widget = forms.HiddenInput()
        for name in ("start", "end"):
            self.fields[name].error_messages["invalid"] = _("日付は 2025-04-01 のように入力してください。")

    def clean(self):
        cleaned_data = super().clean()
        start, end = cleaned_data.get("start"), cleaned_data.get("end")
        if start and end and end < start:
            self.add_error("end", _("終了日は、開始日と同じか後の日付にしてください。"))
        return cleaned_data
