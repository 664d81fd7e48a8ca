from functools import lru_cache

from django import template
from wagtail.models import Site

from home.life_stages import LIFE_STAGES
from home.models import MunicipalitySettings, SectionPage
from home.page_cache import per_generation

register = template.Library()


def _site(request):
    if not hasattr(request, "_kosodate_site"):
        request._kosodate_site = Site.find_for_request(request)
    return request._kosodate_site


@register.simple_tag(takes_context=True)
def municipality(context):
    """The settings of the municipality this request is for, or None."""
    request = context.get("request")
    if request is None:
        return None
    if not hasattr(request, "_kosodate_town"):
        site = _site(request)
        request._kosodate_town = (
            per_generation(
                site.pk,
                "settings",
                lambda: MunicipalitySettings.objects.select_related("logo").filter(site=site).first(),
            )
            if site
            else None
        )
    return request._kosodate_town


@register.simple_tag(takes_context=True)
def site_sections(context):
    """The section pages shown in the main navigation, in tree order."""
    request = context.get("request")
    site = _site(request) if request is not None else None
    if site is None:
        return []
    if not hasattr(request, "_kosodate_sections"):
        request._kosodate_sections = per_generation(
            site.pk,
            "sections",
            lambda: list(
                SectionPage.objects.child_of(site.root_page)
                .live()
                .public()
                .in_menu()
                .order_by("path")
                .only("id", "title", "url_path", "path", "depth", "section")
            ),
        )
    return request._kosodate_sections


@register.simple_tag
def life_stages():
    return LIFE_STAGES


@register.simple_tag(takes_context=True)
def is_current(context, section):
    """True when the page being shown is the section or inside it."""
    page = context.get("page")
    return bool(page and page.path.startswith(section.path))


@register.simple_tag(takes_context=True)
def print_qr(context):
    """An inline SVG QR code of this page's address, for the printed copy (hidden on screen)."""
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe

    request = context.get("request")
    if request is None:
        return ""
    url = request.build_absolute_uri(request.path)
    # segno writes only path data computed from the URL, so its SVG is safe to embed as is.
    return format_html("{}<p>{}</p>", mark_safe(_qr_svg(url)), url)


@lru_cache(maxsize=4096)
def _qr_svg(url):
    """The QR code of an address: the same every time, so made once per address and process."""
    import segno

    svg = segno.make(url, error="m", micro=False).svg_inline(
        scale=2, border=2, svgclass="print-qr__code", lineclass=None
    )
    return svg.replace("<svg ", '<svg role="img" aria-label="QR" ', 1)
