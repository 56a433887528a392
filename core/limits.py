"""Request bodies larger than MAX_REQUEST_BYTES are refused before anything reads them (413).

Django caps form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not uploaded files, and gunicorn caps
neither: without this an upload is streamed to a temporary file whatever its size, before the
import's own 2 MB check runs. The reverse proxy should cap it too (README, docker compose)."""

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            message = _("The request is too large: at most %(max)s MB.") % {
                "max": round(settings.MAX_REQUEST_BYTES / 1024 / 1024, 1)
            }
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
