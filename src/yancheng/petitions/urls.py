from django.urls import path

from . import views, views_handling

app_name = "petitions"

# Each part of the module appends its routes below (list them in tests/test_permission_matrix.py).
urlpatterns = [
    path("", views.petition_list, name="petition_list"),
    path("<int:pk>/", views.petition_detail, name="petition_detail"),
    path("<int:pk>/act/<slug:action>/", views_handling.petition_act, name="petition_act"),
]
