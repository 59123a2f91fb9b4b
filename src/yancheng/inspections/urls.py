"""Routes of 企业赋码保护 under /inspections/ (the scan landing page is /i/<token>/, see
`urls_scan.py`). Each side owns its module and its own path prefixes; route names start
with ``inspection``."""

from django.urls import include, path

urlpatterns = [
    path("", include("yancheng.inspections.urls_inspector")),
    path("", include("yancheng.inspections.urls_department")),
    path("", include("yancheng.inspections.urls_enterprise")),
    path("", include("yancheng.inspections.urls_supervisor")),
]
