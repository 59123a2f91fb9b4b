"""The chains pages, under /chains/ (one "chains" namespace; each page family has its own
``urls_<family>.py``, included here)."""

from django.urls import URLPattern, URLResolver, include, path

app_name = "chains"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("yancheng.chains.urls_map")),
]
