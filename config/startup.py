"""What a server process does once Django is loaded, before it answers its first request."""

import gc

from django.urls import get_resolver


def settle():
    """Load what every request needs, then put everything loaded so far out of the garbage
    collector's sight.

    A Django process holds about a quarter of a million long-lived objects (apps, models,
    URL patterns, templates, Wagtail). Python's full collection walks them all: 150–170 ms on
    the 2-core machine, once every few searches, added to whichever request happens to
    trigger it. Frozen (:func:`gc.freeze`), they are never walked again; what requests create
    is collected as before.
    """
    get_resolver().url_patterns  # noqa: B018 (the URLconf is imported on first use)
    from search import analysis

    analysis.words("子育て支援")  # the Japanese analyser and its dictionary
    gc.collect()
    gc.freeze()
