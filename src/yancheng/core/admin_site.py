"""The Django admin, under the same permissions as the rest: only the system administrator
(系统管理员) enters it, and writes go through the services (so they are audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class YanchengAdminSite(admin.AdminSite):
    site_header = _("雁城 · 后台数据管理")
    site_title = _("雁城后台")
    index_title = _("基础数据")

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """One login for the whole system (lockout, audit, second factor): ours."""
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.GET.get("next", reverse("admin:index")), reverse("accounts:login"))

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_authenticated
            and getattr(user, "role", None) == "system_admin"
            and (not _otp_required(user) or getattr(user, "is_verified", lambda: False)())
        )


def _otp_required(user: object) -> bool:
    from django.conf import settings

    return bool(settings.YANCHENG_TOTP_REQUIRED)


class YanchengAdminConfig(AdminConfig):
    default_site = "yancheng.core.admin_site.YanchengAdminSite"
