"""The department's pages and API (registry, items, plans, joint proposals, registrations)
and the enterprise's announcements, tried as the right and the wrong people."""

from __future__ import annotations

import datetime as dt
import io
import re
from html import unescape
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from yancheng.api.testing import api_client_for
from yancheng.core.models import Organisation, Role, User
from yancheng.core.services import user_create
from yancheng.inspections.models import (
    Inspection,
    InspectionDepartment,
    InspectionItem,
    InspectionPlan,
    InspectorLicence,
    JointAcceptance,
    JointProposal,
    PlanEntry,
    TimeSlotPreference,
)
from yancheng.inspections.planning import plans as plan_services
from yancheng.inspections.planning import slots as slot_services
from yancheng.testing.inspections import build_inspection_world

NOW = dt.datetime(2026, 4, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def dw(frozen, world):
    """NOW, the inspection world, an emergency clerk, and filed May plans of both bureaus
    naming enterprise A in overlapping windows (one joint proposal)."""
    iw = build_inspection_world(world)
    clerk_emergency = user_create(
        username="clerk_emergency", password=None, role=Role.HANDLER, organisation=world.emergency_bureau,
        full_name="应急法制科", must_change_password=False, actor=None,
    )
    market = plan_services.plan_get_or_create(department=world.market_regulation, year=2026, month=5,
                                         actor=world.clerk_market)
    entry = plan_services.plan_entry_add(market, actor=world.clerk_market, item=iw.food, enterprise=world.enterprise_a,
                                    month=5, window_start=dt.date(2026, 5, 6), window_end=dt.date(2026, 5, 20))
    plan_services.plan_file(market, actor=world.clerk_market)
    emergency = plan_services.plan_get_or_create(department=world.emergency_bureau, year=2026, month=5,
                                            actor=clerk_emergency)
    plan_services.plan_entry_add(emergency, actor=clerk_emergency, item=iw.chemicals, enterprise=world.enterprise_a,
                            month=5, window_start=dt.date(2026, 5, 11), window_end=dt.date(2026, 5, 29))
    plan_services.plan_file(emergency, actor=clerk_emergency)
    draft = plan_services.plan_get_or_create(department=world.market_regulation, year=2026, month=6,
                                        actor=world.clerk_market)
    return SimpleNamespace(iw=iw, w=world, clerk_emergency=clerk_emergency, market=market, emergency=emergency,
                           entry=entry, draft=draft, proposal=JointProposal.objects.get())


def login(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


def workbook_rows(response: Any) -> list[tuple[Any, ...]]:
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


# --- home and lists ------------------------------------------------------------------------------


def test_the_clerk_sees_the_departments_counts_and_links(client, dw):
    response = login(client, dw.w.clerk_market).get(reverse("inspections:inspection_department_home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert dw.w.market_regulation.name in page
    assert reverse("inspections:inspection_joint_proposals") in page
    assert response.context["joint_waiting"] == 1
    assert response.context["items_published"] == 2  # food and equipment; the draft is not published


@pytest.mark.parametrize("persona", ["enterprise_a_user", "supervisor", "handler_power", "leader", "system_admin"])
def test_department_pages_refuse_people_who_are_not_department_staff(client, dw, persona):
    login(client, getattr(dw.w, persona))
    for name in ("inspections:inspection_department_home", "inspections:inspection_registry", "inspections:inspection_items", "inspections:inspection_plans",
                 "inspections:inspection_joint_proposals", "inspections:inspection_department_registrations"):
        assert client.get(reverse(name)).status_code == 403, name


# --- the registry --------------------------------------------------------------------------------


def test_the_clerk_registers_an_inspector_and_changes_a_status(client, dw):
    login(client, dw.w.clerk_market)
    response = client.post(reverse("inspections:inspection_registry"), {"full_name": "新检查员", "certificate_no": "43040019999"})
    assert response.status_code == 302
    assert InspectorLicence.objects.filter(certificate_no="43040019999", department=dw.w.market_regulation).exists()
    licence = dw.iw.licences["inspector2"]
    client.post(reverse("inspections:inspection_registry_status", args=[licence.pk]), {"status": "suspended", "note": "调岗"})
    licence.refresh_from_db()
    assert licence.status == InspectorLicence.Status.SUSPENDED


def test_a_duplicate_certificate_is_refused_on_the_page_and_nothing_is_lost(client, dw):
    login(client, dw.w.clerk_market)
    response = client.post(reverse("inspections:inspection_registry"), {"full_name": "某人", "certificate_no": "43040012345"})
    assert response.status_code == 422
    assert "43040012345" in response.content.decode()
    assert response.context["form"]["full_name"].value() == "某人"


def test_an_inspector_sees_the_registry_but_cannot_change_it(client, dw):
    login(client, dw.w.inspector)
    response = client.get(reverse("inspections:inspection_registry"))
    assert response.status_code == 200 and response.context["form"] is None
    assert dw.w.inspector.full_name in response.content.decode()
    assert client.post(reverse("inspections:inspection_registry"), {"full_name": "x", "certificate_no": "1"}).status_code == 403
    licence = dw.iw.licences["inspector2"]
    assert client.post(reverse("inspections:inspection_registry_status", args=[licence.pk]),
                       {"status": "revoked"}).status_code == 403
    licence.refresh_from_db()
    assert licence.status == InspectorLicence.Status.ACTIVE


def test_another_departments_licence_answers_404(client, dw):
    login(client, dw.clerk_emergency)
    licence = dw.iw.licences["inspector"]
    assert client.post(reverse("inspections:inspection_registry_status", args=[licence.pk]),
                       {"status": "revoked"}).status_code == 404
    response = client.get(reverse("inspections:inspection_registry"))
    assert "43040012345" not in response.content.decode()


# --- items ---------------------------------------------------------------------------------------


def test_the_clerk_adds_publishes_and_withdraws_items(client, dw):
    login(client, dw.w.clerk_market)
    client.post(reverse("inspections:inspection_items"), {"code": "SC-05", "name": "计量器具检查", "legal_basis": "《计量法》"})
    item = InspectionItem.objects.get(code="SC-05")
    assert not item.is_published
    client.post(reverse("inspections:inspection_item_publish", args=[item.pk]))
    item.refresh_from_db()
    assert item.is_published
    client.post(reverse("inspections:inspection_item_withdraw", args=[item.pk]))
    item.refresh_from_db()
    assert not item.is_published and item.withdrawn_at is not None


def test_the_published_list_exports_only_published_items(client, dw):
    response = login(client, dw.w.inspector).get(reverse("inspections:inspection_items"), {"format": "xlsx"})
    rows = workbook_rows(response)
    codes = {row[1] for row in rows[1:]}
    assert codes == {"SC-01", "SC-02"}


def test_an_inspector_or_another_departments_clerk_cannot_publish(client, dw):
    login(client, dw.w.inspector)
    assert client.post(reverse("inspections:inspection_item_publish", args=[dw.iw.unpublished.pk])).status_code == 403
    login(client, dw.clerk_emergency)
    assert client.post(reverse("inspections:inspection_item_publish", args=[dw.iw.unpublished.pk])).status_code == 404
    dw.iw.unpublished.refresh_from_db()
    assert not dw.iw.unpublished.is_published


# --- plans ---------------------------------------------------------------------------------------


def test_the_clerk_opens_a_plan_from_the_plans_page(client, dw):
    login(client, dw.w.clerk_market)
    response = client.post(reverse("inspections:inspection_plans"), {"year": "2026", "month": ""})
    plan = InspectionPlan.objects.get(department=dw.w.market_regulation, year=2026, month__isnull=True)
    assert response.status_code == 302 and response["Location"] == reverse("inspections:inspection_plan_detail", args=[plan.pk])
    page = client.get(reverse("inspections:inspection_plans")).content.decode()
    assert "2026-03-31" in page  # the due day of the annual plan is said on the page


def test_the_clerk_adds_an_entry_by_uscc_on_the_plan_page(client, dw):
    login(client, dw.w.clerk_market)
    response = client.post(reverse("inspections:inspection_plan_detail", args=[dw.draft.pk]), {
        "item": dw.iw.food.pk, "enterprise": dw.w.enterprise_b.uscc, "month": "6",
        "window_start": "2026-06-08", "window_end": "2026-06-19", "announced": "on",
    })
    assert response.status_code == 302
    entry = PlanEntry.objects.get(plan=dw.draft)
    assert entry.enterprise == dw.w.enterprise_b and entry.window_end == dt.date(2026, 6, 19)


def test_a_window_outside_the_month_is_refused_on_the_page_and_the_input_kept(client, dw):
    login(client, dw.w.clerk_market)
    response = client.post(reverse("inspections:inspection_plan_detail", args=[dw.draft.pk]), {
        "item": dw.iw.food.pk, "enterprise": dw.w.enterprise_b.name, "month": "6",
        "window_start": "2026-06-08", "window_end": "2026-07-03", "announced": "on",
    })
    assert response.status_code == 422
    assert "2026 年 6 月之内" in response.content.decode()
    assert response.context["form"]["window_end"].value() == "2026-07-03"
    assert not PlanEntry.objects.filter(plan=dw.draft).exists()


def test_an_unknown_enterprise_is_refused_with_a_clear_message(client, dw):
    login(client, dw.w.clerk_market)
    response = client.post(reverse("inspections:inspection_plan_detail", args=[dw.draft.pk]), {
        "item": dw.iw.food.pk, "enterprise": "不存在的公司", "month": "6",
    })
    assert response.status_code == 422
    assert "找不到该企业" in response.content.decode()


def test_the_plan_page_shows_the_slots_and_exports_the_plan(client, dw):
    slot_services.slot_pick(dw.entry, actor=dw.w.enterprise_a_user, day=dt.date(2026, 5, 7), period="am")
    login(client, dw.w.inspector)
    response = client.get(reverse("inspections:inspection_plan_detail", args=[dw.market.pk]))
    assert response.status_code == 200 and response.context["form"] is None
    assert "2026-05-07" in response.content.decode()
    rows = workbook_rows(client.get(reverse("inspections:inspection_plan_detail", args=[dw.market.pk]), {"format": "xlsx"}))
    assert rows[1][1] == dw.w.enterprise_a.name
    assert "2026-05-07" in rows[1][11]


def test_the_clerk_files_and_removes_through_the_page(client, dw):
    entry = plan_services.plan_entry_add(dw.draft, actor=dw.w.clerk_market, item=dw.iw.food,
                                    enterprise=dw.w.enterprise_b, month=6)
    other = plan_services.plan_entry_add(dw.draft, actor=dw.w.clerk_market, item=dw.iw.equipment,
                                    enterprise=dw.w.enterprise_b, month=6)
    login(client, dw.w.clerk_market)
    client.post(reverse("inspections:inspection_plan_entry_remove", args=[dw.draft.pk, other.pk]))
    assert not PlanEntry.objects.filter(pk=other.pk).exists()
    client.post(reverse("inspections:inspection_plan_file", args=[dw.draft.pk]))
    dw.draft.refresh_from_db()
    assert dw.draft.status == InspectionPlan.Status.FILED
    response = client.post(reverse("inspections:inspection_plan_entry_remove", args=[dw.draft.pk, entry.pk]), follow=True)
    assert PlanEntry.objects.filter(pk=entry.pk).exists()
    assert "不能删除" in response.content.decode()


def test_other_people_cannot_change_the_market_plan(client, dw):
    data = {"item": dw.iw.food.pk, "enterprise": dw.w.enterprise_b.uscc, "month": "6"}
    login(client, dw.w.inspector)
    assert client.post(reverse("inspections:inspection_plan_detail", args=[dw.draft.pk]), data).status_code == 403
    assert client.post(reverse("inspections:inspection_plan_file", args=[dw.draft.pk])).status_code == 403
    login(client, dw.clerk_emergency)
    assert client.get(reverse("inspections:inspection_plan_detail", args=[dw.draft.pk])).status_code == 404
    assert client.post(reverse("inspections:inspection_plan_detail", args=[dw.draft.pk]), data).status_code == 404
    assert client.post(reverse("inspections:inspection_plan_file", args=[dw.draft.pk])).status_code == 404
    login(client, dw.w.enterprise_a_user)
    assert client.post(reverse("inspections:inspection_plan_file", args=[dw.draft.pk])).status_code == 403
    assert not PlanEntry.objects.filter(plan=dw.draft).exists()


# --- joint proposals -----------------------------------------------------------------------------


def test_both_clerks_accept_on_the_joint_page(client, dw):
    login(client, dw.w.clerk_market)
    page = client.get(reverse("inspections:inspection_joint_proposals"))
    assert page.status_code == 200
    assert dw.iw.chemicals.name in page.content.decode()  # the other department's entry is shown
    prefix = f"p{dw.proposal.pk}"
    client.post(reverse("inspections:inspection_joint_answer", args=[dw.proposal.pk]), {f"{prefix}-decision": "accepted"})
    login(client, dw.clerk_emergency)
    client.post(reverse("inspections:inspection_joint_answer", args=[dw.proposal.pk]), {f"{prefix}-decision": "accepted"})
    dw.proposal.refresh_from_db()
    assert dw.proposal.status == JointProposal.Status.ACCEPTED
    assert dw.proposal.lead_department == dw.w.market_regulation  # a tie: the market bureau agreed first


def test_a_proposal_the_department_has_agreed_to_no_longer_waits_for_it(client, dw):
    from yancheng.core.workbench import todos_for

    def waiting_count() -> int:
        return next(t.count for t in todos_for(dw.w.clerk_market) if t.key == "inspections.joint")

    login(client, dw.w.clerk_market)
    url = reverse("inspections:inspection_joint_proposals")
    assert waiting_count() == 1
    assert client.get(url, {"waiting": "1"}).context["page"].paginator.count == 1
    client.post(reverse("inspections:inspection_joint_answer", args=[dw.proposal.pk]),
                {f"p{dw.proposal.pk}-decision": "accepted"})
    # still open (the emergency bureau has not answered), but no longer the market bureau's to-do
    assert client.get(url, {"status": "proposed"}).context["page"].paginator.count == 1
    assert waiting_count() == 0
    assert client.get(url, {"waiting": "1"}).context["page"].paginator.count == 0
    home = client.get(reverse("inspections:inspection_department_home"))
    assert home.context["joint_waiting"] == 0 and f"{url}?waiting=1" in home.content.decode()
    # the emergency bureau's clerk still has it to answer
    login(client, dw.clerk_emergency)
    assert client.get(url, {"waiting": "1"}).context["page"].paginator.count == 1


def test_declining_without_a_reason_is_refused_on_the_page(client, dw):
    login(client, dw.w.clerk_market)
    response = client.post(reverse("inspections:inspection_joint_answer", args=[dw.proposal.pk]),
                           {f"p{dw.proposal.pk}-decision": "declined"}, follow=True)
    assert "请说明理由" in response.content.decode()
    assert not JointAcceptance.objects.exists()


def test_an_inspector_cannot_answer_and_an_outside_clerk_does_not_see_the_proposal(client, dw):
    data = {f"p{dw.proposal.pk}-decision": "accepted"}
    login(client, dw.w.inspector_emergency)
    assert client.post(reverse("inspections:inspection_joint_answer", args=[dw.proposal.pk]), data).status_code == 403
    login(client, dw.w.handler_other)
    assert client.post(reverse("inspections:inspection_joint_answer", args=[dw.proposal.pk]), data).status_code == 404
    assert dw.iw.chemicals.name not in client.get(reverse("inspections:inspection_joint_proposals")).content.decode()
    assert not JointAcceptance.objects.exists()


# --- registrations -------------------------------------------------------------------------------


def _registration(dw: Any, department: Any, number: str, **extra: Any) -> Inspection:
    """A registration row made directly: the registration service belongs to another part."""
    inspection = Inspection.objects.create(
        number=number, enterprise=extra.pop("enterprise", dw.w.enterprise_a), department=department,
        kind=extra.pop("kind", "enforcement"), started_at=extra.pop("started_at", timezone.now()),
        grade_at_registration="B", registered_by=dw.w.inspector, registered_at=timezone.now(), **extra,
    )
    InspectionDepartment.objects.create(inspection=inspection, department=department)
    return inspection


def test_the_department_sees_and_filters_its_registrations(client, dw):
    mine = _registration(dw, dw.w.market_regulation, "JC-1")
    _registration(dw, dw.w.market_regulation, "JC-2", kind="visit", purpose="call",
                  started_at=timezone.now() - dt.timedelta(days=40))
    joint = _registration(dw, dw.w.market_regulation, "JC-3", enterprise=dw.w.enterprise_b)
    InspectionDepartment.objects.create(inspection=joint, department=dw.w.emergency_bureau)
    _registration(dw, dw.w.emergency_bureau, "JC-9")
    login(client, dw.w.inspector)
    url = reverse("inspections:inspection_department_registrations")
    response = client.get(url)
    assert {i.number for i in response.context["page"]} == {"JC-1", "JC-2", "JC-3"}
    assert f"/inspections/registrations/{mine.pk}/" in response.content.decode()
    assert {i.number for i in client.get(url, {"month": "2026-04"}).context["page"]} == {"JC-1", "JC-3"}
    assert {i.number for i in client.get(url, {"kind": "visit"}).context["page"]} == {"JC-2"}
    assert {i.number for i in client.get(url, {"joint": "1"}).context["page"]} == {"JC-3"}
    assert {i.number for i in client.get(url, {"joint": "0"}).context["page"]} == {"JC-1", "JC-2"}
    assert {i.number for i in client.get(url, {"q": dw.w.enterprise_b.uscc}).context["page"]} == {"JC-3"}
    assert {i.number for i in client.get(url, {"exempt": "1"}).context["page"]} == set()
    rows = workbook_rows(client.get(url, {"kind": "enforcement", "format": "xlsx"}))
    assert sorted(row[0] for row in rows[1:]) == ["JC-1", "JC-3"]
    bad = client.get(url, {"month": "2026-13x"})
    assert bad.status_code == 200 and bad.context["form"].errors


def test_the_emergency_inspector_does_not_see_the_market_bureaus_registrations(client, dw):
    _registration(dw, dw.w.market_regulation, "JC-1")
    login(client, dw.w.inspector_emergency)
    response = client.get(reverse("inspections:inspection_department_registrations"))
    assert list(response.context["page"]) == []


# --- announcements and slots ----------------------------------------------------------------------


def test_the_enterprise_sees_its_announcement_and_picks_and_removes_a_slot(client, dw):
    login(client, dw.w.enterprise_a_user)
    page = client.get(reverse("inspections:inspection_announcements"))
    assert page.status_code == 200
    text = page.content.decode()
    assert dw.iw.food.name in text and dw.w.market_regulation.name in text
    prefix = f"e{dw.entry.pk}"
    client.post(reverse("inspections:inspection_slot_pick", args=[dw.entry.pk]), {f"{prefix}-day": "2026-05-07",
                                                                      f"{prefix}-period": "pm"})
    slot = TimeSlotPreference.objects.get()
    assert (slot.day, slot.period) == (dt.date(2026, 5, 7), "pm")
    response = client.post(reverse("inspections:inspection_slot_pick", args=[dw.entry.pk]),
                           {f"{prefix}-day": "2026-05-10", f"{prefix}-period": "am"}, follow=True)
    assert "不是工作日" in response.content.decode()
    client.post(reverse("inspections:inspection_slot_remove", args=[slot.pk]))
    assert not TimeSlotPreference.objects.exists()


def test_another_enterprise_neither_sees_nor_picks_the_slot(client, dw):
    slot = slot_services.slot_pick(dw.entry, actor=dw.w.enterprise_a_user, day=dt.date(2026, 5, 7), period="am")
    login(client, dw.w.enterprise_b_user)
    assert dw.iw.food.name not in client.get(reverse("inspections:inspection_announcements")).content.decode()
    prefix = f"e{dw.entry.pk}"
    assert client.post(reverse("inspections:inspection_slot_pick", args=[dw.entry.pk]),
                       {f"{prefix}-day": "2026-05-08", f"{prefix}-period": "am"}).status_code == 404
    assert client.post(reverse("inspections:inspection_slot_remove", args=[slot.pk])).status_code == 404
    login(client, dw.w.clerk_market)
    assert client.get(reverse("inspections:inspection_announcements")).status_code == 403
    assert client.post(reverse("inspections:inspection_slot_remove", args=[slot.pk])).status_code == 403
    assert TimeSlotPreference.objects.count() == 1


def _page_text(html: str) -> str:
    """The visible text of the page's <main>, tags and entities dropped."""
    main = html.split('id="main"', 1)[1]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main)))


def test_the_pages_render_in_english(client, dw):
    """In English every word the platform writes is English: the only Chinese left on the
    pages is the data (names of units, enterprises, people, items and their legal basis)."""
    login(client, dw.w.clerk_market)
    client.post(reverse("set_language"), {"language": "en", "next": reverse("inspections:inspection_department_home")})
    data = [
        *Organisation.objects.values_list("name", flat=True),
        *User.objects.values_list("full_name", flat=True),
        *InspectionItem.objects.values_list("name", flat=True),
        *InspectionItem.objects.values_list("legal_basis", flat=True),
    ]
    pages = {
        ("inspections:inspection_department_home", ()): ["Enforcement officer directory", "Active enforcement officers",
                                             "Published inspection items"],
        ("inspections:inspection_plan_detail", (dw.market.pk,)): ["Monthly inspection plan for 5/2026", "Export to Excel",
                                                      "Add to plan"],
        ("inspections:inspection_joint_proposals", ()): ["Joint inspection window", "Agree to join", "Submit response"],
        ("inspections:inspection_department_registrations", ()): ["Registration no.", "Back-filled after system failure",
                                                      "No matching registrations."],
    }
    for (name, args), english in pages.items():
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        assert response.headers["Content-Language"] == "en", name
        text = _page_text(response.content.decode())
        for words in english:
            assert words in text, (name, words)
        for value in sorted(filter(None, data), key=len, reverse=True):
            text = text.replace(value, " ")
        assert not re.findall(r"[\u4e00-\u9fff]+", text), (name, re.findall(r"[\u4e00-\u9fff]+", text))


# --- API -----------------------------------------------------------------------------------------


def test_anyone_signed_in_reads_the_published_item_lists_but_not_anonymous(dw):
    assert api_client_for(None).get("/api/v1/inspections/items").status_code == 401
    response = api_client_for(dw.w.enterprise_a_user).get("/api/v1/inspections/items")
    assert response.status_code == 200
    assert {i["code"] for i in response.json()["items"]} == {"SC-01", "SC-02", "YJ-01"}
    only = api_client_for(dw.w.supervisor).get("/api/v1/inspections/items",
                                               {"department": dw.w.emergency_bureau.pk}).json()["items"]
    assert [i["code"] for i in only] == ["YJ-01"]


def test_the_api_gives_plans_to_their_own_department_only(dw):
    market = api_client_for(dw.w.inspector)
    listed = market.get("/api/v1/inspections/plans").json()["items"]
    assert {p["id"] for p in listed} == {dw.market.pk, dw.draft.pk}
    detail = market.get(f"/api/v1/inspections/plans/{dw.market.pk}").json()
    assert detail["entries"][0]["enterprise_uscc"] == dw.w.enterprise_a.uscc
    assert api_client_for(dw.w.inspector_emergency).get(f"/api/v1/inspections/plans/{dw.market.pk}").status_code == 404
    assert api_client_for(dw.w.supervisor).get("/api/v1/inspections/plans").status_code == 403
    assert api_client_for(dw.w.enterprise_a_user).get("/api/v1/inspections/plans").status_code == 403


def test_the_clerk_adds_entries_and_files_through_the_api(dw):
    clerk = api_client_for(dw.w.clerk_market)
    path = f"/api/v1/inspections/plans/{dw.draft.pk}/entries"
    bad = clerk.post(path, {"item": dw.iw.unpublished.pk, "enterprise_uscc": dw.w.enterprise_b.uscc, "month": 6})
    assert bad.status_code == 422 and bad.json()["error"]["fields"]
    created = clerk.post(path, {"item": dw.iw.food.pk, "enterprise_uscc": dw.w.enterprise_b.uscc, "month": 6,
                                "window_start": "2026-06-08", "window_end": "2026-06-12"})
    assert created.status_code == 201 and created.json()["window_end"] == "2026-06-12"
    assert api_client_for(dw.w.inspector).post(path, {"item": dw.iw.food.pk, "enterprise_class": "x",
                                                      "month": 6}).status_code == 403
    assert api_client_for(dw.clerk_emergency).post(path, {"item": dw.iw.food.pk, "enterprise_class": "x",
                                                          "month": 6}).status_code == 404
    filed = clerk.post(f"/api/v1/inspections/plans/{dw.draft.pk}/file")
    assert filed.status_code == 200 and filed.json()["status"] == "filed"
    assert clerk.post(f"/api/v1/inspections/plans/{dw.draft.pk}/file").status_code == 409


def test_the_clerk_opens_a_plan_through_the_api(dw):
    clerk = api_client_for(dw.w.clerk_market)
    first = clerk.post("/api/v1/inspections/plans", {"year": 2026})
    assert first.status_code == 201 and first.json()["month"] is None and first.json()["due"] == "2026-03-31"
    assert clerk.post("/api/v1/inspections/plans", {"year": 2026}).status_code == 200
    assert clerk.post("/api/v1/inspections/plans", {"year": 2024}).status_code == 422


def test_joint_proposals_through_the_api(dw):
    market = api_client_for(dw.w.clerk_market)
    listed = market.get("/api/v1/inspections/joint-proposals").json()["items"]
    assert [p["id"] for p in listed] == [dw.proposal.pk] and listed[0]["waiting_for_us"] is True
    path = f"/api/v1/inspections/joint-proposals/{dw.proposal.pk}/answer"
    assert api_client_for(dw.w.inspector).post(path, {"decision": "accepted"}).status_code == 403
    assert api_client_for(dw.w.handler_other).post(path, {"decision": "accepted"}).status_code == 404
    assert market.post(path, {"decision": "declined"}).status_code == 422
    answered = market.post(path, {"decision": "declined", "reason": "时间冲突"})
    assert answered.status_code == 200 and answered.json()["status"] == "declined"
    assert market.post(path, {"decision": "accepted"}).status_code == 409


def test_announcements_and_slots_through_the_api(dw):
    enterprise = api_client_for(dw.w.enterprise_a_user)
    listed = enterprise.get("/api/v1/inspections/announcements").json()["items"]
    assert [a["department_name"] for a in listed] == [dw.w.market_regulation.name, dw.w.emergency_bureau.name]
    assert listed[0]["id"] == dw.entry.pk
    path = f"/api/v1/inspections/announcements/{dw.entry.pk}/slots"
    assert enterprise.post(path, {"day": "2026-05-16", "period": "am"}).status_code == 422  # a Saturday
    picked = enterprise.post(path, {"day": "2026-05-07", "period": "am"})
    assert picked.status_code == 201
    assert api_client_for(dw.w.enterprise_b_user).post(path, {"day": "2026-05-08", "period": "am"}).status_code == 404
    assert api_client_for(dw.w.clerk_market).get("/api/v1/inspections/announcements").status_code == 403
    slot_id = picked.json()["id"]
    assert api_client_for(dw.w.enterprise_b_user).delete(
        f"/api/v1/inspections/announcements/slots/{slot_id}").status_code == 404
    assert enterprise.delete(f"/api/v1/inspections/announcements/slots/{slot_id}").status_code == 204
    assert not TimeSlotPreference.objects.exists()
