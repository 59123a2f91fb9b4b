"""The chains pages, under /chains/ (one "chains" namespace; each page family has its own
``urls_<family>.py``, included here)."""

from django.urls import URLPattern, URLResolver, include, path

app_name = "chains"

urlpatterns: list[URLPattern | URLResolver] = [
    # research first: its /chains/mine/ must not be read as a chain's code by a family's <code>/ route.
    path("", include("yancheng.chains.urls_research")),
    path("", include("yancheng.chains.urls_targets")),
]
