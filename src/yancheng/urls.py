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
    path("petitions/", include("yancheng.petitions.urls")),
    path("safety/", include("yancheng.safety.urls")),
    path("chains/", include("yancheng.chains.urls")),
    path("dashboard/", include("yancheng.dashboard.urls")),
    path("", include("yancheng.core.urls")),
    path("api/", include("yancheng.api.urls")),
]

# Error pages in the site's frame and the user's language (core/views.py; 405 comes from
# core.middleware.MethodNotAllowedPageMiddleware). The API answers its own JSON errors.
handler400 = "yancheng.core.views.bad_request"
handler403 = "yancheng.core.views.permission_denied"
handler404 = "yancheng.core.views.page_not_found"
handler500 = "yancheng.core.views.server_error"
