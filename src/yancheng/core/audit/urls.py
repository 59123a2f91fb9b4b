from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("<int:seq>/", views.event_detail, name="detail"),
    path("export.csv", views.event_export, name="export"),
    path("verify/", views.verify, name="verify"),
]
