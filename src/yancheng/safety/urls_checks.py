"""常态化 pages: check tasks and check records (included by ``safety/urls.py``)."""

from django.urls import path

from . import views_checks as v

urlpatterns = [
    path("tasks/", v.task_list, name="check_task_list"),
    path("tasks/generate/", v.task_generate, name="check_task_generate"),
    path("checks/", v.check_list, name="check_list"),
    path("checks/<int:pk>/", v.check_detail, name="check_detail"),
    path("checks/department/new/", v.check_record_department, name="check_record_department"),
    path("checks/self/new/", v.check_record_self, name="check_record_self"),
    path("checks/grid/new/", v.check_record_grid, name="check_record_grid"),
]
