"""While PostgreSQL is unreachable (a restart, a failover), answer 503 with Retry-After.

A 500 says "our bug" and pages the on-call developer; this is a short outage clients should
retry. CONN_HEALTH_CHECKS reconnects on the first request after the server is back.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable for %s %s: %s", request.method, request.path, exception)
        response = HttpResponse(
            _("The service is briefly unavailable. Please try again in a few seconds."),
            status=503, content_type="text/plain; charset=utf-8",
        )  # fmt: skip
        response["Retry-After"] = "5"
        return response
