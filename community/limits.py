"""Rate limits of the boards (django-ratelimit, in the default cache).

Posting is limited per member and per address, so a board cannot be flooded and the
moderators' queue stays readable; reporting is limited per member, so the report threshold
cannot be driven by one account alone at speed. Cache keys are hashes (django-ratelimit
hashes the value): no address is stored in the clear.
"""

import ipaddress

from axes.helpers import get_client_ip_address
from django_ratelimit.core import is_ratelimited

POST_PER_MEMBER = "10/h"
POST_PER_ADDRESS = "30/h"
REPORT_PER_MEMBER = "20/d"


def _address(group, request):
    """The client address as the sign-in limit (django-axes) sees it; IPv6 by its /64."""
    address = get_client_ip_address(request) or ""
    if ":" in address:
        try:
            return str(ipaddress.ip_network(f"{address}/64", strict=False))
        except ValueError:
            return address
    return address


def _member(group, request):
    return str(request.user.pk)


def _hit(request, group, key, rate):
    return is_ratelimited(request, group=group, key=key, rate=rate, increment=True)


def post_limited(request):
    """Count one thread, reply or edit sent from this request; True once over a limit."""
    by_member = _hit(request, "community.post.member", _member, POST_PER_MEMBER)
    by_address = _hit(request, "community.post.address", _address, POST_PER_ADDRESS)
    return by_member or by_address


def report_limited(request):
    """Count one report from this member; True once over the limit."""
    return _hit(request, "community.report.member", _member, REPORT_PER_MEMBER)
