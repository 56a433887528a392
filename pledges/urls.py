from django.urls import path

from pledges import views

urlpatterns = [
    path("ops/<slug:op>/pledges/", views.pledge_list, name="pledge_list"),
    path("ops/<slug:op>/pledges/export/", views.pledge_export, name="pledge_export"),
    path("ops/<slug:op>/k9-teams/", views.k9_team_list, name="k9_team_list"),
    path("ops/<slug:op>/k9-teams/export/", views.k9_team_export, name="k9_team_export"),
    path("pledges/<int:pk>/", views.pledge_review, name="pledge_review"),
    path("pledges/<int:pk>/decide/", views.pledge_decide, name="pledge_decide"),
    path("amendments/<int:pk>/decide/", views.amendment_decide, name="amendment_decide"),
    path("pledges/<int:pk>/request-changes/", views.pledge_request_changes, name="pledge_request_changes"),
]
