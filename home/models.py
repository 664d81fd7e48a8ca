import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.urls import Resolver404
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Locale, Page, PageViewRestriction, Site
from wagtail.search import index

from .fields import SafeRichTextField
from .roles import ROLE_CHOICES, SECTIONS

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


_locale_ids = {}


def active_locale_id():
    """The id of the ``Locale`` of the active language, remembered per process (locales are added
    by a site administrator and almost never change; saving or deleting one forgets them)."""
    language = translation.get_language()
    if language not in _locale_ids:
        try:
            _locale_ids[language] = Locale.get_active().id
        except (LookupError, Locale.DoesNotExist):
            return None
    return _locale_ids[language]


def _forget_locales(**kwargs):
    _locale_ids.clear()


post_save.connect(_forget_locales, sender=Locale, dispatch_uid="home-forget-locales")
post_delete.connect(_forget_locales, sender=Locale, dispatch_uid="home-forget-locales-deleted")


def _relative_luminance(hex_colour):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_with_white(hex_colour):
    """WCAG contrast ratio of white text on ``hex_colour``."""
    return 1.05 / (_relative_luminance(hex_colour) + 0.05)


def validate_brand_colour(value):
    if not HEX_COLOUR.match(value or ""):
        raise ValidationError(_("色は #1a6b4f のように # と16進数6桁で入力してください。"))
    ratio = contrast_with_white(value)
    if ratio < 4.5:
        raise ValidationError(
            _(
                "白い文字とのコントラスト比が %(ratio).1f:1 で、基準（4.5:1 以上）を満たしません。"
                "もっと濃い色を選んでください。"
            ),
            params={"ratio": ratio},
        )


def _routes_like_a_page(page, rest):
    """True when ``page`` would hand ``rest`` (the address below it) to its child as any page
    does: its class routes like ``Page``, or it is a routable page (an event list with its
    calendar) none of whose own sub-addresses is ``rest``."""
    model = page.specific_class or Page
    if model.route is Page.route:
        return True
    if issubclass(model, RoutablePageMixin) and model.route is RoutablePageMixin.route:
        try:
            model.get_resolver().resolve("/" + "/".join(rest) + "/")
        except Resolver404:
            return True
    return False


def _walked(page, root):
    """``page`` and the pages above it up to ``root``, as the routing linked them."""
    while page is not None and page is not root:
        yield page
        page = getattr(page, "_cached_parent_obj", None)


class KnownRestrictionsMixin:
    """Lets the routing say a page has no view restriction above it (see
    ``HomePage._known_unrestricted``), so Wagtail's check before serving asks no query."""

    def get_view_restrictions(self):
        if getattr(self, "_kosodate_unrestricted", False):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


