"""Demo content of the two portals for the demo town (called by ``home.demo.load_demo``)."""


def load_portal_demo(town):
    return []
