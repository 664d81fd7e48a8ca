from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.search import index

from ..choices import AMENITIES, FacilityKind
from .base import ContentPage, IndexPage, stages_panel


class FacilityPage(ContentPage):
    """施設: a place families go — ひろば, 児童館, 保育所 … — with hours, amenities and location."""

    kind = models.CharField(_("種類"), max_length=20, choices=FacilityKind.choices, db_index=True)
    postal_code = models.CharField(_("郵便番号"), max_length=8, blank=True)
    address = models.CharField(_("住所"), max_length=200)
    latitude = models.DecimalField(
        _("緯度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("経度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    phone = models.CharField(_("電話"), max_length=20, blank=True)
    opening_hours = models.CharField(
        _("開館時間"), max_length=200, blank=True, help_text=_("例：午前9時〜午後5時")
    )
    closed_days = models.CharField(
        _("休館日"), max_length=200, blank=True, help_text=_("例：日曜・祝日、年末年始")
    )
    nursing_room = models.BooleanField(_("授乳室"), default=False)
    diaper_changing = models.BooleanField(_("おむつ替え"), default=False)
    stroller_ok = models.BooleanField(_("ベビーカー可"), default=False)
    parking = models.BooleanField(_("駐車場"), default=False)

    content_panels = [
        *ContentPage.content_panels,
        FieldPanel("lead"),
        MultiFieldPanel(
            [
                FieldPanel("kind"),
                FieldRowPanel([FieldPanel("postal_code"), FieldPanel("phone")]),
                FieldPanel("address"),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
                FieldPanel("opening_hours"),
                FieldPanel("closed_days"),
            ],
            heading=_("施設の情報"),
        ),
        MultiFieldPanel([FieldPanel(key) for key, _label in AMENITIES], heading=_("設備")),
        stages_panel(),
        FieldPanel("body"),
    ]
    search_fields = [
        *ContentPage.search_fields,
        index.SearchField("address"),
        index.FilterField("kind"),
        *[index.FilterField(key) for key, _label in AMENITIES],
    ]
    api_fields = [
        *ContentPage.api_fields,
        *[
            APIField(name)
            for name in (
                "kind",
                "postal_code",
                "address",
                "latitude",
                "longitude",
                "phone",
                "opening_hours",
                "closed_days",
                "nursing_room",
                "diaper_changing",
                "stroller_ok",
                "parking",
            )
        ],
    ]

    parent_page_types = ["portal_pages.FacilityIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("施設")
        verbose_name_plural = _("施設")

    def amenities(self):
        return [label for key, label in AMENITIES if getattr(self, key)]


class FacilityIndexPage(IndexPage):
    child_model = "FacilityPage"
    filters = ("stage", "kind", "amenity")
    order_by = ("kind", "title")
    subpage_types = ["portal_pages.FacilityPage"]

    class Meta:
        verbose_name = _("施設一覧")
        verbose_name_plural = _("施設一覧")
