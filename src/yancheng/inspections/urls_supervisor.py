"""Routes of 企业赋码保护: the supervisor side, under /inspections/supervision/."""

from django.urls import URLPattern, path

from . import views_supervisor as views

urlpatterns: list[URLPattern] = [
    path("supervision/", views.home, name="inspection_supervision_home"),
    path("supervision/registrations/", views.registrations, name="inspection_supervision_registrations"),
    path("supervision/alerts/", views.alerts, name="inspection_alerts"),
    path("supervision/alerts/<int:pk>/handle/", views.alert_handle, name="inspection_alert_handle"),
    path("supervision/complaints/", views.complaints, name="inspection_supervision_complaints"),
    path("supervision/rules/", views.rules_page, name="inspection_rules"),
    path("supervision/caps/", views.caps, name="inspection_caps"),
    path("supervision/exemptions/", views.exemptions, name="inspection_exemptions"),
    path("supervision/exemptions/<int:pk>/active/", views.exemption_toggle, name="inspection_exemption_toggle"),
    path("supervision/quiet-periods/", views.quiet_periods, name="inspection_quiet_periods"),
    path("supervision/quiet-periods/<int:pk>/remove/", views.quiet_period_remove,
         name="inspection_quiet_period_remove"),
    path("supervision/report/", views.report, name="inspection_report"),
]
