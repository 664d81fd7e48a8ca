"""The text of ひなた市's demo portals, one module per page type.

Each module's ``pages(cal)`` returns plain dicts, one per page; ``portal_pages.demo`` turns them
into pages. Dates come from ``cal`` (a ``DemoCalendar`` of the day the demo is loaded), so a
newcomer always sees upcoming events and recent notices, whenever the demo is built.
"""
