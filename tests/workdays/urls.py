"""The project's URLs plus the calendar's, until the lead includes them in core/urls.py
(then the include below is simply shadowed), and an admin site with the calendar
registered."""

from django.contrib import admin
from django.urls import include, path

from yancheng.core import calendar_admin  # noqa: F401  (registers HolidayYear)
from yancheng.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("holidays/", include("yancheng.core.calendar_urls")),
    path("calendar-admin/", admin.site.urls),
    *project_urlpatterns,
]
