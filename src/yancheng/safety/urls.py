"""The safety pages, under /safety/ (one "safety" namespace; each page family has its own
``urls_<family>.py``, included here)."""

from django.urls import URLPattern, URLResolver, include, path

app_name = "safety"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("yancheng.safety.urls_checks")),
    path("", include("yancheng.safety.urls_registry")),
    path("", include("yancheng.safety.urls_hazards")),
    path("", include("yancheng.safety.urls_stats")),
    path("", include("yancheng.safety.urls_home")),
]
