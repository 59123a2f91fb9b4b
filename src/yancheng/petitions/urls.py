from django.urls import path

from . import views, views_public

app_name = "petitions"

# Each part of the module appends its routes below (list them in tests/test_permission_matrix.py).
urlpatterns = [
    path("", views.petition_list, name="petition_list"),
    path("<int:pk>/", views.petition_detail, name="petition_detail"),
    # the public query page (查询码): no login; the code only ever in a POST body
    path("query/", views_public.petition_query, name="query"),
    path("query/rate/", views_public.petition_query_rate, name="query_rate"),
    path("query/leave/", views_public.petition_query_leave, name="query_leave"),
    path("query/document/<str:ref>/", views_public.petition_query_document, name="query_document"),
]
