from django.urls import path

from deployments.views import assignments, conflicts, coverage, imports, planner, proposals, roster, venues, what_if

urlpatterns = [
    path("ops/<slug:op>/venues/", venues.venue_list, name="venue_list"),
    path("ops/<slug:op>/venues/new/", venues.venue_create, name="venue_create"),
    path("venues/<int:pk>/", venues.venue_detail, name="venue_detail"),
    path("venues/<int:pk>/edit/", venues.venue_edit, name="venue_edit"),
    path("needs/<int:pk>/", venues.need_edit, name="need_edit"),
    path("ops/<slug:op>/planner/", planner.planner, name="planner"),
    path("ops/<slug:op>/planner/assign/", planner.assignment_create, name="assignment_create"),
    path("ops/<slug:op>/planner/assign-days/", planner.assignment_bulk, name="assignment_bulk"),
    path("ops/<slug:op>/planner/copy-day/", planner.venue_day_copy, name="venue_day_copy"),
    path("ops/<slug:op>/assignments/", assignments.assignment_list, name="assignment_list"),
    path("ops/<slug:op>/assignments/cancel/", assignments.assignment_bulk_cancel, name="assignment_bulk_cancel"),
    path("ops/<slug:op>/import/", imports.import_page, name="import_page"),
    path("ops/<slug:op>/import/<slug:kind>/template/", imports.import_template, name="import_template"),
    path("ops/<slug:op>/assignments/export/", assignments.assignment_export, name="assignment_export"),
    path("ops/<slug:op>/coverage/", coverage.coverage, name="coverage"),
    path("ops/<slug:op>/conflicts/", conflicts.conflict_list, name="conflict_list"),
    path("ops/<slug:op>/what-if/", what_if.what_if_page, name="what_if"),
    path("ops/<slug:op>/proposals/", proposals.proposal_list, name="proposal_list"),
    path("proposals/<int:pk>/", proposals.proposal_detail, name="proposal_detail"),
    path("ops/<slug:op>/roster/<slug:venue>/<str:day>/", roster.duty_roster, name="duty_roster"),
    path("assignments/<int:pk>/", assignments.assignment_detail, name="assignment_detail"),
    path("assignments/<int:pk>/move/", assignments.assignment_move, name="assignment_move"),
    path("assignments/<int:pk>/cancel/", assignments.assignment_cancel, name="assignment_cancel"),
    path("assignments/<int:pk>/start/", assignments.assignment_on_the_day, {"move": "start"}, name="assignment_start"),
    path(
        "assignments/<int:pk>/complete/",
        assignments.assignment_on_the_day,
        {"move": "complete"},
        name="assignment_complete",
    ),
    path(
        "assignments/<int:pk>/no-show/",
        assignments.assignment_on_the_day,
        {"move": "no_show"},
        name="assignment_no_show",
    ),
]
