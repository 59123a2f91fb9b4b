"""The registry family's pages (included by ``safety/urls.py``, namespace "safety")."""

from django.urls import URLPattern, path

from . import views_registry as views

urlpatterns: list[URLPattern] = [
    path("registry/", views.registry_list, name="registry_list"),
    path("registry/<slug:code>/", views.system_detail, name="system_detail"),
    path("registry/<slug:code>/revisions/<int:number>/", views.revision_detail, name="revision_detail"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/gaps/", views.coverage_gaps, name="coverage_gaps"),
    path("coverage/units/", views.coverage_units, name="coverage_units"),
    path("coverage/posts/", views.coverage_posts, name="coverage_posts"),
    path("coverage/refresh/", views.coverage_refresh_view, name="coverage_refresh"),
    path("letters/", views.letter_list, name="letter_list"),
]
