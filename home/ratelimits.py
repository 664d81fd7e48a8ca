"""The keys the site's rate limits count by (django-ratelimit, in the default cache).

Cache keys are hashes (django-ratelimit hashes the value), so neither an address nor a member
is stored in the cache in the clear.
"""

import ipaddress

from axes.helpers import get_client_ip_address
from django_ratelimit.core import is_ratelimited


def client_address(group, request):
    """The client address as the sign-in limit (django-axes) sees it, proxies included.

    An IPv6 address counts by its /64 network: one household or phone is given a whole /64,
    so single addresses would be endless fresh counters.
    """
    address = get_client_ip_address(request) or ""
    if ":" in address:
        try:
            return str(ipaddress.ip_network(f"{address}/64", strict=False))
        except ValueError:
            return address
    return address


def member(group, request):
    return str(request.user.pk)


def hit(request, group, key, rate):
    """Count one request against ``rate`` for ``key``; True once over the limit."""
    return is_ratelimited(request, group=group, key=key, rate=rate, increment=True)
