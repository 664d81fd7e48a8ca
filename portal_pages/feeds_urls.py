"""Feeds of the requesting municipality: iCal of events, RSS and Atom of notices."""

from django.urls import path

from . import feeds

urlpatterns = [
    path("events.ics", feeds.events_ics, name="events_ics"),
    path("events/<slug:stage>.ics", feeds.events_ics, name="stage_events_ics"),
    path("event/<int:page_id>.ics", feeds.event_ics, name="event_ics"),
    path("notices.rss", feeds.kept_per_generation(feeds.NoticesFeed()), name="notices_rss"),
    path("notices.atom", feeds.kept_per_generation(feeds.NoticesAtomFeed()), name="notices_atom"),
]
