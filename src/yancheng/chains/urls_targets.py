"""The targets family's pages (included by ``chains/urls.py``, namespace "chains")."""

from django.urls import URLPattern, path

from . import views_targets as views

urlpatterns: list[URLPattern] = [
    path("targets/missing/", views.targets_missing, name="targets_missing"),
    path("targets/import/", views.targets_import, name="targets_import"),
    path("targets/import/confirm/", views.targets_import_confirm, name="targets_import_confirm"),
    path("targets/import/template.xlsx", views.targets_import_template, name="targets_import_template"),
    path("<slug:code>/targets/", views.targets, name="targets"),
    path("<slug:code>/targets/new/", views.target_new, name="target_new"),
    path("<slug:code>/targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("<slug:code>/targets/<int:pk>/actuals/", views.target_actuals, name="target_actuals"),
    path("<slug:code>/targets/<int:pk>/remove/", views.target_remove, name="target_remove"),
]
