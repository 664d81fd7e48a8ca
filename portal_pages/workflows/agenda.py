"""The agenda of the 編集会議: every page of the user's towns now waiting for the meeting's votes.

It is read at the physical meeting, on screen or on paper, so each item carries what the
meeting talks about: who wrote it, how long it has waited, how the votes stand and, for a
published page being revised, what its readers said. The whole agenda costs a fixed number of
queries, however many pages wait.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, TaskState, WorkflowState

from home.models import MunicipalityRole, MunicipalitySettings, municipality_sites_for
from portal_pages.models import PageFeedback, Rating

from . import meeting
from .models import EditorialMeetingTask, Vote

# Who holds the meeting: the NPO's editors and lead, and the town's site admins who oversee it.
AGENDA_ROLES = ("npo_editor", "npo_lead", "site_admin")


def can_view_agenda(user):
    if not (user.is_authenticated and user.is_active):
        return False
    return (
        user.is_superuser or MunicipalityRole.objects.filter(role__in=AGENDA_ROLES, group__user=user).exists()
    )


def agenda_sites(user):
    """The municipalities whose meeting ``user`` sits in (every one, for a platform operator)."""
    sites = municipality_sites_for(user).select_related("root_page")
    if user.is_superuser:
        return sites
    return sites.filter(
        pk__in=MunicipalityRole.objects.filter(role__in=AGENDA_ROLES, group__user=user).values("site")
    )


def meeting_admin_sites(user):
    """The municipalities whose 編集会議 ``user`` may configure: their site admins (and operators)."""
    sites = municipality_sites_for(user).select_related("root_page")
    if user.is_superuser:
        return sites
    return sites.filter(
        pk__in=MunicipalityRole.objects.filter(role="site_admin", group__user=user).values("site")
    )


@dataclass
class AgendaItem:
    task_state: TaskState
    page: Page
    title: str
    author: str
    town: str
    waited_days: int
    quorum: int
    votes: list = field(default_factory=list)
    feedback: list | None = None

    @property
    def tally(self):
        return meeting.tally(self.votes, self.quorum)

    @property
    def is_revision_of_live_page(self):
        return self.page.live

    @property
    def edited_since_submission(self):
        """A reviewer saved a newer version during the round; the next vote reopens it."""
        return self.page.latest_revision_id != self.task_state.revision_id

    @property
    def edit_url(self):
        return reverse("wagtailadmin_pages:edit", args=[self.page.pk])


@dataclass
class Agenda:
    towns: list
    items: list

    @property
    def show_town(self):
        return len(self.towns) > 1


def _pages_in(sites):
    in_sites = Q(pk__in=[])
    for site in sites:
        in_sites |= Q(path__startswith=site.root_page.path, depth__gte=site.root_page.depth)
    return Page.objects.filter(in_sites)


def _feedback_counts(page_ids):
    counts = defaultdict(dict)
    rows = (
        PageFeedback.objects.filter(page_id__in=page_ids)
        .values_list("page_id", "rating")
        .annotate(total=Count("pk"))
        .order_by()
    )
    for page_id, rating, total in rows:
        counts[page_id][rating] = total
    return {
        page_id: [(label, by_rating.get(value, 0)) for value, label in Rating.choices]
        for page_id, by_rating in counts.items()
    }


def agenda_for(user, now=None):
    """The ``Agenda`` of ``user``'s towns: the pages awaiting the 編集会議, longest-waiting first."""
    now = now or timezone.now()
    sites = list(agenda_sites(user))
    towns = {
        row.site_id: row.official_name
        for row in MunicipalitySettings.objects.filter(site__in=[site.pk for site in sites])
    }
    agenda = Agenda(towns=sorted(towns.values()), items=[])
    if not sites:
        return agenda
    town_page_keys = _pages_in(sites).annotate(key=Cast("pk", output_field=CharField())).values("key")
    states = list(
        TaskState.objects.filter(
            status=TaskState.STATUS_IN_PROGRESS,
            task__in=EditorialMeetingTask.objects.values("pk"),
            workflow_state__status=WorkflowState.STATUS_IN_PROGRESS,
            workflow_state__base_content_type=ContentType.objects.get_for_model(Page),
            workflow_state__object_id__in=town_page_keys,
        )
        .select_related("revision", "workflow_state")
        .order_by("started_at", "pk")
    )
    if not states:
        return agenda

    pages = Page.objects.select_related("owner").in_bulk([int(s.workflow_state.object_id) for s in states])
    quorums = dict(
        EditorialMeetingTask.objects.filter(pk__in={s.task_id for s in states}).values_list("pk", "quorum")
    )
    votes = defaultdict(list)
    for vote in (
        Vote.objects.filter(task_state__in=[s.pk for s in states])
        .select_related("user")
        .order_by("created_at", "pk")
    ):
        votes[vote.task_state_id].append(vote)
    feedback = _feedback_counts([pk for pk, page in pages.items() if page.live])
    roots = [(site.root_page.path, towns.get(site.pk, site.site_name)) for site in sites]

    for state in states:
        page = pages[int(state.workflow_state.object_id)]
        agenda.items.append(
            AgendaItem(
                task_state=state,
                page=page,
                title=state.revision.object_str or page.title,
                author=page.owner.public_name if page.owner else "",
                town=next(name for path, name in roots if page.path.startswith(path)),
                waited_days=(now - state.started_at).days,
                quorum=quorums[state.task_id],
                votes=votes[state.pk],
                feedback=feedback.get(page.pk, [(label, 0) for _value, label in Rating.choices])
                if page.live
                else None,
            )
        )
    return agenda
