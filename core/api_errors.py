"""Every error under /api/ is JSON `{"detail", "code"}` (SPEC §7), whoever produced it.

DRF's exception handler shapes what its views raise; this middleware covers the rest: a path that
matches no route (Django's 404 page, the technical one when DEBUG is on), a crash anywhere (500),
the 503 of an unreachable database, a refused upload size, a CSRF or lockout page. It sits at the
top of MIDDLEWARE so every response below it passes through."""

import json
import logging
from http import HTTPStatus

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
    503: "unavailable",
}
# Headers a client needs to act on the error; everything else of the replaced response is dropped.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary")


def is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def code_for(status: int) -> str:
    return CODES.get(status, "server_error" if status >= 500 else "error")


def json_error(status: int, detail: str, code: str | None = None) -> HttpResponse:
    return HttpResponse(
        json.dumps({"detail": str(detail), "code": code or code_for(status)}),
        status=status,
        content_type="application/json",
    )


def default_detail(status: int) -> str:
    details = {
        404: _("Not found."),
        405: _("This method is not allowed here."),
        413: _("The request is too large."),
        500: _("Server error. It has been logged; please try again later."),
    }
    if status in details:
        return details[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return str(status)


class ApiErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not is_api(request) or response.status_code < 400 or _is_json(response):
            return response
        detail = default_detail(response.status_code)
        if response.get("Content-Type", "").startswith("text/plain") and not getattr(response, "streaming", False):
            detail = response.content.decode(response.charset or "utf-8", "replace").strip()[:500] or detail
        replaced = json_error(response.status_code, detail)
        for header in KEPT_HEADERS:
            if header in response:
                replaced[header] = response[header]
        return replaced

    def process_exception(self, request, exception):
        if not is_api(request) or isinstance(exception, Http404 | PermissionDenied | SuspiciousOperation | BadRequest):
            return None  # Django answers these with a 4xx, which __call__ then turns into JSON
        logger.error("server error on %s %s", request.method, request.path, exc_info=exception)
        return json_error(500, default_detail(500))


def _is_json(response) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() in ("application/json", "application/problem+json")
