"""Demo content of the two portals for the demo town (called by ``home.demo.load_demo``).

The text lives in ``demo_data``; this module turns it into published pages. A page whose slug
already exists under its index is left as it is, so loading the demo again creates nothing and
changes nothing, and an editor's changes to a demo page survive.
"""

import datetime
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save
from django.utils import timezone
from wagtail.search.signal_handlers import post_save_signal_handler
from wagtail.search.tasks import insert_or_update_object_task
from wagtail.signal_handlers import disable_reference_index_auto_update
from wagtail.tasks import update_reference_index_task

from home.demo import _image, _plaza
from home.models import LifeStage

from .demo_data import articles, events, facilities, notices, services
from .demo_data.dates import DemoCalendar
from .demo_data.illustrations import ILLUSTRATIONS
from .models import ArticlePage, EventPage, FacilityPage, NoticePage, ServicePage

ILLUSTRATION_SIZE = (960, 640)
# The image ``home.demo`` draws for the home page; the ひろば's page shows it too.
PLAZA_TITLE = "子育てひろばの様子（イラスト）"

# Who writes in each section, and who publishes there (a citizen reporter cannot publish).
WRITERS = {"municipal": "demo-gyosei", "regional": "demo-npo"}
REPORTER = "demo-reporter"
PAGE_MODELS = (FacilityPage, ServicePage, NoticePage, EventPage, ArticlePage)


def load_portal_demo(town):
    """Add the missing demo pages of both portals to ``town``; return the pages created."""
    cal = DemoCalendar(timezone.localdate())
    loader = _Loader(town, cal)
    with _indexed_once(PAGE_MODELS) as created:
        created += loader.place("regional", "FacilityIndexPage", FacilityPage, facilities.pages(cal))
        created += loader.place("municipal", "ServiceIndexPage", ServicePage, services.pages(cal))
        created += loader.place("municipal", "NoticeIndexPage", NoticePage, notices.pages(cal))
        event_specs = events.pages(cal)
        for section in ("municipal", "regional"):
            specs = [spec for spec in event_specs if spec.get("section", "regional") == section]
            created += loader.place(section, "EventIndexPage", EventPage, specs)
        created += loader.place("regional", "ArticleIndexPage", ArticlePage, articles.pages(cal))
    return created


@contextmanager
def _indexed_once(models):
    """Update the search and reference indexes once per new page, after it is published.

    Creating and publishing a page saves it three times, and every save would queue both index
    updates; queuing them once per page makes loading the demo about twice as fast.
    """
    created = []
    detached = [model for model in models if post_save.disconnect(post_save_signal_handler, sender=model)]
    try:
        with disable_reference_index_auto_update():
            yield created
    finally:
        for model in detached:
            post_save.connect(post_save_signal_handler, sender=model)
    for page in created:
        key = (page._meta.app_label, page._meta.model_name, str(page.pk))
        if type(page) in detached:
            insert_or_update_object_task.enqueue(*key)
        update_reference_index_task.enqueue(*key)


class _Loader:
    """Turns page specs into pages, remembering every page placed so later ones can link to it."""

    def __init__(self, town, cal):
        self.town = town
        self.cal = cal
        self.images = {
            key: _image(town.collection, title, scene, ILLUSTRATION_SIZE)
            for key, (title, scene) in ILLUSTRATIONS.items()
        }
        self.images["plaza"] = _image(town.collection, PLAZA_TITLE, _plaza, ILLUSTRATION_SIZE)
        usernames = [*WRITERS.values(), REPORTER]
        self.users = {user.username: user for user in get_user_model().objects.filter(username__in=usernames)}
        self.stages = {stage.slug: stage for stage in LifeStage.objects.all()}
        self.placed = {}

    def place(self, section, index_name, model, specs):
        index = self.town.index(section, index_name)
        existing = set(index.get_children().values_list("slug", flat=True))
        created = [
            self._create(index, section, model, dict(spec)) for spec in specs if spec["slug"] not in existing
        ]
        self.placed.setdefault(model, {}).update({page.slug: page for page in model.objects.child_of(index)})
        return created

    def _create(self, index, section, model, spec):
        spec.pop("section", None)
        stages = spec.pop("stages")
        tags = spec.pop("tags", ())
        published = spec.pop("published", None)
        related = spec.pop("related", ())
        publisher = self.users.get(WRITERS[section])
        author = self.users.get(spec.pop("author", WRITERS[section]))

        page = model(live=False, owner=author, **self._fields(model, spec, author))
        if related:
            page.related_pages = [{"type": "page", "value": self._related(ref).pk} for ref in related]
        index.add_child(instance=page)
        page.life_stages.set([self.stages[slug] for slug in stages])
        if tags:
            page.tags.add(*tags)
        page.save_revision(user=author).publish(user=publisher, skip_permission_checks=True)
        page.refresh_from_db()
        if published is not None and page.live:
            self._backdate(page, published)
        return page

    def _fields(self, model, spec, author):
        spec["body"] = [self._block(block_type, value) for block_type, value in spec["body"]]
        if "venue" in spec:
            spec["venue"] = self.placed[FacilityPage][spec["venue"]]
        if model is ArticlePage:
            spec["reporter"] = author
            days = spec.pop("interview_days_ago")
            spec["interview_date"] = self.cal.today - datetime.timedelta(days=days)
        return spec

    def _block(self, block_type, value):
        if block_type == "image":
            value = {**value, "image": self.images[value["image"]].pk}
        return {"type": block_type, "value": value}

    def _related(self, ref):
        kind, slug = ref.split(":")
        model = {"service": ServicePage, "facility": FacilityPage}[kind]
        return self.placed[model][slug]

    def _backdate(self, page, days):
        """Listings sorted by date look like a living site only if pages were not all published today."""
        moment = self.cal.ago(days, f"{9 + days % 8:02d}:{days * 7 % 60:02d}")
        moment = min(moment, timezone.now())
        type(page).objects.filter(pk=page.pk).update(
            first_published_at=moment, last_published_at=moment, latest_revision_created_at=moment
        )
        page.first_published_at = page.last_published_at = page.latest_revision_created_at = moment
