"""The leads pages (included by ``chains/urls.py``, namespace "chains")."""

from django.urls import URLPattern, path

from . import views_leads as v

urlpatterns: list[URLPattern] = [
    path("leads/mine/", v.my_leads_view, name="my_leads"),
    path("<slug:code>/leads/", v.leads_view, name="leads"),
    path("<slug:code>/leads/add/", v.lead_add, name="lead_add"),
    path("<slug:code>/leads/import/", v.leads_import_view, name="leads_import"),
    path("<slug:code>/leads/import/confirm/", v.leads_import_confirm, name="leads_import_confirm"),
    path("<slug:code>/leads/import/template.xlsx", v.leads_import_template, name="leads_import_template"),
    path("<slug:code>/leads/<int:pk>/", v.lead_view, name="lead"),
    path("<slug:code>/leads/<int:pk>/steps/<slug:action>/", v.lead_act, name="lead_act"),
    path("<slug:code>/leads/<int:pk>/convert/", v.lead_convert_view, name="lead_convert"),
    path("<slug:code>/gaps/", v.gaps_view, name="gaps"),
]
