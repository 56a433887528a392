from django.contrib.auth import views as auth_views
from django.urls import path

from notifications import views as notification_views
from staff import board, rules, views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("notifications/", notification_views.inbox, name="inbox"),
    path("notifications/read-all/", notification_views.read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", notification_views.read, name="notification_read"),
    path("webhooks/", notification_views.webhooks, name="webhooks"),
    path("webhooks/<int:pk>/", notification_views.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:pk>/switch/", notification_views.webhook_switch, name="webhook_switch"),
    path("webhooks/<int:pk>/delete/", notification_views.webhook_delete, name="webhook_delete"),
    path("ops/<slug:op>/", views.dashboard, name="dashboard"),
    path("ops/<slug:op>/rules/", rules.operation_rules, name="operation_rules"),
    path("ops/<slug:op>/rules/pairs/", rules.venue_pair_add, name="venue_pair_add"),
    path("ops/<slug:op>/rules/pairs/<int:pk>/delete/", rules.venue_pair_delete, name="venue_pair_delete"),
    path("ops/<slug:op>/board/", board.board, name="board"),
    path("ops/<slug:op>/events/", board.events, name="board_events"),
    path("ops/<slug:op>/requests/", views.request_list, name="request_list"),
    path("ops/<slug:op>/requests/export/", views.request_export, name="request_export"),
    path("ops/<slug:op>/requests/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/edit/", views.request_edit, name="request_edit"),
    path("requests/<int:pk>/<str:move>/", views.request_move, name="request_move"),
]
