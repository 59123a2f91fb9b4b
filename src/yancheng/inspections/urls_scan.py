"""Routes of 企业赋码保护: the scan side."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
