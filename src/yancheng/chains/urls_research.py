"""The research pages (included by ``chains/urls.py``, namespace "chains"). ``mine/`` comes
before any ``<code>/`` route of the module so that it is never read as a chain's code."""

from django.urls import URLPattern, path

from . import views_research as v

urlpatterns: list[URLPattern] = [
    path("mine/", v.mine, name="mine"),
    path("<slug:code>/research/", v.research_list, name="research"),
    path("<slug:code>/research/add/", v.research_add, name="research_add"),
    path("<slug:code>/research/import/", v.research_import, name="research_import"),
    path("<slug:code>/research/import/confirm/", v.research_import_confirm, name="research_import_confirm"),
    path("<slug:code>/research/import/template.xlsx", v.research_import_template, name="research_import_template"),
    path("<slug:code>/research/<int:pk>/", v.research_result, name="research_result"),
    path("<slug:code>/research/<int:pk>/edit/", v.research_edit, name="research_edit"),
    path("<slug:code>/research/<int:pk>/actions/<slug:action>/", v.research_act, name="research_act"),
    path("<slug:code>/research/<int:pk>/matches/<int:match_id>/<slug:action>/", v.research_match_act,
         name="research_match_act"),
]
