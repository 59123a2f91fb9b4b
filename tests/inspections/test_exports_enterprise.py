"""The enterprise's 入企记录 as .xlsx: its own visits only, with departments, inspectors and
their certificates, the outcome; none of another enterprise's; staff get no such file."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from yancheng.core.audit.models import AuditEvent
from yancheng.testing.exports import read_export
from yancheng.testing.inspections import build_inspection_world

from .routes_enterprise import make_visit


@pytest.fixture(scope="module")
def built(module_world, django_db_blocker):
    """Two visits of enterprise A (a joint one yesterday, a running one now) and one of B."""
    w = module_world
    with django_db_blocker.unblock():
        iw = build_inspection_world(w)
        joint = make_visit(iw, departments=[w.market_regulation, w.emergency_bureau],
                           started_at=timezone.now() - dt.timedelta(days=1))
        running = make_visit(iw, finished=False)
        theirs = make_visit(iw, enterprise=w.enterprise_b)
    return SimpleNamespace(w=w, iw=iw, joint=joint, running=running, theirs=theirs)


@pytest.fixture
def ew(built, shared_world):
    return built


def export_as(client, user):
    client.force_login(user)
    return client.get(reverse("inspections:inspection_enterprise_home"), {"format": "xlsx"})


def test_the_enterprise_exports_its_own_visits_newest_first(client, ew):
    export = read_export(export_as(client, ew.w.enterprise_a_user), "入企记录")
    assert export.column("登记编号") == [ew.running.number, ew.joint.number]
    joint = export.rows[1]
    assert export.column("检查部门")[1] == f"{ew.w.market_regulation.name}、{ew.w.emergency_bureau.name}"
    assert export.column("联合检查") == ["否", "是"]
    certificate = ew.iw.licences["inspector"].certificate_no
    assert certificate in export.column("检查人员")[1]
    assert export.column("检查结果")[0] == "检查中" and export.column("结果说明")[1] == "未发现问题。"
    started = export.cell(1, "开始时间")
    assert started.is_date and started.number_format == "yyyy-mm-dd hh:mm"
    assert export.cell(0, "结束时间").value is None and joint[2] is not None
    assert AuditEvent.objects.filter(action="inspection_visit.export", actor=ew.w.enterprise_a_user).exists()


def test_another_enterprise_never_gets_these_visits(client, ew):
    export = read_export(export_as(client, ew.w.enterprise_b_user), "入企记录")
    assert export.column("登记编号") == [ew.theirs.number]


@pytest.mark.parametrize("persona", ["inspector", "clerk_market", "supervisor", "dispatcher"])
def test_staff_get_no_enterprise_visit_export(client, ew, persona):
    assert export_as(client, getattr(ew.w, persona)).status_code == 403


def test_the_enterprise_home_offers_the_export(client, ew):
    client.force_login(ew.w.enterprise_a_user)
    html = client.get(reverse("inspections:inspection_enterprise_home")).content.decode()
    assert '<p class="no-print"><a class="button" href="?format=xlsx">导出 Excel</a></p>' in html
