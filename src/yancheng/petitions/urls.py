from django.urls import path

from . import views, views_annual, views_documents, views_handling

app_name = "petitions"

# Each part of the module appends its routes below (list them in tests/test_permission_matrix.py).
urlpatterns = [
    path("", views.petition_list, name="petition_list"),
    path("<int:pk>/", views.petition_detail, name="petition_detail"),
    path("<int:pk>/act/<slug:action>/", views_handling.petition_act, name="petition_act"),
    path("documents/<int:pk>/download/", views_documents.document_download, name="document_download"),
    path("documents/<int:pk>/serve/", views_documents.document_serve, name="document_serve"),
    path("annual-report/", views_annual.annual_report, name="annual_report"),
]
