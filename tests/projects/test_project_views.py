"""The project pages, each tried as anonymous, the wrong role, the right role in another
region and the right role; the export; the list's query count; the API."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from yancheng.cases.models import Case
from yancheng.core.audit.models import AuditEvent
from yancheng.core.models import Role
from yancheng.core.services import user_create
from yancheng.projects.models import ApprovalItem, Project, Stage
from yancheng.projects.services.approvals import approval_item_add
from yancheng.projects.services.registry import project_create
from yancheng.projects.services.reports import monthly_report_submit

TODAY = dt.datetime(2026, 5, 20, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def office(world):
    return user_create(username="office", password=None, role=Role.DISPATCHER, organisation=world.project_office,
                       full_name="项目办调度员", must_change_password=False, actor=None)


@pytest.fixture
def project(world):
    return project_create(name="祁东纸箱智能工厂", code="QD-1", region=world.qidong, park=world.qidong_park,
                          total_investment=Decimal("50000"), responsible_org=world.qidong_park,
                          enterprise=world.enterprise_a, actor=None)


@pytest.fixture
def other(world):
    """A project of 石鼓区, out of 祁东's sight."""
    return project_create(name="石鼓机械扩产", code="SG-1", region=world.shigu, total_investment=Decimal("8000"),
                          responsible_org=world.city_ndrc, enterprise=world.enterprise_b, actor=None)


