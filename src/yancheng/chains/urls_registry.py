"""The registry family's pages (included by ``chains/urls.py``, namespace "chains")."""

from django.urls import URLPattern, path

from . import views_registry as views

urlpatterns: list[URLPattern] = [
    path("", views.chains_home, name="home"),
    path("<slug:code>/", views.chain_detail, name="chain"),
    path("<slug:code>/edit/", views.profile_edit, name="profile_edit"),
    path("<slug:code>/paths/", views.path_versions, name="path_versions"),
    path("<slug:code>/paths/new/", views.path_add_page, name="path_add"),
    path("<slug:code>/paths/<int:number>/", views.path_version, name="path_version"),
    path("<slug:code>/enterprises/", views.chain_enterprise_list, name="enterprises"),
]
