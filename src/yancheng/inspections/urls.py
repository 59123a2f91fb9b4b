"""Routes of 企业赋码保护, namespace "inspections". Its pages span two prefixes, so this
module is included at "" and carries them: /inspections/… and the page a supervision code's
QR opens, /i/<token>/ (`urls_scan.py`; printed codes depend on that path). Each side owns its
module and its own path prefixes; route names start with ``inspection``."""

from django.urls import include, path

app_name = "inspections"
urlpatterns = [
    path("inspections/", include("yancheng.inspections.urls_inspector")),
    path("inspections/", include("yancheng.inspections.urls_department")),
    path("inspections/", include("yancheng.inspections.urls_enterprise")),
    path("inspections/", include("yancheng.inspections.urls_supervisor")),
    path("i/", include("yancheng.inspections.urls_scan")),
]
