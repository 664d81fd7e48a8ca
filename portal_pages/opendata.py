"""Open data: the requesting municipality's facilities as CSV and JSON.

``/opendata/facilities.csv`` and ``/opendata/facilities.json`` list the live, public facility pages
of the site that was requested (never another town's), in the order of the facility index (kind,
then name). ``?kind=hiroba`` and ``?stage=age-0`` narrow the list as on the index page; an unknown
value is refused with 400 rather than ignored, so a typo never passes for "every facility".

Columns — CSV header (Japanese, for people opening the file in Excel) / JSON key:

==================  ====================  ==============================================
CSV                 JSON                  value
==================  ====================  ==============================================
ID                  ``id``                page id, stable for the life of the page
名称                ``name``              the page title
種類コード          ``kind``              ``hiroba``, ``jidokan``, … (``choices.FacilityKind``)
種類                ``kind_label``        子育てひろば, 児童館, …
郵便番号            ``postal_code``       as entered, e.g. 181-0013
住所                ``address``
緯度                ``latitude``          decimal degrees (WGS 84); empty / null when unknown
経度                ``longitude``         decimal degrees (WGS 84); empty / null when unknown
電話番号            ``phone``
開館時間            ``opening_hours``     free text
休館日              ``closed_days``       free text
授乳室              ``nursing_room``      CSV 有 / 無, JSON true / false
おむつ替え          ``diaper_changing``   CSV 有 / 無, JSON true / false
ベビーカー可        ``stroller_ok``       CSV 有 / 無, JSON true / false
駐車場              ``parking``           CSV 有 / 無, JSON true / false
対象のライフステージ ``life_stages``      slugs (``home.life_stages``): CSV joined by ``;``, JSON a list
URL                 ``url``               absolute address of the facility's page
==================  ====================  ==============================================

The CSV is UTF-8 with a byte-order mark and CRLF line ends, which is what Excel in Japan needs to
read it without mojibake. A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading ``'`` so Excel shows it instead of running it as a formula.

The JSON is ``{"municipality", "generated_at", "count", "facilities": [...]}`` with the keys above.

Labels and headers are always Japanese, also under ``/en/``: the data set is the municipality's
Japanese source. The number of queries does not depend on the number of facilities.
"""

import csv
import io

from django.http import HttpResponse, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from wagtail.models import Site

from home.models import MunicipalitySettings

from .choices import AMENITY_KEYS
from .listing import ListingFilterForm
from .models import FacilityPage

COLUMNS = (
    ("id", _("ID")),
    ("name", _("名称")),
    ("kind", _("種類コード")),
    ("kind_label", _("種類")),
    ("postal_code", _("郵便番号")),
    ("address", _("住所")),
    ("latitude", _("緯度")),
    ("longitude", _("経度")),
    ("phone", _("電話番号")),
    ("opening_hours", _("開館時間")),
    ("closed_days", _("休館日")),
    ("nursing_room", _("授乳室")),
    ("diaper_changing", _("おむつ替え")),
    ("stroller_ok", _("ベビーカー可")),
    ("parking", _("駐車場")),
    ("life_stages", _("対象のライフステージ")),
    ("url", _("URL")),
)

JSON_PARAMS = {"ensure_ascii": False, "indent": 2}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class FilterError(Exception):
    """A filter in the query string has a value the data set does not know."""

    def __init__(self, messages):
        super().__init__(" ".join(messages))
        self.messages = messages


def facilities(request, data):
    """The requesting site's live public facilities that pass ``?kind=`` / ``?stage=``, stages prefetched."""
    form = ListingFilterForm(data, filters=("stage", "kind"))
    if not form.is_valid():
        raise FilterError(
            [
                f"{form.fields[name].label}: {message}"
                for name, errors in form.errors.items()
                for message in errors
            ]
        )
    site = Site.find_for_request(request)
    if site is None:
        return FacilityPage.objects.none()
    pages = FacilityPage.objects.live().public().descendant_of(site.root_page)
    if form.cleaned_data.get("kind"):
        pages = pages.filter(kind=form.cleaned_data["kind"])
    if form.cleaned_data.get("stage"):
        pages = pages.filter(life_stages=form.cleaned_data["stage"])
    return pages.order_by("kind", "title", "id").prefetch_related("life_stages")


def _coordinate(value):
    return float(value) if value is not None else None


def facility_record(page, request):
    """One facility as a dict with the JSON keys of the module docstring."""
    return {
        "id": page.id,
        "name": page.title,
        "kind": page.kind,
        "kind_label": str(page.get_kind_display()),
        "postal_code": page.postal_code,
        "address": page.address,
        "latitude": _coordinate(page.latitude),
        "longitude": _coordinate(page.longitude),
        "phone": page.phone,
        "opening_hours": page.opening_hours,
        "closed_days": page.closed_days,
        **{key: getattr(page, key) for key in AMENITY_KEYS},
        "life_stages": [stage.slug for stage in page.life_stages.all()],
        "url": page.get_full_url(request),
    }


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("有") if value else _("無"))
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def _records(request):
    with translation.override("ja"):
        return [facility_record(page, request) for page in facilities(request, request.GET)]


@require_GET
def facilities_csv(request):
    try:
        records = _records(request)
    except FilterError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    with translation.override("ja"):
        writer.writerow([str(label) for _key, label in COLUMNS])
        for record in records:
            writer.writerow([_csv_cell(record[key]) for key, _label in COLUMNS])
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="facilities.csv"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def facilities_json(request):
    try:
        records = _records(request)
    except FilterError as error:
        return JsonResponse({"errors": error.messages}, status=400, json_dumps_params=JSON_PARAMS)
    site = Site.find_for_request(request)
    municipality = MunicipalitySettings.for_site(site).official_name if site is not None else ""
    payload = {
        "municipality": municipality,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "count": len(records),
        "facilities": records,
    }
    response = JsonResponse(payload, json_dumps_params=JSON_PARAMS)
    response["Access-Control-Allow-Origin"] = "*"
    return response
