from django.urls import URLPattern, path

from . import views_leader as v

urlpatterns: list[URLPattern] = [
    path("overview/", v.overview, name="overview"),
    path("<slug:code>/report/", v.report, name="report"),
]
