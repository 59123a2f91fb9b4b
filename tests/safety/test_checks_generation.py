"""The recurring check tasks: which periods start in a month, their due dates on the working
calendar (month ends on rest days, the Spring Festival, National Day), the responsible units
and their targets per level, and idempotency."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from yancheng.core.errors import PermissionDeniedError
from yancheng.core.models import Enterprise
from yancheng.safety.models import CheckTask, DutyLevel, EnterpriseSystem, Frequency, SystemDuty, SystemUnit
from yancheng.safety.services.checks_generation import (
    check_tasks_generate,
    generate_current_month,
    last_working_day,
    period_starting_in,
)

D = dt.date


@pytest.mark.parametrize(("frequency", "month", "expected"), [
    ("monthly", 2, (D(2026, 2, 1), D(2026, 2, 28))),
    ("monthly", 12, (D(2026, 12, 1), D(2026, 12, 31))),
    ("quarterly", 1, (D(2026, 1, 1), D(2026, 3, 31))),
    ("quarterly", 10, (D(2026, 10, 1), D(2026, 12, 31))),
    ("quarterly", 2, None),
    ("half_yearly", 7, (D(2026, 7, 1), D(2026, 12, 31))),
    ("half_yearly", 4, None),
    ("yearly", 1, (D(2026, 1, 1), D(2026, 12, 31))),
    ("yearly", 7, None),
    ("", 1, None),
])
def test_the_period_starting_in_a_month(frequency, month, expected):
    assert period_starting_in(frequency, 2026, month) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "end", "due"), [
    # January 2026 ends on a Saturday: the Friday before.
    (D(2026, 1, 1), D(2026, 1, 31), D(2026, 1, 30)),
    # The Spring Festival 2026: 28 February is a Saturday made a working day (调休), so it is the due date.
    (D(2026, 2, 1), D(2026, 2, 28), D(2026, 2, 28)),
    # October 2026 ends on a Saturday; National Day's make-up Saturday is the 10th, not the 31st.
    (D(2026, 10, 1), D(2026, 10, 31), D(2026, 10, 30)),
    # September 2026 ends on a Wednesday, the eve of National Day: a working day.
    (D(2026, 9, 1), D(2026, 9, 30), D(2026, 9, 30)),
    # A period whose every day is a holiday keeps its last day.
    (D(2026, 10, 2), D(2026, 10, 4), D(2026, 10, 4)),
])
def test_the_due_date_is_the_periods_last_working_day(start, end, due):
    assert last_working_day(start, end) == due


def _tasks(**kw):
    return CheckTask.objects.filter(**kw).order_by("unit__code", "period_start")


def test_a_month_makes_the_monthly_tasks_of_each_county_unit_with_their_targets(sw):
    result = check_tasks_generate(year=2026, month=1, actor=sw.anweiban)
    monthly = _tasks(system=sw.industry)
    # 工贸 (county level, monthly): 石鼓区 → the city's 应急管理局 (enterprise B), 祁东县 → its own (enterprise A)
    assert [(t.unit, t.target, t.period_start, t.period_end, t.due_on) for t in monthly] == [
        (sw.emergency_bureau, 1, D(2026, 1, 1), D(2026, 1, 31), D(2026, 1, 30)),
        (sw.qidong_emergency, 1, D(2026, 1, 1), D(2026, 1, 31), D(2026, 1, 30)),
    ]
    # 消防 (city level, quarterly): the leading fire brigade, every mapped enterprise
    quarterly = _tasks(system=sw.fire).get()
    assert (quarterly.unit, quarterly.target, quarterly.period_end, quarterly.due_on) == (
        sw.fire_brigade, 1, D(2026, 3, 31), D(2026, 3, 31))
    assert (result.created, result.existing) == (3, 0)
    assert quarterly.yellow_on == D(2026, 3, 2) and monthly[0].yellow_on == D(2026, 1, 21)


def test_a_month_starting_no_quarter_makes_only_monthly_tasks(sw):
    check_tasks_generate(year=2026, month=2, actor=None)
    assert set(CheckTask.objects.values_list("system__code", flat=True)) == {"industry"}
    assert {t.due_on for t in CheckTask.objects.all()} == {D(2026, 2, 28)}


def test_generating_twice_makes_nothing_new(sw):
    first = check_tasks_generate(year=2026, month=10, actor=sw.anweiban)
    again = check_tasks_generate(year=2026, month=10, actor=sw.anweiban)
    assert (first.created, again.created, again.existing) == (3, 0, 3)
    assert CheckTask.objects.count() == 3
    assert {t.due_on for t in CheckTask.objects.filter(system=sw.industry)} == {D(2026, 10, 30)}


def test_a_mapping_naming_its_department_counts_for_that_department(sw):
    """Enterprise A (祁东) named to the city bureau by hand: the city bureau owes two, 祁东 none."""
    EnterpriseSystem.objects.filter(enterprise=sw.enterprise_a, system=sw.industry).update(
        responsible_org=sw.emergency_bureau)
    check_tasks_generate(year=2026, month=3, actor=None)
    assert [(t.unit, t.target) for t in _tasks(system=sw.industry)] == [(sw.emergency_bureau, 2)]


def test_the_duty_scope_narrows_by_industry_code(sw):
    Enterprise.objects.filter(pk=sw.enterprise_a.pk).update(industry_code="C2231")
    Enterprise.objects.filter(pk=sw.enterprise_b.pk).update(industry_code="H6210")
    SystemDuty.objects.filter(system=sw.industry).update(scope_industry_codes=["H62"])
    check_tasks_generate(year=2026, month=5, actor=None)
    assert [(t.unit, t.target) for t in _tasks(system=sw.industry)] == [(sw.emergency_bureau, 1)]


def test_township_duties_go_to_the_parks_and_yearly_ones_start_in_january(sw):
    SystemDuty.objects.create(system=sw.industry, level=DutyLevel.TOWNSHIP, text="园区每年巡查",
                              frequency=Frequency.YEARLY, checks_enterprises=True)
    check_tasks_generate(year=2026, month=2, actor=None)
    assert not CheckTask.objects.filter(unit=sw.qidong_park).exists()
    check_tasks_generate(year=2026, month=1, actor=None)
    park = CheckTask.objects.get(unit=sw.qidong_park)
    assert (park.target, park.period_end, park.due_on) == (1, D(2026, 12, 31), D(2026, 12, 31))


def test_the_city_unit_replaces_the_leading_department_where_one_is_named(sw):
    SystemUnit.objects.create(system=sw.fire, region=sw.city, organisation=sw.emergency_bureau)
    check_tasks_generate(year=2026, month=4, actor=None)
    assert _tasks(system=sw.fire).get().unit == sw.emergency_bureau


def test_inactive_duties_systems_and_unmapped_units_make_no_task(sw):
    SystemDuty.objects.filter(system=sw.fire).update(is_active=False)
    EnterpriseSystem.objects.filter(enterprise=sw.enterprise_a, system=sw.industry).delete()
    check_tasks_generate(year=2026, month=7, actor=None)
    assert [(t.unit, t.system.code) for t in _tasks()] == [(sw.emergency_bureau, "industry")]


def test_only_the_safety_office_generates(sw):
    for user in (sw.safety_emergency, sw.world.users["inspector_emergency"], sw.world.users["leader"]):
        with pytest.raises(PermissionDeniedError):
            check_tasks_generate(year=2026, month=1, actor=user)
    assert not CheckTask.objects.exists()
    check_tasks_generate(year=2026, month=1, actor=sw.anweiban_qidong)
    assert CheckTask.objects.count() == 3


def test_the_daily_job_generates_the_current_month(sw):
    with time_machine.travel(dt.datetime(2026, 7, 15, 9, 0, tzinfo=dt.UTC), tick=False):
        generate_current_month()
        generate_current_month()
    assert sorted({(t.period_start, t.system.code) for t in CheckTask.objects.all()}) == [
        (D(2026, 7, 1), "fire"), (D(2026, 7, 1), "industry")]
    assert CheckTask.objects.count() == 3
