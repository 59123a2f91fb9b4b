"""统计与通报: the figures page and the monthly 安全生产通报."""

from django.urls import path

from . import views_stats

urlpatterns = [
    path("statistics/", views_stats.statistics, name="statistics"),
    path("bulletins/", views_stats.bulletin_list, name="bulletin_list"),
    path("bulletins/<int:pk>/", views_stats.bulletin_download, name="bulletin_download"),
]
