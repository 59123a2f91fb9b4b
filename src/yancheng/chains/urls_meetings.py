"""The 链长 meetings' pages (included by ``chains/urls.py``)."""

from django.urls import URLPattern, path

from . import views_meetings as v

urlpatterns: list[URLPattern] = [
    path("<slug:code>/meetings/", v.meeting_list, name="meetings"),
    path("<slug:code>/meetings/new/", v.meeting_create_view, name="meeting_create"),
    path("<slug:code>/meetings/<int:pk>/", v.meeting_detail, name="meeting"),
    path("<slug:code>/meetings/<int:pk>/act/<slug:action>/", v.meeting_act, name="meeting_act"),
    path("<slug:code>/meetings/<int:pk>/minutes.docx", v.meeting_minutes_view, name="meeting_minutes"),
]
