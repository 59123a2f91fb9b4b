from django.urls import path

from . import views

app_name = "attachments"
urlpatterns = [
    path("<uuid:attachment_id>/", views.download, name="download"),
    path("<uuid:attachment_id>/delete/", views.delete, name="delete"),
    path("<str:key>/<str:object_id>/upload/", views.upload, name="upload"),
]
