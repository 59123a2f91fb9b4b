"""The registry family's pages (included by ``safety/urls.py``, namespace "safety")."""

from django.urls import URLPattern, path

from . import views_registry as views
from . import views_registry_edit as edit

urlpatterns: list[URLPattern] = [
    path("registry/", views.registry_list, name="registry_list"),
    path("registry/new/", edit.system_new, name="system_new"),
    path("registry/<slug:code>/", views.system_detail, name="system_detail"),
    path("registry/<slug:code>/revisions/<int:number>/", views.revision_detail, name="revision_detail"),
    path("registry/<slug:code>/edit/", edit.system_edit, name="system_edit"),
    path("registry/<slug:code>/retire/", edit.system_retire_page, name="system_retire"),
    path("registry/<slug:code>/items/new/", edit.item_new, name="item_new"),
    path("registry/<slug:code>/items/<int:pk>/deactivate/", edit.item_deactivate_page, name="item_deactivate"),
    path("registry/<slug:code>/duties/new/", edit.duty_new, name="duty_new"),
    path("registry/<slug:code>/duties/<int:pk>/deactivate/", edit.duty_deactivate_page, name="duty_deactivate"),
    path("registry/<slug:code>/units/new/", edit.unit_new, name="unit_new"),
    path("registry/<slug:code>/persons/new/", edit.person_new, name="person_new"),
    path("registry/<slug:code>/persons/<int:pk>/deactivate/", edit.person_deactivate_page,
         name="person_deactivate"),
    path("coverage/mappings/new/", edit.mapping_new, name="mapping_new"),
    path("coverage/mappings/<int:pk>/remove/", edit.mapping_remove_page, name="mapping_remove"),
    path("letters/issue/", edit.letters_issue_page, name="letters_issue"),
    path("letters/<int:pk>/sign/", edit.letter_sign_page, name="letter_sign"),
    path("imports/<slug:kind>/", edit.registry_import, name="registry_import"),
    path("imports/<slug:kind>/confirm/", edit.registry_import_confirm, name="registry_import_confirm"),
    path("imports/<slug:kind>/template.xlsx", edit.registry_import_template, name="registry_import_template"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/gaps/", views.coverage_gaps, name="coverage_gaps"),
    path("coverage/units/", views.coverage_units, name="coverage_units"),
    path("coverage/posts/", views.coverage_posts, name="coverage_posts"),
    path("coverage/refresh/", views.coverage_refresh_view, name="coverage_refresh"),
    path("letters/", views.letter_list, name="letter_list"),
]
