from django.urls import path

from deployments import roster_views, views

urlpatterns = [
    path("ops/<slug:op>/venues/", views.venue_list, name="venue_list"),
    path("ops/<slug:op>/venues/new/", views.venue_create, name="venue_create"),
    path("venues/<int:pk>/", views.venue_detail, name="venue_detail"),
    path("venues/<int:pk>/edit/", views.venue_edit, name="venue_edit"),
    path("needs/<int:pk>/", views.need_edit, name="need_edit"),
    path("ops/<slug:op>/planner/", views.planner, name="planner"),
    path("ops/<slug:op>/planner/assign/", views.assignment_create, name="assignment_create"),
    path("ops/<slug:op>/assignments/", views.assignment_list, name="assignment_list"),
    path("ops/<slug:op>/assignments/export/", views.assignment_export, name="assignment_export"),
    path("ops/<slug:op>/coverage/", views.coverage, name="coverage"),
    path("ops/<slug:op>/roster/<slug:venue>/<str:day>/", roster_views.duty_roster, name="duty_roster"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment_detail"),
    path("assignments/<int:pk>/move/", views.assignment_move, name="assignment_move"),
    path("assignments/<int:pk>/cancel/", views.assignment_cancel, name="assignment_cancel"),
]
