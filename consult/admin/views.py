from django.http import Http404


def case(request, pk):
    raise Http404
