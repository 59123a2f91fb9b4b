"""The 通报 list as .xlsx: the reported cases the viewer may see, the 办结 deadline as its
day, times as date cells; refused to whoever the page refuses."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from django.urls import reverse

from yancheng.cases.models import Case, EscalationLevel
from yancheng.cases.services import case_assign, case_submit
from yancheng.core.audit.models import AuditEvent
from yancheng.lib.deadlines import due_day
from yancheng.testing.exports import read_export

SH = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)
REPORTED = dt.datetime(2026, 3, 25, 9, 30, tzinfo=SH)


@pytest.fixture(scope="module")
def built(module_world, django_db_blocker):
    """Enterprise A's case (祁东's park) assigned and reported; enterprise B's (石鼓区)
    reported; a third of A's, assigned but never reported."""
    w = module_world
    with django_db_blocker.unblock(), time_machine.travel(MONDAY, tick=False):
        case_a = case_submit(actor=w.enterprise_a_user, title="高压专线未接入", description="尚未接入")
        case_assign(case_a, actor=w.dispatcher, lead_org=w.power_company, solve_days=5)
        case_b = case_submit(actor=w.enterprise_b_user, title="乙企业的问题", description="与甲无关")
        quiet = case_submit(actor=w.enterprise_a_user, title="未通报的问题", description="按期办理中")
        case_assign(quiet, actor=w.dispatcher, lead_org=w.power_company, solve_days=5)
        Case.objects.filter(pk__in=[case_a.pk, case_b.pk]).update(escalation_level=EscalationLevel.REPORTED,
                                                                  reported_at=REPORTED)
    return SimpleNamespace(w=w, case_a=Case.objects.get(pk=case_a.pk), case_b=case_b, quiet=quiet)


@pytest.fixture
def cw(built, shared_world):
    with time_machine.travel(REPORTED + dt.timedelta(days=1), tick=False):
        yield built


def export_as(client, user, **params):
    client.force_login(user)
    return client.get(reverse("cases:case_report_list"), {"format": "xlsx", **params})


def test_the_report_export_lists_the_reported_cases_with_deadline_days_and_times(client, cw):
    export = read_export(export_as(client, cw.w.leader), "通报")
    assert export.header == ("编号", "事项", "状态", "亮灯", "主办单位", "区划", "办结期限", "办结时间", "通报时间")
    assert set(export.column("编号")) == {cw.case_a.number, cw.case_b.number}
    row = export.column("编号").index(cw.case_a.number)
    due = export.cell(row, "办结期限")
    # The deadline is a day (the day it ends at 24:00), never the next one.
    assert due.is_date and due.number_format == "yyyy-mm-dd"
    assert due.value.date() == due_day(cw.case_a.solve_due_at)
    reported = export.cell(row, "通报时间")
    assert reported.number_format == "yyyy-mm-dd hh:mm" and reported.value == dt.datetime(2026, 3, 25, 9, 30)
    assert export.rows[row][4] == cw.w.power_company.name
    assert AuditEvent.objects.filter(action="case.report_list_export", actor=cw.w.leader).exists()


def test_a_park_dispatcher_never_gets_another_regions_reported_case(client, cw):
    client.force_login(cw.w.dispatcher)
    page = client.get(reverse("cases:case_report_list"))
    export = read_export(export_as(client, cw.w.dispatcher), "通报")
    assert export.column("编号") == [case.number for case, *_rest in page.context["rows"]] == [cw.case_a.number]


@pytest.mark.parametrize("persona", ["enterprise_a_user", "handler_power", "system_admin", "inspector"])
def test_who_may_not_open_the_report_list_gets_no_export(client, cw, persona):
    assert export_as(client, getattr(cw.w, persona)).status_code == 403


def test_the_report_list_offers_the_export(client, cw):
    client.force_login(cw.w.leader)
    html = client.get(reverse("cases:case_report_list")).content.decode()
    assert '<p class="no-print"><a class="button" href="?format=xlsx">导出 Excel</a></p>' in html
