"""What other apps ask of the portal: the latest notices, upcoming events, a stage's pages."""

from django.utils import timezone

from .models import EventPage, FacilityPage, NoticePage, ServicePage


def _in_site(model, site):
    pages = model.objects.live().public()
    if site is not None:
        pages = pages.descendant_of(site.root_page)
    return pages


def latest_notices(site, limit=5, stage=None):
    pages = _in_site(NoticePage, site)
    if stage is not None:
        pages = pages.filter(life_stages__slug=stage)
    return pages.order_by("-first_published_at")[:limit]


def upcoming_events(site, limit=5, stage=None):
    pages = _in_site(EventPage, site).filter(end__gte=timezone.now()).select_related("venue")
    if stage is not None:
        pages = pages.filter(life_stages__slug=stage)
    return pages.order_by("start")[:limit]


def for_life_stage(site, stage, limit=10):
    """Services, notices, upcoming events and facilities for one life stage, in one site."""
    return {
        "services": _in_site(ServicePage, site).filter(life_stages__slug=stage).order_by("title")[:limit],
        "notices": latest_notices(site, limit, stage),
        "events": upcoming_events(site, limit, stage),
        "facilities": _in_site(FacilityPage, site)
        .filter(life_stages__slug=stage)
        .order_by("kind", "title")[:limit],
    }


# The listings every municipality starts with, per section: (model, title, slug, lead).
STANDARD_INDEXES = {
    "municipal": (
        (
            "NoticeIndexPage",
            "お知らせ",
            "oshirase",
            "市からのお知らせです。掲載期間が過ぎたものは表示されません。",
        ),
        ("ServiceIndexPage", "制度・サービス", "seido", "子育てに関する手当・助成・サービスの一覧です。"),
        ("EventIndexPage", "市のイベント", "event", "健診・講座・教室など、市が開く催しです。"),
    ),
    "regional": (
        ("EventIndexPage", "地域のイベント", "event", "子育てひろばや児童館、NPOの催しです。"),
        ("FacilityIndexPage", "施設", "shisetsu", "子育てひろば・児童館・保育所など、親子で行ける場所です。"),
        ("ArticleIndexPage", "特集・市民記事", "kiji", "市民記者とNPOが取材した、まちの子育ての記事です。"),
    ),
}


def ensure_standard_indexes(sections):
    """Create the standard index pages under a municipality's sections; keep existing ones."""
    from django.apps import apps

    created = {}
    for section_key, indexes in STANDARD_INDEXES.items():
        section = sections[section_key]
        for model_name, title, slug, lead in indexes:
            model = apps.get_model("portal_pages", model_name)
            page = model.objects.child_of(section).first()
            if page is None:
                page = model(title=title, slug=slug, lead=lead, locale=section.locale, show_in_menus=True)
                section.add_child(instance=page)
                page.save_revision().publish()
            created[(section_key, model_name)] = page
    return created
