"""Routes of 企业赋码保护: the enterprise side (its code and poster, its visits, rating and
complaint, the report of an unregistered visit) and the two ratings pages."""

from django.urls import URLPattern, path

from . import views_enterprise as v

urlpatterns: list[URLPattern] = [
    path("mine/", v.enterprise_home, name="inspection_enterprise_home"),
    path("mine/poster.<str:fmt>", v.code_poster, name="inspection_code_poster"),
    path("mine/reissue/", v.code_reissue, name="inspection_code_reissue"),
    # One fixed URL for rating any visit: the visit travels in the POST body (ratings.py).
    path("mine/rating/", v.rate, name="inspection_rating"),
    path("visits/<int:pk>/", v.visit_detail, name="inspection_visit"),
    path("visits/<int:pk>/complain/", v.visit_complain, name="inspection_complain"),
    path("report-unregistered/", v.report_unregistered, name="inspection_report_unregistered"),
    path("department/ratings/", v.department_ratings, name="inspection_department_ratings"),
    path("supervision/ratings/", v.supervisor_ratings, name="inspection_ratings"),
]
