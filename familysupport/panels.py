"""What the member area (``/famisapo/me/``) shows beyond the member's own details.

Each part of the centre fills its panel: ``requests_panel`` (help asked for, proposals to
answer, upcoming activities) and ``reports_panel`` (reports to file or confirm, statements).
Each returns the context its template (``familysupport/panels/<name>.html``) needs.
"""


def requests_panel(member):
    return {}


def reports_panel(member):
    return {}
