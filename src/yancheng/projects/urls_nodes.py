"""Routes of a project's schedule page (included by urls.py, namespace "projects")."""

from django.urls import path

from . import views_nodes

urlpatterns = [
    path("<int:pk>/nodes/", views_nodes.nodes_page, name="project_nodes"),
    path("<int:pk>/nodes/<slug:action>/", views_nodes.node_act, name="project_node_act"),
]
