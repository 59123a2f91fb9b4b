"""Routes of 备案监督 (SPEC §3 item 6): 承诺兑现, 现场观摩 and the 规模榜单 (included by urls.py, namespace "projects")."""

from django.urls import path

from . import views_supervision as views

urlpatterns = [
    path("commitments/", views.commitment_list, name="commitment_list"),
    path("commitments/new/", views.commitment_create, name="commitment_create"),
    path("commitments/<int:pk>/actual/", views.commitment_actual, name="commitment_actual"),
    path("observations/", views.observation_list, name="observation_list"),
    path("observations/new/", views.observation_create, name="observation_create"),
    path("observations/<int:pk>/", views.observation_detail, name="observation_detail"),
    path("observations/<int:pk>/scores/", views.observation_score, name="observation_score"),
    path("league/", views.project_league, name="project_league"),
]
