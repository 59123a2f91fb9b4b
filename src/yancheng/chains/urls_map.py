"""The map pages (一图谱), included by ``chains/urls.py`` (namespace "chains"). A node's page
sits at /chains/<code>/map/<node code>/; the map's own pages use codes a node may not take."""

from django.urls import URLPattern, path

from . import views_map as v

urlpatterns: list[URLPattern] = [
    path("<slug:code>/map/", v.map_view, name="map"),
    path("<slug:code>/map/export.xlsx", v.map_export, name="map_export"),
    path("<slug:code>/map/import/", v.map_import, name="map_import"),
    path("<slug:code>/map/import/confirm/", v.map_import_confirm, name="map_import_confirm"),
    path("<slug:code>/map/new/", v.node_add_page, name="node_add"),
    path("<slug:code>/map/links/new/", v.link_add_page, name="link_add"),
    path("<slug:code>/map/links/<int:pk>/remove/", v.link_remove_page, name="link_remove"),
    path("<slug:code>/map/<slug:node_code>/", v.node_page, name="node"),
    path("<slug:code>/map/<slug:node_code>/panel/", v.node_panel, name="node_panel"),
]
