from django.urls import path

from . import views, views_stabilise

app_name = "petitions"

# Each part of the module appends its routes below (list them in tests/test_permission_matrix.py).
urlpatterns = [
    path("", views.petition_list, name="petition_list"),
    path("<int:pk>/", views.petition_detail, name="petition_detail"),
    # 稳控、重大紧急、包案、领导接访日 (views_stabilise.py)
    path("<int:pk>/risk/", views_stabilise.petition_set_risk, name="petition_set_risk"),
    path("<int:pk>/follow-ups/", views_stabilise.follow_up_plan, name="follow_up_plan"),
    path("<int:pk>/urgent/", views_stabilise.petition_mark_urgent, name="petition_mark_urgent"),
    path("<int:pk>/take/", views_stabilise.petition_take_personally, name="petition_take_personally"),
    path("<int:pk>/leader/", views_stabilise.petition_leader_change, name="petition_leader_change"),
    path("follow-ups/", views_stabilise.follow_up_list, name="follow_up_list"),
    path("follow-ups/<int:pk>/done/", views_stabilise.follow_up_done, name="follow_up_done"),
    path("receptions/", views_stabilise.reception_list, name="reception_list"),
    path("receptions/new/", views_stabilise.reception_new, name="reception_new"),
    path("receptions/<int:pk>/", views_stabilise.reception_detail, name="reception_detail"),
    path("receptions/<int:pk>/record/", views_stabilise.reception_record, name="reception_record"),
]
