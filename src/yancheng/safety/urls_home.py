"""安全生产: the module's landing page."""

from django.urls import path

from . import views_home

urlpatterns = [
    path("", views_home.safety_home, name="home"),
]
