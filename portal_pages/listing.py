"""Index-page listings: filters from the query string, a fixed number of queries, pagination.

Filters are plain GET parameters (``?stage=age-1-2&category=health&page=2``), so every filter is
a link or a form that works without JavaScript, and a listing's URL can be shared.
"""

from django import forms
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from home.models import LifeStage

from .choices import AMENITIES, Category, FacilityKind


class ListingFilterForm(forms.Form):
    stage = forms.ModelChoiceField(
        label=_("ライフステージ"),
        queryset=LifeStage.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("すべて"),
    )
    category = forms.ChoiceField(
        label=_("分類"), choices=[("", _("すべて")), *Category.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("施設の種類"), choices=[("", _("すべて")), *FacilityKind.choices], required=False
    )
    amenity = forms.MultipleChoiceField(
        label=_("設備"), choices=AMENITIES, required=False, widget=forms.CheckboxSelectMultiple
    )
    tag = forms.SlugField(label=_("タグ"), required=False, allow_unicode=True)
    date_from = forms.DateField(
        label=_("いつから"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("日付は 2026-12-01 のように入力してください。")},
    )
    date_to = forms.DateField(
        label=_("いつまで"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("日付は 2026-12-01 のように入力してください。")},
    )
    past = forms.BooleanField(label=_("終わったイベントも表示"), required=False)

    FIELDS_BY_FILTER = {
        "stage": ("stage",),
        "category": ("category",),
        "kind": ("kind",),
        "amenity": ("amenity",),
        "tag": ("tag",),
        "date": ("date_from", "date_to"),
    }

    template_name = "portal_pages/includes/filter_form.html"

    def __init__(self, data, *, filters, events=False):
        super().__init__(data)
        keep = {name for key in filters for name in self.FIELDS_BY_FILTER[key]}
        if events:
            keep.add("past")
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("「いつまで」は「いつから」より後の日付にしてください。"))
        return cleaned


def _date_field(model_name):
    return "start" if model_name == "EventPage" else "first_published_at"


def filtered_children(index, data):
    """The live children of ``index`` that pass the filters in ``data``, and the bound form."""
    from django.apps import apps

    model = apps.get_model("portal_pages", index.child_model)
    events = model.__name__ == "EventPage"
    form = ListingFilterForm(data, filters=index.filters, events=events)
    pages = model.objects.child_of(index).live().public()
    form.is_valid()
    # A field that fails validation is left out of cleaned_data; the others still filter.
    values = form.cleaned_data

    if values.get("stage"):
        pages = pages.filter(life_stages=values["stage"])
    if values.get("category"):
        pages = pages.filter(category=values["category"])
    if values.get("kind"):
        pages = pages.filter(kind=values["kind"])
    for amenity in values.get("amenity") or ():
        pages = pages.filter(**{amenity: True})
    if values.get("tag"):
        pages = pages.filter(tags__slug=values["tag"])
    date_field = _date_field(model.__name__)
    if values.get("date_from"):
        pages = pages.filter(**{f"{date_field}__date__gte": values["date_from"]})
    if values.get("date_to"):
        pages = pages.filter(**{f"{date_field}__date__lte": values["date_to"]})
    if events and not values.get("past"):
        pages = pages.filter(end__gte=timezone.now())

    pages = pages.order_by(*index.order_by).prefetch_related("life_stages")
    if events:
        pages = pages.select_related("venue")
    if model.__name__ == "ArticlePage":
        pages = pages.select_related("reporter", "owner").prefetch_related("tags")
    return pages.distinct(), form


def paginate(items, number, per_page):
    paginator = Paginator(items, per_page)
    try:
        return paginator.page(number)
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


def listing_context(index, request):
    """The list's context, worked out only when the template reads it: a listing whose HTML is
    already in the fragment cache costs no query."""

    def build():
        pages, form = filtered_children(index, request.GET)
        return paginate(pages, request.GET.get("page", 1), index.per_page), form

    listing = SimpleLazyObject(build)
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "items": SimpleLazyObject(lambda: listing[0]),
        "filter_form": SimpleLazyObject(lambda: listing[1]),
        "querystring": query.urlencode(),
        "item_template": f"portal_pages/includes/{_snake(index.child_model)}_item.html",
    }


def _snake(name):
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
