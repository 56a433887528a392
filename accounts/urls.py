from django.urls import path

from accounts import views

urlpatterns = [
    path("people/", views.people_page, name="people"),
    path("people/invite/", views.invite, name="people_invite"),
    path("people/invitations/<int:pk>/resend/", views.resend, name="invitation_resend"),
    path("people/invitations/<int:pk>/revoke/", views.revoke, name="invitation_revoke"),
    path("people/<int:pk>/deactivate/", views.deactivate, name="user_deactivate"),
    path("people/<int:pk>/reactivate/", views.reactivate, name="user_reactivate"),
    path("people/<int:pk>/unlock/", views.unlock, name="user_unlock"),
    path("accounts/invitation/<str:secret>/", views.accept_invitation, name="invitation_accept"),
    path("accounts/password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/password/reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("accounts/password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/two-factor/", views.two_factor, name="two_factor"),
    path("accounts/two-factor/enrol/", views.two_factor_enrol, name="two_factor_enrol"),
    path("accounts/two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("accounts/two-factor/recovery-codes/", views.two_factor_recovery_codes, name="two_factor_recovery_codes"),
    path("accounts/two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("accounts/tokens/", views.token_list, name="token_list"),
    path("accounts/tokens/<str:key>/revoke/", views.token_revoke, name="token_revoke"),
]
