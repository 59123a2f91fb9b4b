"""The chains pages, under /chains/ (one "chains" namespace; each page family has its own
``urls_<family>.py``, included here)."""

from django.urls import URLPattern, URLResolver, include, path

app_name = "chains"

urlpatterns: list[URLPattern | URLResolver] = [
    # research first: its /chains/mine/ must not be read as a chain's code by a family's <code>/ route.
    path("", include("yancheng.chains.urls_research")),
    path("", include("yancheng.chains.urls_leader")),  # its overview/ before any <code>/
    path("", include("yancheng.chains.urls_map")),
    path("", include("yancheng.chains.urls_targets")),
    path("", include("yancheng.chains.urls_leads")),
    path("", include("yancheng.chains.urls_problems")),
    path("", include("yancheng.chains.urls_meetings")),
    # Keep the registry last: its "<code>/" takes any first path segment, so a family's own
    # fixed page (such as "mine/") must be matched before it.
    path("", include("yancheng.chains.urls_registry")),
]
