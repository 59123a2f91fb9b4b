from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("late-nodes/", views.late_nodes, name="late_nodes"),
    path("rankings/", views.ranking_list, name="ranking_list"),
    path("rankings/generate/", views.ranking_generate, name="ranking_generate"),
    path("rankings/formula/", views.formula_edit, name="formula_edit"),
    path("rankings/counted/", views.ranking_counted, name="ranking_counted"),
    path("rankings/<int:pk>/", views.ranking_detail, name="ranking_detail"),
    path("rankings/<int:pk>/xlsx/", views.ranking_xlsx, name="ranking_xlsx"),
    path("rankings/<int:pk>/docx/", views.ranking_docx, name="ranking_docx"),
    path("rankings/quarter/<int:year>/<int:quarter>/", views.quarterly_review, name="quarterly_review"),
    path("rankings/year/<int:year>/", views.annual_assessment, name="annual_assessment"),
    path("red-yellow/", views.red_yellow_list, name="red_yellow"),
    path("red-yellow/<int:pk>/close/", views.red_yellow_close_view, name="red_yellow_close"),
    path("funds-won/", views.funds_won_list, name="funds_won"),
]