class HomePage(KnownRestrictionsMixin, Page):
    """The front page of one municipality's site; the root of its page tree."""

    lead = models.CharField(_("リード文"), max_length=200, blank=True)
    body = SafeRichTextField(_("本文"), blank=True, features=["h2", "h3", "bold", "link", "ol", "ul"])

    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("body")]

    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("ホーム")
        verbose_name_plural = _("ホーム")

    @property
    def localized(self):
        """This page itself when it is in the active language, as it is for nearly every request,
        found without asking the database for the ``Locale``; Wagtail's lookup otherwise."""
        if active_locale_id() == self.locale_id:
            return self
        return super().localized

    def route(self, request, path_components):
        """Find the page for an address in one query instead of two per level.

        A page's address under its site is its ``url_path``, so the whole chain is fetched at
        once. The deepest page found hands the rest of the address to its own ``route``, as
        Wagtail's routing would: so a routable page on the way (an event list and its calendar)
        answers its own sub-addresses, and a missing part is a 404 from the page above it.
        """
        if not path_components:
            self._kosodate_unrestricted = self._known_unrestricted(request, self)
            return super().route(request, path_components)
        prefixes = [
            f"{self.url_path}{'/'.join(path_components[: depth + 1])}/"
            for depth in range(len(path_components))
        ]
        by_path = {
            page.url_path: page
            for page in Page.objects.filter(url_path__in=prefixes, path__startswith=self.path)
        }
        parent = self
        for depth, prefix in enumerate(prefixes):
            page = by_path.get(prefix)
            if page is None or page.depth != parent.depth + 1:
                break
            page._cached_parent_obj = parent
            parent = page
            rest = path_components[depth + 1 :]
            if rest and not _routes_like_a_page(page, rest):
                break
        else:
            rest = []
        if parent is self:
            return super().route(request, path_components)
        parent._kosodate_unrestricted = self._known_unrestricted(request, parent)
        return parent.specific.route(request, rest)

    def _known_unrestricted(self, request, page):
        """True when neither ``page`` nor any page above it has a view restriction, judged from
        the town's restricted paths as of its generation (adding, changing or removing a
        restriction, or moving a page, starts a new one) instead of two queries per request.
        An alias on the way leaves the judgement to Wagtail, which follows it to its source."""
        from .page_cache import restricted_paths

        site = Site.find_for_request(request)
        if site is None or self.alias_of_id or any(ancestor.alias_of_id for ancestor in _walked(page, self)):
            return False
        return not any(page.path.startswith(path) for path in restricted_paths(site.pk))

    def get_context(self, request, *args, **kwargs):
        from portal_pages.queries import latest_notices, upcoming_events

        from .life_stages import LIFE_STAGES

        context = super().get_context(request, *args, **kwargs)
        site = Site.find_for_request(request) or self.get_site()
        # Read only when the template draws them (``public()`` asks the database at once): a home
        # page whose HTML is already a kept fragment costs no query for its lists.
        context["sections"] = SimpleLazyObject(lambda: list(self.get_children().live().public().specific()))
        context["life_stages"] = LIFE_STAGES
        context["notices"] = SimpleLazyObject(lambda: list(latest_notices(site, 5)))
        context["events"] = SimpleLazyObject(lambda: list(upcoming_events(site, 4)))
        return context


class SectionPage(KnownRestrictionsMixin, Page):
    """One of the five sections of a municipality's site (行政情報, 地域情報, …).

    ``section`` says which one, so code finds a town's 地域情報 without relying on a title or a
    slug an editor may change.
    """

    section = models.CharField(
        _("区分"),
        max_length=20,
        choices=[(section.key, section.title) for section in SECTIONS],
    )
    lead = models.CharField(_("リード文"), max_length=200, blank=True)
    body = SafeRichTextField(_("本文"), blank=True, features=["h2", "h3", "bold", "link", "ol", "ul"])

    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("body")]
    settings_panels = [*Page.settings_panels, FieldPanel("section")]

    parent_page_types = ["home.HomePage"]

    class Meta:
        verbose_name = _("セクション")
        verbose_name_plural = _("セクション")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["children"] = SimpleLazyObject(
            lambda: list(self.get_children().live().public().in_menu().specific().order_by("path"))
        )
        if self.section == "community":
            from community.services import boards_for

            # Anonymous visitors (whose copy may be cached) get the public boards; a workshop
            # member signed in also sees the workshop's board.
            context["boards"] = boards_for(request.user, Site.find_for_request(request))
        return context