def get(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


# --- access ----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(client, project):
    for url in (reverse("projects:project_list"), reverse("projects:project_detail", args=[project.pk]), reverse("projects:project_create"),
                reverse("projects:project_edit", args=[project.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["security_admin", "audit_admin"])
def test_the_security_and_audit_administrators_have_no_project_pages(client, world, project, persona):
    user = getattr(world, persona)
    assert get(client, user, reverse("projects:project_list")).status_code == 403
    assert get(client, user, reverse("projects:project_detail", args=[project.pk])).status_code == 404


def test_the_list_shows_each_user_their_own_area(client, world, project, other):
    body = get(client, world.dispatcher, reverse("projects:project_list")).content.decode()
    assert "祁东纸箱智能工厂" in body and "石鼓机械扩产" not in body
    client.logout()
    body = get(client, world.leader, reverse("projects:project_list")).content.decode()
    assert "祁东纸箱智能工厂" in body and "石鼓机械扩产" in body


def test_another_regions_project_page_is_not_found(client, world, other):
    assert get(client, world.dispatcher, reverse("projects:project_detail", args=[other.pk])).status_code == 404
    assert get(client, world.enterprise_a_user, reverse("projects:project_detail", args=[other.pk])).status_code == 404


def test_the_project_page_shows_the_sections_under_the_configured_mechanisms(client, world, project, settings):
    body = get(client, world.dispatcher, reverse("projects:project_detail", args=[project.pk])).content.decode()
    for label in ("链长负责制", "项目代办制", "问题交办制", "要素保障制", "督查考核制", "智慧招商平台"):
        assert label in body
    tabs = body.split('<nav class="tabs"', 1)[1].split("</nav>", 1)[0]
    assert tabs.count("督查考核制") == 1
    settings.YANCHENG_FIVE_MECHANISMS = "2023"
    body = client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()
    for label in ("备案监督制", "承诺兑现制", "规模榜单制", "清单管理制", "现场观摩制", "云调度平台"):
        assert label in body


def test_the_enterprise_reads_its_project_without_the_forms_to_change_it(client, world, project):
    response = get(client, world.enterprise_a_user, reverse("projects:project_detail", args=[project.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="act-advance"' not in body and 'id="act-monthly"' not in body
    assert 'id="act-problem"' in body
    assert get(client, world.enterprise_a_user, reverse("projects:project_edit", args=[project.pk])).status_code == 403


def test_only_maintainers_open_the_create_and_edit_forms(client, world, project, office):
    assert get(client, world.handler_power, reverse("projects:project_create")).status_code == 403
    client.logout()
    assert get(client, world.handler_other, reverse("projects:project_edit", args=[project.pk])).status_code == 403
    client.logout()
    assert get(client, world.dispatcher, reverse("projects:project_edit", args=[project.pk])).status_code == 200
    client.logout()
    assert get(client, office, reverse("projects:project_create")).status_code == 200


# --- forms -------------------------------------------------------------------------------------


@time_machine.travel(TODAY)
def test_a_dispatcher_files_a_project_from_the_form(client, world):
    client.force_login(world.dispatcher)
    response = client.post(reverse("projects:project_create"), {
        "name": "园区标准厂房", "region": world.qidong.pk, "park": world.qidong_park.pk, "category": "industry",
        "total_investment": "12000", "responsible_org": world.qidong_park.pk, "planned_start": "2026-07",
    })
    project = Project.objects.get(name="园区标准厂房")
    assert response.status_code == 302
    assert project.code == "XM2026-0001" and project.planned_start == dt.date(2026, 7, 1)


@time_machine.travel(TODAY)
def test_the_advance_form_moves_the_stage_and_refuses_a_skip_in_place(client, world, project):
    client.force_login(world.dispatcher)
    url = reverse("projects:project_act", args=[project.pk, "advance"])
    response = client.post(url, {"advance-stage": "completed", "advance-version": 1, "advance-on": "2026-05-01"})
    assert response.status_code == 422 and "逐级" in response.content.decode()
    response = client.post(url, {"advance-stage": "signed", "advance-version": 1, "advance-on": "2026-05-01"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.SIGNED and project.signed_on == dt.date(2026, 5, 1)
    response = client.post(url, {"advance-stage": "started", "advance-version": 1}, follow=True)
    assert "已被他人修改" in response.content.decode()


def test_a_handler_of_another_unit_cannot_post_an_action(client, world, project):
    client.force_login(world.handler_other)
    response = client.post(reverse("projects:project_act", args=[project.pk, "advance"]),
                           {"advance-stage": "signed", "advance-version": 1})
    assert response.status_code == 403
    client.logout()
    client.force_login(world.enterprise_b_user)
    response = client.post(reverse("projects:project_act", args=[project.pk, "problem"]), {"problem-title": "x"})
    assert response.status_code == 404


@time_machine.travel(TODAY)
def test_the_monthly_form_explains_a_year_to_date_that_does_not_add_up(client, world, project):
    monthly_report_submit(project, month=dt.date(2026, 4, 1), invested_this_month=100, invested_ytd=400,
                          correction_note="首次报送", actor=world.dispatcher)
    client.force_login(world.dispatcher)
    url = reverse("projects:project_act", args=[project.pk, "monthly"])
    data = {"monthly-month": "2026-05", "monthly-invested_this_month": "50", "monthly-invested_ytd": "300",
            "monthly-progress_percent": "40"}
    response = client.post(url, data)
    assert response.status_code == 422
    assert "不应减少" in response.content.decode()
    response = client.post(url, data | {"monthly-correction_note": "核减重复统计的设备款"})
    assert response.status_code == 302
    assert project.monthly_reports.get(month=dt.date(2026, 5, 1)).invested_ytd == Decimal("300.00")


def test_the_enterprise_reports_a_problem_from_the_project_page(client, world, project):
    client.force_login(world.enterprise_a_user)
    response = client.post(reverse("projects:project_act", args=[project.pk, "problem"]),
                           {"problem-title": "高压专线未接入", "problem-description": "设备已到场，专线未接入。"})
    assert response.status_code == 302
    case = Case.objects.get(subject_ref=f"project:{project.pk}")
    assert case.enterprise == world.enterprise_a and case.subject == project.name
    body = client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()
    assert case.number in body


def test_an_agent_updates_the_missing_documents_of_his_item(client, world, project, office):
    item = approval_item_add(project, kind=ApprovalItem.Kind.EIA, agent=world.handler_other,
                             missing_documents="环评报告\n专家意见", actor=office)
    client.force_login(world.handler_other)
    response = client.post(reverse("projects:project_act", args=[project.pk, "approval_update"]),
                           {"item": item.pk, "status": "in_progress", "missing_documents": "专家意见"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.missing_list == ["专家意见"] and item.status == "in_progress"


# --- export and query count ----------------------------------------------------------------------


def test_the_export_holds_the_filtered_list_and_is_audited(client, world, project, other):
    client.force_login(world.leader)
    response = client.get(reverse("projects:project_list"), {"region": world.qidong.code, "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("项目编号", "项目名称")
    assert [r[0] for r in rows[1:]] == ["QD-1"]
    assert rows[1][3] == "祁东县" and rows[1][8] == "在谈"
    # 总投资 is a number cell (a spreadsheet can sum it), the header frozen and filtered.
    investment = sheet.cell(row=2, column=8)
    assert investment.data_type == "n" and investment.value == 50000 and investment.number_format == "#,##0.00"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:R2"
    assert AuditEvent.objects.filter(action="project.export", actor=world.leader).exists()


def test_the_export_leaves_out_what_the_user_may_not_see(client, world, project, other):
    client.force_login(world.dispatcher)
    response = client.get(reverse("projects:project_list"), {"format": "xlsx"})
    codes = [r[0] for r in list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))[1:]]
    assert codes == ["QD-1"]


def test_the_list_takes_the_same_number_of_queries_for_many_projects(client, world, office):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("projects:project_list")).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(office)
    project_create(name="P0", region=world.qidong, total_investment=1, responsible_org=world.qidong_park,
                   enterprise=world.enterprise_a, leader=world.leader, actor=None)
    few = count()
    for i in range(1, 12):
        project_create(name=f"P{i}", region=world.qidong, park=world.qidong_park, total_investment=1,
                       responsible_org=world.qidong_park, enterprise=world.enterprise_a, leader=world.leader,
                       actor=None)
    assert count() == few
    assert few <= 15  # 14, and the menu's check of the chains the user reads


# --- API -----------------------------------------------------------------------------------------------


def test_the_api_lists_reads_and_patches_projects_with_if_match(world, project, other, as_user):
    api = as_user("dispatcher")
    listed = api.get("/api/v1/projects")
    assert [p["code"] for p in listed.json()["items"]] == ["QD-1"]
    assert api.get(f"/api/v1/projects/{other.pk}").status_code == 404
    detail = api.get(f"/api/v1/projects/{project.pk}")
    assert detail.status_code == 200 and detail["ETag"] == '"1"'
    assert api.patch(f"/api/v1/projects/{project.pk}", {"name": "新名称"}).status_code == 428
    ok = api.patch(f"/api/v1/projects/{project.pk}", {"name": "新名称"}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok.json()["name"] == "新名称"
    stale = api.patch(f"/api/v1/projects/{project.pk}", {"name": "再改"}, headers={"If-Match": '"1"'})
    assert stale.status_code in (409, 412)
    assert as_user("handler_power").patch(f"/api/v1/projects/{project.pk}", {"name": "x"},
                                          headers={"If-Match": '"2"'}).status_code == 403
