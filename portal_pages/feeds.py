"""Calendars and feeds: an event index's month grid, iCal files of events, RSS/Atom of notices.

Everything here answers for the municipality of the request only (``Site.find_for_request``),
so a town's calendar subscription or feed reader never shows another town's pages.
"""

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.feedgenerator import Atom1Feed
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event
from wagtail.models import Site

from home.life_stages import BY_SLUG
from home.models import MunicipalitySettings
from home.page_cache import per_generation

from .listing import ListingFilterForm
from .models import EventPage, NoticePage

# Years a month calendar answers for (outside them a month URL is a 404, not an endless crawl),
# and that the VTIMEZONE of an iCal file covers.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# Ended events stay in the iCal feeds this long, so a subscriber still sees last week's events.
RECENT_DAYS = 30
NOTICES_IN_FEED = 30
PRODID = "-//Kosodate Net//子育てねっと//JA"
WEEK = calendar.Calendar(firstweekday=calendar.SUNDAY)


# Month calendar ---------------------------------------------------------------------------


@dataclass
class CalendarDay:
    date: datetime.date
    in_month: bool
    is_today: bool
    events: list


def month_start(year, month):
    """The first day of the month; Http404 for a month no calendar page shows."""
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        raise Http404
    return datetime.date(year, month, 1)


def _next_month(day):
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _previous_month(day):
    return (day - datetime.timedelta(days=1)).replace(day=1)


def month_grid(first, events, today):
    """Weeks of the month (Sunday first, as Japanese calendars print them), each day with its events.

    An event is shown on the day it starts, in the site's time zone; days of the neighbouring
    months fill the first and last week and carry no events.
    """
    by_day = defaultdict(list)
    for event in events:
        by_day[timezone.localdate(event.start)].append(event)

    def cell(day):
        in_month = day.month == first.month
        return CalendarDay(day, in_month, day == today, by_day[day] if in_month else [])

    return [[cell(day) for day in week] for week in WEEK.monthdatescalendar(first.year, first.month)]


def month_calendar(index, data, year, month):
    """What the month view of an event index shows, from one query for the month's events.

    ``data`` is the query string; its ``stage`` filters as it does on the index's list.
    """
    first = month_start(year, month)
    following = _next_month(first)
    form = ListingFilterForm(data, filters=("stage",))
    form.is_valid()
    stage = form.cleaned_data.get("stage")

    tz = timezone.get_current_timezone()
    events = (
        EventPage.objects.child_of(index)
        .live()
        .public()
        .filter(
            start__gte=datetime.datetime.combine(first, datetime.time(), tz),
            start__lt=datetime.datetime.combine(following, datetime.time(), tz),
        )
        .order_by("start", "pk")
    )
    if stage:
        events = events.filter(life_stages=stage)
    # Read only when the template draws the grid: a month already in the fragment cache costs no
    # query for its events.
    query = events
    events = SimpleLazyObject(lambda: list(query))

    previous = _previous_month(first)
    return {
        "month": first,
        "today": timezone.localdate(),
        "weeks": SimpleLazyObject(lambda: month_grid(first, events, timezone.localdate())),
        "weekdays": [(WEEKDAYS_ABBR[day], WEEKDAYS[day]) for day in WEEK.iterweekdays()],
        "event_count": SimpleLazyObject(lambda: len(events)),
        "stage": stage,
        "previous_month": previous if previous.year >= FIRST_YEAR else None,
        "next_month": following if following.year <= LAST_YEAR else None,
    }


# Kept per generation ---------------------------------------------------------------------


def kept_per_generation(view):
    """``view``'s successful answer kept until the town next changes (a publish, a move, a
    setting: the events that renew its cached pages) or the day ends, per address, host, scheme
    and language. Feeds are the same for everyone and read by calendar apps and feed readers
    that poll; building the iCal calendar costs tens of milliseconds each time."""

    @wraps(view)
    def kept(request, *args, **kwargs):
        site = Site.find_for_request(request)
        if site is None:
            return view(request, *args, **kwargs)
        answered = []

        def build():
            response = view(request, *args, **kwargs)
            answered.append(response)
            if response.status_code != 200:
                return None
            return response["Content-Type"], response.get("Content-Disposition"), response.content

        name = (
            f"feed:{request.scheme}:{request.get_host()}:{request.path}:"
            f"{translation.get_language()}:{timezone.localdate().isoformat()}"
        )
        kept_answer = per_generation(site.pk, name, build, settings.PAGE_CACHE_SECONDS)
        if kept_answer is None:
            return answered[0] if answered else view(request, *args, **kwargs)
        content_type, disposition, body = kept_answer
        response = HttpResponse(body, content_type=content_type)
        if disposition:
            response["Content-Disposition"] = disposition
        return response

    return kept


