"""Routes of the weekly dispatch meeting and the project import (included by urls.py, namespace "projects")."""

from django.urls import path

from . import views_meetings as views

urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/build/", views.meeting_build, name="meeting_build"),
    path("meetings/<int:pk>/items/", views.meeting_item_add, name="meeting_item_add"),
    path("meetings/<int:pk>/decisions/", views.meeting_decision_add, name="meeting_decision_add"),
    path("meetings/<int:pk>/decisions/<int:decision_pk>/remove/", views.meeting_decision_remove,
         name="meeting_decision_remove"),
    path("meetings/<int:pk>/close/", views.meeting_close, name="meeting_close"),
    path("meetings/<int:pk>/notice.docx", views.meeting_notice_docx, name="meeting_notice_docx"),
    path("meetings/<int:pk>/notice.xlsx", views.meeting_notice_xlsx, name="meeting_notice_xlsx"),
    path("import/", views.project_import, name="project_import"),
    path("import/confirm/", views.project_import_confirm, name="project_import_confirm"),
    path("import/template.xlsx", views.project_import_template, name="project_import_template"),
]
