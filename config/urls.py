from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.utils.functional import lazy
from django.views.generic import RedirectView
from rest_framework.routers import DefaultRouter

from accounts.api import InvitationViewSet, ObtainTokenView, RevokeTokenView, TokenViewSet
from core.api_docs import DocsView, SchemaView
from deployments.api import AssignmentViewSet, VenueNeedViewSet, VenuePairViewSet, VenueViewSet
from deployments.api_imports import ImportTemplateView, ImportView
from deployments.api_proposals import ProposalViewSet
from deployments.api_reports import ConflictViewSet, CoverageViewSet
from deployments.api_what_if import WhatIfViewSet
from notifications.api import NotificationViewSet, WebhookViewSet
from pledges.api import AmendmentViewSet, K9TeamViewSet, PledgeViewSet
from reinforcements.api import OperationViewSet, RequestViewSet, SpecialtyViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("operations", OperationViewSet, basename="operation")
router.register("specialties", SpecialtyViewSet, basename="specialty")
router.register("requests", RequestViewSet, basename="request")
router.register("pledges", PledgeViewSet, basename="pledge")
router.register("k9-teams", K9TeamViewSet, basename="k9team")
router.register("amendments", AmendmentViewSet, basename="amendment")
router.register("venues", VenueViewSet, basename="venue")
router.register("venue-needs", VenueNeedViewSet, basename="venueneed")
router.register("venue-pairs", VenuePairViewSet, basename="venuepair")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("coverage", CoverageViewSet, basename="coverage")
router.register("conflicts", ConflictViewSet, basename="conflict")
router.register("what-if", WhatIfViewSet, basename="what_if")
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("webhooks", WebhookViewSet, basename="webhook")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("portal/", include("portal.urls")),
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg"), permanent=True)),
    path("api/v1/auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("api/v1/auth/token/revoke/", RevokeTokenView.as_view(), name="api-token-revoke"),
    path("api/v1/auth/tokens/", TokenViewSet.as_view({"get": "list"}), name="api-token-list"),
    # A token is named by the first characters of its key (hex): anything else is no route, a JSON 404.
    re_path(
        r"^api/v1/auth/tokens/(?P<pk>[0-9a-f]{1,15})/$",
        TokenViewSet.as_view({"delete": "destroy"}),
        name="api-token-detail",
    ),
    # Imports (SPEC §10): under the operation they fill; an unknown kind is no route, a JSON 404.
    re_path(
        r"^api/v1/operations/(?P<code>[-\w]+)/imports/(?P<kind>venues|needs|assignments)/$",
        ImportView.as_view(),
        name="api-import",
    ),
    re_path(
        r"^api/v1/operations/(?P<code>[-\w]+)/imports/(?P<kind>venues|needs|assignments)/template/$",
        ImportTemplateView.as_view(),
        name="api-import-template",
    ),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
    # Staff pages (home, login, requests, pledges, venues, planner): flat URL names, see each app's urls.py.
    path("", include("accounts.urls")),
    path("", include("staff.urls")),
    path("", include("pledges.urls")),
    path("", include("deployments.urls")),
]
handler404 = "core.api.errors.not_found"
