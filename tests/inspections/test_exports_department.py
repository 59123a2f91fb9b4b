"""The department's lists as .xlsx (执法人员名录, 检查计划, 联合检查): what the page lists,
for the page's own people only, numbers and dates typed."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from django.urls import reverse

from yancheng.core.audit.models import AuditEvent
from yancheng.core.models import Role
from yancheng.core.services import user_create
from yancheng.inspections.models import JointProposal
from yancheng.inspections.planning import plans as plan_services
from yancheng.testing.exports import read_export
from yancheng.testing.inspections import build_inspection_world

NOW = dt.datetime(2026, 4, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(scope="module")
def built(module_world, django_db_blocker):
    """Both bureaus' registries; filed May plans naming enterprise A in overlapping windows
    (one joint proposal) and the market bureau's June draft; built once for the module."""
    world = module_world
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False):
        iw = build_inspection_world(world)
        clerk_emergency = user_create(
            username="clerk_emergency", password=None, role=Role.HANDLER, organisation=world.emergency_bureau,
            full_name="应急法制科", must_change_password=False, actor=None,
        )
        market = plan_services.plan_get_or_create(department=world.market_regulation, year=2026, month=5,
                                                  actor=world.clerk_market)
        plan_services.plan_entry_add(market, actor=world.clerk_market, item=iw.food, enterprise=world.enterprise_a,
                                     month=5, window_start=dt.date(2026, 5, 6), window_end=dt.date(2026, 5, 20))
        plan_services.plan_file(market, actor=world.clerk_market)
        emergency = plan_services.plan_get_or_create(department=world.emergency_bureau, year=2026, month=5,
                                                     actor=clerk_emergency)
        plan_services.plan_entry_add(emergency, actor=clerk_emergency, item=iw.chemicals,
                                     enterprise=world.enterprise_a, month=5, window_start=dt.date(2026, 5, 11),
                                     window_end=dt.date(2026, 5, 29))
        plan_services.plan_file(emergency, actor=clerk_emergency)
        draft = plan_services.plan_get_or_create(department=world.market_regulation, year=2026, month=6,
                                                 actor=world.clerk_market)
    return SimpleNamespace(iw=iw, w=world, clerk_emergency=clerk_emergency, market=market, emergency=emergency,
                           draft=draft, proposal=JointProposal.objects.get())


@pytest.fixture
def dw(built, shared_world):
    with time_machine.travel(NOW, tick=False):
        yield built


def get(client, user, name, **params):
    client.force_login(user)
    return client.get(reverse(f"inspections:{name}"), params)


# --- 执法人员名录 ------------------------------------------------------------------------------------


def test_the_registry_exports_the_departments_inspectors_as_the_page_lists_them(client, dw):
    page = get(client, dw.w.clerk_market, "inspection_registry")
    export = read_export(get(client, dw.w.clerk_market, "inspection_registry", format="xlsx"), "执法人员名录")
    assert export.header == ("部门", "姓名", "执法证号", "系统账号", "有效期至", "证件期限", "状态")
    assert export.column("姓名") == [licence.full_name for licence in page.context["licences"]]
    assert set(export.column("系统账号")) == {"inspector", "inspector2"}
    assert set(export.column("部门")) == {dw.w.market_regulation.name}
    assert AuditEvent.objects.filter(action="inspector_licence.export", actor=dw.w.clerk_market).exists()


def test_another_departments_registry_export_has_none_of_these_inspectors(client, dw):
    export = read_export(get(client, dw.clerk_emergency, "inspection_registry", format="xlsx"), "执法人员名录")
    assert set(export.column("系统账号")) == {"inspector_emergency", "inspector_emergency2"}


@pytest.mark.parametrize("persona", ["supervisor", "enterprise_a_user", "leader", "dispatcher"])
def test_who_may_not_open_the_department_pages_gets_no_export_either(client, dw, persona):
    user = getattr(dw.w, persona)
    for name in ("inspection_registry", "inspection_plans", "inspection_joint_proposals"):
        assert get(client, user, name).status_code == 403
        assert get(client, user, name, format="xlsx").status_code == 403


