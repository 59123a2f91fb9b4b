"""The site's URLs: every app has one ``urls.py`` with its ``app_name`` (its namespace),
included here once. An app with several url modules includes them from its own urls.py."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("yancheng.core.security.urls")),
    path("audit/", include("yancheng.core.audit.urls")),
    path("attachments/", include("yancheng.core.attachments.urls")),
    path("notifications/", include("yancheng.core.notifications.urls")),
    path("cases/", include("yancheng.cases.urls")),
    path("projects/", include("yancheng.projects.urls")),
    path("", include("yancheng.inspections.urls")),  # /inspections/… and the QR's /i/<token>/
    path("dashboard/", include("yancheng.dashboard.urls")),
    path("", include("yancheng.core.urls")),
    path("api/", include("yancheng.api.urls")),
]
