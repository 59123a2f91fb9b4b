"""Routes of 企业赋码保护: the scan side — the page a supervision code's QR opens
(mounted at /i/ by urls.py)."""

from django.urls import URLPattern, path

from . import views_inspector

urlpatterns: list[URLPattern] = [
    path("<str:token>/", views_inspector.inspection_scan, name="inspection_scan"),
]
