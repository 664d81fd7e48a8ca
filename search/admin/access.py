"""Who keeps a municipality's search words, and who reads what its parents searched for.

Synonyms and promoted results are kept by a town's editors: its site admins, municipal staff
and NPO editors (``EDITOR_ROLES``), who also write the pages those words lead to. The shared
seed of synonyms (rows without a municipality) serves every town, so only platform operators
(superusers) change it; editors read it. The 「検索キーワード」 report is for everyone who may
edit pages in the town ("change" or "publish" somewhere in its tree): it tells them what to
write next.

The permission policies below give Wagtail's generic views these rules instead of Django's
model permissions, which are global and would let an editor of town A reach town B's rows.
"""

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Q, Subquery
from wagtail.models import Page, Site
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import page_permission_policy

from home.models import MunicipalityRole, MunicipalitySettings

EDITOR_ROLES = ("site_admin", "municipal_staff", "npo_editor", "npo_lead")
PAGE_EDIT_CODENAMES = frozenset({"change_page", "publish_page"})
ACTIONS = frozenset({"add", "change", "delete", "view"})

_EDITOR_CACHE = "_search_editor_site_ids"
_REPORT_CACHE = "_search_report_site_ids"


def _is_staff_user(user):
    return user is not None and user.is_authenticated and user.is_active


def with_town_names(sites):
    """``sites`` with ``town`` (the municipality's official name), ordered by it."""
    names = MunicipalitySettings.objects.filter(site=OuterRef("pk")).values("official_name")[:1]
    return sites.annotate(town=Subquery(names)).order_by("town", "hostname", "pk")


def town_label(site):
    """How a municipality is named in the admin: 三鷹市, not its hostname."""
    return getattr(site, "town", None) or site.site_name or site.hostname


def editor_site_ids(user):
    """Ids of the municipalities whose synonyms and promoted results ``user`` keeps."""
    if not _is_staff_user(user):
        return frozenset()
    if not hasattr(user, _EDITOR_CACHE):
        sites = Site.objects.all()
        if not user.is_superuser:
            roles = MunicipalityRole.objects.filter(role__in=EDITOR_ROLES, group__user=user)
            sites = sites.filter(pk__in=roles.values("site"))
        setattr(user, _EDITOR_CACHE, frozenset(sites.values_list("pk", flat=True)))
    return getattr(user, _EDITOR_CACHE)


def editor_sites(user):
    """The municipalities whose synonyms and promoted results ``user`` keeps (all, for an operator)."""
    return with_town_names(Site.objects.filter(pk__in=editor_site_ids(user)))


def report_site_ids(user):
    """Ids of the municipalities where ``user`` may edit pages, so may read the search report."""
    if not _is_staff_user(user):
        return frozenset()
    if not hasattr(user, _REPORT_CACHE):
        if user.is_superuser:
            ids = frozenset(Site.objects.values_list("pk", flat=True))
        else:
            paths = [
                grant.page.path
                for grant in page_permission_policy.get_cached_permissions_for_user(user)
                if grant.permission.codename in PAGE_EDIT_CODENAMES
            ]
            ids = frozenset(
                site.pk
                for site in Site.objects.select_related("root_page")
                if any(_overlaps(site.root_page.path, path) for path in paths)
            )
        setattr(user, _REPORT_CACHE, ids)
    return getattr(user, _REPORT_CACHE)


def _overlaps(root_path, granted_path):
    """A grant on the town's root or below it, or on an ancestor of the whole town."""
    return root_path.startswith(granted_path) or granted_path.startswith(root_path)


def report_sites(user):
    return with_town_names(Site.objects.filter(pk__in=report_site_ids(user)))


def site_pages_q(sites):
    """Pages inside the trees of ``sites``, including the trees of their other languages."""
    root_keys = Page.objects.filter(pk__in=[site.root_page_id for site in sites]).values("translation_key")
    condition = Q(pk__in=[])
    for root in Page.objects.filter(translation_key__in=root_keys).only("path", "depth"):
        condition |= Q(path__startswith=root.path, depth__gte=root.depth)
    return condition


def page_in_site(page, site):
    return Page.objects.filter(site_pages_q([site]), pk=page.pk).exists()


class MunicipalityPermissionPolicy(BasePermissionPolicy):
    """Editors may do everything with their own towns' rows; operators with every row.

    ``shared_rows_readable``: rows without a municipality (the shared seed) exist, every editor
    may view them and only operators may change or delete them.
    """

    shared_rows_readable = False

    def user_has_permission(self, user, action):
        if action not in ACTIONS or not _is_staff_user(user):
            return False
        return user.is_superuser or bool(editor_site_ids(user))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if user.is_superuser:
            return True
        if instance.site_id is None:
            return self.shared_rows_readable and action == "view"
        return instance.site_id in editor_site_ids(user)

    def instances_user_has_any_permission_for(self, user, actions):
        actions = set(actions) & ACTIONS
        rows = self.model._default_manager.all()
        if not actions or not _is_staff_user(user):
            return rows.none()
        if user.is_superuser:
            return rows
        condition = Q(site__in=editor_site_ids(user))
        if self.shared_rows_readable and "view" in actions:
            condition |= Q(site__isnull=True)
        return rows.filter(condition)

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.filter(is_active=True)
        if not set(actions) & ACTIONS:
            return users.none()
        roles = MunicipalityRole.objects.filter(role__in=EDITOR_ROLES)
        return users.filter(Q(is_superuser=True) | Q(groups__municipality_role__in=roles)).distinct()

    def users_with_any_permission_for_instance(self, actions, instance):
        users = self.users_with_any_permission(actions)
        if instance.site_id is None:
            if self.shared_rows_readable and "view" in actions:
                return users
            return users.filter(is_superuser=True)
        roles = MunicipalityRole.objects.filter(role__in=EDITOR_ROLES, site_id=instance.site_id)
        return users.filter(Q(is_superuser=True) | Q(groups__municipality_role__in=roles)).distinct()


class SynonymPermissionPolicy(MunicipalityPermissionPolicy):
    shared_rows_readable = True


class PromotionPermissionPolicy(MunicipalityPermissionPolicy):
    pass
