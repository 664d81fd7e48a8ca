"""The server process's start (config/startup.py): what it loads is kept out of the collector."""

import gc

from django.urls import get_resolver

from config.startup import settle


def test_settle_loads_the_urlconf_and_freezes_what_is_loaded():
    gc.unfreeze()
    try:
        settle()
        assert gc.get_freeze_count() > 10_000
        patterns = get_resolver().url_patterns
        assert not any(tracked is patterns for tracked in gc.get_objects())
        created_after = [[]]  # what a request creates afterwards is still collected
        assert any(tracked is created_after for tracked in gc.get_objects())
    finally:
        gc.unfreeze()


def test_the_wsgi_application_settles_on_import(monkeypatch):
    import importlib

    import config.startup
    import config.wsgi

    settled = []
    monkeypatch.setattr(config.startup, "settle", lambda: settled.append(True))
    importlib.reload(config.wsgi)
    assert settled == [True]
