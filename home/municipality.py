"""Creating a municipality: its site, section pages, collection, role groups and permissions.

``create_municipality`` is idempotent: run again with the same name and hostname it finds
what exists and adds only what is missing, so a second run changes nothing.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    GroupSitePermission,
    Locale,
    Page,
    PageViewRestriction,
    Site,
)

from community.boards import ensure_boards
from consult.triage import seed_terms
from portal_pages.queries import ensure_standard_indexes
from portal_pages.workflows.setup import ensure_workflows

from .models import HomePage, MunicipalityRole, MunicipalitySettings, SectionPage
from .roles import PAGE_PERMISSIONS, PRIVATE_SECTION_READERS, ROLES, SECTIONS


class MunicipalityError(Exception):
    """A municipality cannot be created as asked; the message says why, in Japanese."""


@dataclass
class Municipality:
    site: Site
    settings: MunicipalitySettings
    home: HomePage
    sections: dict
    collection: Collection
    groups: dict
    indexes: dict
    created: bool

    def group(self, role_key):
        return self.groups[role_key]

    def index(self, section_key, model_name):
        """The standard index page ``model_name`` (e.g. "EventIndexPage") of a section."""
        return self.indexes[(section_key, model_name)]


def _permission(codename):
    app_label = {
        "access_admin": "wagtailadmin",
        "change_municipalitysettings": "home",
        "change_consultsettings": "consult",
        "change_communitysettings": "community",
        "change_feerules": "familysupport",
    }.get(codename)
    if codename.endswith("_page"):
        app_label = "wagtailcore"
    elif codename.endswith("_image"):
        app_label = "wagtailimages"
    elif codename.endswith("_document"):
        app_label = "wagtaildocs"
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _check_free(name, hostname, port):
    site = Site.objects.filter(hostname=hostname, port=port).first()
    if site is not None:
        existing = MunicipalitySettings.objects.filter(site=site).first()
        if existing is None or existing.official_name != name:
            owner = existing.official_name if existing else site.site_name or str(site)
            raise MunicipalityError(
                _(
                    "ホスト名 %(hostname)s は既に「%(owner)s」で使われています。別のホスト名を指定してください。"
                )
                % {"hostname": hostname, "owner": owner}
            )
        return site
    other = MunicipalitySettings.objects.filter(official_name=name).select_related("site").first()
    if other is not None:
        raise MunicipalityError(
            _("「%(name)s」は既にホスト名 %(hostname)s で登録されています。")
            % {"name": name, "hostname": other.site.hostname}
        )
    return None


def _ensure_home(site, name, hostname, port, is_default):
    if site is not None:
        return site, site.root_page.specific, False
    root = Page.get_first_root_node()
    home = HomePage(
        title=f"{name}子育てねっと",
        slug=hostname.split(".")[0].lower()[:50] or "home",
        lead=f"{name}の子育て情報と、地域で支え合うためのポータルサイトです。",
        locale=Locale.get_default(),
    )
    # Slugs of sibling home pages must differ; the hostname's first label may repeat.
    if root.get_children().filter(slug=home.slug).exists():
        home.slug = f"{home.slug}-{Page.objects.count()}"
    root.add_child(instance=home)
    home.save_revision().publish()
    if is_default:
        Site.objects.filter(is_default_site=True).update(is_default_site=False)
    site = Site.objects.create(
        hostname=hostname,
        port=port,
        site_name=f"{name}子育てねっと",
        root_page=home,
        is_default_site=is_default,
    )
    return site, home, True


def _ensure_sections(home):
    existing = {page.section: page for page in SectionPage.objects.child_of(home)}
    sections = {}
    for section in SECTIONS:
        page = existing.get(section.key)
        if page is None:
            page = SectionPage(
                title=section.title,
                slug=section.slug,
                section=section.key,
                lead=section.lead,
                show_in_menus=not section.private,
                locale=home.locale,
            )
            home.add_child(instance=page)
            page.save_revision().publish()
        sections[section.key] = page
    return sections


def _ensure_collection(settings_obj, name):
    if settings_obj.collection_id:
        return settings_obj.collection
    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=name).first()
    if collection is None:
        collection = root.add_child(name=name)
    settings_obj.collection = collection
    settings_obj.save(update_fields=["collection"])
    return collection


def _ensure_groups(site, name, home, sections, collection):
    admin_access = _permission("access_admin")
    settings_change = _permission("change_municipalitysettings")
    groups = {}
    for role in ROLES:
        link = MunicipalityRole.objects.filter(site=site, role=role.key).select_related("group").first()
        if link is None:
            group, _created = Group.objects.get_or_create(name=f"{name} {role.label}")
            link = MunicipalityRole.objects.create(site=site, role=role.key, group=group)
        group = link.group
        if role.admin:
            group.permissions.add(admin_access)
        for section_key, codenames in role.pages.items():
            page = home if section_key == "home" else sections[section_key]
            for codename in codenames:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=page, permission=_permission(codename)
                )
            # The table is the one place that says who may do what: a right it no longer gives
            # on this page (NPO editors' 公開 before the NPO責任者 role) is taken back.
            GroupPagePermission.objects.filter(
                group=group, page=page, permission__codename__in=PAGE_PERMISSIONS
            ).exclude(permission__codename__in=codenames).delete()
        for codename in role.media:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=collection, permission=_permission(codename)
            )
        if role.site_settings:
            GroupSitePermission.objects.get_or_create(group=group, site=site, permission=settings_change)
        for codename in role.other_settings:
            GroupSitePermission.objects.get_or_create(
                group=group, site=site, permission=_permission(codename)
            )
        groups[role.key] = group
    return groups


def _ensure_private_sections(sections, groups):
    """Private sections are readable only by their groups: not in menus, search, feeds or the API."""
    for section in SECTIONS:
        if not section.private:
            continue
        page = sections[section.key]
        restriction = PageViewRestriction.objects.filter(page=page).first()
        if restriction is None:
            restriction = PageViewRestriction.objects.create(
                page=page, restriction_type=PageViewRestriction.GROUPS
            )
        restriction.groups.add(*(groups[key] for key in PRIVATE_SECTION_READERS))


@transaction.atomic
def create_municipality(name, hostname, *, port=80, short_name="", is_default=False):
    """Create (or complete) the municipality ``name`` served at ``hostname``.

    Raises ``MunicipalityError`` when the hostname belongs to another municipality or the name
    is already registered at another hostname; nothing is written then.
    """
    name = (name or "").strip()
    hostname = (hostname or "").strip().lower()
    if not name:
        raise MunicipalityError(_("自治体名を入力してください。"))
    if not hostname or any(c in hostname for c in "/: "):
        raise MunicipalityError(_("ホスト名は mitaka.example.jp のように入力してください。"))

    site = _check_free(name, hostname, port)
    is_default = is_default or not Site.objects.filter(is_default_site=True).exists()
    site, home, created = _ensure_home(site, name, hostname, port, is_default)
    settings_obj, _created = MunicipalitySettings.objects.get_or_create(
        site=site, defaults={"official_name": name, "short_name": short_name}
    )
    sections = _ensure_sections(home)
    indexes = ensure_standard_indexes(sections)
    collection = _ensure_collection(settings_obj, name)
    groups = _ensure_groups(site, name, home, sections, collection)
    _ensure_private_sections(sections, groups)
    ensure_workflows(name, sections, groups)
    seed_terms(site)
    ensure_boards(site)
    return Municipality(
        site=site,
        settings=settings_obj,
        home=home,
        sections=sections,
        collection=collection,
        groups=groups,
        indexes=indexes,
        created=created,
    )


def section_page(site, key):
    """The live section page ``key`` (see ``roles.SECTIONS``) of a municipality's site."""
    return SectionPage.objects.child_of(site.root_page).filter(section=key).first()
