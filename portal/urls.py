from django.urls import path

from portal import deployment_views, views

app_name = "portal"

# Object pages carry their id as `pk`: tests/portal/test_isolation.py walks these patterns.
urlpatterns = [
    path("", views.home, name="home"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/acknowledge/", views.request_acknowledge, name="request_acknowledge"),
    path("requests/<int:pk>/decline/", views.request_decline, name="request_decline"),
    path("requests/<int:pk>/pledge/", views.pledge_new, name="pledge_new"),
    path("pledges/<int:pk>/", views.pledge_detail, name="pledge_detail"),
    path("pledges/<int:pk>/edit/", views.pledge_edit, name="pledge_edit"),
    path("pledges/<int:pk>/submit/", views.pledge_submit, name="pledge_submit"),
    path("pledges/<int:pk>/withdraw/", views.pledge_withdraw, name="pledge_withdraw"),
    path("pledges/<int:pk>/withdraw-part/", views.pledge_withdraw_part, name="pledge_withdraw_part"),
    path("pledges/<int:pk>/amend/", views.pledge_amend, name="pledge_amend"),
    path("pledges/<int:pk>/import/", views.pledge_import, name="pledge_import"),
    path("pledge-rows/removed/", views.row_removed, name="row_removed"),
    path("pledge-rows/<str:kind>/", views.pledge_row, name="pledge_row"),
    path("roster-templates/<str:kind>.<str:fmt>", views.roster_template, name="roster_template"),
    path("deployments/", deployment_views.deployments, name="deployments"),
    path("deployments/print/", deployment_views.deployments_print, name="deployments_print"),
    path("deployments.csv", deployment_views.deployments_csv, name="deployments_csv"),
    path("roster/<slug:op>/<slug:venue>/<str:day>/", deployment_views.duty_roster, name="duty_roster"),
    path("assignments/<int:pk>/", deployment_views.assignment_detail, name="assignment_detail"),
    path("assignments/<int:pk>/confirm/", deployment_views.assignment_confirm, name="assignment_confirm"),
    path(
        "assignments/<int:pk>/check-in/",
        deployment_views.assignment_on_the_day,
        {"move": "start"},
        name="assignment_start",
    ),
    path(
        "assignments/<int:pk>/complete/",
        deployment_views.assignment_on_the_day,
        {"move": "complete"},
        name="assignment_complete",
    ),
    path(
        "assignments/<int:pk>/no-show/",
        deployment_views.assignment_on_the_day,
        {"move": "no_show"},
        name="assignment_no_show",
    ),
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
]
