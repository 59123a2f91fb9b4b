"""The hazard pages (included by ``safety/urls.py``, namespace "safety")."""

from django.urls import URLPattern, path

from . import views_hazards as v

urlpatterns: list[URLPattern] = [
    path("hazards/", v.hazard_list_view, name="hazard_list"),
    path("hazards/report/", v.hazard_report_view, name="hazard_report"),
    path("hazards/public/", v.hazard_public_report, name="hazard_public_report"),
    path("hazards/<int:pk>/", v.hazard_detail, name="hazard_detail"),
    path("hazards/<int:pk>/actions/<slug:action>/", v.hazard_act, name="hazard_act"),
    path("hazards/<int:pk>/notice.docx", v.hazard_notice, name="hazard_notice"),
]
