from .views import healthz


class HealthCheckMiddleware:
    """Answers ``/healthz`` before host validation and HTTPS redirects.

    Load balancers and the container HEALTHCHECK call a node by its own address (127.0.0.1,
    a pod IP), which is not one of the public ALLOWED_HOSTS; the check must still answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return healthz(request)
        return self.get_response(request)
