"""The app's URLs, plus the API docs page if this branch does not route it yet (test_csp.py)."""

from django.urls import NoReverseMatch, path, reverse
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.urls import urlpatterns as app_urlpatterns

urlpatterns = list(app_urlpatterns)
try:
    reverse("swagger-ui", urlconf="config.urls")
except NoReverseMatch:
    urlpatterns += [
        path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
        path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    ]
