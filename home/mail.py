"""The site's plain-text e-mail: one message per address, in the site's language.

Every notice the site sends says that something happened and where to read it; the callers keep
private text out of ``context``. Each address gets its own message, so no one sees who else was
told.
"""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import translation


def absolute_url(site, path):
    """``path`` on ``site``'s own address (a town's hostname), for links in e-mail."""
    return f"{site.root_url}{path}"


def role_addresses(site, roles):
    """The e-mail addresses of the active people who play one of ``roles`` in ``site``'s town."""
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(
            is_active=True, groups__municipality_role__site=site, groups__municipality_role__role__in=roles
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def send_each(addresses, subject, template, context):
    """Send ``template`` rendered with ``context`` to each of ``addresses``; the number sent.

    ``subject`` may be a callable, to be translated in the site's language too.
    """
    addresses = [address for address in addresses if address]
    if not addresses:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(template, context)
        subject = " ".join(str(subject() if callable(subject) else subject).split())
    return get_connection().send_messages(
        [EmailMessage(subject, body, to=[address]) for address in addresses]
    )
