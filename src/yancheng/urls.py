from django.contrib import admin
from django.urls import include, path

from yancheng.api.urls import urlpatterns as api_urlpatterns

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("yancheng.core.security.urls")),
    path("audit/", include("yancheng.core.audit.urls")),
    path("attachments/", include("yancheng.core.attachments.urls")),
    path("notifications/", include("yancheng.core.notifications.urls")),
    path("cases/", include("yancheng.cases.urls")),
    path("projects/", include("yancheng.projects.urls")),
    path("projects/", include("yancheng.projects.urls_nodes")),
    path("projects/", include("yancheng.projects.urls_meetings")),
    path("projects/", include("yancheng.projects.urls_supervision")),
    path("inspections/", include("yancheng.inspections.urls")),
    path("i/", include("yancheng.inspections.urls_scan")),
    path("dashboard/", include("yancheng.dashboard.urls")),
    path("", include("yancheng.core.urls")),
    *api_urlpatterns,
]