@register_setting(icon="site")
class MunicipalitySettings(BaseSiteSetting):
    """What a municipality shows on every page: its name, logo, colour and contacts."""

    official_name = models.CharField(_("正式名称"), max_length=60, help_text=_("例：三鷹市"))
    short_name = models.CharField(
        _("略称"), max_length=30, blank=True, help_text=_("例：みたか。空欄なら正式名称を使います。")
    )
    site_title = models.CharField(
        _("サイト名"), max_length=60, blank=True, help_text=_("例：みたか子育てねっと")
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("ロゴ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    brand_colour = models.CharField(
        _("テーマ色"),
        max_length=7,
        default="#1a6b4f",
        validators=[validate_brand_colour],
        help_text=_("見出し帯の色。白い文字が読めるよう、コントラスト比4.5:1以上の色にしてください。"),
    )
    postal_code = models.CharField(_("郵便番号"), max_length=8, blank=True)
    address = models.CharField(_("所在地"), max_length=200, blank=True)
    phone = models.CharField(_("代表電話"), max_length=20, blank=True)
    office_name = models.CharField(
        _("担当窓口"), max_length=60, blank=True, help_text=_("例：子ども政策部 子育て広報室")
    )
    office_hours = models.CharField(_("受付時間"), max_length=100, blank=True)
    child_guidance_dial = models.CharField(_("児童相談所虐待対応ダイヤル"), max_length=20, default="189")
    pediatric_emergency = models.CharField(_("子ども医療電話相談"), max_length=20, default="#8000")
    police = models.CharField(_("警察"), max_length=20, default="110")
    fire_ambulance = models.CharField(_("消防・救急"), max_length=20, default="119")
    collection = models.ForeignKey(
        "wagtailcore.Collection",
        verbose_name=_("画像・文書のコレクション"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("official_name"),
                FieldPanel("short_name"),
                FieldPanel("site_title"),
                FieldPanel("logo"),
                FieldPanel("brand_colour"),
            ],
            heading=_("自治体"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("office_name"),
                FieldPanel("postal_code"),
                FieldPanel("address"),
                FieldPanel("phone"),
                FieldPanel("office_hours"),
            ],
            heading=_("問い合わせ先"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("child_guidance_dial"),
                FieldPanel("pediatric_emergency"),
                FieldPanel("police"),
                FieldPanel("fire_ambulance"),
            ],
            heading=_("緊急連絡先（全ページに表示）"),
        ),
    ]

    class Meta:
        verbose_name = _("自治体の設定")
        verbose_name_plural = _("自治体の設定")

    def __str__(self):
        return self.official_name

    @property
    def display_title(self):
        return self.site_title or f"{self.short_name or self.official_name}子育てねっと"


class MunicipalityRole(models.Model):
    """Links a municipality's group to the role it plays there.

    Code asks "who are the counsellors of this town?" through this table instead of parsing
    group names, which staff may rename.
    """

    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("自治体"),
        on_delete=models.CASCADE,
        related_name="roles",
    )
    role = models.CharField(_("役割"), max_length=30, choices=ROLE_CHOICES)
    group = models.OneToOneField(
        "auth.Group",
        verbose_name=_("グループ"),
        on_delete=models.CASCADE,
        related_name="municipality_role",
    )

    class Meta:
        verbose_name = _("自治体の役割")
        verbose_name_plural = _("自治体の役割")
        constraints = [models.UniqueConstraint(fields=["site", "role"], name="one_group_per_role")]

    def __str__(self):
        return self.group.name


def municipality_sites_for(user):
    """The sites (municipalities) a user works in, through their role groups."""
    if not user.is_authenticated:
        return Site.objects.none()
    if user.is_superuser:
        return Site.objects.all()
    return Site.objects.filter(roles__group__user=user).distinct()


class StandardPage(KnownRestrictionsMixin, Page):
    """A plain page of text (how a service works, an about page) in any section.

    The portal issue adds page types with structure (notices, services, events …); this is the
    page for everything else.
    """

    lead = models.CharField(_("リード文"), max_length=200, blank=True)
    body = SafeRichTextField(
        _("本文"),
        blank=True,
        features=["h2", "h3", "h4", "bold", "italic", "link", "document-link", "image", "ol", "ul", "hr"],
    )

    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("lead"), index.SearchField("body")]

    parent_page_types = ["home.SectionPage", "home.StandardPage"]

    class Meta:
        verbose_name = _("標準ページ")
        verbose_name_plural = _("標準ページ")


class LifeStage(models.Model):
    """One of the six stages of ``home.life_stages``, as a row pages can be tagged with."""

    slug = models.SlugField(_("スラッグ"), unique=True)
    name = models.CharField(_("名称"), max_length=20)
    sort_order = models.PositiveSmallIntegerField(_("並び順"), default=0)

    class Meta:
        ordering = ["sort_order"]
        verbose_name = _("ライフステージ")
        verbose_name_plural = _("ライフステージ")

    def __str__(self):
        return self.name
