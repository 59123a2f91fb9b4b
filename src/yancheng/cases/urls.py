from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.inbox_view, name="case_inbox"),
    path("new/", views.case_new, name="case_new"),
    path("reported/", views.report_list_view, name="case_report_list"),
    path("export.xlsx", views.inbox_export, name="case_export"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/act/<str:action>/", views.case_act, name="case_act"),
]