# --- 检查计划 --------------------------------------------------------------------------------------


def test_the_plans_export_lists_the_departments_plans_with_counts_as_numbers(client, dw):
    export = read_export(get(client, dw.w.clerk_market, "inspection_plans", format="xlsx"), "检查计划")
    assert export.header == ("部门", "年度", "月份", "计划", "检查事项数", "状态", "逾期", "报备时间", "报备人")
    assert [(r[1], r[2], r[4]) for r in export.rows] == [(2026, 5, 1), (2026, 6, 0)]
    assert export.cell(0, "年度").data_type == "n" and export.cell(0, "检查事项数").data_type == "n"
    filed = export.cell(0, "报备时间")
    assert filed.is_date and filed.number_format == "yyyy-mm-dd hh:mm"
    assert export.cell(1, "报备时间").value is None and export.rows[1][6] == "否"
    assert export.rows[0][8] == dw.w.clerk_market.display_name


def test_the_plans_export_of_another_department_has_only_its_own_plan(client, dw):
    export = read_export(get(client, dw.clerk_emergency, "inspection_plans", format="xlsx"), "检查计划")
    assert export.column("部门") == [dw.w.emergency_bureau.name]


# --- 联合检查 --------------------------------------------------------------------------------------


def test_the_joint_export_has_a_row_per_departments_check_with_dates_as_dates(client, dw):
    export = read_export(get(client, dw.w.clerk_market, "inspection_joint_proposals", format="xlsx"), "联合检查")
    assert export.column("部门") == sorted([dw.w.market_regulation.name, dw.w.emergency_bureau.name])
    assert set(export.column("企业")) == {dw.w.enterprise_a.name}
    assert set(export.column("联合检查窗口开始")) == {dt.datetime(2026, 5, 11)}
    start = export.cell(0, "计划开始")
    assert start.is_date and start.number_format == "yyyy-mm-dd"
    assert export.column("部门意见") == [None, None]  # not answered yet: empty cells


def test_the_joint_export_follows_the_status_filter(client, dw):
    response = get(client, dw.w.clerk_market, "inspection_joint_proposals", status="declined", format="xlsx")
    assert read_export(response, "联合检查").rows == []


def test_a_department_named_in_no_proposal_exports_none(client, dw):
    other = user_create(username="clerk_ndrc_joint", password=None, role=Role.HANDLER,
                        organisation=dw.w.city_ndrc, full_name="发改", must_change_password=False, actor=None)
    response = get(client, other, "inspection_joint_proposals", format="xlsx")
    assert read_export(response, "联合检查").rows == []  # its own page, with nothing on it


def test_the_pages_offer_the_export_button_hidden_in_print(client, dw):
    for name in ("inspection_registry", "inspection_plans", "inspection_joint_proposals"):
        html = get(client, dw.w.clerk_market, name).content.decode()
        assert 'class="no-print"><a class="button" href="?format=xlsx">导出 Excel</a>' in html, name


def test_the_joint_export_shows_each_departments_answer(client, dw):
    from yancheng.inspections.planning.joint import joint_proposal_answer

    joint_proposal_answer(dw.proposal, actor=dw.w.clerk_market, decision="declined", reason="时间冲突")
    export = read_export(get(client, dw.clerk_emergency, "inspection_joint_proposals", format="xlsx"), "联合检查")
    answers = dict(zip(export.column("部门"), export.column("部门意见"), strict=True))
    assert answers == {dw.w.market_regulation.name: "不同意", dw.w.emergency_bureau.name: None}
    row = export.column("部门").index(dw.w.market_regulation.name)
    assert export.rows[row][11] == "时间冲突" and export.cell(row, "确认时间").is_date