# iCal --------------------------------------------------------------------------------------


def _request_site(request):
    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    return site


def _site_title(site):
    town = MunicipalitySettings.objects.filter(site=site).first()
    return town.display_title if town else str(_("子育てねっと"))


def _absolute_url(page, request):
    return request.build_absolute_uri(page.get_url(request))


def event_location(page):
    """Where the event is, as one line: the facility and its address, or the free-text venue."""
    if page.venue_id:
        return f"{page.venue.title}（{page.venue.address}）"
    return page.venue_text


def _vevent(page, request, hostname):
    url = _absolute_url(page, request)
    event = Event()
    event.add("uid", f"event-{page.pk}@{hostname}")
    event.add("dtstamp", (page.last_published_at or timezone.now()).astimezone(datetime.UTC))
    event.add("dtstart", timezone.localtime(page.start))
    event.add("dtend", timezone.localtime(page.end))
    event.add("summary", page.title)
    if location := event_location(page):
        event.add("location", location)
    # Several calendar apps ignore URL, so the description carries the link as well.
    event.add("description", "\n\n".join(part for part in (page.lead, url) if part))
    event.add("url", url)
    return event


def events_calendar(events, request, site, name):
    """An RFC 5545 VCALENDAR of ``events``, times in the site's zone with its VTIMEZONE."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", str(name))
    cal.add("x-wr-timezone", timezone.get_current_timezone_name())
    for page in events:
        cal.add_component(_vevent(page, request, site.hostname))
    cal.add_missing_timezones(
        first_date=datetime.date(FIRST_YEAR, 1, 1), last_date=datetime.date(LAST_YEAR + 1, 1, 1)
    )
    return cal


def _ics_response(cal, filename=None):
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _site_events(site):
    return EventPage.objects.live().public().descendant_of(site.root_page).select_related("venue")


@require_safe
@kept_per_generation
def events_ics(request, stage=None):
    """The town's upcoming and recent events as a calendar to subscribe to, for one stage or all."""
    if stage is not None and stage not in BY_SLUG:
        raise Http404
    site = _request_site(request)
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    events = _site_events(site).filter(end__gte=since).order_by("start", "pk")
    name = _("%(site)s イベント") % {"site": _site_title(site)}
    if stage is not None:
        events = events.filter(life_stages__slug=stage)
        name = _("%(name)s（%(stage)s）") % {"name": name, "stage": BY_SLUG[stage].label}
    return _ics_response(events_calendar(events, request, site, name))


@require_safe
@kept_per_generation
def event_ics(request, page_id):
    """One event as a file to add to a phone's calendar."""
    site = _request_site(request)
    page = get_object_or_404(_site_events(site), pk=page_id)
    name = _("%(site)s イベント") % {"site": _site_title(site)}
    return _ics_response(events_calendar([page], request, site, name), filename=f"event-{page.pk}.ics")


# Notices -----------------------------------------------------------------------------------


@dataclass
class FeedSource:
    site: Site
    request: HttpRequest
    title: str


class NoticesFeed(Feed):
    """RSS 2.0 of the town's latest notices; every link is absolute, on the requesting host."""

    def get_object(self, request):
        site = _request_site(request)
        return FeedSource(site, request, _site_title(site))

    def title(self, source):
        return _("%(site)s お知らせ") % {"site": source.title}

    def description(self, source):
        return _("%(site)sの新着のお知らせです。") % {"site": source.title}

    def link(self, source):
        return _absolute_url(source.site.root_page, source.request)

    def feed_url(self, source):
        return source.request.build_absolute_uri(source.request.path)

    def items(self, source):
        notices = list(
            NoticePage.objects.live()
            .public()
            .descendant_of(source.site.root_page)
            .order_by("-first_published_at", "-pk")[:NOTICES_IN_FEED]
        )
        # Items are rendered without the request, so each carries its absolute URL.
        for notice in notices:
            notice.feed_link = _absolute_url(notice, source.request)
        return notices

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.lead

    def item_link(self, item):
        return item.feed_link

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_categories(self, item):
        return [str(item.get_category_display())]


class NoticesAtomFeed(NoticesFeed):
    feed_type = Atom1Feed

    def subtitle(self, source):
        return self.description(source)
