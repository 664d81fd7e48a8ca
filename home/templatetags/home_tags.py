import hashlib
from functools import lru_cache

from django import template
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from wagtail.models import Site

from home.life_stages import LIFE_STAGES
from home.models import MunicipalitySettings, SectionPage
from home.page_cache import generation, per_generation

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


# Fragments ------------------------------------------------------------------------------------

CSRF_MARK = "csrfmiddlewaretoken"


@register.tag("fragment")
def do_fragment(parser, token):
    """``{% fragment "name" value… %}…{% endfragment %}``: the enclosed HTML, rendered once per
    municipality *generation* (see ``home.page_cache``), language and the given values.

    A fragment must be the same for every visitor: no forms that carry a CSRF token, nothing of
    the signed-in user. It is built as the whole-page cache is renewed: publishing, moving or
    unpublishing a page of the town, or editing its settings, starts a new generation.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("fragment needs a name")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, [parser.compile_filter(bit) for bit in bits[1:]])


class FragmentNode(template.Node):
    def __init__(self, nodelist, parts):
        self.nodelist = nodelist
        self.parts = parts

    def render(self, context):
        request = context.get("request")
        site = _site(request) if request is not None else None
        if site is None or not settings.FRAGMENT_CACHE_ENABLED or getattr(request, "is_preview", False):
            return self.nodelist.render(context)
        if not hasattr(request, "_kosodate_generation"):
            request._kosodate_generation = generation(site.pk)
        values = [str(part.resolve(context)) for part in self.parts]
        address = "\x1f".join([*values, translation.get_language() or ""])
        key = f"fragment:{site.pk}:{request._kosodate_generation}:{hashlib.sha256(address.encode()).hexdigest()}"
        html = cache.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if CSRF_MARK in html:
                # A form with a visitor's token must never be shared with another visitor.
                raise template.TemplateSyntaxError(f"fragment {values[0]!r} holds a CSRF token")
            cache.set(key, html, settings.PAGE_CACHE_SECONDS)
        return html
