"""Login, logout, second factor, own password and account administration. Included at ""
by yancheng.urls; the names "login" and "logout" are relied on by settings and templates."""

from django.urls import path

from . import views

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/otp/setup/", views.otp_setup, name="otp_setup"),
    path("accounts/otp/verify/", views.otp_verify, name="otp_verify"),
    path("accounts/password/change/", views.password_change, name="password_change"),
    path("accounts/manage/", views.account_list, name="account_list"),
    path("accounts/manage/new/", views.account_create_view, name="account_create"),
    path("accounts/manage/failed-logins/", views.failed_login_list, name="account_failed_logins"),
    path("accounts/manage/<int:pk>/", views.account_detail, name="account_detail"),
    path("accounts/manage/<int:pk>/active/", views.account_set_active_view, name="account_set_active"),
    path(
        "accounts/manage/<int:pk>/sessions/end/", views.account_end_sessions_view, name="account_end_sessions"
    ),
    path(
        "accounts/manage/<int:pk>/password/", views.account_password_reset_view, name="account_reset_password"
    ),
    path("accounts/manage/<int:pk>/role/", views.account_set_role_view, name="account_set_role"),
    path("accounts/manage/<int:pk>/phone/", views.account_phone_reveal_view, name="account_phone_reveal"),
    path("accounts/manage/<int:pk>/unlock/", views.account_unlock_view, name="account_unlock"),
    path(
        "accounts/manage/<int:pk>/second-factor/reset/",
        views.account_reset_second_factor_view,
        name="account_reset_second_factor",
    ),
]
