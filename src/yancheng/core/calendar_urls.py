"""URLs of the working-day calendar, included by core/urls.py under ``holidays/`` (namespace "core")."""

from django.urls import path

from . import calendar_views

urlpatterns = [
    path("", calendar_views.holiday_list, name="holiday_list"),
    path("import/", calendar_views.holiday_import, name="holiday_import"),
    path("<int:year>/", calendar_views.holiday_year, name="holiday_year"),
]
