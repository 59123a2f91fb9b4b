"""The back office writes through the same services (and so the audit trail)."""

from django.urls import reverse

from yancheng.core.audit.models import AuditEvent
from yancheng.core.models import Enterprise
from yancheng.lib.uscc import complete


def _form(world, uscc, name="后台登记有限公司"):
    return {
        "uscc": uscc, "name": name, "region": world.qidong.pk, "park": world.qidong_park.pk,
        "legal_representative": "", "address": "", "srdi_tier": "", "srdi_valid_until": "", "grade": "B",
        "is_active": "on",
    }


def test_the_admin_registers_an_enterprise_through_the_service(client, world):
    client.force_login(world.system_admin)
    code = complete("91430426MA4AD0001")
    response = client.post(reverse("admin:core_enterprise_add"), _form(world, code))
    assert response.status_code == 302, response.content.decode()[:2000]
    enterprise = Enterprise.objects.get(uscc=code)
    assert enterprise.organisation is not None  # made by enterprise_create, not a bare save()
    event = AuditEvent.objects.get(action="enterprise.create", object_id=str(enterprise.pk))
    assert event.actor_id == world.system_admin.pk


def test_the_admin_refuses_a_bad_code_with_the_same_message(client, world):
    client.force_login(world.system_admin)
    good = complete("91430426MA4AD0002")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    response = client.post(reverse("admin:core_enterprise_add"), _form(world, bad))
    assert response.status_code == 200
    assert f"第 18 位应为 {good[17]}" in response.content.decode()
    assert not Enterprise.objects.filter(name="后台登记有限公司").exists()


