"""The supervisor's lists as .xlsx (预警, 投诉, 宁静期): what the page lists under its filters,
in the supervisor's area only, refused to everyone the page refuses."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from django.urls import reverse

from yancheng.cases.models import CaseKind
from yancheng.cases.services import case_submit
from yancheng.core.audit.models import AuditEvent
from yancheng.inspections.models import QuietPeriod
from yancheng.testing.exports import read_export
from yancheng.testing.inspections import build_inspection_world

from .routes_supervisor import SHANGHAI, county_supervisor, make_alert, make_inspection

NOW = dt.datetime(2026, 10, 20, 10, 0, tzinfo=SHANGHAI)
OUTSIDERS = ["clerk_market", "inspector", "enterprise_a_user", "leader"]
PAGES = ["inspection_alerts", "inspection_supervision_complaints", "inspection_quiet_periods"]


@pytest.fixture(scope="module")
def built(module_world, django_db_blocker):
    """October 2026: an inspection of enterprise A (祁东) and one of B (石鼓区), an alert on
    each plus a handled one, a complaint about A's inspection, and quiet periods of the city,
    of 祁东 and of 石鼓区."""
    w = module_world
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False):
        iw = build_inspection_world(w)
        county_supervisor(w)
        joint = make_inspection(iw, departments=[w.market_regulation, w.emergency_bureau],
                                started_at=NOW - dt.timedelta(days=3))
        solo_b = make_inspection(iw, departments=[w.market_regulation], enterprise=w.enterprise_b,
                                 started_at=NOW - dt.timedelta(days=2))
        alert_a = make_alert(iw, "cap_exceeded", created_at=NOW - dt.timedelta(days=3), inspection=joint,
                             department=w.market_regulation)
        alert_b = make_alert(iw, "high_frequency", created_at=NOW - dt.timedelta(days=1), inspection=solo_b,
                             department=w.market_regulation)
        handled = make_alert(iw, "backfill", created_at=NOW - dt.timedelta(days=5), inspection=solo_b,
                             department=w.market_regulation, status="handled")
        complaint = case_submit(actor=None, title="检查过于频繁", description="一周三次",
                                kind=CaseKind.INSPECTION_COMPLAINT, subject_ref=f"inspection:{joint.pk}",
                                enterprise=w.enterprise_a, dispatch_org=w.justice_bureau)
        city_quiet = QuietPeriod.objects.create(name="全市宁静期", starts_on=dt.date(2026, 10, 1),
                                                ends_on=dt.date(2026, 10, 31))
        qidong_quiet = QuietPeriod.objects.create(name="祁东宁静期", starts_on=dt.date(2026, 11, 1),
                                                  ends_on=dt.date(2026, 11, 7), region=w.qidong)
        shigu_quiet = QuietPeriod.objects.create(name="石鼓宁静期", starts_on=dt.date(2026, 9, 1),
                                                 ends_on=dt.date(2026, 9, 7), region=w.shigu)
    return SimpleNamespace(w=w, joint=joint, solo_b=solo_b, alert_a=alert_a, alert_b=alert_b, handled=handled,
                           complaint=complaint, city_quiet=city_quiet, qidong_quiet=qidong_quiet,
                           shigu_quiet=shigu_quiet)


@pytest.fixture
def sw(built, shared_world):
    with time_machine.travel(NOW, tick=False):
        yield built


def get(client, user, name, **params):
    client.force_login(user)
    return client.get(reverse(f"inspections:{name}"), params)


def test_the_alerts_export_lists_the_pages_alerts_in_its_order_with_typed_cells(client, sw):
    export = read_export(get(client, sw.w.supervisor, "inspection_alerts", format="xlsx"), "检查预警")
    assert export.column("登记编号") == [sw.solo_b.number, sw.joint.number, sw.solo_b.number]  # open ones first
    assert export.column("状态") == ["待处理", "待处理", "已处理"]
    assert export.column("类型")[0] == sw.alert_b.get_kind_display()
    at = export.cell(0, "预警时间")
    assert at.is_date and at.number_format == "yyyy-mm-dd hh:mm"
    assert at.value == (NOW - dt.timedelta(days=1)).replace(tzinfo=None)
    assert export.cell(1, "次数").value == 3 and export.cell(1, "次数").data_type == "n"
    assert export.cell(1, "上限").value == 2 and export.cell(0, "上限").value is None
    assert AuditEvent.objects.filter(action="inspection_alert.export", actor=sw.w.supervisor).exists()


def test_the_alerts_export_follows_the_pages_filters(client, sw):
    export = read_export(get(client, sw.w.supervisor, "inspection_alerts", status="open", kind="cap_exceeded",
                             format="xlsx"), "检查预警")
    assert export.column("登记编号") == [sw.joint.number]


def test_a_county_supervisor_exports_only_the_alerts_of_its_region(client, sw):
    county = county_supervisor(sw.w)
    page = get(client, county, "inspection_alerts")
    export = read_export(get(client, county, "inspection_alerts", format="xlsx"), "检查预警")
    assert export.column("登记编号") == [sw.joint.number]
    assert len(export.rows) == page.context["page"].paginator.count
    assert sw.w.enterprise_b.name not in export.column("企业")


def test_the_complaints_export_lists_the_complaints_of_the_area(client, sw):
    export = read_export(get(client, sw.w.supervisor, "inspection_supervision_complaints", format="xlsx"),
                         "涉企检查投诉")
    assert export.header == ("编号", "标题", "企业", "提交时间", "状态")
    assert export.column("编号") == [sw.complaint.number]
    assert export.cell(0, "提交时间").is_date
    shigu_only = get(client, sw.w.supervisor, "inspection_supervision_complaints", region=sw.w.shigu.code,
                     format="xlsx")
    assert read_export(shigu_only, "涉企检查投诉").rows == []


def test_the_quiet_periods_export_lists_those_of_the_area_with_dates_as_dates(client, sw):
    export = read_export(get(client, sw.w.supervisor, "inspection_quiet_periods", format="xlsx"), "企业宁静期")
    assert export.column("名称") == ["祁东宁静期", "全市宁静期", "石鼓宁静期"]
    assert export.column("状态") == ["未开始", "进行中", "已结束"]
    starts = export.cell(0, "开始日期")
    assert starts.is_date and starts.number_format == "yyyy-mm-dd" and starts.value == dt.datetime(2026, 11, 1)
    county = read_export(get(client, county_supervisor(sw.w), "inspection_quiet_periods", format="xlsx"), "企业宁静期")
    assert county.column("名称") == ["祁东宁静期", "全市宁静期"]


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_who_may_not_open_a_supervisor_page_gets_no_export_either(client, sw, persona):
    user = getattr(sw.w, persona)
    for name in PAGES:
        assert get(client, user, name).status_code == 403, name
        assert get(client, user, name, format="xlsx").status_code == 403, name


def test_each_page_offers_the_export_with_its_filters(client, sw):
    html = get(client, sw.w.supervisor, "inspection_alerts", status="open", page="1").content.decode()
    assert '<a class="button" href="?status=open&amp;format=xlsx">导出 Excel</a>' in html
    for name in PAGES[1:]:
        assert 'href="?format=xlsx">导出 Excel</a>' in get(client, sw.w.supervisor, name).content.decode(), name
