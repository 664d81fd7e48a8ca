"""Short constructors for body blocks (``home.blocks.BaseStreamBlock``), so the data reads as text."""


def h2(text):
    return ("heading", {"text": text, "level": "h2"})


def h3(text):
    return ("heading", {"text": text, "level": "h3"})


def p(html):
    return ("paragraph", html)


def callout(html, kind="info"):
    return ("callout", {"kind": kind, "text": html})


def contact(name, phone="", email="", hours=""):
    return ("contact", {"name": name, "phone": phone, "email": email, "hours": hours})


def table(caption, rows):
    return (
        "table",
        {"caption": caption, "rows": [{"label": label, "value": value} for label, value in rows]},
    )


def image(illustration, alt, caption=""):
    """An illustration of ``demo_data.illustrations`` by key; the loader swaps in the image."""
    return ("image", {"image": illustration, "alt": alt, "caption": caption})