def test_the_admin_never_deletes_enterprises(client, world):
    client.force_login(world.system_admin)
    url = reverse("admin:core_enterprise_delete", args=[world.enterprise_a.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Enterprise.objects.filter(pk=world.enterprise_a.pk).exists()


# --- the admin follows the web pages' policy (issue 10 §5) ------------------------------------------
#
# The web pages never show the system administrator an inspection registration, an alert, a
# quiet period or the city's inspection rules; the admin listed them all. Written from the
# system administrator's side: the list, its search, the page by id, the index.

import datetime as dt  # noqa: E402
import zoneinfo  # noqa: E402

import pytest  # noqa: E402
import time_machine  # noqa: E402
from django.contrib import admin  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from yancheng.inspections.alerts import alert_raise  # noqa: E402
from yancheng.inspections.models import (  # noqa: E402
    CapRule,
    ExemptionReason,
    FoundBy,
    Inspection,
    InspectionAlert,
    InspectionPolicy,
    QuietPeriod,
)
from yancheng.inspections.registration.register import inspection_register  # noqa: E402
from yancheng.inspections.supervision.quiet_periods import quiet_period_create  # noqa: E402
from yancheng.testing.inspections import build_inspection_world  # noqa: E402
from yancheng.testing.world import CERTIFICATES  # noqa: E402

NOW = dt.datetime(2026, 5, 12, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def inspected(world):
    """A registration at enterprise A by the market regulator, an alert on it, a quiet period."""
    with time_machine.travel(NOW, tick=False):
        iw = build_inspection_world(world)
        visit = inspection_register(
            actor=world.inspector, enterprise=world.enterprise_a, found_by=FoundBy.CODE, code=iw.code_a,
            kind="enforcement", items=[iw.food], inspectors=[CERTIFICATES["inspector"], CERTIFICATES["inspector2"]],
            outside_plan_reason="superior",
        )
        alert = alert_raise(
            InspectionAlert.Kind.HIGH_FREQUENCY, enterprise=world.enterprise_a, department=world.market_regulation,
            inspection=visit, message="高频入企", count=3,
        )
        quiet = quiet_period_create(
            actor=world.supervisor, name="春耕宁静期", starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2026, 6, 30),
            enterprise=world.enterprise_a,
        )
        yield {"visit": visit, "alert": alert, "quiet": quiet, "iw": iw}


HIDDEN = {
    "inspection": lambda d: d["visit"],
    "inspectionalert": lambda d: d["alert"],
    "quietperiod": lambda d: d["quiet"],
    "inspectionpolicy": lambda d: d["iw"].policy,
    "caprule": lambda d: next(iter(d["iw"].caps.values())),
    "exemptionreason": lambda d: d["iw"].complaint_reason,
}


def test_the_system_administrator_still_enters_the_admin(client, world):
    """The control: the refusals below are about the data, not about the door."""
    client.force_login(world.system_admin)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:core_enterprise_changelist")).status_code == 200


@pytest.mark.parametrize("model", sorted(HIDDEN))
def test_the_system_administrator_cannot_list_or_open_what_the_ui_hides(client, world, inspected, model):
    obj = HIDDEN[model](inspected)
    client.force_login(world.system_admin)
    changelist = reverse(f"admin:inspections_{model}_changelist")
    assert client.get(changelist).status_code == 403
    assert client.get(changelist, {"q": getattr(obj, "number", str(obj.pk))}).status_code == 403
    for view in ("change", "history", "delete"):
        assert client.get(reverse(f"admin:inspections_{model}_{view}", args=[obj.pk])).status_code in (403, 404)
    assert client.post(reverse(f"admin:inspections_{model}_change", args=[obj.pk]), {}).status_code in (403, 404)
    assert client.get(reverse(f"admin:inspections_{model}_add")).status_code == 403


def test_the_admin_index_does_not_name_the_hidden_models_or_rows(client, world, inspected):
    client.force_login(world.system_admin)
    page = client.get(reverse("admin:index")).content.decode()
    for model in HIDDEN:
        assert reverse(f"admin:inspections_{model}_changelist") not in page
    assert inspected["visit"].number not in page
    app = client.get(reverse("admin:app_list", args=["inspections"]))
    assert app.status_code == 404


def test_the_registration_stays_untouched_after_the_refused_post(client, world, inspected):
    visit = inspected["visit"]
    client.force_login(world.system_admin)
    client.post(reverse("admin:inspections_inspection_change", args=[visit.pk]), {"status": "finished"})
    client.post(reverse("admin:inspections_inspection_delete", args=[visit.pk]), {"post": "yes"})
    visit.refresh_from_db()
    assert visit.status == Inspection.Status.IN_PROGRESS


@pytest.mark.parametrize(
    "persona", ["system_admin", "supervisor", "inspector", "handler_other", "enterprise_a", "enterprise_b", "leader"]
)
def test_the_admin_rows_are_the_ui_rows_for_every_persona(world, inspected, persona):
    """The querysets behind the pages are the UI's, whoever asks (should the admin site
    ever admit another role, it shows them their own rows and nothing else)."""
    from yancheng.inspections.supervision.access import alerts_visible_to, quiet_periods_visible_to

    user = world.users[persona]
    request = RequestFactory().get("/admin/")
    request.user = user
    expected = {
        Inspection: set(Inspection.objects.visible_to(user)),
        InspectionAlert: set(alerts_visible_to(user)),
        QuietPeriod: set(quiet_periods_visible_to(user)),
    }
    for model, rows in expected.items():
        assert set(admin.site._registry[model].get_queryset(request)) == rows, (model, persona)
    if persona == "system_admin":
        assert not any(expected.values())
    for model in (InspectionPolicy, CapRule, ExemptionReason):
        shown = admin.site._registry[model].get_queryset(request).exists()
        assert shown == (persona == "supervisor"), (model, persona)


def test_no_rating_and_no_case_data_is_registered_in_the_admin():
    """Ratings are anonymous (SPEC §4) and cases are seen through the case pages'
    visibility only: neither has a back-office page."""
    registered = {model._meta.label for model in admin.site._registry}
    assert not {label for label in registered if "rating" in label.lower() and label.startswith("inspections.")}
    case_labels = {label for label in registered if label.startswith("cases.")}
    assert case_labels == {"cases.SlaPolicy"}


# --- the read-only back-office pages (core.kit.admin.ReadOnlyAdmin) ---------------------------


@pytest.mark.parametrize("app_model", ["notifications_delivery", "notifications_organisationchannel"])
def test_read_only_pages_list_but_never_add(client, world, app_model):
    client.force_login(world.system_admin)
    assert client.get(reverse(f"admin:{app_model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{app_model}_add")).status_code == 403
    assert client.post(reverse(f"admin:{app_model}_add"), {}).status_code == 403


@pytest.mark.parametrize("app_model", ["dashboard_rankingformula", "dashboard_rankingsnapshot",
                                       "dashboard_redyellowentry", "dashboard_fundswon"])
def test_the_dashboards_rows_stay_out_of_the_system_administrators_admin(client, world, app_model):
    """Rankings and 红黄榜 are business data: the system administrator neither reads nor
    writes them in the admin (they change only through the dashboard's services)."""
    client.force_login(world.system_admin)
    for view in ("changelist", "add"):
        assert client.get(reverse(f"admin:{app_model}_{view}")).status_code == 403
    assert client.post(reverse(f"admin:{app_model}_add"), {}).status_code == 403


def test_deliveries_are_the_system_administrators_alone(client, world):
    client.force_login(world.security_admin)
    response = client.get(reverse("admin:notifications_delivery_changelist"))
    assert response.status_code in (302, 403)
    client.force_login(world.system_admin)
    assert "notifications" in client.get(reverse("admin:index")).content.decode()
