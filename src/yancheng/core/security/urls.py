"""Login, logout, second factor, own password and account administration, under /accounts/.
The names "accounts:login" and "accounts:logout" are relied on by settings and templates."""

from django.urls import path

from .views import accounts, login, password, second_factor

app_name = "accounts"
urlpatterns = [
    path("login/", login.LoginView.as_view(), name="login"),
    path("logout/", login.LogoutView.as_view(), name="logout"),
    path("otp/setup/", second_factor.otp_setup, name="otp_setup"),
    path("otp/verify/", second_factor.otp_verify, name="otp_verify"),
    path("password/change/", password.password_change, name="password_change"),
    path("manage/", accounts.account_list, name="account_list"),
    path("manage/new/", accounts.account_create_view, name="account_create"),
    path("manage/failed-logins/", accounts.failed_login_list, name="account_failed_logins"),
    path("manage/<int:pk>/", accounts.account_detail, name="account_detail"),
    path("manage/<int:pk>/active/", accounts.account_set_active_view, name="account_set_active"),
    path(
        "manage/<int:pk>/sessions/end/",
        accounts.account_end_sessions_view,
        name="account_end_sessions",
    ),
    path(
        "manage/<int:pk>/password/",
        accounts.account_password_reset_view,
        name="account_reset_password",
    ),
    path("manage/<int:pk>/role/", accounts.account_set_role_view, name="account_set_role"),
    path("manage/<int:pk>/phone/", accounts.account_phone_reveal_view, name="account_phone_reveal"),
    path("manage/<int:pk>/unlock/", accounts.account_unlock_view, name="account_unlock"),
    path(
        "manage/<int:pk>/second-factor/reset/",
        accounts.account_reset_second_factor_view,
        name="account_reset_second_factor",
    ),
]
