"""Rate limits of the parent's side of ねっと相談 (django-ratelimit, in the default cache).

Sending is limited per address and per member, so the counsellors' inbox cannot be flooded.
Checking back is limited per address *and* per 相談番号: guesses spread over many addresses
at one number still stop after a few tries. Cache keys are hashes (django-ratelimit hashes
the value), so neither an address nor a number is stored in the cache in the clear.
"""

from home.ratelimits import client_address as _address
from home.ratelimits import hit as _hit
from home.ratelimits import member as _member

ASK_PER_ADDRESS = "5/h"
ASK_PER_MEMBER = "10/d"
CHECK_PER_ADDRESS = "10/15m"
CHECK_PER_NUMBER = "5/15m"
REPLY_PER_CASE = "20/h"


def ask_limited(request):
    """Count one consultation sent from this request; True once over a limit."""
    limited = _hit(request, "consult.ask.address", _address, ASK_PER_ADDRESS)
    if request.user.is_authenticated:
        limited = _hit(request, "consult.ask.member", _member, ASK_PER_MEMBER) or limited
    return limited


def check_limited(request, number):
    """Count one try of ``number`` (normalised) and a passphrase; True once over a limit.

    Both counters go up on every try, so one cannot be spent while the other rests.
    """
    by_address = _hit(request, "consult.check.address", _address, CHECK_PER_ADDRESS)
    by_number = _hit(request, "consult.check.number", lambda group, request: number, CHECK_PER_NUMBER)
    return by_address or by_number


def reply_limited(request, case):
    """Count one answer back on ``case``; True once over the limit (per case and per address)."""
    by_case = _hit(request, "consult.reply.case", lambda group, request: str(case.pk), REPLY_PER_CASE)
    by_address = _hit(request, "consult.reply.address", _address, REPLY_PER_CASE)
    return by_case or by_address
