"""The parent's side of ねっと相談 (being written)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


ask = received = check = thread = mine = _todo
