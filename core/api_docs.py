"""The OpenAPI schema and its docs page, signed in or public as `API_DOCS_PUBLIC` says.

The schema names every route and field but no data; a ministry may still not want it open to
the internet, so with DEBUG off the default is to ask for a session or a token. Errors on the
docs page (a POST, an OPTIONS, a refused anonymous visitor) are JSON like the rest of /api/:
its HTML renderer has no template for them."""

from django.conf import settings
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer


def _docs_permissions():
    return [AllowAny()] if settings.API_DOCS_PUBLIC else [IsAuthenticated()]


class SchemaView(SpectacularAPIView):
    def get_permissions(self):
        return _docs_permissions()


class DocsView(SpectacularSwaggerView):
    http_method_names = ["get", "head"]

    def get_permissions(self):
        return _docs_permissions()

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400:
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)
