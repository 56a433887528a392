from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    # Staff pages (home, login, requests, pledges, venues, planner): flat URL names, see each app's urls.py.
    path("", include("reinforcements.urls")),
    path("", include("pledges.urls")),
    path("", include("deployments.urls")),
]
