from django.urls import path

from . import (
    views,
    views_annual,
    views_documents,
    views_handling,
    views_intake,
    views_public,
    views_stabilise,
)

app_name = "petitions"

# Each part of the module appends its routes below (list them in tests/test_permission_matrix.py).
urlpatterns = [
    path("", views.petition_list, name="petition_list"),
    path("<int:pk>/", views.petition_detail, name="petition_detail"),
    path("<int:pk>/act/<slug:action>/", views_handling.petition_act, name="petition_act"),
    path("documents/<int:pk>/download/", views_documents.document_download, name="document_download"),
    path("documents/<int:pk>/serve/", views_documents.document_serve, name="document_serve"),
    path("annual-report/", views_annual.annual_report, name="annual_report"),
    # 登记与溯源 (views_intake.py)
    path("register/", views_intake.petition_register, name="petition_register"),
    path("<int:pk>/registered/", views_intake.petition_registered, name="petition_registered"),
    path("<int:pk>/reissue-code/", views_intake.petition_reissue_code_view, name="petition_reissue_code"),
    path("<int:pk>/refuse-again/", views_intake.petition_refuse_again_view, name="petition_refuse_again"),
    path("<int:pk>/classify/", views_intake.petition_classify_view, name="petition_classify"),
    path("<int:pk>/not-accept/", views_intake.petition_not_accept_view, name="petition_not_accept"),
    path("<int:pk>/petitioners/<int:person>/reveal/", views_intake.petitioner_reveal_view,
         name="petitioner_reveal"),
    path("export-revealed/", views_intake.petition_export_revealed, name="petition_export_revealed"),
    path("hotspots/", views_intake.petition_hotspots, name="hotspots"),
    # the public query page (查询码): no login; the code only ever in a POST body
    path("query/", views_public.petition_query, name="query"),
    path("query/rate/", views_public.petition_query_rate, name="query_rate"),
    path("query/leave/", views_public.petition_query_leave, name="query_leave"),
    path("query/document/<str:ref>/", views_public.petition_query_document, name="query_document"),
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
