"""The dashboard's lists as .xlsx (滞后节点, 争资到位): the page's rows under its filters and
region, numbers and dates typed, refused to whoever the page refuses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.urls import reverse

from yancheng.core.audit.models import AuditEvent
from yancheng.dashboard.models import FundsWon
from yancheng.testing.exports import read_export

from .conftest import NOW, make_node, make_project

FORBIDDEN = ["enterprise_a_user", "handler_power", "inspector", "system_admin", "security_admin"]


@pytest.fixture(scope="module")
def built(module_world, django_db_blocker):
    """A project in 祁东县 and one in 石鼓区, each with a node still open past its date (and
    one done in time), and funds won in both, at 2026-04-15; built once for the module."""
    w = module_world
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False):
        qidong = make_project(w, code="XM-QD-9", name="祁东纸箱扩产", region=w.qidong, park=w.qidong_park,
                              responsible_org=w.qidong_ndrc, total_investment="5000")
        shigu = make_project(w, code="XM-SG-9", name="石鼓机械产业园", region=w.shigu,
                             responsible_org=w.city_ndrc, total_investment="8000")
        make_node(w, qidong, name="设备安装", planned_finish="2026-03-20")
        make_node(w, shigu, name="供电", planned_finish="2026-03-01")
        make_node(w, shigu, name="土建", planned_finish="2026-02-10", finished="2026-02-09")
        FundsWon.objects.create(region=w.shigu, month=dt.date(2026, 3, 1), amount=Decimal("300"),
                                title="中央预算内投资")
        FundsWon.objects.create(region=w.qidong, organisation=w.qidong_ndrc, month=dt.date(2026, 2, 1),
                                amount=Decimal("82.4"), title="专项债")
    return SimpleNamespace(w=w, qidong=qidong, shigu=shigu)


@pytest.fixture
def dw(built, shared_world):
    with time_machine.travel(NOW, tick=False):
        yield built


def get(client, user, name, **params):
    client.force_login(user)
    return client.get(reverse(f"dashboard:{name}"), params)


def test_the_late_nodes_export_lists_the_pages_nodes_with_days_late(client, dw):
    page = get(client, dw.w.supervisor, "late_nodes")
    export = read_export(get(client, dw.w.supervisor, "late_nodes", format="xlsx"), "滞后节点")
    assert export.header == ("项目编号", "项目名称", "区划", "节点", "计划完成", "实际完成", "滞后天数", "责任单位")
    assert export.column("节点") == [n.name for n in page.context["page"].object_list] == ["供电", "设备安装"]
    assert export.column("滞后天数") == [45, 26]  # to 2026-04-15
    late = export.cell(0, "滞后天数")
    assert late.data_type == "n"
    planned = export.cell(0, "计划完成")
    assert planned.is_date and planned.number_format == "yyyy-mm-dd" and planned.value == dt.datetime(2026, 3, 1)
    assert AuditEvent.objects.filter(action="dashboard.late_nodes_export", actor=dw.w.supervisor).exists()


def test_the_late_nodes_export_follows_the_region_filter(client, dw):
    export = read_export(get(client, dw.w.supervisor, "late_nodes", region=dw.w.shigu.code, format="xlsx"), "滞后节点")
    assert export.column("项目编号") == ["XM-SG-9"]


def test_a_park_dispatcher_exports_only_the_late_nodes_of_its_region(client, dw):
    # Asking for another region does not widen what the dispatcher sees, on the page or in the file.
    export = read_export(get(client, dw.w.dispatcher, "late_nodes", region=dw.w.shigu.code, format="xlsx"),
                         "滞后节点")
    assert export.column("项目编号") == ["XM-QD-9"]


def test_the_funds_export_has_amounts_as_numbers_that_add_up(client, dw):
    export = read_export(get(client, dw.w.leader, "funds_won", format="xlsx"), "争资到位")
    assert export.header == ("月份", "区划", "争取单位", "资金名称", "金额（万元）", "登记时间")
    assert export.column("月份") == ["2026-03", "2026-02"]
    amount = export.cell(1, "金额（万元）")
    assert amount.data_type == "n" and amount.value == pytest.approx(82.4) and amount.number_format == "#,##0.00"
    assert sum(export.column("金额（万元）")) == pytest.approx(382.4)
    assert export.column("争取单位") == [None, dw.w.qidong_ndrc.name]


@pytest.mark.parametrize("persona", FORBIDDEN)
def test_who_may_not_open_the_dashboard_gets_no_export_either(client, dw, persona):
    for name in ("late_nodes", "funds_won"):
        assert get(client, getattr(dw.w, persona), name, format="xlsx").status_code == 403


def test_the_pages_offer_the_export_with_their_filters(client, dw):
    html = get(client, dw.w.supervisor, "late_nodes", region=dw.w.shigu.code).content.decode()
    assert f'<a class="button" href="?region={dw.w.shigu.code}&amp;format=xlsx">导出 Excel</a>' in html
    assert 'href="?format=xlsx">导出 Excel</a>' in get(client, dw.w.supervisor, "funds_won").content.decode()


def test_in_english_the_file_and_its_header_are_in_english(client, dw):
    client.cookies["django_language"] = "en"
    export = read_export(get(client, dw.w.supervisor, "late_nodes", format="xlsx"), "Delayed nodes")
    assert export.sheet.title == "Delayed nodes"
    assert export.header[0] != "项目编号" and export.column(export.header[3]) == ["供电", "设备安装"]
