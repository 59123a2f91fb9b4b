"""Core pages: the home page, the working-day calendar (its own url module, in this namespace),
organisations, regions and enterprises. Included at "" by yancheng.urls."""

from django.urls import include, path

from . import views
from .kit import import_jobs

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("holidays/", include("yancheng.core.calendar_urls")),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("regions/", views.region_list, name="region_list"),
    path("enterprises/", views.enterprise_list_view, name="enterprise_list"),
    path("enterprises/new/", views.enterprise_create_view, name="enterprise_create"),
    path("enterprises/import/", views.enterprise_import_view, name="enterprise_import"),
    path("enterprises/import/confirm/", views.enterprise_import_confirm, name="enterprise_import_confirm"),
    path("enterprises/import/template.xlsx", views.enterprise_import_template, name="enterprise_import_template"),
    path("imports/<uuid:pk>/progress/", import_jobs.job_progress, name="import_job_progress"),
    path("imports/<uuid:pk>/result.xlsx", import_jobs.job_result, name="import_job_result"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path(
        "enterprises/<int:pk>/contacts/<int:contact_pk>/phone/",
        views.enterprise_contact_phone_reveal_view,
        name="enterprise_contact_phone_reveal",
    ),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit_view, name="enterprise_edit"),
]
