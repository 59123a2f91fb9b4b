"""Routes of 五制一平台 under /projects/. The schedule (`urls_nodes.py`), the weekly meeting
and import (`urls_meetings.py`) and 备案监督 (`urls_supervision.py`) have their own url modules,
included here: they share the "projects" namespace."""

from django.urls import include, path

from . import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list_view, name="project_list"),
    path("new/", views.project_create_view, name="project_create"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/edit/", views.project_edit_view, name="project_edit"),
    path("<int:pk>/act/<slug:action>/", views.project_act, name="project_act"),
    path("", include("yancheng.projects.urls_nodes")),
    path("", include("yancheng.projects.urls_meetings")),
    path("", include("yancheng.projects.urls_supervision")),
]
