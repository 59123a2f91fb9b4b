"""The 在建重大项目清单 and 重点问题清单 pages (included by ``chains/urls.py``)."""

from django.urls import URLPattern, path

from . import views_problems as v

urlpatterns: list[URLPattern] = [
    path("<slug:code>/projects/", v.project_list, name="projects"),
    path("<slug:code>/problems/", v.problem_list, name="problems"),
    path("<slug:code>/problems/raise/", v.problem_raise_view, name="problem_raise"),
]
