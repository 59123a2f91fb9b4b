from django.urls import path

from . import views

# The node scheduling (urls_nodes.py) and meetings/reports (urls_meetings.py) modules have
# their own url modules; the lead includes them next to this one.
urlpatterns = [
    path("", views.project_list_view, name="project_list"),
    path("new/", views.project_create_view, name="project_create"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/edit/", views.project_edit_view, name="project_edit"),
    path("<int:pk>/act/<slug:action>/", views.project_act, name="project_act"),
]
