"""Rate limits of the boards (django-ratelimit, in the default cache).

Posting is limited per member and per address, so a board cannot be flooded and the
moderators' queue stays readable; reporting is limited per member, so the report threshold
cannot be driven by one account alone at speed. Cache keys are hashes (django-ratelimit
hashes the value): no address is stored in the clear.
"""

from home.ratelimits import client_address as _address
from home.ratelimits import hit as _hit
from home.ratelimits import member as _member

POST_PER_MEMBER = "10/h"
POST_PER_ADDRESS = "30/h"
REPORT_PER_MEMBER = "20/d"


def post_limited(request):
    """Count one thread, reply or edit sent from this request; True once over a limit."""
    by_member = _hit(request, "community.post.member", _member, POST_PER_MEMBER)
    by_address = _hit(request, "community.post.address", _address, POST_PER_ADDRESS)
    return by_member or by_address


def report_limited(request):
    """Count one report from this member; True once over the limit."""
    return _hit(request, "community.report.member", _member, REPORT_PER_MEMBER)
