"""Routes of 企业赋码保护: the department side (its registry, items, plans, joint proposals
and registrations under /inspections/department/) and the enterprise's announced
inspections with their preferred slots (/inspections/announcements/)."""

from django.urls import URLPattern, path

from . import views_announcements as a
from . import views_department as v
from . import views_joint as j

urlpatterns: list[URLPattern] = [
    path("department/", v.department_home, name="inspection_department_home"),
    path("department/registry/", v.registry, name="inspection_registry"),
    path("department/registry/<int:pk>/status/", v.registry_status, name="inspection_registry_status"),
    path("department/items/", v.items, name="inspection_items"),
    path("department/items/<int:pk>/publish/", v.item_publish, name="inspection_item_publish"),
    path("department/items/<int:pk>/withdraw/", v.item_withdraw, name="inspection_item_withdraw"),
    path("department/plans/", v.plans, name="inspection_plans"),
    path("department/plans/<int:pk>/", v.plan_detail, name="inspection_plan_detail"),
    path("department/plans/<int:pk>/file/", v.plan_file, name="inspection_plan_file"),
    path("department/plans/<int:pk>/entries/<int:entry_pk>/remove/", v.plan_entry_remove,
         name="inspection_plan_entry_remove"),
    path("department/joint/", j.joint_proposals, name="inspection_joint_proposals"),
    path("department/joint/<int:pk>/answer/", j.joint_answer, name="inspection_joint_answer"),
    path("department/registrations/", v.department_registrations, name="inspection_department_registrations"),
    path("announcements/", a.announcements, name="inspection_announcements"),
    path("announcements/<int:entry_pk>/slots/", a.slot_pick, name="inspection_slot_pick"),
    path("announcements/slots/<int:pk>/remove/", a.slot_remove, name="inspection_slot_remove"),
]
