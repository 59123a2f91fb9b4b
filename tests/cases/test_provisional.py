"""Provisional deadlines are recomputed through an audited service (issue 11 §3): each
case's new deadlines come with their audit record, or not at all."""

import datetime as dt

import pytest
import time_machine

from yancheng.cases import provisional
from yancheng.cases import services as svc
from yancheng.cases.models import Case
from yancheng.cases.tasks import recompute_provisional
from yancheng.core.audit.models import AuditEvent
from yancheng.core.calendar import parsers as holiday_parsers
from yancheng.core.calendar import services as holiday_services
from yancheng.core.calendar import source as calendar_source

SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def provisional_case(world):
    """A case whose clock runs into 2094, a year no calendar release knows (see
    test_engine's late-December test)."""
    source = calendar_source.workday_calendar.source
    saved = source.recheck_seconds
    source.recheck_seconds = 0
    calendar_source.invalidate_cache()
    notice = holiday_parsers.parse_holiday_file("date,kind,name\n2093-10-01,holiday,国庆节\n", filename="2093.csv")
    holiday_services.holiday_year_import(notice=notice, actor=world.system_admin)
    calendar_source.invalidate_cache()
    with time_machine.travel(dt.datetime(2093, 12, 28, 10, 0, tzinfo=SH), tick=False):
        case = svc.case_submit(actor=world.enterprise_a_user, title="跨年事项", description="说明")
        svc.case_assign(case, actor=world.dispatcher, lead_org=world.power_company, solve_days=5)
    case.refresh_from_db()
    assert case.deadlines_provisional
    yield case
    source.recheck_seconds = saved
    calendar_source.invalidate_cache()


def _import_2094(world):
    notice = holiday_parsers.parse_holiday_file("date,kind,name\n2094-01-01,holiday,元旦\n", filename="2094.csv")
    holiday_services.holiday_year_import(notice=notice, actor=world.system_admin)
    calendar_source.invalidate_cache()


def test_each_recomputed_case_has_its_audit_record(world, provisional_case):
    old_due = provisional_case.solve_due_at
    _import_2094(world)
    assert recompute_provisional(2094) == 1
    provisional_case.refresh_from_db()
    assert not provisional_case.deadlines_provisional and provisional_case.solve_due_at != old_due
    event = AuditEvent.objects.get(action="case.deadlines_recomputed", object_id=str(provisional_case.pk))
    assert event.before["deadlines_provisional"] is True and event.after["deadlines_provisional"] is False
    assert event.before["solve_due_at"] != event.after["solve_due_at"]
    assert event.after["holiday_year"] == 2094


def test_a_case_whose_record_fails_keeps_its_old_deadlines(world, provisional_case, monkeypatch):
    before = Case.objects.values().get(pk=provisional_case.pk)
    _import_2094(world)

    def broken(*args, **kwargs):
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr(provisional, "audit_record", broken)
    with pytest.raises(RuntimeError):
        provisional.case_deadlines_recompute_provisional(2094)
    assert Case.objects.values().get(pk=provisional_case.pk) == before
