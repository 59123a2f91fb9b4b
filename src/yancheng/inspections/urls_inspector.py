"""Routes of 企业赋码保护: the inspector side (under /inspections/)."""

from django.urls import URLPattern, path

from . import views_inspector as v

urlpatterns: list[URLPattern] = [
    path("", v.inspection_home, name="inspection_home"),
    path("find/", v.inspection_find, name="inspection_find"),
    path("enterprises/<int:pk>/register/", v.inspection_register_view, name="inspection_register"),
    path("registrations/<int:pk>/", v.inspection_detail, name="inspection_detail"),
    path("registrations/<int:pk>/finish/", v.inspection_finish_view, name="inspection_finish"),
]
