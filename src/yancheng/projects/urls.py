from django.urls import path

from . import views

# The schedule (urls_nodes.py), the weekly meeting and import (urls_meetings.py) and 备案监督
# (urls_supervision.py) have their own url modules, included next to this one under /projects/.
urlpatterns = [
    path("", views.project_list_view, name="project_list"),
    path("new/", views.project_create_view, name="project_create"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/edit/", views.project_edit_view, name="project_edit"),
    path("<int:pk>/act/<slug:action>/", views.project_act, name="project_act"),
]
